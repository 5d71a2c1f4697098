"""The report, computed from the metrics routing-otel recorded: no bookkeeping of our own.

Every number below comes from the in-memory metric reader (what Prometheus would scrape),
grouped the way a dashboard's ``sum by (...)`` groups it; the slowest calls come from the
spans (what a trace backend would show).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from routing_otel import _semconv as sc
from routing_otel.demo._metric_points import (
    Buckets,
    counter_sums,
    gauge_value,
    histograms,
)
from routing_otel.demo._model import Budget, FallbackPath, Quantiles, Report, Row, Totals

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricsData

    from routing_otel.demo._model import RunInfo
    from routing_otel.demo._telemetry import SlowCall

_POOL_MODEL = (sc.ROUTER_POOL, sc.GEN_AI_RESPONSE_MODEL)
_REQUEST_LABELS = (*_POOL_MODEL, sc.GEN_AI_REQUEST_MODEL, sc.OUTCOME, sc.ERROR_TYPE, sc.FALLBACK)
Key = tuple[str, str | None]


def _quantiles(buckets: Buckets | None) -> Quantiles:
    if buckets is None:
        return Quantiles()
    return Quantiles(buckets.quantile(0.5), buckets.quantile(0.95))


def _key(values: tuple[Any, ...]) -> Key:
    pool, model = values[0], values[1]
    return (str(pool) if pool is not None else sc.POOL_DEFAULT, model)


class _Tally:
    """Request counts of one pool and served model, from ``llm.router.requests``."""

    def __init__(self) -> None:
        self.requests = 0
        self.routed = 0
        self.after_fallback = 0
        self.errors: dict[str, int] = defaultdict(int)

    def add(self, labels: tuple[Any, ...], count: int) -> None:
        _, _, request_model, outcome, error_type, fallback = labels
        self.requests += count
        if request_model == sc.ROUTED_MODEL:
            self.routed += count
        if outcome == sc.OUTCOME_ERROR:
            self.errors[str(error_type or "unknown")] += count
        elif fallback is True:
            self.after_fallback += count


def build_report(data: MetricsData | None, slowest: list[SlowCall], run: RunInfo) -> Report:
    """The report of a run whose metrics are ``data``."""
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    for labels, value in counter_sums(data, sc.METRIC_REQUESTS, _REQUEST_LABELS).items():
        tallies[_key(labels)].add(labels, round(value))
    routing = {
        _key(k): v for k, v in histograms(data, sc.METRIC_ROUTING_DURATION, _POOL_MODEL).items()
    }
    ttft = {
        _key(k): v for k, v in histograms(data, sc.METRIC_TIME_TO_FIRST_CHUNK, _POOL_MODEL).items()
    }
    tokens: dict[tuple[Key, str], float] = defaultdict(float)
    by_type = (*_POOL_MODEL, sc.GEN_AI_TOKEN_TYPE)
    for labels, buckets in histograms(data, sc.METRIC_TOKEN_USAGE, by_type).items():
        tokens[_key(labels), str(labels[2])] += buckets.sum
    cost: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_source = (*_POOL_MODEL, sc.COST_SOURCE)
    for labels, usd in counter_sums(data, sc.METRIC_COST, by_source).items():
        cost[_key(labels)][str(labels[2])] += usd
    savings = _by_key(counter_sums(data, sc.METRIC_SAVINGS, _POOL_MODEL))
    overspend = _by_key(counter_sums(data, sc.METRIC_OVERSPEND, _POOL_MODEL))

    total_requests = sum(t.requests for t in tallies.values())
    rows = []
    for key, tally in tallies.items():
        spend = cost.get(key, {})
        saved, lost = savings.get(key, 0.0), overspend.get(key, 0.0)
        rows.append(
            Row(
                pool=key[0],
                served_model=key[1],
                requests=tally.requests,
                routed=tally.routed,
                share=tally.requests / total_requests if total_requests else 0.0,
                routing=_quantiles(routing.get(key)),
                ttft=_quantiles(ttft.get(key)),
                input_tokens=round(tokens.get((key, sc.TOKEN_TYPE_INPUT), 0.0)),
                output_tokens=round(tokens.get((key, sc.TOKEN_TYPE_OUTPUT), 0.0)),
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
    rows.sort(key=lambda r: (-pool_sizes[r.pool], r.pool, r.served_model is None, -r.requests))
    fallbacks = _fallbacks(data)
    return Report(
        run=run,
        rows=rows,
        totals=_totals(data, rows, fallbacks),
        fallbacks=fallbacks,
        slowest=slowest,
        budget=Budget(gauge_value(data, sc.METRIC_BUDGET_LIMIT), sum(r.cost_usd for r in rows)),
    )


def _by_key(sums: dict[tuple[Any, ...], float]) -> dict[Key, float]:
    merged: dict[Key, float] = defaultdict(float)
    for labels, value in sums.items():
        merged[_key(labels)] += value
    return merged


def _fallbacks(data: MetricsData | None) -> list[FallbackPath]:
    labels = (sc.FALLBACK_LAYER, sc.FALLBACK_REASON, sc.FALLBACK_FROM_MODEL, sc.FALLBACK_TO_MODEL)
    paths = [
        FallbackPath(str(layer), str(reason), str(source), str(to), round(count))
        for (layer, reason, source, to), count in counter_sums(
            data, sc.METRIC_FALLBACKS, labels
        ).items()
    ]
    return sorted(paths, key=lambda p: (p.layer, -p.count, p.reason))


def _totals(data: MetricsData | None, rows: list[Row], fallbacks: list[FallbackPath]) -> Totals:
    everything = histograms(data, sc.METRIC_ROUTING_DURATION, ())
    first_chunks = histograms(data, sc.METRIC_TIME_TO_FIRST_CHUNK, ())
    by_source: dict[str, float] = defaultdict(float)
    for (source,), usd in counter_sums(data, sc.METRIC_COST, (sc.COST_SOURCE,)).items():
        by_source[str(source)] += usd
    savings = sum(r.savings_usd for r in rows)
    overspend = sum(r.overspend_usd for r in rows)
    return Totals(
        requests=sum(r.requests for r in rows),
        routed=sum(r.routed for r in rows),
        errors=sum(sum(r.errors.values()) for r in rows),
        served_after_fallback=sum(r.served_after_fallback for r in rows),
        routing=_quantiles(everything.get(())),
        ttft=_quantiles(first_chunks.get(())),
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
