"""``routing-otel demo``: routed and fixed-model calls, observed, against the emulator.

Starts the built-in Eden AI emulator on loopback (no key, no network), sends a handful of
calls through an OpenAI SDK client whose HTTP transport is ours, and prints the spans and
metric points that produced. This is the library's first-run experience.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, Any, TextIO

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from routing_otel.demo._report import print_metrics, print_spans
from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable

KEY = "sk-eden-demo"
POOLS = {
    "code": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"],
    "fast": ["openai/gpt-4o-mini", "google/gemini-2.0-flash"],
}


def _openai_client(emu: Emulator, tracer: TracerProvider, meter: MeterProvider) -> Any:
    """An OpenAI SDK client observed by our transport (httpx2 for 3.x, httpx before)."""
    import openai  # noqa: PLC0415 - the demo's own dependency, loaded when run

    hosts = [f"{emu.host}:{emu.port}"]
    # The SDK 3.x speaks httpx2, earlier ones httpx: wrap whichever it uses.
    library = "httpx2" if int(openai.__version__.split(".", 1)[0]) >= 3 else "httpx"
    module = importlib.import_module(library)
    ours = importlib.import_module(f"routing_otel.{library}")
    transport = ours.RoutingTransport(hosts=hosts, tracer_provider=tracer, meter_provider=meter)
    return openai.OpenAI(
        api_key=KEY,
        base_url=emu.llm_base_url,
        http_client=module.Client(transport=transport),
        max_retries=0,
    )


def _calls(client: Any) -> list[tuple[str, Callable[[], object]]]:
    def stream(model: str, prompt: str, candidates: list[str] | None = None) -> object:
        extra: dict[str, Any] = {"router_candidates": candidates} if candidates else {}
        chunks = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": prompt}],
            stream=True,
            stream_options={"include_usage": True},
            extra_body=extra,
            extra_headers={"x-edenai-metadata": "enabled"},
        )
        return "".join(
            c.choices[0].delta.content or "" for c in chunks if c.choices and c.choices[0].delta
        )

    def fixed_json() -> object:
        return client.chat.completions.create(
            model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Say hi."}]
        )

    return [
        ("routed, default pool", lambda: stream("@edenai", "Explain smart routing briefly.")),
        ("routed, code pool", lambda: stream("@edenai", "Write a sort.", POOLS["code"])),
        ("routed, fast pool", lambda: stream("@edenai", "Summarise SSE.", POOLS["fast"])),
        ("fixed model, streamed", lambda: stream("openai/gpt-4o", "Hi")),
        ("fixed model, not streamed", fixed_json),
    ]


def run(out: TextIO, *, fast: bool = False) -> int:
    """Run the demo, writing its report to ``out``; returns an exit code."""
    spans = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader])
    config = EmulatorConfig.fast() if fast else EmulatorConfig(seed=7)
    with Emulator(config) as emu:
        out.write(f"Eden AI emulator listening on {emu.url} (no key, no network needed)\n\n")
        with _openai_client(emu, tracer, meter) as client:
            for label, call in _calls(client):
                out.write(f"  {label:<28} ...")
                out.flush()
                call()
                out.write(" done\n")
    out.write("\n")
    print_spans(spans.get_finished_spans(), out)
    out.write("\n")
    print_metrics(reader.get_metrics_data(), out)
    tracer.shutdown()
    meter.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``routing-otel demo``."""
    parser = argparse.ArgumentParser(prog="routing-otel demo", description=__doc__)
    parser.add_argument(
        "--fast", action="store_true", help="emulator delays of a few ms (for tests)"
    )
    args = parser.parse_args(argv)
    return run(sys.stdout, fast=args.fast)
