"""Every telemetry name the library really emits, collected from a run against the emulator.

The workload is the lab's (routed calls in pools with tier and use case, routed calls
without candidates, fixed-model calls, 429/500/503 errors, an error frame in a stream,
server- and client-side fallbacks, a daily budget), plus the calls that carry the rest:
routing metadata, sampling options, a session id, tools, captured content, a prompt long
enough to be cached, and a stream closed before its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import routing_otel.httpx
from dashboards import lab
from routing_otel._semconv import SCOPE_NAME
from routing_otel.emulator import Emulator, EmulatorConfig
from tests.clients import KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

ROUNDS = 6
LONG_PROMPT = "Summarise the history of the printing press in detail. " * 200  # > 1024 tokens


@dataclass
class Emitted:
    """Names seen in one run, by kind."""

    spans: set[str] = field(default_factory=set)
    span_attributes: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    log_events: set[str] = field(default_factory=set)
    metrics: set[str] = field(default_factory=set)
    metric_attributes: set[str] = field(default_factory=set)
    units: dict[str, str] = field(default_factory=dict)
    by_metric: dict[str, set[str]] = field(default_factory=dict)  # metric: its attributes


def _extra_calls() -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """(payload, headers) of the calls the lab workload does not make."""
    user = [{"role": "user", "content": "What is the weather in Paris?"}]
    yield (
        {
            "model": "@edenai",
            "messages": user,
            "router_candidates": ["openai/gpt-4o", "google/gemini-2.0-flash", "acme/unknown"],
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": 200,
            "temperature": 0.2,
            "top_p": 0.9,
            "seed": 7,
            "n": 2,
            "response_format": {"type": "json_object"},
            "frequency_penalty": 0.1,
            "presence_penalty": 0.1,
            "stop": "END",
            "session_id": "conversation-1",
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
        },
        {"x-edenai-metadata": "enabled"},
    )
    long_prompt = [{"role": "user", "content": LONG_PROMPT}]
    for _ in range(2):  # the second call reads the first one's cached prefix
        yield {"model": "anthropic/claude-sonnet-4-5", "messages": long_prompt}, {}


def collect(emulator: Emulator) -> Emitted:
    """Run the workload against ``emulator`` and return every name emitted."""
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    logs = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    providers: dict[str, Any] = {
        "tracer_provider": tracer_provider,
        "meter_provider": meter_provider,
    }
    try:
        lab.run_workload(emulator.port, providers, lab.calls(ROUNDS))
        base = f"{emulator.url}/v3/llm/chat/completions"
        transport = routing_otel.httpx.RoutingTransport(
            hosts=[f"{lab.LOOPBACK}:{emulator.port}"],
            capture_content="span_and_event",
            logger_provider=logger_provider,
            budget_usd_per_day=lab.BUDGET_USD_PER_DAY,
            **providers,
        )
        with httpx.Client(transport=transport, timeout=30) as client:
            auth = {"Authorization": f"Bearer {KEY}"}
            for payload, headers in _extra_calls():
                client.post(base, json=payload, headers=auth | headers).raise_for_status()
            streamed = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
            with client.stream("POST", base, json=streamed | {"stream": True}, headers=auth) as r:
                next(r.iter_bytes())  # the caller stops reading: closed early
        found = _names(spans, reader)
        found.log_events = {
            r.log_record.event_name for r in logs.get_finished_logs() if r.log_record.event_name
        }
        return found
    finally:
        logger_provider.shutdown()
        meter_provider.shutdown()
        tracer_provider.shutdown()


def _names(spans: InMemorySpanExporter, reader: InMemoryMetricReader) -> Emitted:
    found = Emitted()
    for span in spans.get_finished_spans():
        if span.instrumentation_scope is None or span.instrumentation_scope.name != SCOPE_NAME:
            continue
        found.spans.add(span.name.split(" ", 1)[0])
        found.span_attributes |= set(span.attributes or {})
        found.events |= {event.name for event in span.events}
    data = reader.get_metrics_data()
    assert data is not None
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            if scope_metrics.scope.name != SCOPE_NAME:
                continue
            for metric in scope_metrics.metrics:
                found.metrics.add(metric.name)
                found.units[metric.name] = metric.unit or ""
                for point in metric.data.data_points:
                    found.metric_attributes |= set(point.attributes or {})
                    found.by_metric.setdefault(metric.name, set()).update(point.attributes or {})
    return found


def emulator_for_docs() -> Emulator:
    """The emulator the run uses: fast delays."""
    return Emulator(EmulatorConfig.fast())
