"""Figures of benchmarks/peers.py: each contestant paired with raw in the same round.

Every figure is computed per round (a contestant minus, or over, raw measured in the same
round), then summarised over rounds as the median and the spread: the interquartile range
with 4 rounds or more, else min to max.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

Round = dict[str, Any]  # contestant -> what its worker printed


def _slope(result: Round, mode: str, clock: str) -> float:
    short, long_ = result[mode]["short"], result[mode]["long"]
    chunks = long_["chunks"] - short["chunks"]
    return float((long_[clock] - short[clock]) / chunks)


@dataclass(frozen=True)
class Measure:
    """One row: how to read it from a worker's result, and how to pair it with raw's."""

    key: str
    label: str
    unit: str
    read: Callable[[Round], float]
    ratio: bool = False  # contestant / raw, else contestant - raw


_FIXED = [
    Measure(
        "request_us",
        "request-path overhead per request, wall (11-chunk stream)",
        "µs",
        lambda r: r["coalesced"]["short"]["wall_us"],
    ),
    Measure(
        "chunk_many_wall_us",
        "per SSE chunk, many frames per read, wall slope",
        "µs",
        lambda r: _slope(r, "coalesced", "wall_us"),
    ),
    Measure(
        "chunk_many_cpu_us",
        "per SSE chunk, many frames per read, CPU slope",
        "µs",
        lambda r: _slope(r, "coalesced", "cpu_us"),
    ),
    Measure(
        "chunk_one_cpu_us",
        "per SSE chunk, one frame per read, CPU slope",
        "µs",
        lambda r: _slope(r, "paced", "cpu_us"),
    ),
    Measure(
        "cpu_us",
        "CPU per request, all threads, flush included",
        "µs",
        lambda r: r["coalesced"]["short"]["cpu_us"],
    ),
    Measure(
        "memory_b",
        "memory per in-flight stream (tracemalloc)",
        "B",
        lambda r: r["memory_per_stream_b"],
    ),
]


def measures(levels: list[int]) -> list[Measure]:
    """Every row: the fixed ones, then throughput at each concurrency level."""
    return [*_FIXED, *(_throughput(level) for level in levels)]


def _throughput(level: int) -> Measure:
    return Measure(
        f"throughput_{level}",
        f"throughput, {level:,} concurrent async streams",
        "calls/s",
        lambda r: r["throughput"][str(level)],
        ratio=True,
    )


def spread(values: list[float]) -> dict[str, float]:
    """Median, and the interquartile range (4 values or more) or min and max."""
    if len(values) >= 4:
        low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    else:
        low, high = min(values), max(values)
    return {"median": statistics.median(values), "low": low, "high": high}


def summarise(
    rounds: list[Round], contestants: list[str], levels: list[int]
) -> dict[str, dict[str, Any]]:
    """Per measure: raw's own figure, and every other contestant paired with raw."""
    summary: dict[str, dict[str, Any]] = {}
    for measure in measures(levels):
        row: dict[str, Any] = {"raw": spread([measure.read(r["raw"]) for r in rounds])}
        for name in contestants:
            if name == "raw":
                continue
            pairs = [(measure.read(r[name]), measure.read(r["raw"])) for r in rounds]
            paired = [c / raw if measure.ratio else c - raw for c, raw in pairs]
            row[name] = spread(paired)
        summary[measure.key] = row
    return summary


def _over_peer(fraction: float) -> Callable[[float, float | None], bool | None]:
    return lambda ours, peer: None if peer is None else ours <= peer * fraction


_TARGETS: dict[str, tuple[str, Callable[[float, float | None], bool | None]]] = {
    "request_us": ("≤ 1/3 of openai-v2's", _over_peer(1 / 3)),
    "cpu_us": ("≤ openai-v2's", _over_peer(1)),
    "chunk_": ("≤ 0.5 µs", lambda ours, _: ours <= 0.5),
    "memory_b": ("≤ 4 KiB", lambda ours, _: ours <= 4096),
    "throughput_": ("≥ 95 % of raw", lambda ours, _: ours >= 0.95),
}


def _target(summary: dict[str, dict[str, Any]], key: str) -> tuple[str, bool | None]:
    """The issue's target for ``ours`` on this row, and whether this run shows it met.

    Met (or missed) only when the whole interquartile range of ``ours`` is on one side of
    the target; ``None`` (shown as ``?``) when the range straddles it, or, on a per-chunk
    row, is wider than twice the target (a run too noisy to resolve it either way).
    """
    ours = summary[key].get("ours")
    peer = summary[key].get("openai-v2", {}).get("median")
    if ours is None:
        return "", None
    for prefix, (text, check) in _TARGETS.items():
        if key.startswith(prefix):
            low, high = check(ours["low"], peer), check(ours["high"], peer)
            if low != high or (prefix == "chunk_" and ours["high"] - ours["low"] > 1.0):
                return text, None
            return text, low
    return "", None


def _cell(figure: dict[str, float] | None, measure: Measure, *, paired: bool) -> str:
    if figure is None:
        return "skipped"
    median, low, high = figure["median"], figure["low"], figure["high"]
    if measure.ratio and paired:
        return f"{median:.2f}x ({low:.2f} to {high:.2f})"
    sign = "+" if paired else ""
    digits = 0 if measure.unit == "B" or abs(median) >= 100 else 2
    return f"{median:{sign}.{digits}f} ({low:{sign}.{digits}f} to {high:{sign}.{digits}f})"


def table(summary: dict[str, dict[str, Any]], rounds: int, levels: list[int]) -> list[str]:
    """The results as a Markdown table."""
    kind = "IQR" if rounds >= 4 else "min to max"
    head = f"median ({kind}) over {rounds} rounds"
    lines = [
        f"| {head} | unit | raw SDK | openai-v2 over raw | ours over raw | target (ours) | met |",
        "|---|---|---:|---:|---:|---|:-:|",
    ]
    for measure in measures(levels):
        row = summary[measure.key]
        unit = f"{measure.unit}; x raw" if measure.ratio else measure.unit
        target, met = _target(summary, measure.key)
        mark = {True: "✓", False: "✗", None: "?"}[met] if target else ""
        cells = [
            _cell(row["raw"], measure, paired=False),
            _cell(row.get("openai-v2"), measure, paired=True),
            _cell(row.get("ours"), measure, paired=True),
        ]
        lines.append(f"| {measure.label} | {unit} | {' | '.join(cells)} | {target} | {mark} |")
    return lines


def flat_lines(flat: dict[str, Any]) -> list[str]:
    """Growth of RSS and live Python blocks between the first and last checkpoints."""
    lines = []
    for name, result in flat.items():
        (rss0, blocks0), (rss1, blocks1) = result["samples"][0], result["samples"][-1]
        calls = result["calls"] * (len(result["samples"]) - 1) // len(result["samples"])
        lines.append(
            f"- {name}: over {calls:,} calls after the first tenth, RSS {rss1 - rss0:+,} KiB,"
            f" live Python blocks {blocks1 - blocks0:+,}"
            f" (spans exported {result['telemetry']['spans']:,},"
            f" metric points {result['telemetry']['metric_points']:,})"
        )
    return lines
