"""Prometheus recording and alerting rules, built from the telemetry names.

Recording rules hold the heavy expressions (quantiles, long windows, ratios); alerts compare
them with `Thresholds`. Every alert has `severity`, `summary`, `description` and a
`runbook_url` pointing at the alert's own section of dashboards/runbook.md, and a
`promtool test rules` case under dashboards/prometheus/tests/ that shows it silent just
before its `for` elapses and firing just after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboards import promql as q
from dashboards.promql import JOB, POOL, RESPONSE_MODEL, Thresholds, fmt, seconds
from routing_otel.report import _promql as report_promql

# `routing-otel report` finds the shipped rules by these names: one definition for both.
RECORDING_GROUP = report_promql.RECORDING_GROUP
ALERTING_GROUP = report_promql.ALERTING_GROUP
SHORT = "5m"  # window of the fast-moving ratios and quantiles

Rule = dict[str, Any]


def _base(metric: str) -> str:
    """A counter's name without ``_total``, as recording-rule names use it."""
    return metric.removesuffix("_total")


@dataclass(frozen=True, slots=True)
class Recorded:
    """Names of the recorded series, which depend on the configured windows."""

    routing_p95: str
    requests_rate: str
    error_ratio: str
    fallback_ratio: str
    ttft_good_ratio: str
    ttft_rate: str
    routed_by_model: str
    models_recent: str
    models_history: str
    cost_pace: str
    cost_period: str
    budget: str
    success_rate: str
    cost_per_request: str
    cost_per_request_baseline: str

    @classmethod
    def of(cls, th: Thresholds) -> Recorded:
        """The names for these thresholds."""
        cost = _base(q.COST)
        per_request = f"{cost}_per_request"
        pool = f"{JOB}_{POOL}"
        return cls(
            routing_p95=f"{JOB}:{q.ROUTING_DURATION}:p95_rate{SHORT}",
            requests_rate=f"{JOB}:{_base(q.REQUESTS)}:rate{SHORT}",
            error_ratio=f"{JOB}:{_base(q.REQUESTS)}_errors:ratio_rate{SHORT}",
            fallback_ratio=f"{JOB}_{q.FALLBACK_LAYER}:{_base(q.FALLBACKS)}:ratio_rate{SHORT}",
            ttft_good_ratio=f"{JOB}:{q.TIME_TO_FIRST_CHUNK}:good_ratio_rate{th.ttft_window}",
            ttft_rate=f"{JOB}:{q.TIME_TO_FIRST_CHUNK}_count:rate{th.ttft_window}",
            routed_by_model=(
                f"{pool}_{RESPONSE_MODEL}:{_base(q.REQUESTS)}_routed:increase{th.same_model_window}"
            ),
            models_recent=f"{pool}:llm_router_served_models:count{th.same_model_window}",
            models_history=f"{pool}:llm_router_served_models:count{th.same_model_history}",
            cost_pace=f"{JOB}:{cost}:increase{th.budget_pace_window}",
            cost_period=f"{JOB}:{cost}:increase{th.budget_period}",
            budget=f"{JOB}:{q.BUDGET_LIMIT}:sum",
            success_rate=f"{pool}:{_base(q.REQUESTS)}_success:rate{th.cost_jump_window}",
            cost_per_request=f"{pool}:{per_request}:ratio_rate{th.cost_jump_window}",
            cost_per_request_baseline=(
                f"{pool}:{per_request}:ratio_rate{th.cost_jump_window}"
                f"_avg_over_time{th.cost_baseline_window}"
            ),
        )


def recording_rules(th: Thresholds) -> list[Rule]:
    """The recording rules, in evaluation order (later ones read earlier ones)."""
    r = Recorded.of(th)
    routed_ok = q.sel(q.REQUESTS, q.eq(q.REQUEST_MODEL, q.ROUTED), q.eq(q.OUTCOME, q.SUCCESS))
    pool_labels = [JOB, POOL]
    ttft_good = q.sel(f"{q.TIME_TO_FIRST_CHUNK}_bucket", q.eq(q.LE, q.le_value(th.ttft_target_s)))
    ttft_count = q.sel(f"{q.TIME_TO_FIRST_CHUNK}_count")
    requests_by_job = q.sum_by([JOB], q.rate(q.sel(q.REQUESTS), SHORT))
    rules: list[tuple[str, str]] = [
        (
            r.routing_p95,
            q.histogram_quantile(0.95, q.ROUTING_DURATION, [], [JOB], SHORT),
        ),
        (r.requests_rate, requests_by_job),
        (
            r.error_ratio,
            q.ratio(
                q.sum_by([JOB], q.rate(q.sel(q.REQUESTS, q.eq(q.OUTCOME, q.ERROR)), SHORT)),
                requests_by_job,
            ),
        ),
        (
            r.fallback_ratio,
            (
                f"{q.sum_by([JOB, q.FALLBACK_LAYER], q.rate(q.sel(q.FALLBACKS), SHORT))}"
                f" / on ({JOB}) group_left {requests_by_job}"
            ),
        ),
        (r.ttft_rate, q.sum_by([JOB], q.rate(ttft_count, th.ttft_window))),
        (
            r.ttft_good_ratio,
            q.ratio(
                q.sum_by([JOB], q.rate(ttft_good, th.ttft_window)),
                q.sum_by([JOB], q.rate(ttft_count, th.ttft_window)),
            ),
        ),
        (
            r.routed_by_model,
            q.sum_by([*pool_labels, RESPONSE_MODEL], q.increase(routed_ok, th.same_model_window)),
        ),
        (r.models_recent, f"count {q.by(pool_labels)} ({r.routed_by_model} > 0)"),
        (
            r.models_history,
            (
                f"count {q.by(pool_labels)}"
                f" (max_over_time({r.routed_by_model}[{th.same_model_history}]) > 0)"
            ),
        ),
        (r.cost_pace, q.sum_by([JOB], q.increase(q.sel(q.COST), th.budget_pace_window))),
        (r.cost_period, q.sum_by([JOB], q.increase(q.sel(q.COST), th.budget_period))),
        # Every process of a service exports the same limit: take it once per budget name.
        (r.budget, q.sum_by([JOB], f"max {q.by([JOB, q.BUDGET_NAME])} ({q.sel(q.BUDGET_LIMIT)})")),
        (
            r.success_rate,
            q.sum_by(
                pool_labels,
                q.rate(q.sel(q.REQUESTS, q.eq(q.OUTCOME, q.SUCCESS)), th.cost_jump_window),
            ),
        ),
        # `> 0` keeps idle hours out (no NaN sample), so the baseline average stays a number.
        (
            r.cost_per_request,
            (
                f"{q.sum_by(pool_labels, q.rate(q.sel(q.COST), th.cost_jump_window))}"
                f" / ({r.success_rate} > 0)"
            ),
        ),
        (
            r.cost_per_request_baseline,
            f"avg_over_time({r.cost_per_request}[{th.cost_baseline_window}])",
        ),
    ]
    return [{"record": name, "expr": expr} for name, expr in rules]


@dataclass(frozen=True, slots=True)
class _Alert:
    name: str
    expr: str
    duration: str
    severity: str
    summary: str
    description: str

    def rule(self, th: Thresholds) -> Rule:
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.duration,
            "labels": {"severity": self.severity},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"{th.runbook_url}#{self.name.lower()}",
            },
        }


