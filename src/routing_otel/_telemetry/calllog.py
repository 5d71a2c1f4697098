"""The ``llm.call`` log event: one standard-library log record per finished call.

The logger is ``routing_otel.calls`` at INFO, its fields in ``extra`` (see
``routing_otel.logging`` for the public face and the structlog processor).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from routing_otel._telemetry.result import CallResult

CALL_LOGGER = "routing_otel.calls"
_calls = logging.getLogger(CALL_LOGGER)


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
