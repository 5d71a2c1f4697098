"""The conventions' opt-in ``gen_ai.client.inference.operation.details`` event (logs API).

Emitted once per call when content capture asks for events (``event_only``,
``span_and_event``): the call's GenAI attributes, as on its span, with the prompt and the
answer in structured form (the conventions require it on events), in the span's context so
a backend can join the two.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry._logs import LogRecord, get_logger

from routing_otel import _semconv as sc
from routing_otel._telemetry.metrics import SCHEMA_URL, SCOPE_NAME
from routing_otel._version import __version__

if TYPE_CHECKING:
    from collections.abc import Mapping

    from opentelemetry._logs import LoggerProvider
    from opentelemetry.util.types import AnyValue

# Attributes of the inference span the event repeats: the conventions' ones, not ours.
_CONVENTION_PREFIXES = ("gen_ai.",)
_CONVENTION_NAMES = frozenset({sc.SERVER_ADDRESS, sc.SERVER_PORT, sc.ERROR_TYPE})
_CONTENT = frozenset({sc.GEN_AI_INPUT_MESSAGES, sc.GEN_AI_OUTPUT_MESSAGES})


class DetailsEvent:
    """Emits the details event of finished calls through one logger, made once."""

    __slots__ = ("_logger",)

    def __init__(self, logger_provider: LoggerProvider | None) -> None:
        """Use ``logger_provider``, or the global one (looked up lazily by the API)."""
        self._logger = get_logger(
            SCOPE_NAME, __version__, logger_provider=logger_provider, schema_url=SCHEMA_URL
        )

    def emit(
        self,
        span: trace.Span,
        attributes: Mapping[str, object],
        content: Mapping[str, str | None],
        end_ns: int,
    ) -> None:
        """One event for the call whose chat span is ``span``.

        ``attributes``: everything set on the span; ``content``: the captured messages as
        span-attribute JSON (bounded), by attribute name.
        """
        values: dict[str, AnyValue] = {
            name: value  # type: ignore[misc]
            for name, value in attributes.items()
            if value is not None
            and name not in _CONTENT
            and (name.startswith(_CONVENTION_PREFIXES) or name in _CONVENTION_NAMES)
        }
        for name, text in content.items():
            structured = _structured(text)
            if structured is not None:
                values[name] = structured
        self._logger.emit(
            LogRecord(
                timestamp=end_ns,
                observed_timestamp=time.time_ns(),
                context=trace.set_span_in_context(span),
                event_name=sc.EVENT_INFERENCE_DETAILS,
                attributes=values,
            )
        )


def _structured(text: str | None) -> AnyValue:
    """The messages back as lists and maps; None if absent or not whole JSON."""
    if not text:
        return None
    try:
        value: AnyValue = json.loads(text)
    except ValueError:  # cut to fit a span attribute: the event leaves it out
        return None
    return value
