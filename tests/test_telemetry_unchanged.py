"""The same telemetry before and after any change to the call path (issue: overhead).

Every recorded response of ``tests/sse_fixtures.py`` (each variation of the wire doc), plus
error answers, a fixed-model call and a call with every sampling option, goes through the
whole stack (an httpx ``RoutingTransport`` over a ``MockTransport``), read whole and one
frame per read. Every span, attribute, event, status and metric point it makes is written
down, with what depends on the clock (times and durations) reduced to its type, and compared
with ``tests/data/telemetry_golden.json``, written from the code before the overhead work.

A change that alters telemetry on purpose regenerates the file and says so in the changelog:

    ROUTING_OTEL_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_telemetry_unchanged.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import routing_otel.httpx
from routing_otel import _semconv as sc
from tests.sse_fixtures import CASES, JSON, SSE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk.trace import ReadableSpan

GOLDEN = Path(__file__).parent / "data" / "telemetry_golden.json"
URL = "https://api.edenai.run/v3/llm/chat/completions"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
# Values read from the clock: only their type is compared.
_CLOCK_ATTRIBUTES = frozenset({sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, sc.ROUTER_ROUTING_DURATION})


def _cases() -> list[tuple[str, dict[str, Any], int, bytes, str | None]]:
    """(name, request payload, status, body, content type) of every recorded call."""
    cases = []
    for number, case in enumerate(CASES):
        name = f"{number:02d} {case.name}"  # some names are alike once shortened
        status = (
            int(case.name.split()[2].rstrip(":")) if case.name.startswith("error body") else 200
        )
        payload: dict[str, Any] = {"model": "@edenai", "messages": MESSAGES}
        if case.content_type != JSON:
            payload["stream"] = True
        cases.append((name, payload, status, case.body, case.content_type))
    plain = next(c for c in CASES if c.content_type == SSE)
    cases += [
        (
            "fixed model",
            {"model": "openai/gpt-4o", "messages": MESSAGES, "stream": True},
            200,
            plain.body,
            SSE,
        ),
        (
            "every sampling option",
            {
                "model": "@edenai",
                "messages": MESSAGES,
                "stream": True,
                "max_tokens": 64,
                "temperature": 0.2,
                "top_p": 0.9,
                "seed": 7,
                "n": 2,
                "frequency_penalty": 0.1,
                "presence_penalty": 0.3,
                "stop": ["\n\n"],
                "response_format": {"type": "json_object"},
                "router_candidates": ["openai/gpt-4o", "google/gemini-2.0-flash"],
            },
            200,
            plain.body,
            SSE,
        ),
        (
            "429",
            {"model": "@edenai", "messages": MESSAGES, "stream": True},
            429,
            b'{"error": {"message": "slow down", "type": "rate_limit"}}',
            JSON,
        ),
        ("503", {"model": "@edenai", "messages": MESSAGES}, 503, b"upstream down", "text/plain"),
    ]
    return cases


def _pieces(body: bytes, mode: str) -> Iterator[bytes]:
    if mode == "whole":
        yield body
        return
    rest = body
    while rest:  # one frame per read (an SSE frame ends at a blank line)
        cut = min(
            (i for i in (rest.find(b"\n\n"), rest.find(b"\r\n\r\n")) if i >= 0), default=len(rest)
        )
        end = cut + (4 if rest[cut : cut + 4] == b"\r\n\r\n" else 2)
        yield rest[:end]
        rest = rest[end:]


def _record(case: tuple[str, dict[str, Any], int, bytes, str | None], mode: str) -> dict[str, Any]:
    """Everything one call makes, with what the clock decides reduced to its type."""
    _, payload, status, body, content_type = case
    exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[reader])
    headers = {"content-type": content_type} if content_type else {}

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, content=_pieces(body, mode))

    transport = routing_otel.httpx.RoutingTransport(
        httpx.MockTransport(answer),
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
    )
    with (
        httpx.Client(transport=transport) as client,
        client.stream("POST", URL, json=payload) as response,
    ):
        for _ in response.iter_bytes():
            pass
    spans = exporter.get_finished_spans()
    recorded = {"spans": [_span(s, spans) for s in spans], "metrics": _metrics(reader)}
    tracer_provider.shutdown()
    meter_provider.shutdown()
    return recorded


def _value(key: str, value: Any) -> Any:
    if key in _CLOCK_ATTRIBUTES:
        return f"<clock {type(value).__name__}>"
    return list(value) if isinstance(value, tuple) else value


def _span(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> dict[str, Any]:
    parent = next(
        (s.name for s in spans if span.parent and s.context.span_id == span.parent.span_id),
        None,
    )
    return {
        "name": span.name,
        "kind": span.kind.name,
        "parent": parent,
        "status": [span.status.status_code.name, span.status.description],
        "attributes": {k: _value(k, v) for k, v in sorted((span.attributes or {}).items())},
        "events": [
            [e.name, {k: _value(k, v) for k, v in sorted((e.attributes or {}).items())}]
            for e in span.events
        ],
    }


def _metrics(reader: InMemoryMetricReader) -> dict[str, Any]:
    found: dict[str, Any] = {}
    data = reader.get_metrics_data()
    for resource_metrics in data.resource_metrics if data else []:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                points = []
                for point in metric.data.data_points:
                    labels = sorted((point.attributes or {}).items())
                    shown: dict[str, Any] = {"attributes": dict(labels)}
                    if isinstance(point, HistogramDataPoint):
                        shown["count"] = point.count
                        if metric.unit != sc.UNIT_SECONDS:  # token counts, not times
                            shown.update(sum=point.sum, buckets=list(point.bucket_counts))
                    elif isinstance(point, NumberDataPoint):
                        shown["value"] = point.value
                    points.append(shown)
                points.sort(key=lambda p: json.dumps(p, sort_keys=True))
                found[f"{metric.name} ({metric.unit})"] = points
    return dict(sorted(found.items()))


def _all() -> dict[str, Any]:
    return {case[0]: _record(case, "whole") for case in _cases()}


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    """The recorded telemetry (written first when regenerating)."""
    if os.environ.get("ROUTING_OTEL_REGENERATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(_all(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    loaded: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_the_golden_file_covers_every_recorded_response(golden: dict[str, Any]) -> None:
    """No case is missing from the file, and the file is not trivially empty."""
    assert sorted(golden) == sorted(case[0] for case in _cases())
    assert sum(len(recorded["spans"]) for recorded in golden.values()) > len(golden)


@pytest.mark.parametrize("mode", ["whole", "frame per read"])
@pytest.mark.parametrize("case", _cases(), ids=lambda case: case[0])
def test_telemetry_is_unchanged(
    golden: dict[str, Any], case: tuple[str, dict[str, Any], int, bytes, str | None], mode: str
) -> None:
    """Every span, attribute, event, status and metric point as recorded before."""
    assert _record(case, mode) == golden[case[0]]
