"""One fresh worker process of benchmarks/peers.py: one contestant, one round.

    python _peers_worker.py round CONTESTANT SPEC_JSON   # prints one JSON line of results
    python _peers_worker.py flat CONTESTANT SPEC_JSON    # memory growth over many calls
    python _peers_worker.py count CONTESTANT SPEC_JSON   # calls to count instructions of

Contestants: ``raw`` (the OpenAI SDK alone), ``openai-v2`` (the official OpenTelemetry
instrumentor) and ``ours`` (``routing_otel.instrument()``, default options); ``ours-no-sdk``
is ours with its recorder's OpenTelemetry SDK calls made no-ops, ``ours-no-spans`` and
``ours-no-histograms`` with only those (instruction counts). Both
instrumented ones get the same real SDK providers: a ``BatchSpanProcessor`` and a
``PeriodicExportingMetricReader``, exporting to counting exporters that drop everything.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2
import openai
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricExportResult,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from opentelemetry.sdk.trace import ReadableSpan

MESSAGES: list[Any] = [{"role": "user", "content": "benchmark"}]
KEY = "sk-eden-bench"


class CountingSpans(SpanExporter):
    """Counts the spans it is handed and drops them."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


class CountingMetrics(MetricExporter):
    """Counts the metric points it is handed and drops them."""

    def __init__(self) -> None:
        super().__init__()
        self.points = 0

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        del timeout_millis, kwargs
        for resource in metrics_data.resource_metrics:
            for scope in resource.scope_metrics:
                self.points += sum(len(m.data.data_points) for m in scope.metrics)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        del timeout_millis
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        del timeout_millis, kwargs


class Telemetry:
    """The contestant's instrumentation and its providers (none for raw)."""

    def __init__(self, contestant: str) -> None:
        self.spans, self.metrics = CountingSpans(), CountingMetrics()
        self.tracer: TracerProvider | None = None
        self.meter: MeterProvider | None = None
        if contestant == "raw":
            return
        self.tracer = TracerProvider()
        self.tracer.add_span_processor(BatchSpanProcessor(self.spans))
        reader = PeriodicExportingMetricReader(self.metrics, export_interval_millis=60_000)
        self.meter = MeterProvider(metric_readers=[reader])
        providers = {"tracer_provider": self.tracer, "meter_provider": self.meter}
        if contestant == "openai-v2":
            module = importlib.import_module("opentelemetry.instrumentation.openai_v2")
            module.OpenAIInstrumentor().instrument(**providers)
        elif contestant in ("ours", *_WITHOUT):
            if contestant in _WITHOUT:
                _without_sdk_calls(*_WITHOUT[contestant])
            importlib.import_module("routing_otel").instrument(**providers)
        else:
            raise SystemExit(f"unknown contestant {contestant!r}")

    def flush(self) -> None:
        """Export everything recorded so far (spans and a metric collection)."""
        if self.tracer is not None and self.meter is not None:
            self.tracer.force_flush()
            self.meter.force_flush()

    def counts(self) -> dict[str, int]:
        """What the exporters were handed."""
        return {"spans": self.spans.spans, "metric_points": self.metrics.points}


# --- synchronous calls: wall time and CPU per call ------------------------------------------
def _call(client: openai.OpenAI, tokens: int) -> int:
    stream = client.chat.completions.create(
        model="@edenai", messages=MESSAGES, stream=True, max_tokens=tokens
    )
    return sum(1 for _ in stream)


def timed_calls(
    client: openai.OpenAI, tokens: int, calls: int, telemetry: Telemetry
) -> dict[str, float]:
    """Median wall time per call, and CPU per call of the loop plus a final flush (µs)."""
    telemetry.flush()  # nothing recorded earlier is flushed on this loop's account
    walls = []
    cpu_start = time.process_time()
    for _ in range(calls):
        start = time.perf_counter()
        chunks = _call(client, tokens)
        walls.append(time.perf_counter() - start)
    telemetry.flush()
    cpu = time.process_time() - cpu_start
    return {
        "wall_us": statistics.median(walls) * 1e6,
        "cpu_us": cpu / calls * 1e6,
        "chunks": chunks,
    }


