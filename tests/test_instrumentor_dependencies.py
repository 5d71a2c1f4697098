"""What the instrumentor declares it needs: any one of the clients it patches."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.instrumentation import dependencies
from opentelemetry.instrumentation.auto_instrumentation._load import _load_instrumentors

from routing_otel import RoutingInstrumentor
from routing_otel._dropin import instrument as _instrument

if TYPE_CHECKING:
    from collections.abc import Callable

CLIENTS = {"httpx": "httpx >= 0.27", "httpx2": "httpx2 >= 2.16", "requests": "requests >= 2.31"}


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Callable[[set[str]], None]:
    """Make OpenTelemetry's dependency checks see only some of the clients as installed."""

    def only(kept: set[str]) -> None:
        real = dependencies.version  # type: ignore[attr-defined]

        def version(name: str) -> str:
            if name in CLIENTS and name not in kept:
                raise PackageNotFoundError(name)
            return real(name)

        monkeypatch.setattr(dependencies, "version", version)

    return only


class _RecordingDistro:
    """What ``opentelemetry-instrument`` would load, recorded instead of loaded."""

    def __init__(self) -> None:
        self.loaded: list[str] = []

    def load_instrumentor(self, entry_point: Any, **kwargs: Any) -> None:
        self.loaded.append(entry_point.name)


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_any_one_client_is_enough(installed: Callable[[set[str]], None], client: str) -> None:
    """With one client installed, we declare it and `opentelemetry-instrument` loads us."""
    installed({client})
    instrumentor = RoutingInstrumentor()
    assert tuple(instrumentor.instrumentation_dependencies()) == (CLIENTS[client],)
    assert instrumentor._check_dependency_conflicts() is None
    distro = _RecordingDistro()
    _load_instrumentors(distro)  # type: ignore[no-untyped-call]
    assert "routing_otel" in distro.loaded


def test_without_any_client_we_are_not_loaded(
    installed: Callable[[set[str]], None], caplog: pytest.LogCaptureFixture
) -> None:
    """With no client installed, nothing is patched and the log names every option."""
    installed(set())
    instrumentor = RoutingInstrumentor()
    assert tuple(instrumentor.instrumentation_dependencies()) == tuple(CLIENTS.values())
    distro = _RecordingDistro()
    with caplog.at_level(logging.DEBUG, logger="opentelemetry.instrumentation"):
        _load_instrumentors(distro)  # type: ignore[no-untyped-call]
    assert "routing_otel" not in distro.loaded
    assert all(name in caplog.text for name in CLIENTS)
    with caplog.at_level(logging.ERROR):
        instrumentor.instrument()
    assert not instrumentor.is_instrumented_by_opentelemetry
    assert not _instrument.is_instrumented()
