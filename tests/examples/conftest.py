"""The examples run as a user's code would: configured by the environment, at the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator


@pytest.fixture
def example_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the examples' config at the emulator; the library is told no hosts."""
    monkeypatch.setenv("EDENAI_BASE_URL", emu.llm_base_url)
    monkeypatch.setenv("EDENAI_API_KEY", "sk-eden-examples")
    monkeypatch.delenv("ROUTING_OTEL_HOSTS", raising=False)  # @edenai calls show the way
