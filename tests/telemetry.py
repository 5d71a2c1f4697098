"""Reading what the library emitted, as a user's backend would see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        HistogramDataPoint,
        InMemoryMetricReader,
        NumberDataPoint,
    )
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@dataclass
class Telemetry:
    """Providers for the code under test, and what they recorded."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

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
