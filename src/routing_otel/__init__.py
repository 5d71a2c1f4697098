"""routing-otel: OpenTelemetry for Eden AI smart routing, in one line.

>>> import routing_otel
>>> routing_otel.instrument()          # every httpx, httpx2 and requests client, globally

or scope the calls of one operation (observed even without ``instrument()``):

>>> @routing_otel.observe(tier="budget", use_case="code")
... def answer(question: str) -> str: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel._dropin import instrument as _instrument
from routing_otel._dropin.instrumentor import RoutingInstrumentor
from routing_otel._dropin.observe import ObserveScope, label, observe
from routing_otel._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Unpack

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from routing_otel._options import OptionArgs

__all__ = [
    "ObserveScope",
    "RoutingInstrumentor",
    "__version__",
    "instrument",
    "label",
    "observe",
    "uninstrument",
]


def instrument(
    *,
    hosts: Iterable[str] | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    **options: Unpack[OptionArgs],
) -> None:
    """Observe every Eden AI chat call made with httpx, httpx2 or requests, process-wide.

    Clients created before the call are covered too, the OpenAI SDK's own included. Calling
    it again replaces the options. The providers default to the global ones (never replaced
    behind your back). Options, each also read from the environment when not given:

    - ``hosts``: restrict to these hosts (``ROUTING_OTEL_HOSTS``, comma-separated; a base
      URL is read as its host and port); default ``api.edenai.run``, ``api.eu.edenai.run``
      and any host a call asking for ``@edenai`` goes to.
    - ``request_metadata`` (default True, ``ROUTING_OTEL_REQUEST_METADATA``): ask for
      ``edenai_metadata`` so server-side fallbacks and the router's strategy are seen.
    - ``capture_usage`` (default True, ``ROUTING_OTEL_CAPTURE_USAGE``): get usage and cost
      for streams that did not ask for them, invisibly to the app.
    - ``capture_content`` (default off, ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``):
      ``True`` or ``"span_only"`` records prompts and answers on spans, ``"event_only"`` as
      the conventions' details event (through ``logger_provider``, default the global one),
      ``"span_and_event"`` both.
    - ``prices_file`` (``ROUTING_OTEL_PRICES_FILE``): prices merged over the built-in ones.
    - ``savings_baseline`` (default ``max_candidate``, ``ROUTING_OTEL_SAVINGS_BASELINE``).
    - ``budget_usd_per_day`` (``ROUTING_OTEL_BUDGET_USD_PER_DAY``): exported as a gauge.
    - ``fallback_window_s`` (default 10, ``ROUTING_OTEL_FALLBACK_WINDOW_S``).
    """
    given: dict[str, object] = {
        "hosts": hosts,
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
        **options,
    }
    instrumentor = RoutingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    instrumentor.instrument(**{k: v for k, v in given.items() if v is not None})


def uninstrument() -> None:
    """Undo :func:`instrument` (and the patches ``observe`` scopes installed), exactly."""
    instrumentor = RoutingInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    else:
        _instrument.uninstrument()
