"""Logs that line up with traces: a structlog processor and one event per LLM call.

``add_trace_context`` adds the current trace and span ids to every structlog event. Each
observed call also emits one event, ``llm.call``, on the standard-library logger
``routing_otel.calls`` at INFO, with its fields in ``extra``. The library never configures
logging: with no configuration nothing is printed; with structlog's stdlib integration
(``structlog.stdlib.ExtraAdder``) the fields become keys of the event.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from routing_otel._result import CallResult

__all__ = ["CALL_LOGGER", "add_trace_context"]

CALL_LOGGER = "routing_otel.calls"
_calls = logging.getLogger(CALL_LOGGER)


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


def log_call(result: CallResult) -> None:
    """Emit the ``llm.call`` event of one finished call (cheap when INFO is off)."""
    if not _calls.isEnabledFor(logging.INFO):
        return
    record = result.record
    observation = result.observation
    context = record.span.get_span_context()
    fields: dict[str, Any] = {
        "model": record.request.model,
        "served_model": result.served_model,
        "pool": record.pool,
        "outcome": sc.OUTCOME_ERROR if result.error_type else sc.OUTCOME_SUCCESS,
        "error_type": result.error_type,
        "routing_latency_s": result.routing_s,
        "ttft_s": result.ttft_s,
        "duration_s": result.duration_s,
        "cost_usd": result.cost_usd,
        "cost_source": result.cost_source,
        "input_tokens": observation.input_tokens if observation else None,
        "output_tokens": observation.output_tokens if observation else None,
        "fallback": result.fell_back,
        **record.metric_attributes,
    }
    if context.is_valid:
        fields["trace_id"] = format(context.trace_id, "032x")
        fields["span_id"] = format(context.span_id, "016x")
    _calls.info("llm.call", extra=fields)
