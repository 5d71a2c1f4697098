"""routing-otel: OpenTelemetry for Eden AI smart routing, in one line.

>>> import routing_otel
>>> routing_otel.instrument()          # every httpx, httpx2 and requests client, globally

or scope the calls of one operation (observed even without ``instrument()``):

>>> @routing_otel.observe(tier="budget", use_case="code")
... def answer(question: str) -> str: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel import _instrument
from routing_otel._instrumentor import RoutingInstrumentor
from routing_otel._observe import ObserveScope, observe
from routing_otel._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = [
    "ObserveScope",
    "RoutingInstrumentor",
    "__version__",
    "instrument",
    "observe",
    "uninstrument",
]


def instrument(
    *,
    hosts: Iterable[str] | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    request_metadata: bool | None = None,
    fallback_window_s: float | None = None,
) -> None:
    """Observe every Eden AI chat call made with httpx, httpx2 or requests, process-wide.

    Clients created before the call are covered too, the OpenAI SDK's own included. Calling
    it again replaces the options. Options left unset come from the environment
    (``ROUTING_OTEL_HOSTS``, ``ROUTING_OTEL_REQUEST_METADATA``,
    ``ROUTING_OTEL_FALLBACK_WINDOW_S``) or their defaults; the providers default to the
    global ones (never replaced behind your back).
    """
    options: dict[str, object] = {
        "hosts": hosts,
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
        "request_metadata": request_metadata,
        "fallback_window_s": fallback_window_s,
    }
    instrumentor = RoutingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(**{k: v for k, v in options.items() if v is not None})


def uninstrument() -> None:
    """Undo :func:`instrument` (and the patches ``observe`` scopes installed), exactly."""
    instrumentor = RoutingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    else:
        _instrument.uninstrument()
