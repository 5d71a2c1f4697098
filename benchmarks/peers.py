"""Peer comparison: the OpenAI SDK raw, with openai-v2, and with routing-otel, side by side.

Three contestants make streamed ``@edenai`` chat completions with the OpenAI SDK against the
Eden AI emulator (in processes of their own) on loopback:
- ``raw``: the SDK alone;
- ``openai-v2``: ``opentelemetry-instrumentation-openai-v2``'s instrumentor;
- ``ours``: ``routing_otel.instrument()`` with default options.
The instrumented ones get the same real SDK providers (BatchSpanProcessor, a periodic metric
reader) exporting to exporters that count and drop. Each round runs one fresh worker process
per contestant, in a rotating order; every figure is paired with raw's in the same round.

The contestants run in ``.venv-peers/``, built on first use (and again when its requirements
change). ``--smoke`` never builds it: without it, only raw and ours run, in this interpreter.

    python benchmarks/peers.py                 # full run (minutes)
    python benchmarks/peers.py --smoke         # seconds; CI runs this, no thresholds
    python benchmarks/peers.py --rounds 5 --json results.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from _peers_env import Emulators, env_python, installed, run_worker
from _peers_report import flat_lines, summarise, table

CONTESTANTS = ["raw", "openai-v2", "ours"]


def spec(*, smoke: bool) -> dict[str, Any]:
    """What each worker measures, and how many times."""
    if smoke:
        return {
            "short_tokens": 10,
            "warmup": 1,
            "calls": {
                "coalesced": {"short": 5, "long": 2, "long_tokens": 50},
                "paced": {"short": 2, "long": 2, "long_tokens": 20},
            },
            "memory_streams": 10,
            "concurrency": [[32, 1], [100, 1]],
            "flat_calls": 320,
        }
    return {
        "short_tokens": 10,
        "warmup": 5,
        "calls": {
            "coalesced": {"short": 300, "long": 20, "long_tokens": 500},
            "paced": {"short": 30, "long": 10, "long_tokens": 200},
        },
        "memory_streams": 200,
        "concurrency": [[32, 20], [1000, 1]],
        "flat_calls": 100_000,
    }


def machine(python: Path | str) -> dict[str, Any]:
    """Where the benchmark ran."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": len(__import__("os").sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "packages": installed(python),
    }


def run_rounds(
    python: Path | str, contestants: list[str], settings: dict[str, Any], rounds: int
) -> list[dict[str, Any]]:
    """Every round: one fresh worker per contestant, in a rotating order."""
    results: list[dict[str, Any]] = []
    for number in range(rounds):
        shift = number % len(contestants)
        order = contestants[shift:] + contestants[:shift]
        results.append({name: run_worker(python, "round", name, settings) for name in order})
        print(f"round {number + 1}/{rounds} done ({' '.join(order)})", file=sys.stderr)
    return results


def _save(path: Path | None, report: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(report, indent=2), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print the table (and save everything with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="seconds, every path once, for CI")
    parser.add_argument("--rounds", type=int, help="rounds (default: 10, smoke 2)")
    parser.add_argument("--flat-calls", type=int, help="calls of the memory-growth check")
    parser.add_argument("--json", type=Path, metavar="PATH", help="save the results here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.smoke else 10)
    settings = spec(smoke=args.smoke)
    if args.flat_calls:
        settings["flat_calls"] = args.flat_calls
    python: Path | str | None = env_python(build=not args.smoke)
    contestants = CONTESTANTS
    if python is None:
        print("openai-v2 skipped: no .venv-peers/ (smoke runs never build it)")
        python, contestants = sys.executable, ["raw", "ours"]
    started = time.monotonic()
    about = machine(python)
    print(f"{about['cpus']} CPUs ({about['cpu_model']}), Python {about['python']}, ", end="")
    print(", ".join(f"{name} {version}" for name, version in about["packages"].items()))
    with Emulators(python, ["coalesced", "paced", "slow"]) as emulators:
        settings["urls"] = emulators.urls
        results = run_rounds(python, contestants, settings, rounds)
        levels = [level for level, _ in settings["concurrency"]]
        summary = summarise(results, contestants, levels)
        print("\n".join(table(summary, rounds, levels)), flush=True)
        report = {"machine": about, "spec": settings, "summary": summary, "rounds": results}
        _save(args.json, report)  # kept even if the long memory check is interrupted
        flat = {name: run_worker(python, "flat", name, settings) for name in contestants}
    print("\nmemory over many calls (32 concurrent async streams, after gc):")
    print("\n".join(flat_lines(flat)))
    print(f"\n{time.monotonic() - started:.0f} s")
    _save(args.json, {**report, "flat": flat})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
