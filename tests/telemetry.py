"""Reading what the library emitted, as a user's backend would see it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace import SpanProcessor

if TYPE_CHECKING:
    from collections.abc import Mapping

    from opentelemetry.context import Context
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        HistogramDataPoint,
        InMemoryMetricReader,
        NumberDataPoint,
    )
    from opentelemetry.sdk.trace import ReadableSpan, Span, TracerProvider
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class EndCounter(SpanProcessor):
    """Counts, per span, the calls to ``end()`` and the deliveries to ``on_end``.

    The SDK ignores a second ``end()`` (a log line, no second ``on_end``), so ``on_end``
    alone cannot see one: each span's ``end`` is also counted, from ``on_start``. Spans are
    counted by object, not only by id: hypothesis reseeds ``random``, so its examples'
    spans can share ids.
    """

    def __init__(self) -> None:
        """Nothing counted yet."""
        self._lock = threading.Lock()
        # id(span) -> [span (kept, so the id is not reused), end() calls, on_end deliveries]
        self._counts: dict[int, list[Any]] = {}

    def _count(self, span: ReadableSpan, index: int) -> None:
        with self._lock:
            self._counts.setdefault(id(span), [span, 0, 0])[index] += 1

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Count every later ``end()`` of ``span``."""
        del parent_context
        end = span.end

        def counted_end(end_time: int | None = None) -> None:
            self._count(span, 1)
            end(end_time)

        span.end = counted_end  # type: ignore[method-assign]

    def on_end(self, span: ReadableSpan) -> None:
        """Count the span's delivery to processors."""
        self._count(span, 2)

    def ends(self, span: ReadableSpan) -> int:
        """How many times ``end()`` was called on ``span`` (as exported: found by its ids)."""
        with self._lock:
            counts = list(self._counts.values())
        return max((n for s, n, _ in counts if s.context == span.context), default=0)

    def ended_twice(self) -> list[str]:
        """Names of the spans ended, or delivered to processors, more than once."""
        with self._lock:
            counts = list(self._counts.values())
        return sorted(span.name for span, ends, delivered in counts if max(ends, delivered) > 1)


@dataclass
class Telemetry:
    """Providers for the code under test, and what they recorded."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    end_counter: EndCounter = field(default_factory=EndCounter)

    @property
    def providers(self) -> dict[str, Any]:
        """Keyword arguments that point a transport at these providers."""
        return {"tracer_provider": self.tracer_provider, "meter_provider": self.meter_provider}

    def spans(self, prefix: str = "") -> list[ReadableSpan]:
        """Finished spans whose name starts with ``prefix``."""
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith(prefix)]

    def chat_spans(self) -> list[ReadableSpan]:
        """Finished ``chat ...`` spans."""
        return self.spans("chat ")

    def only_chat_span(self) -> ReadableSpan:
        """The single finished chat span (fails if there is not exactly one)."""
        spans = self.chat_spans()
        assert len(spans) == 1, [s.name for s in self.exporter.get_finished_spans()]
        return spans[0]

    def points(self, name: str) -> list[HistogramDataPoint | NumberDataPoint]:
        """Every data point of metric ``name`` collected now."""
        data = self.reader.get_metrics_data()
        found: list[HistogramDataPoint | NumberDataPoint] = []
        if data is None:
            return found
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name == name:
                        found.extend(metric.data.data_points)  # type: ignore[arg-type]
        return found

    def point(self, name: str, **attributes: Any) -> HistogramDataPoint | NumberDataPoint:
        """The one point of ``name`` whose attributes include ``attributes`` (dots as __)."""
        wanted = {k.replace("__", "."): v for k, v in attributes.items()}
        matching = [p for p in self.points(name) if _includes(p.attributes or {}, wanted)]
        assert len(matching) == 1, (name, wanted, [p.attributes for p in self.points(name)])
        return matching[0]


def _includes(attributes: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(attributes.get(k) == v for k, v in wanted.items())
