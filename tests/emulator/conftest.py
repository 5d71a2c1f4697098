"""Fixtures of the emulator tests: a fresh, fast emulator per test, checked for bugs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator with millisecond delays, in a background thread."""
    with Emulator(EmulatorConfig.fast()) as emulator:
        yield emulator
        assert emulator.internal_errors == []


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    """A synchronous httpx client aimed at the emulator's current base URL."""
    with httpx.Client(base_url=emu.base_url, timeout=10) as http:
        yield http
