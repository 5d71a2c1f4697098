"""From grouped sums to the report's rows and totals: the arithmetic both sources share.

A source (the demo's in-memory metric points, or Prometheus) fills `Figures` with what a
dashboard's ``sum by (...)`` would return; `assemble` turns them into rows, totals and
fallback paths, so the demo and ``routing-otel report`` cannot count differently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from routing_otel import _semconv as sc
from routing_otel.report._model import Budget, FallbackPath, Quantiles, Row, Totals

Key = tuple[str, str | None]  # (pool, served model)


@dataclass(frozen=True, slots=True)
class RequestGroup:
    """The labels of ``llm.router.requests`` the report groups by."""

    pool: str
    served_model: str | None
    request_model: str | None
    outcome: str | None
    error_type: str | None
    fallback: bool

    @property
    def key(self) -> Key:
        """Its pool and served model."""
        return (self.pool, self.served_model)


def pool_name(value: object) -> str:
    """A pool label, ``default`` when it is missing."""
    return str(value) if value not in {None, ""} else sc.POOL_DEFAULT


def model_name(value: object) -> str | None:
    """A served-model label, None when the call failed before a model was known."""
    return str(value) if value not in {None, ""} else None


@dataclass
class Figures:
    """What a source read, grouped as the report needs it (values are sums over the range)."""

    requests: dict[RequestGroup, float] = field(default_factory=dict)
    routing: dict[Key, Quantiles] = field(default_factory=dict)
    ttft: dict[Key, Quantiles] = field(default_factory=dict)
    routing_total: Quantiles = field(default_factory=Quantiles)
    ttft_total: Quantiles = field(default_factory=Quantiles)
    ttft_within_target: float | None = None
    tokens: dict[tuple[Key, str], float] = field(default_factory=dict)  # by token type
    cost: dict[tuple[Key, str], float] = field(default_factory=dict)  # by cost source
    savings: dict[Key, float] = field(default_factory=dict)
    overspend: dict[Key, float] = field(default_factory=dict)
    fallbacks: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    budget_limit_usd: float | None = None


class _Tally:
    """Request counts of one pool and served model."""

    def __init__(self) -> None:
        self.requests = 0
        self.routed = 0
        self.after_fallback = 0
        self.errors: dict[str, int] = defaultdict(int)

    def add(self, group: RequestGroup, count: int) -> None:
        self.requests += count
        if group.request_model == sc.ROUTED_MODEL:
            self.routed += count
        if group.outcome == sc.OUTCOME_ERROR:
            self.errors[group.error_type or "unknown"] += count
        elif group.fallback:
            self.after_fallback += count


def rows_of(figures: Figures) -> list[Row]:
    """One row per pool and served model, the busiest pools first."""
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    for group, count in figures.requests.items():
        tallies[group.key].add(group, round(count))
    cost: dict[Key, dict[str, float]] = defaultdict(dict)
    for (key, source), usd in figures.cost.items():
        cost[key][source] = cost[key].get(source, 0.0) + usd
    total_requests = sum(t.requests for t in tallies.values())
    rows = []
    for key, tally in tallies.items():
        if not tally.requests:
            continue
        spend = cost.get(key, {})
        saved, lost = figures.savings.get(key, 0.0), figures.overspend.get(key, 0.0)
        rows.append(
            Row(
                pool=key[0],
                served_model=key[1],
                requests=tally.requests,
                routed=tally.routed,
                share=tally.requests / total_requests if total_requests else 0.0,
                routing=figures.routing.get(key, Quantiles()),
                ttft=figures.ttft.get(key, Quantiles()),
                input_tokens=round(figures.tokens.get((key, sc.TOKEN_TYPE_INPUT), 0.0)),
                output_tokens=round(figures.tokens.get((key, sc.TOKEN_TYPE_OUTPUT), 0.0)),
                cost_usd=sum(spend.values()),
                cost_sources=sorted(spend, key=lambda source: -spend[source]),
                savings_usd=saved,
                overspend_usd=lost,
                net_savings_usd=saved - lost,
                served_after_fallback=tally.after_fallback,
                errors=dict(sorted(tally.errors.items())),
            )
        )
    pool_sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        pool_sizes[row.pool] += row.requests
    rows.sort(
        key=lambda r: (
            -pool_sizes[r.pool],
            r.pool,
            r.served_model is None,
            -r.requests,
            r.served_model or "",
        )
    )
    return rows


def fallbacks_of(figures: Figures) -> list[FallbackPath]:
    """``llm.router.fallbacks`` by layer, reason and path, most frequent first per layer."""
    paths = [
        FallbackPath(layer, reason, source, to, round(count))
        for (layer, reason, source, to), count in figures.fallbacks.items()
        if round(count)
    ]
    return sorted(paths, key=lambda p: (p.layer, -p.count, p.reason, p.from_model, p.to_model))


def totals_of(figures: Figures, rows: list[Row], fallbacks: list[FallbackPath]) -> Totals:
    """The totals of ``rows``, with the quantiles over every call."""
    by_source: dict[str, float] = defaultdict(float)
    for (_, source), usd in figures.cost.items():
        by_source[source] += usd
    savings = sum(r.savings_usd for r in rows)
    overspend = sum(r.overspend_usd for r in rows)
    return Totals(
        requests=sum(r.requests for r in rows),
        routed=sum(r.routed for r in rows),
        errors=sum(sum(r.errors.values()) for r in rows),
        served_after_fallback=sum(r.served_after_fallback for r in rows),
        routing=figures.routing_total,
        ttft=figures.ttft_total,
        ttft_within_target=figures.ttft_within_target,
        input_tokens=sum(r.input_tokens for r in rows),
        output_tokens=sum(r.output_tokens for r in rows),
        cost_usd=sum(by_source.values()),
        cost_by_source=dict(sorted(by_source.items(), key=lambda item: -item[1])),
        savings_usd=savings,
        overspend_usd=overspend,
        net_savings_usd=savings - overspend,
        client_fallbacks=sum(p.count for p in fallbacks if p.layer == sc.LAYER_CLIENT),
        server_fallbacks=sum(p.count for p in fallbacks if p.layer == sc.LAYER_SERVER),
    )


def assemble(figures: Figures) -> tuple[list[Row], Totals, list[FallbackPath], Budget]:
    """Rows, totals, fallback paths and budget, from one source's figures."""
    rows = rows_of(figures)
    fallbacks = fallbacks_of(figures)
    totals = totals_of(figures, rows, fallbacks)
    return rows, totals, fallbacks, Budget(figures.budget_limit_usd, totals.cost_usd)