# --- asynchronous calls: memory per in-flight stream, throughput ----------------------------
async def _hold_mid_body(
    client: openai.AsyncOpenAI, reached: asyncio.Queue[None], release: asyncio.Event
) -> None:
    stream = await client.chat.completions.create(
        model="@edenai", messages=MESSAGES, stream=True, max_tokens=500
    )
    chunks = aiter(stream)
    await anext(chunks)  # the role chunk (with the routing metadata)
    await anext(chunks)  # the first content chunk: mid-body now
    reached.put_nowait(None)
    await release.wait()
    await _close(stream)


async def _close(stream: Any) -> None:
    inner = getattr(stream, "stream", None)
    if inner is None:
        await stream.close()
        return
    # openai-v2's wrapper: its close() ends the span but never awaits the SDK stream's close().
    stream.cleanup()
    await inner.close()


async def memory_per_stream(url: str, streams: int) -> float:
    """Python memory (tracemalloc) per stream held open mid-body, in bytes."""
    limits = httpx2.Limits(max_connections=streams, max_keepalive_connections=streams)
    http = openai.DefaultAsyncHttpxClient(limits=limits)
    async with openai.AsyncOpenAI(api_key=KEY, base_url=url, http_client=http) as client:
        release, reached = asyncio.Event(), asyncio.Queue[None]()
        release.set()
        await _hold_mid_body(client, reached, release)  # imports, caches, first objects
        release.clear()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tasks = [
            asyncio.create_task(_hold_mid_body(client, reached, release)) for _ in range(streams)
        ]
        for _ in range(streams):
            await reached.get()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        release.set()
        await asyncio.gather(*tasks)
    return held / streams


async def _calls_in_turn(client: openai.AsyncOpenAI, calls: int) -> None:
    for _ in range(calls):
        stream = await client.chat.completions.create(
            model="@edenai", messages=MESSAGES, stream=True, max_tokens=10
        )
        async for _ in stream:
            pass


async def throughput(url: str, concurrency: int, calls_each: int) -> float:
    """Streamed calls per second with ``concurrency`` tasks (connections opened beforehand)."""
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    http = openai.DefaultAsyncHttpxClient(limits=limits, timeout=120)
    async with openai.AsyncOpenAI(api_key=KEY, base_url=url, http_client=http) as client:
        await asyncio.gather(*(_calls_in_turn(client, 1) for _ in range(concurrency)))
        start = time.perf_counter()
        await asyncio.gather(*(_calls_in_turn(client, calls_each) for _ in range(concurrency)))
        return concurrency * calls_each / (time.perf_counter() - start)


# --- instruction counts (run under callgrind by benchmarks/instructions.py) ----------------
# Measuring devices, not product settings: ours with some of its recorder's OpenTelemetry SDK
# calls made no-ops, as (spans, histogram points). What ``ours`` costs over ``ours-no-sdk`` is
# what the SDK itself spends on the contract's telemetry (counters are summed by our code).
_WITHOUT: dict[str, tuple[bool, bool]] = {
    "ours-no-sdk": (True, True),
    "ours-no-spans": (True, False),
    "ours-no-histograms": (False, True),
}


def _without_sdk_calls(spans: bool, histograms: bool) -> None:  # noqa: FBT001 - the table's pairs
    """Make the recorder's spans, or histogram points, or both, no-ops (see ``_WITHOUT``)."""
    from opentelemetry import metrics, trace  # noqa: PLC0415 - not in other contestants' workers
    from opentelemetry.metrics import NoOpHistogram  # noqa: PLC0415

    recorder = importlib.import_module("routing_otel._telemetry.recorder")
    made = recorder.Recorder.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        if not isinstance(getattr(self, "_tracer", None), trace.Tracer):
            raise SystemExit("ours-no-*: the recorder has no tracer '_tracer'")
        if spans:
            self._tracer = trace.NoOpTracer()
        names = ("duration", "tokens", "ttft", "time_per_chunk", "routing") if histograms else ()
        for name in names:
            if not isinstance(getattr(self._instruments, name, None), metrics.Histogram):
                # Renamed, it would stay recording: the SDK's share would read too small.
                raise SystemExit(f"ours-no-*: the recorder has no histogram {name!r}")
            setattr(self._instruments, name, NoOpHistogram(name))

    recorder.Recorder.__init__ = init