def alerting_rules(th: Thresholds) -> list[Rule]:
    """The alerts, each answering one troubleshooting question of the router guides."""
    r = Recorded.of(th)
    job = "{{ $labels.job }}"
    pool = f"{{{{ $labels.{POOL} }}}}"
    model = f"{{{{ $labels.{RESPONSE_MODEL} }}}}"
    layer = f"{{{{ $labels.{q.FALLBACK_LAYER} }}}}"
    busy = f"and on ({JOB}) {r.requests_rate} > {fmt(th.min_request_rate)}"
    periods = seconds(th.budget_period) / seconds(th.budget_pace_window)
    alerts = [
        _Alert(
            "LLMRouterRoutingLatencyHigh",
            f"{r.routing_p95} > {fmt(th.routing_latency_p95_s)}",
            th.routing_latency_for,
            "warning",
            f"Routing latency p95 of {job} is above {fmt(th.routing_latency_p95_s)}s.",
            f"The router took {{{{ $value | humanizeDuration }}}} at the 95th percentile over"
            f" the last {SHORT} to choose a model for {job} (threshold"
            f" {fmt(th.routing_latency_p95_s)}s). Every routed call waits this long before"
            " its first token.",
        ),
        _Alert(
            "LLMRouterSameModelSelected",
            f"{r.routed_by_model} >= {th.same_model_min_requests}"
            f" and on ({JOB}, {POOL}) {r.models_recent} == 1"
            f" and on ({JOB}, {POOL}) {r.models_history} > 1",
            th.same_model_for,
            "warning",
            f"Pool {pool} of {job} is always routed to {model}.",
            f"All {{{{ $value | humanize }}}} routed calls of pool {pool} in the last"
            f" {th.same_model_window} were served by {model}, although several models served"
            f" this pool over the last {th.same_model_history}. The router may have lost its"
            " other candidates (dropped, failing, or never winning on the routing criteria).",
        ),
        _Alert(
            "LLMRouterSpendAboveBudgetPace",
            f"{r.cost_pace} / ({r.budget} / {fmt(periods)}) > {fmt(th.budget_pace_factor)}",
            th.budget_pace_for,
            "warning",
            f"{job} spends faster than its budget allows.",
            f"Spend of {job} over the last {th.budget_pace_window} is {{{{ $value | humanize }}}}"
            f" times the budget's pace (llm.router.budget.limit per {th.budget_period}). At this"
            " rate the budget runs out before the end of the period.",
        ),
        _Alert(
            "LLMRouterBudgetExhausted",
            f"{r.cost_period} / {r.budget} >= 1",
            th.budget_exhausted_for,
            "critical",
            f"{job} has spent its budget.",
            f"Spend of {job} over the last {th.budget_period} is"
            " {{ $value | humanizePercentage }} of its budget (llm.router.budget.limit).",
        ),
        _Alert(
            "LLMRouterCostPerRequestJump",
            f"{r.cost_per_request} / {r.cost_per_request_baseline} > {fmt(th.cost_jump_factor)}"
            f" and on ({JOB}, {POOL}) {r.success_rate} * {seconds(th.cost_jump_window)}"
            f" >= {th.cost_jump_min_requests}",
            th.cost_jump_for,
            "warning",
            f"Cost per call of pool {pool} of {job} jumped.",
            f"Cost per successful call of pool {pool} over the last {th.cost_jump_window} is"
            f" {{{{ $value | humanize }}}} times its average over the last"
            f" {th.cost_baseline_window}: premium models chosen more often, longer answers, or"
            " a price change.",
        ),
        _Alert(
            "LLMRouterFallbackRateHigh",
            f"{r.fallback_ratio} > {fmt(th.fallback_ratio)} {busy}",
            th.fallback_for,
            "warning",
            f"Many {layer}-side fallbacks for {job}.",
            f"{layer}-side fallbacks of {job} amount to {{{{ $value | humanizePercentage }}}}"
            f" of its calls over the last {SHORT} (threshold"
            f" {fmt(th.fallback_ratio * 100)}%): the first choice keeps failing.",
        ),
        _Alert(
            "LLMRouterErrorRateHigh",
            f"{r.error_ratio} > {fmt(th.error_ratio)} {busy}",
            th.error_for,
            "critical",
            f"LLM calls of {job} are failing.",
            f"{{{{ $value | humanizePercentage }}}} of the LLM calls of {job} failed over the"
            f" last {SHORT} (threshold {fmt(th.error_ratio * 100)}%). The error.type label of"
            f" {q.REQUESTS} says which errors.",
        ),
        _Alert(
            "LLMRouterTTFTSLOBreach",
            f"{r.ttft_good_ratio} < {fmt(th.ttft_objective)}"
            f" and on ({JOB}) {r.ttft_rate} > {fmt(th.min_request_rate)}",
            th.ttft_for,
            "warning",
            f"Time to first chunk of {job} misses its SLO.",
            f"Only {{{{ $value | humanizePercentage }}}} of the streamed calls of {job} got"
            f" their first chunk within {fmt(th.ttft_target_s)}s over the last {th.ttft_window}"
            f" (objective {fmt(th.ttft_objective * 100)}%).",
        ),
        _Alert(
            "LLMRouterTelemetryAbsent",
            # absent() of a selector copies its equality matchers onto the alert: aggregate first.
            f"absent({q.sum_by([], q.sel(q.REQUESTS))})",
            th.absent_for,
            "warning",
            "No routing-otel metrics reach Prometheus.",
            f"No {q.REQUESTS} series has been scraped for {th.absent_for}: the application is"
            " not instrumented, makes no LLM calls, or its metrics do not reach Prometheus.",
        ),
        _Alert(
            "LLMRouterTelemetryStopped",
            f"group by ({JOB}) (max_over_time({q.sel(q.REQUESTS)}[{th.stopped_lookback}]))"
            f" unless on ({JOB}) group by ({JOB}) ({q.sel(q.REQUESTS)})",
            th.stopped_for,
            "warning",
            f"routing-otel metrics of {job} stopped.",
            f"{job} exported {q.REQUESTS} within the last {th.stopped_lookback} but exports"
            " nothing now: the process, its exporter or the scrape is down.",
        ),
    ]
    return [alert.rule(th) for alert in alerts]


def rule_files(th: Thresholds) -> dict[str, dict[str, Any]]:
    """The two rule files, by name under dashboards/prometheus/."""
    return {
        "recording.yaml": {"groups": [{"name": RECORDING_GROUP, "rules": recording_rules(th)}]},
        "alerts.yaml": {"groups": [{"name": ALERTING_GROUP, "rules": alerting_rules(th)}]},
    }
