"""The report's content, independent of where its numbers come from and how it is shown.

``routing-otel demo`` fills it from in-memory metric points, ``routing-otel report`` from
Prometheus; both are rendered by the same code. ``Report.to_json`` is the documented,
versioned ``--format json`` schema (docs/report.md): fields are only ever added to it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from routing_otel import _semconv as sc

SCHEMA = "routing-otel.report/v1"
Unit = Literal["s", "ratio", "usd", "factor"]
QUANTILE_NOTE = (
    "p50/p95 are estimates from the histogram buckets (linear interpolation inside a "
    "bucket, as Prometheus' histogram_quantile does), so they are only as fine as the "
    "buckets: "
    f"{sc.DURATION_BUCKETS[0]}, {sc.DURATION_BUCKETS[1]}, {sc.DURATION_BUCKETS[2]}, ... "
    f"{sc.DURATION_BUCKETS[-1]} s."
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
    share: float  # of every call in the report
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """Every call of the report, from the same metrics as the rows."""

    requests: int
    routed: int
    errors: int
    served_after_fallback: int
    routing: Quantiles
    ttft: Quantiles
    ttft_within_target: float | None  # share of first chunks within the TTFT SLO target
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cost_by_source: dict[str, float]
    savings_usd: float
    overspend_usd: float
    net_savings_usd: float
    client_fallbacks: int
    server_fallbacks: int

    @property
    def error_ratio(self) -> float:
        """Failed calls as a share of every call (0 without calls)."""
        return self.errors / self.requests if self.requests else 0.0

    @property
    def cost_per_success(self) -> float | None:
        """Cost per successful call, as the cost-per-request alert divides it."""
        answered = self.requests - self.errors
        return self.cost_usd / answered if answered else None


@dataclass(frozen=True, slots=True)
class Budget:
    """The ``llm.router.budget.limit`` gauge (USD per day) and the spend in the report."""

    limit_usd: float | None
    spent_usd: float


@dataclass(frozen=True, slots=True)
class SlowCall:
    """One routed call, as a trace backend's "slowest calls" query would list it."""

    duration_s: float
    trace_id: str
    span_id: str | None
    pool: str | None
    served_model: str | None
    routing_s: float | None
    ttft_s: float | None
    error_type: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """A pending or firing alert of the shipped rules, as Prometheus reports it."""

    name: str
    state: str  # "pending" or "firing"
    severity: str | None
    summary: str | None
    labels: dict[str, str]
    active_since: str | None  # RFC 3339, as Prometheus writes it
    value: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One ``--check`` threshold and how the report's numbers stand against it."""

    flag: str  # the option that sets it, e.g. "--max-routing-p95"
    what: str  # e.g. "routing latency p95"
    unit: Unit
    limit: float
    value: float | None  # None: the report has no such number (skipped)
    status: Literal["ok", "crossed", "skipped"]
    reason: str | None = None  # why it was skipped


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where the numbers come from, and what that source could and could not say."""

    kind: Literal["demo", "prometheus"]
    prometheus_url: str | None = None
    service: str | None = None  # the job label selected, None for every service
    start: str | None = None  # RFC 3339 (UTC) bounds of the time range
    end: str | None = None
    range_s: float | None = None
    processes: int | None = None  # distinct (job, instance) that exported calls in the range
    recording_rules: bool | None = None  # whether the shipped recording rules are loaded
    exemplars: bool | None = None  # whether Prometheus held exemplars for the slowest calls
    notes: list[str] = field(default_factory=list)  # what the source could not answer


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything the report says, whatever its source."""

    source: Source
    rows: list[Row]
    totals: Totals
    fallbacks: list[FallbackPath]
    slowest: list[SlowCall]
    budget: Budget
    alerts: list[Alert] | None = None  # None: the source cannot know (the demo)
    run: dict[str, Any] | None = None  # the demo's own account of its run
    checks: list[Check] | None = None  # with --check only
    heading: str = "routing-otel report"
    intro: list[str] = field(default_factory=list)  # the source's own first lines
    story: list[str] = field(default_factory=list)  # what the source adds after the numbers
    quantile_note: str = QUANTILE_NOTE

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (``--format json``, see docs/report.md)."""
        data = dataclasses.asdict(self)
        for presentation in ("heading", "intro", "story"):
            del data[presentation]
        return {"schema": SCHEMA, **data}
