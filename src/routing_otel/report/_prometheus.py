"""The report from Prometheus: every process that exports to it, over one time range.

The same `Figures` the demo fills from its metric points are filled here from instant
queries (see `_promql`), then assembled by the same code. What Prometheus alone cannot say
is stated in the report's notes rather than guessed.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from routing_otel import _semconv as sc
from routing_otel.report import _promql as pq
from routing_otel.report._client import PrometheusError
from routing_otel.report._figures import Figures, Key, RequestGroup, model_name, pool_name
from routing_otel.report._model import Alert, Quantiles, SlowCall
from routing_otel.report._thresholds import DEFAULT, le_value

if TYPE_CHECKING:
    from routing_otel.report._client import Prometheus, Sample
    from routing_otel.report._promql import Window

SLOWEST = 3
# A range ending this close to now is "now": /api/v1/alerts tells its current alerts.
_LIVE_S = 300.0
NO_EXEMPLARS = (
    "Prometheus holds no exemplars of routing-otel's duration histograms in this range, so "
    "the slowest calls have no trace ids here. The Python Prometheus exporter writes none: "
    "export through the OpenTelemetry Collector's Prometheus exporter with exemplars and run "
    "Prometheus with --enable-feature=exemplar-storage, or ask your trace backend."
)
NOT_ANSWERED = (
    "Not from Prometheus alone: what the application decided (budget tiers, cached "
    "decisions), why a call failed beyond its error.type, and the calls of processes that "
    "exited between two scrapes."
)


class NoDataError(PrometheusError):
    """Prometheus answered, but holds no routing-otel calls for the range (or at all)."""


def rfc3339(unix_s: float) -> str:
    """A Unix time as RFC 3339 in UTC, to the second."""
    return datetime.fromtimestamp(unix_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(sample: Sample) -> Key:
    return (pool_name(sample.label(pq.POOL)), model_name(sample.label(pq.RESPONSE_MODEL)))


def _quantiles(p50: list[Sample], p95: list[Sample]) -> dict[Key, Quantiles]:
    def finite(samples: list[Sample]) -> dict[Key, float]:
        return {_key(s): s.value for s in samples if not math.isnan(s.value)}

    low, high = finite(p50), finite(p95)
    return {key: Quantiles(low.get(key), high.get(key)) for key in low.keys() | high.keys()}


def _summed(samples: list[Sample], key: Any) -> dict[Any, float]:
    merged: dict[Any, float] = defaultdict(float)
    for sample in samples:
        merged[key(sample)] += sample.value
    return dict(merged)


def figures(prometheus: Prometheus, window: Window, *, recorded: bool) -> Figures:
    """What Prometheus holds for the range, grouped as the report needs it."""

    def query(expr: str) -> list[Sample]:
        return [s for s in prometheus.query(expr, window.end) if not math.isnan(s.value)]

    def quantile(q: float, histogram: str, by: tuple[str, ...]) -> list[Sample]:
        return prometheus.query(window.quantile(q, histogram, by), window.end)

    def overall(histogram: str) -> Quantiles:
        p50, p95 = (
            prometheus.value(window.quantile(q, histogram, ()), window.end) for q in (0.5, 0.95)
        )
        return Quantiles(p50, p95)

    requests = _summed(
        query(window.total(sc.PROM_REQUESTS, pq.REQUEST_GROUP)),
        lambda s: RequestGroup(
            pool_name(s.label(pq.POOL)),
            model_name(s.label(pq.RESPONSE_MODEL)),
            s.label(pq.REQUEST_MODEL),
            s.label(pq.OUTCOME),
            s.label(pq.ERROR_TYPE),
            s.label(pq.FALLBACK) == "true",
        ),
    )
    routing, ttft = sc.PROM_ROUTING_DURATION, sc.PROM_TIME_TO_FIRST_CHUNK
    # Other GenAI instrumentations write gen_ai_client_* too: ours always carry a pool.
    ours = f'{pq.POOL}!=""'
    return Figures(
        requests=requests,
        routing=_quantiles(
            quantile(0.5, routing, pq.POOL_MODEL), quantile(0.95, routing, pq.POOL_MODEL)
        ),
        ttft=_quantiles(quantile(0.5, ttft, pq.POOL_MODEL), quantile(0.95, ttft, pq.POOL_MODEL)),
        routing_total=overall(routing),
        ttft_total=overall(ttft),
        ttft_within_target=prometheus.value(
            window.share_within(ttft, le_value(DEFAULT.ttft_target_s)), window.end
        ),
        tokens=_summed(
            query(
                window.total(f"{sc.PROM_TOKEN_USAGE}_sum", (*pq.POOL_MODEL, pq.TOKEN_TYPE), ours)
            ),
            lambda s: (_key(s), s.label(pq.TOKEN_TYPE) or ""),
        ),
        cost=_summed(
            query(window.total(sc.PROM_COST, (*pq.POOL_MODEL, pq.COST_SOURCE))),
            lambda s: (_key(s), s.label(pq.COST_SOURCE) or sc.COST_UNKNOWN),
        ),
        savings=_summed(query(window.total(sc.PROM_SAVINGS, pq.POOL_MODEL)), _key),
        overspend=_summed(query(window.total(sc.PROM_OVERSPEND, pq.POOL_MODEL)), _key),
        fallbacks=_summed(
            query(window.total(sc.PROM_FALLBACKS, pq.FALLBACK_LABELS)),
            lambda s: tuple(s.label(label) or "" for label in pq.FALLBACK_LABELS),
        ),
        budget_limit_usd=_budget(prometheus, window, recorded=recorded),
    )


def _budget(prometheus: Prometheus, window: Window, *, recorded: bool) -> float | None:
    """The daily budget, from the gauge itself.

    The recording rule holds the same sum, but only as of its last evaluation: a process
    scraped since (or not yet) would be missing from it.
    """
    del recorded
    return prometheus.value(window.budget(recorded=False), window.end)


def _alert(raw: dict[str, Any], state: str | None = None) -> Alert:
    labels = {
        k: v for k, v in raw.get("labels", {}).items() if k not in {"alertname", "alertstate"}
    }
    annotations = raw.get("annotations", {})
    value = raw.get("value")
    try:
        number = float(value) if value is not None else None
    except ValueError:
        number = None
    return Alert(
        name=raw.get("labels", {}).get("alertname", "?"),
        state=state or raw.get("state", "?"),
        severity=labels.get("severity"),
        summary=annotations.get("summary"),
        labels=labels,
        active_since=raw.get("activeAt"),
        value=number,
    )


def alerts(prometheus: Prometheus, window: Window) -> list[Alert]:
    """The shipped rules' alerts: pending or firing now, or during a range in the past."""
    if time.time() - window.end <= _LIVE_S:
        found = [
            _alert(raw)
            for raw in prometheus.alerts()
            if raw.get("labels", {}).get("alertname", "").startswith(pq.ALERT_PREFIX)
            and (window.service is None or raw["labels"].get(pq.JOB) in {None, window.service})
        ]
    else:  # the ALERTS series remember which alerts were pending or firing, not why
        by_name: dict[tuple[str, ...], Alert] = {}
        for sample in prometheus.query(window.alerts_during(), window.end):
            alert = _alert({"labels": sample.labels}, sample.labels.get("alertstate", "?"))
            key = (alert.name, *(f"{k}={v}" for k, v in sorted(alert.labels.items())))
            if key not in by_name or alert.state == "firing":
                by_name[key] = alert
        found = list(by_name.values())
    return sorted(found, key=lambda a: (a.state != "firing", a.name, a.labels.get(pq.JOB, "")))


