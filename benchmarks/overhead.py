"""What the transport wrappers cost: raw versus wrapped clients, per request and per chunk.

Two measurements, for httpx and httpx2:
- end to end against the emulator on loopback (instant timings, so the server is not the
  bottleneck): per-request overhead of a streamed routed call;
- in memory (a canned inner transport, no network): per-chunk overhead of the observer on a
  long stream, free of loopback jitter.
Each with telemetry on (SDK providers) and off (ALWAYS_OFF sampler, no meter provider).

    python benchmarks/overhead.py            # full run (about a minute)
    python benchmarks/overhead.py --smoke    # seconds; CI runs this, no thresholds
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import TYPE_CHECKING, Any

import httpx
import httpx2
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

import routing_otel.httpx
import routing_otel.httpx2
from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import ModuleType

LIBRARIES: dict[str, tuple[ModuleType, ModuleType]] = {
    "httpx": (httpx, routing_otel.httpx),
    "httpx2": (httpx2, routing_otel.httpx2),
}
HEADERS = {"Authorization": "Bearer sk-eden-bench", "x-edenai-metadata": "enabled"}


def _payload(tokens: int) -> dict[str, Any]:
    return {
        "model": "@edenai",
        "messages": [{"role": "user", "content": "benchmark"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": tokens,
    }


def _providers(*, on: bool) -> dict[str, Any]:
    if not on:
        return {
            "tracer_provider": TracerProvider(sampler=ALWAYS_OFF),
            "meter_provider": NoOpMeterProvider(),
        }
    # As in production: spans are exported in batches, off the request path.
    tracer = TracerProvider()
    tracer.add_span_processor(BatchSpanProcessor(_Discard()))
    return {
        "tracer_provider": tracer,
        "meter_provider": MeterProvider(metric_readers=[InMemoryMetricReader()]),
    }


class _Discard(SpanExporter):
    """An exporter that drops spans: the benchmark measures recording, not a backend."""

    def export(self, spans: Any) -> SpanExportResult:
        del spans
        return SpanExportResult.SUCCESS


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def _time_each(func: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return samples


def end_to_end(library: str, url: str, hosts: list[str], repeat: int) -> dict[str, float]:
    """Median per-request time of a streamed routed call: raw, wrapped on, wrapped off."""
    module, ours = LIBRARIES[library]
    results: dict[str, float] = {}
    variants: dict[str, Any] = {
        "raw": module.HTTPTransport(),
        "on": ours.RoutingTransport(hosts=hosts, **_providers(on=True)),
        "off": ours.RoutingTransport(hosts=hosts, **_providers(on=False)),
    }
    for name, transport in variants.items():
        with module.Client(transport=transport) as client:

            def call(client: Any = client) -> None:
                with client.stream("POST", url, json=_payload(16), headers=HEADERS) as r:
                    for _ in r.iter_raw():
                        pass

            _time_each(call, max(repeat // 10, 3))  # warm up the connection and caches
            results[name] = _median_us(_time_each(call, repeat))
    return results


def _record_stream(url: str, tokens: int) -> bytes:
    with httpx.Client() as client:
        return client.post(url, json=_payload(tokens), headers=HEADERS).content


def _chunks(body: bytes) -> list[bytes]:
    # One SSE frame per network read, as a live stream mostly arrives.
    return [frame + b"\n\n" for frame in body.split(b"\n\n") if frame]


def in_memory(
    library: str, pieces: list[bytes], repeat: int, *, per: str = "chunk"
) -> dict[str, float]:
    """Median time of reading a canned stream per chunk (or per call): raw, on, off."""
    module, ours = LIBRARIES[library]

    class Pieces(module.SyncByteStream):  # type: ignore[name-defined,misc]
        def __iter__(self) -> Iterator[bytes]:
            yield from pieces

    class Canned(module.BaseTransport):  # type: ignore[name-defined,misc]
        def handle_request(self, _request: Any) -> Any:
            headers = {"content-type": "text/event-stream"}
            return module.Response(200, headers=headers, stream=Pieces())

    request = module.Request(
        "POST", "https://api.edenai.run/v3/llm/chat/completions", json=_payload(len(pieces))
    )
    variants: dict[str, Any] = {
        "raw": Canned(),
        "on": ours.RoutingTransport(Canned(), **_providers(on=True)),
        "off": ours.RoutingTransport(Canned(), **_providers(on=False)),
    }
    results: dict[str, float] = {}
    for name, transport in variants.items():

        def read(transport: Any = transport) -> None:
            response = transport.handle_request(request)
            for _ in response.stream:
                pass
            response.stream.close()

        _time_each(read, 3)
        divisor = len(pieces) if per == "chunk" else 1
        results[name] = _median_us(_time_each(read, repeat)) / divisor
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations, for CI")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    requests_repeat, memory_repeat, tokens = (20, 5, 200) if args.smoke else (400, 50, 2000)
    report: dict[str, Any] = {}
    with Emulator(EmulatorConfig.instant(response_tokens=(tokens, tokens))) as emu:
        url = emu.llm_base_url + "/chat/completions"
        hosts = [f"127.0.0.1:{emu.port}"]
        pieces = _chunks(_record_stream(url, tokens))
        typical = _chunks(_record_stream(url, 40))  # a short answer: the per-call fixed cost
        for library in LIBRARIES:
            report[library] = {
                "per_request_us": end_to_end(library, url, hosts, requests_repeat),
                "per_call_us": in_memory(library, typical, memory_repeat * 20, per="call"),
                "per_chunk_us": in_memory(library, pieces, memory_repeat),
            }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"streamed routed call; per_request over loopback (noisy), per_call in memory"
        f" ({len(typical)} frames), per_chunk in memory ({len(pieces)} frames); medians"
    )
    print(f"{'library':<8} {'measure':<14} {'raw':>9} {'on':>9} {'off':>9} {'+on':>9} {'+off':>9}")
    for library, measures in report.items():
        for measure, row in measures.items():
            raw = row["raw"]
            print(
                f"{library:<8} {measure:<14} {raw:>9.2f} {row['on']:>9.2f} {row['off']:>9.2f}"
                f" {row['on'] - raw:>+9.2f} {row['off'] - raw:>+9.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
