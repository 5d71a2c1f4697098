"""Where the end of a call goes: the OpenTelemetry SDK's share of making its telemetry.

One routed, streamed call (``sse_observer.py``'s Eden AI stream: routing metadata, 10
content chunks, Eden's usage chunk) is
sent through ``routing_otel.httpx.RoutingTransport`` over an ``httpx.MockTransport``, and
what the recorder was handed at its end is kept. Then ``Recorder.finish`` (the call's two
spans, two events, six histogram points and five counter sums, its cost and savings) is
timed on it again and again:
- with real SDK providers, as in ``benchmarks/peers.py`` (a ``BatchSpanProcessor`` and a
  periodic metric reader, exporting to exporters that drop everything);
- with the API's no-op providers: our own code alone (attributes, labels, cost, savings).
The difference is what the SDK itself spends on the telemetry the contract names; no
change to our code can make a call's end cheaper than it.

    python benchmarks/sdk_floor.py            # full run (seconds)
    python benchmarks/sdk_floor.py --smoke    # a few iterations, for CI (no thresholds)
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import TYPE_CHECKING, Any

import httpx
from opentelemetry import trace
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from sse_observer import build_stream

import routing_otel.httpx
from routing_otel._cost.economics import Economics
from routing_otel._options import Options
from routing_otel._telemetry.recorder import Recorder

if TYPE_CHECKING:
    from collections.abc import Sequence

    from opentelemetry.sdk.trace import ReadableSpan

URL = "https://api.edenai.run/v3/llm/chat/completions"


class _Drop(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        del spans
        return SpanExportResult.SUCCESS


def _recorded_call() -> tuple[Any, Any, Any]:
    """(record, observation, outcome) of one routed streamed call, as the recorder got them."""
    body = b"".join(build_stream(10))  # the SSE observer benchmark's stream
    kept: list[tuple[Any, Any, Any]] = []
    original = Recorder.finish

    def keep(self: Recorder, record: Any, observation: Any, outcome: Any) -> Any:
        kept.append((record, observation, outcome))
        return original(self, record, observation, outcome)

    answer = httpx.MockTransport(
        lambda _: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    )
    Recorder.finish = keep  # type: ignore[method-assign]
    try:
        transport = routing_otel.httpx.RoutingTransport(
            answer, tracer_provider=TracerProvider(), meter_provider=MeterProvider()
        )
        payload = {"model": "@edenai", "messages": [{"role": "user", "content": "hi"}]}
        with httpx.Client(transport=transport) as client:
            client.post(URL, json={**payload, "stream": True})
    finally:
        Recorder.finish = original  # type: ignore[method-assign]
    return kept[0]


def _timed(recorder: Recorder, call: tuple[Any, Any, Any], calls: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean µs per ``finish``."""
    record, observation, outcome = call
    results = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            recorder.finish(record, observation, outcome)
        results.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(results)


def main() -> None:
    """Time ``Recorder.finish`` with real SDK providers and with no-op ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations, for CI")
    args = parser.parse_args()
    calls, repeats = (20, 2) if args.smoke else (2000, 9)
    call = _recorded_call()
    economics = Economics(Options())
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(_Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    with_sdk = Recorder(tracer_provider, meter_provider, economics=economics)
    without = Recorder(trace.NoOpTracerProvider(), NoOpMeterProvider(), economics=economics)
    _timed(with_sdk, call, calls // 10 + 1, 1)  # warm up: first label sets, caches
    _timed(without, call, calls // 10 + 1, 1)
    sdk = _timed(with_sdk, call, calls, repeats)
    ours = _timed(without, call, calls, repeats)
    print(f"Recorder.finish per call, median of {repeats} x {calls} calls:")
    print(f"  with SDK providers (2 spans, 2 events, 6 histogram points): {sdk:7.1f} µs")
    print(f"  with no-op providers (our code alone):                      {ours:7.1f} µs")
    print(f"  inside the OpenTelemetry SDK:                               {sdk - ours:7.1f} µs")
    tracer_provider.shutdown()
    meter_provider.shutdown()


if __name__ == "__main__":
    main()