def _exemplar_values(
    prometheus: Prometheus, window: Window, histogram: str, *matchers: str
) -> list[tuple[float, dict[str, str], dict[str, str]]]:
    series = window.select(f"{histogram}_bucket", *matchers)
    return [
        (
            float(exemplar["value"]),
            dict(exemplar.get("labels", {})),
            dict(entry.get("seriesLabels", {})),
        )
        for entry in prometheus.exemplars(series, window.start, window.end)
        for exemplar in entry.get("exemplars", [])
    ]


def _trace_id(labels: dict[str, str]) -> str | None:
    return labels.get("trace_id") or labels.get("traceID") or labels.get("traceId")


def slowest(prometheus: Prometheus, window: Window) -> list[SlowCall]:
    """The slowest routed calls that carry an exemplar, with their trace ids."""
    routed = f"{pq.REQUEST_MODEL}={pq.quote(sc.ROUTED_MODEL)}"
    calls = _exemplar_values(prometheus, window, sc.PROM_OPERATION_DURATION, routed)
    if not calls:
        return []
    by_trace: dict[str, dict[str, float]] = defaultdict(dict)
    for name, histogram in (
        ("routing", sc.PROM_ROUTING_DURATION),
        ("ttft", sc.PROM_TIME_TO_FIRST_CHUNK),
    ):
        for value, labels, _ in _exemplar_values(prometheus, window, histogram):
            if trace := _trace_id(labels):
                by_trace[trace][name] = value
    found: dict[str, SlowCall] = {}
    for value, labels, series in sorted(calls, key=lambda c: -c[0]):
        trace = _trace_id(labels)
        if trace is None or trace in found:
            continue
        found[trace] = SlowCall(
            duration_s=value,
            trace_id=trace,
            span_id=labels.get("span_id") or labels.get("spanID"),
            pool=series.get(pq.POOL),
            served_model=series.get(pq.RESPONSE_MODEL) or None,
            routing_s=by_trace[trace].get("routing"),
            ttft_s=by_trace[trace].get("ttft"),
            error_type=series.get(pq.ERROR_TYPE) or None,
        )
        if len(found) == SLOWEST:
            break
    return list(found.values())