def run_count(telemetry: Telemetry, spec: dict[str, Any]) -> dict[str, Any]:
    """A few calls to warm up, then ``spec["calls"]`` calls of ``spec["tokens"]`` tokens."""
    with openai.OpenAI(api_key=KEY, base_url=spec["url"], max_retries=0) as client:
        for _ in range(3):
            _call(client, spec["tokens"])
        telemetry.flush()
        for _ in range(spec["calls"]):
            _call(client, spec["tokens"])
        telemetry.flush()
    return {"calls": spec["calls"]}


# --- the tasks ------------------------------------------------------------------------------
def run_round(telemetry: Telemetry, spec: dict[str, Any]) -> dict[str, Any]:
    """Every per-round measurement, in a fixed order."""
    short = spec["short_tokens"]
    result: dict[str, Any] = {}
    for mode in ("coalesced", "paced"):
        url, calls = spec["urls"][mode], spec["calls"][mode]
        long_ = calls["long_tokens"]
        with openai.OpenAI(api_key=KEY, base_url=url, max_retries=0) as client:
            for tokens in (short, long_):
                timed_calls(client, tokens, spec["warmup"], telemetry)
            result[mode] = {
                "short": timed_calls(client, short, calls["short"], telemetry),
                "long": timed_calls(client, long_, calls["long"], telemetry),
            }
    streams = spec["memory_streams"]
    result["memory_per_stream_b"] = asyncio.run(memory_per_stream(spec["urls"]["slow"], streams))
    result["throughput"] = {
        str(concurrency): asyncio.run(throughput(spec["urls"]["coalesced"], concurrency, each))
        for concurrency, each in spec["concurrency"]
    }
    return result


def _rss_kib() -> int:
    resident = Path("/proc/self/statm").read_text(encoding="ascii").split()[1]
    return int(resident) * os.sysconf("SC_PAGE_SIZE") // 1024


async def _flat(url: str, calls: int, checkpoints: int, telemetry: Telemetry) -> list[list[int]]:
    samples = []
    limits = httpx2.Limits(max_connections=32, max_keepalive_connections=32)
    http = openai.DefaultAsyncHttpxClient(limits=limits)
    async with openai.AsyncOpenAI(api_key=KEY, base_url=url, http_client=http) as client:
        for _ in range(checkpoints):
            await asyncio.gather(
                *(_calls_in_turn(client, calls // checkpoints // 32) for _ in range(32))
            )
            telemetry.flush()
            gc.collect()
            samples.append([_rss_kib(), sys.getallocatedblocks()])
    return samples


def run_flat(telemetry: Telemetry, spec: dict[str, Any]) -> dict[str, Any]:
    """RSS and live Python blocks at checkpoints over many calls (32 at a time)."""
    calls, checkpoints = spec["flat_calls"], 10
    samples = asyncio.run(_flat(spec["urls"]["coalesced"], calls, checkpoints, telemetry))
    return {"calls": calls // checkpoints // 32 * 32 * checkpoints, "samples": samples}


TASKS: dict[str, Callable[[Telemetry, dict[str, Any]], dict[str, Any]]] = {
    "round": run_round,
    "flat": run_flat,
    "count": run_count,
}


def main(argv: list[str]) -> int:
    """Run one task for one contestant and print its results as one JSON line."""
    task, contestant, spec = argv[0], argv[1], json.loads(argv[2])
    telemetry = Telemetry(contestant)
    result = TASKS[task](telemetry, spec)
    telemetry.flush()
    result["telemetry"] = telemetry.counts()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
