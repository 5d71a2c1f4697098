"""The report's content, independent of how it is shown (rich, plain text or JSON)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routing_otel.demo._telemetry import SlowCall

QUANTILE_NOTE = (
    "p50/p95 are estimates from the histogram buckets (linear interpolation inside a "
    "bucket, as Prometheus' histogram_quantile does), so they are only as fine as the "
    "buckets: 0.01, 0.02, 0.04, ... 81.92 s."
)


@dataclass(frozen=True, slots=True)
class Quantiles:
    """p50 and p95 of a duration, in seconds (None without any observation)."""

    p50: float | None = None
    p95: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One pool and served model (``served_model`` None: failed before a model was known)."""

    pool: str
    served_model: str | None
    requests: int
    routed: int  # of which asked for @edenai
    share: float  # of every call of the run
    routing: Quantiles
    ttft: Quantiles
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_sources: list[str]  # where the cost came from, largest share first
    savings_usd: float  # llm.router.savings
    overspend_usd: float  # llm.router.overspend
    net_savings_usd: float  # savings - overspend
    served_after_fallback: int  # calls with fallback=true that answered
    errors: dict[str, int]  # failed calls by error.type


@dataclass(frozen=True, slots=True)
class FallbackPath:
    """``llm.router.fallbacks`` for one path: where from, where to, why, on which side."""

    layer: str
    reason: str
    from_model: str
    to_model: str
    count: int


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """The whole run, from the same metrics as the rows."""

    requests: int
    routed: int
    errors: int
    served_after_fallback: int
    routing: Quantiles
    ttft: Quantiles
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_by_source: dict[str, float]
    savings_usd: float
    overspend_usd: float
    net_savings_usd: float
    client_fallbacks: int
    server_fallbacks: int


@dataclass(frozen=True, slots=True)
class Budget:
    """The ``llm.router.budget.limit`` gauge and the spend (sum of ``llm.router.cost``)."""

    limit_usd: float | None
    spent_usd: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything the demo prints at the end."""

    run: RunInfo
    rows: list[Row]
    totals: Totals
    fallbacks: list[FallbackPath]
    slowest: list[SlowCall]
    budget: Budget
    quantile_note: str = QUANTILE_NOTE

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (``--format json``)."""
        return dataclasses.asdict(self)
