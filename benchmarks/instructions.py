"""Peer comparison in instructions: exact, repeatable CPU cost per call and per chunk.

``peers.py`` times the contestants; on a shared 2-core machine its CPU figures move by tens
of percent from round to round. This benchmark runs the same calls (``_peers_worker.py``'s
``count`` task: streamed ``@edenai`` completions with the OpenAI SDK 3.x against the
emulator on loopback) under ``valgrind --tool=callgrind``, which counts the instructions the
client process executes, in all its threads (the span and metric export threads included,
and the final flush). The emulator runs outside valgrind, in a process of its own, ahead of
it in priority, so each answer reaches the client in the same pieces every run. Over four
runs here, raw's count per call moved by less than 0.001 % and the instrumented ones' by up
to 1.4 % (their export threads wake on timers), whatever else the machine was doing; on
another day, raw's moved by 0.2 %. A count also depends on the heap, not only on the code:
raw with 3,000 small objects kept from start-up counted 22,000 more instructions per call
and 2,700 more per chunk. Differences between versions below about 2 % per call and 3,000
per chunk are not the code's.

Each contestant runs three times: no calls (start-up, imports, warm-up), ``--calls`` short
calls, and ``--calls`` long ones; the differences give instructions per call and per chunk,
and each is paired with raw's. ``ours-no-sdk`` is ours with its recorder's OpenTelemetry
calls (spans, histogram points) made no-ops: ours minus it is what the SDK itself spends on
the contract's telemetry, a floor no change to our code can go below.

Instructions are not time (a cache miss costs more than an add), but Python code is mostly
the interpreter's loop, so the ratios between contestants carry over; ``peers.py`` remains
the benchmark of wall time, memory and throughput.

    python benchmarks/instructions.py            # full run (about 4 minutes on 2 cores)
    python benchmarks/instructions.py --sdk-split  # and the SDK's share: spans, histograms
    python benchmarks/instructions.py --smoke    # ours only, a minute or two; CI runs this
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _peers_env import HERE, Emulators, env_python

CONTESTANTS = ["raw", "openai-v2", "ours", "ours-no-sdk"]
# --sdk-split: the SDK's share by kind (ours minus each of these).
SPLIT = {"ours-no-spans": "the two spans", "ours-no-histograms": "the six histogram points"}
_COLLECTED = re.compile(r"Collected : (\d+)")


def count(python: Path | str, contestant: str, url: str, calls: int, tokens: int) -> int:
    """Instructions of one worker process making ``calls`` calls (plus its warm-up)."""
    spec = {"url": url, "calls": calls, "tokens": tokens}
    command = [
        # Below the emulator in priority: it keeps ahead of the client, which then reads each
        # answer in the same pieces from run to run (reads are counted too; without this,
        # raw's count per call moved by 0.6 % here).
        "nice",
        "-n",
        "10",
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        str(python),
        str(HERE / "_peers_worker.py"),
        "count",
        contestant,
        json.dumps(spec),
    ]
    # A fixed hash seed: the same dict and set layouts, so the same instructions, every run.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{contestant}: the worker failed under valgrind:\n{done.stderr[-3000:]}")
    return int(found.group(1))


def measure(
    python: Path | str, contestants: list[str], url: str, settings: dict[str, int]
) -> dict[str, dict[str, float]]:
    """Instructions per short call and per chunk (from the long calls), per contestant."""
    calls, short, long_ = settings["calls"], settings["short"], settings["long"]
    runs = {"base": (0, short), "short": (calls, short), "long": (calls, long_)}
    # Two at a time (there are 2 cores): with the emulator ahead in priority, a count
    # barely depends on what else runs.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            (name, run): pool.submit(count, python, name, url, *args)
            for name in contestants
            for run, args in runs.items()
        }
        counts = {key: future.result() for key, future in futures.items()}
    results = {}
    for name in contestants:
        per_short = (counts[name, "short"] - counts[name, "base"]) / calls
        per_long = (counts[name, "long"] - counts[name, "base"]) / calls
        results[name] = {
            "per_call": per_short,
            "per_chunk": (per_long - per_short) / (long_ - short),
        }
    return results


def table(results: dict[str, dict[str, float]], settings: dict[str, int]) -> list[str]:
    """The results as a Markdown table, each figure over raw's."""
    raw = results.get("raw")
    lines = [
        f"| instructions | {' | '.join(results)} |",
        f"|---|{'---:|' * len(results)}",
    ]
    rows = [
        ("per call", "per_call", f"{settings['short']}-token stream"),
        ("per chunk", "per_chunk", f"slope from {settings['short']} to {settings['long']} tokens"),
    ]
    for label, key, how in rows:
        cells = []
        for name, figures in results.items():
            value = figures[key]
            if raw is None or name == "raw":
                cells.append(f"{value:,.0f}")
            else:
                cells.append(f"+{value - raw[key]:,.0f}")
        lines.append(f"| {label} ({how}) | {' | '.join(cells)} |")
    lines.extend(_findings(results))
    return lines


