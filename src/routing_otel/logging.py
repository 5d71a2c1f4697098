"""Logs that line up with traces: a structlog processor and one event per LLM call.

``add_trace_context`` adds the current trace and span ids to every structlog event. Each
observed call also emits one event, ``llm.call``, on the standard-library logger
``routing_otel.calls`` at INFO, with its fields in ``extra``. The library never configures
logging: with no configuration nothing is printed; with structlog's stdlib integration
(``structlog.stdlib.ExtraAdder``) the fields become keys of the event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from routing_otel._telemetry.calllog import CALL_LOGGER

if TYPE_CHECKING:
    from collections.abc import MutableMapping

__all__ = ["CALL_LOGGER", "add_trace_context"]


def add_trace_context(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Structlog processor: add ``trace_id`` and ``span_id`` of the current span, if any."""
    del logger, method_name  # a processor's signature; neither is needed
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict
