"""What a demo run did, as the demo's report (and its ``run`` JSON field) tells it.

The rest of the report's content is the source-neutral model of ``routing_otel.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from routing_otel.report._model import QUANTILE_NOTE

__all__ = ["QUANTILE_NOTE", "OutageWindow", "RunInfo"]


@dataclass(frozen=True, slots=True)
class OutageWindow:
    """When the emulator's router was down: seconds into the run and Unix nanoseconds."""

    start_s: float
    end_s: float
    start_unix_nano: int
    end_unix_nano: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """What ran: against what, how much, and what the application decided (its own count)."""

    target: str
    emulated: bool
    seed: int
    concurrency: int
    planned: str  # "60 s" or "40 calls"
    wall_s: float
    fast: bool
    jobs: dict[str, int]
    decisions: dict[str, dict[str, int]]  # per pattern, what the app decided (tier, hit...)
    failed_jobs: dict[str, int]
    outage: OutageWindow | None
    interrupted: bool
    exports: list[str] = field(default_factory=list)
