"""Fixtures of the dashboard tests: the Debian prometheus and promtool binaries."""

from __future__ import annotations

import shutil

import pytest


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # only on a developer's machine: CI turns this skip into a failure
        pytest.skip(f"{name} is not installed (Debian package prometheus)")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of promtool."""
    return _binary("promtool")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """Path of the prometheus server."""
    return _binary("prometheus")
