"""Plumbing shared by the examples, kept out of their way. Not part of any pattern.

``python examples/<pattern>.py`` ends in ``run(__file__)``, which:

- without ``EDENAI_BASE_URL`` in the environment, starts the built-in Eden AI emulator on
  loopback and points the example at it, exactly as a user's config would: it sets
  ``EDENAI_BASE_URL`` and ``EDENAI_API_KEY``. The library needs no host setting: a call
  asking for ``@edenai`` is observed on any host. No key, no network, no bill.
- with ``EDENAI_BASE_URL`` set, runs against that API instead (the real one costs money).
- installs in-memory OpenTelemetry providers as the global ones (the example's one added
  line reports to the global providers), runs the example's ``main()``, and prints what it
  returned, the span tree and the metric points.

``--fast`` starts the emulator with millisecond delays instead of realistic ones.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import TYPE_CHECKING

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from opentelemetry.sdk.trace import ReadableSpan

DEMO_KEY = "sk-eden-demo"
# Span attributes worth a glance, with the short label they are printed under.
_SHOWN = {
    "gen_ai.response.model": "served",
    "llm.router.routing.duration": "routing",
    "gen_ai.response.time_to_first_chunk": "ttft",
    "llm.router.pool": "pool",
    "llm.router.tier": "tier",
    "llm.router.use_case": "use_case",
    "gen_ai.conversation.id": "conversation",
    "llm.router.tool_calls": "tool_calls",
    "llm.router.cost": "cost",
    "llm.router.fallback.from": "fallback_from",
    "llm.router.fallback.reason": "fallback_reason",
    "error.type": "error",
}


def run(path: str, *, faults: Sequence[str] = ()) -> None:
    """Run the example at ``path`` (its ``main()``) and print the telemetry it produced.

    ``faults``: emulator faults to inject once each before ``main()`` runs (only when this
    helper started the emulator), to show what a failure looks like.
    """
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)

    if os.environ.get("EDENAI_BASE_URL"):
        print(f"Using the API at {os.environ['EDENAI_BASE_URL']}")
        result = _main(path)
    else:
        config = EmulatorConfig.fast() if "--fast" in sys.argv[1:] else EmulatorConfig()
        with Emulator(config) as emu:
            os.environ["EDENAI_BASE_URL"] = emu.llm_base_url
            os.environ.setdefault("EDENAI_API_KEY", DEMO_KEY)
            print(f"Eden AI emulator at {emu.llm_base_url} (no key, no network)")
            for fault in faults:
                emu.inject(fault)
            result = _main(path)

    print(f"\nmain() returned:\n  {result!r}")
    print("\nSpans:")
    _print_tree(spans.get_finished_spans())
    print("\nMetric points:")
    _print_metrics(reader)
    tracer_provider.shutdown()
    meter_provider.shutdown()


def _main(path: str) -> object:
    # Load the example afresh, after the environment is set, as a user's process would.
    return runpy.run_path(path, run_name="example")["main"]()


def _print_tree(spans: Sequence[ReadableSpan]) -> None:
    ids = {span.context.span_id for span in spans}
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        children.setdefault(parent, []).append(span)

    def show(nodes: Iterable[ReadableSpan], depth: int) -> None:
        for span in nodes:
            attrs = span.attributes or {}
            facts = [f"{label}={_fmt(attrs[key])}" for key, label in _SHOWN.items() if key in attrs]
            print(f"  {'  ' * depth}{span.name}  {' '.join(facts)}".rstrip())
            show(children.get(span.context.span_id, []), depth + 1)

    show(children.get(None, []), 0)


def _print_metrics(reader: InMemoryMetricReader) -> None:
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else []:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    labels = ", ".join(f"{k}={v!s}" for k, v in (point.attributes or {}).items())
                    if isinstance(point, NumberDataPoint):
                        value = _fmt(point.value)
                    elif isinstance(point, HistogramDataPoint):
                        value = f"count={point.count} sum={_fmt(point.sum)}"
                    else:
                        value = f"count={point.count}"
                    print(f"  {metric.name} {{{labels}}} {value}")


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