def _findings(results: dict[str, dict[str, float]]) -> list[str]:
    """The comparisons the overhead targets are about."""
    lines: list[str] = []
    raw, peer = results.get("raw"), results.get("openai-v2")
    ours, floor = results.get("ours"), results.get("ours-no-sdk")
    if raw is None or ours is None:
        return lines
    over = {key: ours[key] - raw[key] for key in ("per_call", "per_chunk")}
    if peer is not None:
        peer_over = {key: peer[key] - raw[key] for key in ("per_call", "per_chunk")}
        lines.append("")
        lines.append(
            f"ours / openai-v2, over raw: per call {over['per_call'] / peer_over['per_call']:.2f}x"
            f" (target <= 1), per chunk {over['per_chunk'] / peer_over['per_chunk']:.2f}x"
            " (target <= 0.125)"
        )
    if floor is not None:
        sdk = ours["per_call"] - floor["per_call"]
        lines.append(
            f"the SDK's own share of ours per call: {sdk:,.0f} instructions"
            f" ({sdk / over['per_call']:.0%} of ours over raw)"
        )
        for name, what in SPLIT.items():
            if name in results:
                part = ours["per_call"] - results[name]["per_call"]
                lines.append(f"  of which {what}: {part:,.0f}")
        if peer is not None:
            peer_over_call = peer["per_call"] - raw["per_call"]
            lines.append(
                f"  = {sdk / peer_over_call:.2f}x openai-v2's whole cost per call over raw"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Count, print the table (and save it with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="ours only, few calls, for CI")
    parser.add_argument("--calls", type=int, help="calls per measured run (default 20)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="save the results here")
    parser.add_argument(
        "--sdk-split",
        action="store_true",
        help="also ours without spans, and without histogram points: the SDK's share by kind",
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is needed (Debian: apt-get install valgrind)", file=sys.stderr)
        # A smoke run without it is a skip, which CI (ROUTING_OTEL_REQUIRE_ALL=1) refuses.
        required = not args.smoke or os.environ.get("ROUTING_OTEL_REQUIRE_ALL") == "1"
        return 2 if required else 0
    settings = {"calls": args.calls or (1 if args.smoke else 20), "short": 10, "long": 100}
    if args.smoke:
        settings["long"] = 20
    python: Path | str | None = env_python(build=not args.smoke)
    contestants = CONTESTANTS + (list(SPLIT) if args.sdk_split else [])
    if python is None or args.smoke:
        python, contestants = python or sys.executable, ["ours"]
    started = time.monotonic()
    with Emulators(python, ["coalesced"]) as emulators:
        results = measure(python, contestants, emulators.urls["coalesced"], settings)
    print("\n".join(table(results, settings)))
    if args.smoke:
        print("(smoke: one call per run checks the paths; its figures mean nothing)")
    print(f"\n{time.monotonic() - started:.0f} s")
    if args.json is not None:
        args.json.write_text(json.dumps({"settings": settings, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
