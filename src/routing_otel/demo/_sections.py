"""The demo's own lines in its report: what ran, and what the application did and saw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from routing_otel.demo._model import RunInfo
    from routing_otel.report._model import FallbackPath, Row, Totals


def intro(run: RunInfo, totals: Totals) -> list[str]:
    """What ran: how many calls, against what, how."""
    where = "the built-in Eden AI emulator" if run.emulated else run.target
    speed = ", fast timings" if run.fast else ""
    return [
        (
            f"{totals.requests} calls in {run.wall_s:.1f} s against {where} "
            f"(seed {run.seed}, {run.concurrency} workers{speed}; planned: {run.planned})"
        )
    ]


def story(run: RunInfo, rows: list[Row], fallbacks: list[FallbackPath]) -> list[str]:
    """What the application did and saw: the outage, the budget router, its own failures."""
    lines = []
    if run.outage is not None:
        failed = sum(row.errors.get("503", 0) for row in rows)
        rescued = sum(
            p.count for p in fallbacks if p.layer == sc.LAYER_CLIENT and p.reason == "503"
        )
        lines.append(
            f"The router was down from {run.outage.start_s:.1f} s to {run.outage.end_s:.1f} s "
            f"into the run: {failed} calls got a 503, and {rescued} times the app fell back to "
            "a fixed model."
        )
    budget = run.decisions.get("budget")
    if budget:
        steps = ", ".join(f"{tier} {count}" for tier, count in budget.items())
        lines.append(f"The budget-aware router read the spend from llm.router.cost: {steps}.")
    cached = run.decisions.get("cached")
    if cached:
        hits = cached.get("hit", 0)
        lines.append(
            f"The cached router routed {cached.get('miss', 0)} questions and reused a decision "
            f"{hits} {'time' if hits == 1 else 'times'} (fixed-model calls, no routing phase)."
        )
    if run.failed_jobs:
        failures = ", ".join(f"{pattern} {n}" for pattern, n in run.failed_jobs.items())
        lines.append(f"Jobs that failed in the app even after falling back: {failures}.")
    if run.interrupted:
        lines.append("Interrupted: the report covers the calls made until then.")
    return lines
