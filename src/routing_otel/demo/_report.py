"""The demo's report, computed from the metrics routing-otel recorded: no bookkeeping of its own.

Every number comes from the in-memory metric reader (what Prometheus would scrape), grouped
the way a dashboard's ``sum by (...)`` groups it, into the same `Figures` that
``routing-otel report`` reads from Prometheus; the slowest calls come from the spans (what a
trace backend would show).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from routing_otel import _semconv as sc
from routing_otel.demo._metric_points import Buckets, counter_sums, gauge_value, histograms
from routing_otel.demo._sections import intro, story
from routing_otel.report._figures import (
    Figures,
    Key,
    RequestGroup,
    assemble,
    model_name,
    pool_name,
)
from routing_otel.report._model import Quantiles, Report, Source
from routing_otel.report._thresholds import DEFAULT

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricsData

    from routing_otel.demo._model import RunInfo
    from routing_otel.report._model import SlowCall

_POOL_MODEL = (sc.ROUTER_POOL, sc.GEN_AI_RESPONSE_MODEL)
_REQUEST_LABELS = (*_POOL_MODEL, sc.GEN_AI_REQUEST_MODEL, sc.OUTCOME, sc.ERROR_TYPE, sc.FALLBACK)


def _quantiles(buckets: Buckets | None) -> Quantiles:
    if buckets is None:
        return Quantiles()
    return Quantiles(buckets.quantile(0.5), buckets.quantile(0.95))


def _key(values: tuple[Any, ...]) -> Key:
    return (pool_name(values[0]), model_name(values[1]))


def _summed(sums: dict[tuple[Any, ...], float], key: Any) -> dict[Any, float]:
    merged: dict[Any, float] = defaultdict(float)
    for labels, value in sums.items():
        merged[key(labels)] += value
    return dict(merged)


def figures(data: MetricsData | None) -> Figures:
    """What the metric points say, grouped as the report needs it."""
    requests = _summed(
        counter_sums(data, sc.METRIC_REQUESTS, _REQUEST_LABELS),
        lambda v: RequestGroup(
            pool_name(v[0]),
            model_name(v[1]),
            v[2],
            v[3],
            None if v[4] is None else str(v[4]),
            v[5] is True,
        ),
    )
    by_type = (*_POOL_MODEL, sc.GEN_AI_TOKEN_TYPE)
    tokens: dict[tuple[Key, str], float] = defaultdict(float)
    for labels, buckets in histograms(data, sc.METRIC_TOKEN_USAGE, by_type).items():
        tokens[_key(labels), str(labels[2])] += buckets.sum
    first_chunks = histograms(data, sc.METRIC_TIME_TO_FIRST_CHUNK, ()).get(())
    fallback_labels = (
        sc.FALLBACK_LAYER,
        sc.FALLBACK_REASON,
        sc.FALLBACK_FROM_MODEL,
        sc.FALLBACK_TO_MODEL,
    )
    return Figures(
        requests=requests,
        routing={
            _key(k): _quantiles(v)
            for k, v in histograms(data, sc.METRIC_ROUTING_DURATION, _POOL_MODEL).items()
        },
        ttft={
            _key(k): _quantiles(v)
            for k, v in histograms(data, sc.METRIC_TIME_TO_FIRST_CHUNK, _POOL_MODEL).items()
        },
        routing_total=_quantiles(histograms(data, sc.METRIC_ROUTING_DURATION, ()).get(())),
        ttft_total=_quantiles(first_chunks),
        ttft_within_target=(
            first_chunks.share_at_most(DEFAULT.ttft_target_s) if first_chunks else None
        ),
        tokens=dict(tokens),
        cost=_summed(
            counter_sums(data, sc.METRIC_COST, (*_POOL_MODEL, sc.COST_SOURCE)),
            lambda v: (_key(v), str(v[2])),
        ),
        savings=_summed(counter_sums(data, sc.METRIC_SAVINGS, _POOL_MODEL), _key),
        overspend=_summed(counter_sums(data, sc.METRIC_OVERSPEND, _POOL_MODEL), _key),
        fallbacks=_summed(
            counter_sums(data, sc.METRIC_FALLBACKS, fallback_labels),
            lambda v: tuple(str(label) for label in v),
        ),
        budget_limit_usd=gauge_value(data, sc.METRIC_BUDGET_LIMIT),
    )


def build_report(data: MetricsData | None, slowest: list[SlowCall], run: RunInfo) -> Report:
    """The report of a run whose metrics are ``data``."""
    rows, totals, fallbacks, budget = assemble(figures(data))
    return Report(
        source=Source(
            kind="demo",
            notes=[
                f"{'Export failed' if 'FAILED' in where else 'Also exported'}: {where}."
                for where in run.exports
            ],
        ),
        rows=rows,
        totals=totals,
        fallbacks=fallbacks,
        slowest=slowest,
        budget=budget,
        run=dataclasses.asdict(run),
        heading="routing-otel demo",
        intro=intro(run, totals),
        story=story(run, rows, fallbacks),
    )
