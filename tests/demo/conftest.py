"""Running the demo in-process with its telemetry read independently of its report."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from routing_otel import _semconv as sc
from routing_otel.demo import run

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from opentelemetry.sdk.trace import ReadableSpan

# A shortened run: 40 planned calls, millisecond emulator delays, no progress output.
SHORT = ("--requests", "40", "--concurrency", "4", "--fast", "--no-progress")


_AMBIENT = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_SERVICE_NAME",
    "OTEL_METRIC_EXPORT_INTERVAL",
)


def _clear_ambient(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _AMBIENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _no_ambient_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's own OTEL_* settings must not send the tests' telemetry anywhere."""
    _clear_ambient(monkeypatch)


@dataclass
class DemoRun:
    """One in-process run: its exit status, output, and the telemetry it produced."""

    status: int
    out: str
    err: str
    spans: list[ReadableSpan]
    reader: InMemoryMetricReader
    _points: dict[str, list[tuple[dict[str, Any], Any]]] = field(default_factory=dict)

    def chat_spans(self) -> list[ReadableSpan]:
        """The ``chat ...`` spans, one per LLM call."""
        return [s for s in self.spans if s.name.startswith(f"{sc.OPERATION_CHAT} ")]

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, point) of metric ``name``, from the test's own reader."""
        if not self._points:
            data = self.reader.get_metrics_data()
            assert data is not None
            for resource_metrics in data.resource_metrics:
                for scope_metrics in resource_metrics.scope_metrics:
                    for metric in scope_metrics.metrics:
                        self._points[metric.name] = [
                            (dict(p.attributes or {}), p) for p in metric.data.data_points
                        ]
        return self._points.get(name, [])

    def counter(self, name: str, *by: str) -> Counter[tuple[Any, ...]]:
        """A counter summed by the attributes ``by``."""
        sums: Counter[tuple[Any, ...]] = Counter()
        for attrs, point in self.points(name):
            sums[tuple(attrs.get(label) for label in by)] += point.value
        return sums


def run_demo(argv: Sequence[str]) -> DemoRun:
    """Run ``routing-otel demo ARGV`` in-process, with a span exporter and metric reader."""
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    out, err = io.StringIO(), io.StringIO()
    status = run(
        list(argv),
        out=out,
        err=err,
        span_processors=[SimpleSpanProcessor(exporter)],
        metric_readers=[reader],
    )
    return DemoRun(
        status, out.getvalue(), err.getvalue(), list(exporter.get_finished_spans()), reader
    )


@pytest.fixture(scope="module")
def short_json_run() -> Iterator[DemoRun]:
    """One shortened run with a JSON report, shared by the checks of one module."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _clear_ambient(monkeypatch)
        yield run_demo([*SHORT, "--format", "json"])
