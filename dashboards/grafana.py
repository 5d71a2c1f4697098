"""The Grafana dashboards, built with grafana-foundation-sdk from the telemetry names.

Two dashboards: *Routing overview* (traffic, model mix, latency, errors, fallbacks, caller
context, slowest traces) and *Cost* (spend, budget, cost per call, savings, cost quality).
Both take a Prometheus datasource, a service (the ``job`` label) and a pool; every query
aggregates with ``sum by`` so the exporter's ``otel_scope_*`` and ``instance`` labels never
split a series.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import bargauge as bg
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus as pb
from grafana_foundation_sdk.builders import table as tb
from grafana_foundation_sdk.builders import tempo
from grafana_foundation_sdk.builders import timeseries as ts
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import tempo as tempo_models

from dashboards import promql as q
from dashboards.promql import (
    JOB,
    POOL,
    REQUEST_MODEL,
    RESPONSE_MODEL,
    Thresholds,
    eq,
    fmt,
    histogram_quantile,
    match,
    ne,
    rate,
    ratio,
    sel,
    sum_by,
)
from routing_otel import _semconv as sc

OVERVIEW_UID = "routing-otel-overview"
COST_UID = "routing-otel-cost"
TAG = "routing-otel"
PROMETHEUS = dm.DataSourceRef(type_val="prometheus", uid="${datasource}")
TRACES = dm.DataSourceRef(type_val="tempo", uid="${traces}")
W = "$__rate_interval"
ALL = ".*"

# Filters of the template variables; fixed-model calls are matched on the service only,
# since the pool they would be compared within is the routed calls' pool.
BY_SERVICE = [match(JOB, "$service")]
BY_POOL = [*BY_SERVICE, match(POOL, "$pool")]
ROUTED_OK = [eq(REQUEST_MODEL, q.ROUTED), eq(q.OUTCOME, q.SUCCESS)]
ROUTED = [eq(REQUEST_MODEL, q.ROUTED)]
FIXED = [ne(REQUEST_MODEL, q.ROUTED)]


@dataclass(frozen=True, slots=True)
class Target:
    """One Prometheus query of a panel."""

    expr: str
    legend: str = ""
    instant: bool = False


def _query(target: Target, ref: str, *, exemplar: bool) -> pb.Dataquery:
    query = pb.Dataquery().expr(target.expr).ref_id(ref).legend_format(target.legend or "__auto")
    query = query.instant() if target.instant else query.range()
    return query.exemplar(exemplar) if exemplar else query


def _targets(targets: list[Target], *, exemplar: bool = False) -> list[pb.Dataquery]:
    return [_query(t, chr(ord("A") + i), exemplar=exemplar) for i, t in enumerate(targets)]


def _legend() -> cb.VizLegendOptions:
    return (
        cb.VizLegendOptions()
        .display_mode(cm.LegendDisplayMode.TABLE)
        .placement(cm.LegendPlacement.BOTTOM)
        .show_legend(True)  # noqa: FBT003  (the SDK's setter takes a bool)
        .calcs(["mean", "max", "lastNotNull"])
    )


def _thresholds(value: float) -> db.ThresholdsConfig:
    return (
        db.ThresholdsConfig()
        .mode(dm.ThresholdsMode.ABSOLUTE)
        .steps([dm.Threshold(value=None, color="green"), dm.Threshold(value=value, color="red")])
    )


def timeseries(  # noqa: PLR0913  (panel options read best as keywords)
    title: str,
    description: str,
    unit: str,
    targets: list[Target],
    *,
    width: int = 12,
    exemplar: bool = False,
    stack: bool = False,
    threshold: float | None = None,
    bars: bool = False,
    interval: str | None = None,
    decimals: int | None = None,
) -> ts.Panel:
    """A time series panel on the Prometheus datasource."""
    panel = (
        ts.Panel()
        .title(title)
        .description(description)
        .datasource(PROMETHEUS)
        .unit(unit)
        .span(width)
        .height(8)
        .targets(list(_targets(targets, exemplar=exemplar)))
        .legend(_legend())
        .tooltip(
            cb.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING)
        )
        .fill_opacity(10)
        .line_width(1)
        .show_points(cm.VisibilityMode.NEVER)
    )
    if stack:
        panel = panel.stacking(cb.StackingConfig().mode(cm.StackingMode.NORMAL)).fill_opacity(60)
    if bars:
        panel = panel.draw_style(cm.GraphDrawStyle.BARS).fill_opacity(80)
    if interval:
        panel = panel.interval(interval)
    if decimals is not None:
        panel = panel.decimals(decimals)
    if threshold is not None:
        panel = panel.thresholds(_thresholds(threshold)).thresholds_style(
            cb.GraphThresholdsStyleConfig().mode(cm.GraphThresholdsStyleMode.DASHED)
        )
    return panel


def bargauge(title: str, description: str, unit: str, targets: list[Target]) -> bg.Panel:
    """A horizontal bar gauge of instant values."""
    return (
        bg.Panel()
        .title(title)
        .description(description)
        .datasource(PROMETHEUS)
        .unit(unit)
        .span(12)
        .height(8)
        .targets(list(_targets(targets)))
        .orientation(cm.VizOrientation.HORIZONTAL)
        .display_mode(cm.BarGaugeDisplayMode.GRADIENT)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))  # noqa: FBT003
    )


def _variables(*, traces: bool) -> list[Any]:
    variables: list[Any] = [
        db.DatasourceVariable("datasource").label("Prometheus").type("prometheus"),
    ]
    if traces:
        variables.append(db.DatasourceVariable("traces").label("Traces").type("tempo"))
    variables += [
        db.QueryVariable("service")
        .label("Service (job)")
        .description("The job label: the scrape job, or service.name through the Collector.")
        .datasource(PROMETHEUS)
        .query(f"label_values({q.REQUESTS}, {JOB})")
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True)  # noqa: FBT003
        .include_all(True)  # noqa: FBT003
        .all_value(ALL),
        db.QueryVariable("pool")
        .label("Pool")
        .description(f"{sc.ROUTER_POOL}: the caller's name for its candidate list.")
        .datasource(PROMETHEUS)
        .query(f"label_values({sel(q.REQUESTS, *BY_SERVICE)}, {POOL})")
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .multi(True)  # noqa: FBT003
        .include_all(True)  # noqa: FBT003
        .all_value(ALL),
    ]
    if traces:
        variables.append(
            db.CustomVariable("min_duration")
            .label("Slow calls from")
            .values("0ms,500ms,1s,2s,5s,10s")
            .current(dm.VariableOption(selected=True, text="1s", value="1s"))
        )
    return variables


def _dashboard(uid: str, title: str, description: str, *, traces: bool) -> db.Dashboard:
    dashboard = (
        db.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG])
        .editable()
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(dm.DashboardCursorSync.CROSSHAIR)
        .link(
            db.DashboardLink("routing-otel dashboards")
            .type(dm.DashboardLinkType.DASHBOARDS)
            .tags([TAG])
            .as_dropdown(False)  # noqa: FBT003
            .include_vars(True)  # noqa: FBT003
            .keep_time(True)  # noqa: FBT003
        )
    )
    for variable in _variables(traces=traces):
        dashboard = dashboard.with_variable(variable)
    return dashboard


def _ttft(quantile: float, matchers: list[str]) -> str:
    return histogram_quantile(quantile, q.TIME_TO_FIRST_CHUNK, matchers, [RESPONSE_MODEL], W)


def _mean_ttft(matchers: list[str]) -> str:
    total = sum_by([RESPONSE_MODEL], rate(sel(f"{q.TIME_TO_FIRST_CHUNK}_sum", *matchers), W))
    count = sum_by([RESPONSE_MODEL], rate(sel(f"{q.TIME_TO_FIRST_CHUNK}_count", *matchers), W))
    return f"({total} / {count})"


def _served_models(window: str) -> Target:
    per_model = sum_by(
        [POOL, RESPONSE_MODEL], q.increase(sel(q.REQUESTS, *BY_POOL, *ROUTED_OK), window)
    )
    return Target(
        f"count by ({POOL}) ({per_model} > 0)", f"{{{{{POOL}}}}} · {window}", instant=True
    )


def _slowest_traceql() -> str:
    return (
        f'{{ span.{sc.GEN_AI_REQUEST_MODEL} = "{sc.ROUTED_MODEL}"'
        f' && span.{sc.ROUTER_POOL} =~ "$pool"'
        ' && resource.service.name =~ "$service"'
        " && duration >= $min_duration }"
        f" | select(span.{sc.GEN_AI_RESPONSE_MODEL}, span.{sc.ROUTER_ROUTING_DURATION},"
        f" span.{sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK}, span.{sc.ROUTER_COST})"
    )


def overview(th: Thresholds) -> db.Dashboard:
    """The routing overview dashboard."""
    routed_ok = sel(q.REQUESTS, *BY_POOL, *ROUTED_OK)
    requests = sel(q.REQUESTS, *BY_POOL)
    model = f"{{{{{RESPONSE_MODEL}}}}}"
    d = _dashboard(
        OVERVIEW_UID,
        "routing-otel / Routing overview",
        "Eden AI smart routing as routing-otel reports it: traffic, model mix, routing"
        " latency, time to first chunk, errors and fallbacks. Generated by"
        " dashboards/generate.py: edit the generator, not this JSON.",
        traces=True,
    )
    d = d.with_row(db.Row("Traffic and model mix"))
    d = d.with_panel(
        timeseries(
            "Request rate by served model",
            "LLM calls per second by the model that served them (routed and fixed calls);"
            " calls that failed before a model was known are shown as 'none'.",
            "reqps",
            [
                Target(
                    f"label_replace({sum_by([RESPONSE_MODEL], rate(requests, W))},"
                    f' "{RESPONSE_MODEL}", "none", "{RESPONSE_MODEL}", "")',
                    model,
                )
            ],
            stack=True,
        )
    )
    d = d.with_panel(
        timeseries(
            "Model mix per pool (routed calls)",
            "Share of each served model among the successful routed (@edenai) calls of each"
            " pool. A pool stuck on one model is what LLMRouterSameModelSelected detects.",
            "percentunit",
            [
                Target(
                    ratio(
                        sum_by([POOL, RESPONSE_MODEL], rate(routed_ok, W)),
                        sum_by([POOL], rate(routed_ok, W)),
                        ignoring=[RESPONSE_MODEL],
                    ),
                    f"{{{{{POOL}}}}} → {model}",
                )
            ],
        )
    )
    d = d.with_panel(
        bargauge(
            f"Served models per pool: last {th.same_model_window} vs last {th.same_model_history}",
            "How many distinct models served each pool's routed calls. One model now but"
            " several over the longer window means the router stopped choosing the others.",
            "none",
            [_served_models(th.same_model_window), _served_models(th.same_model_history)],
        )
    )
    d = d.with_panel(
        timeseries(
            "Tokens per second by type and served model",
            f"Input and output tokens ({sc.METRIC_TOKEN_USAGE}) per second.",
            "suffix: tok/s",
            [
                Target(
                    sum_by(
                        [q.TOKEN_TYPE, RESPONSE_MODEL],
                        rate(sel(f"{q.TOKEN_USAGE}_sum", *BY_POOL), W),
                    ),
                    f"{{{{{q.TOKEN_TYPE}}}}} · {model}",
                )
            ],
        )
    )
    d = d.with_row(db.Row("Latency"))
    d = d.with_panel(
        timeseries(
            "Routing latency p50 / p95 / p99",
            "Time from sending a routed request to the router's choice being known (the"
            f" 'route' span). The dashed line is the {fmt(th.routing_latency_p95_s)}s"
            " threshold of LLMRouterRoutingLatencyHigh. Exemplars link to traces.",
            "s",
            [
                Target(histogram_quantile(p, q.ROUTING_DURATION, BY_POOL, [], W), f"p{p * 100:g}")
                for p in (0.5, 0.95, 0.99)
            ],
            exemplar=True,
            threshold=th.routing_latency_p95_s,
        )
    )
    d = d.with_panel(
        timeseries(
            "Routing latency p95 by pool",
            "95th percentile of the routing latency for each candidate pool.",
            "s",
            [
                Target(
                    histogram_quantile(0.95, q.ROUTING_DURATION, BY_POOL, [POOL], W),
                    f"{{{{{POOL}}}}}",
                )
            ],
            exemplar=True,
            threshold=th.routing_latency_p95_s,
        )
    )
    d = d.with_panel(
        timeseries(
            "Time to first chunk p50 / p95 by served model",
            "Time from sending the request to the first content or tool-call chunk. The"
            f" dashed line is the {fmt(th.ttft_target_s)}s target of the TTFT SLO."
            " Exemplars link to traces.",
            "s",
            [
                Target(_ttft(0.5, BY_POOL), f"p50 · {model}"),
                Target(_ttft(0.95, BY_POOL), f"p95 · {model}"),
            ],
            exemplar=True,
            threshold=th.ttft_target_s,
        )
    )
    d = d.with_panel(
        timeseries(
            "Router overhead: TTFT of routed minus fixed calls to the same model",
            "What routing adds before the first chunk: time to first chunk of routed (@edenai)"
            " calls minus that of fixed-model calls served by the same model (mean, and"
            " median from the buckets). Needs both kinds of call for a model.",
            "s",
            [
                Target(
                    f"{_mean_ttft([*BY_POOL, *ROUTED])} - {_mean_ttft([*BY_SERVICE, *FIXED])}",
                    f"mean · {model}",
                ),
                Target(
                    f"{_ttft(0.5, [*BY_POOL, *ROUTED])} - {_ttft(0.5, [*BY_SERVICE, *FIXED])}",
                    f"p50 · {model}",
                ),
            ],
        )
    )
    d = d.with_panel(
        timeseries(
            "Call duration p95 by served model",
            f"Whole call, request to last byte ({sc.METRIC_OPERATION_DURATION}).",
            "s",
            [
                Target(
                    histogram_quantile(0.95, q.OPERATION_DURATION, BY_POOL, [RESPONSE_MODEL], W),
                    model,
                )
            ],
            exemplar=True,
        )
    )
    d = d.with_row(db.Row("Errors and fallbacks"))
    d = d.with_panel(
        timeseries(
            "Error ratio by error.type",
            "Share of calls that failed, by error type (HTTP status, exception class, or the"
            f" error code of a stream's error frame). Threshold: {fmt(th.error_ratio * 100)}%.",
            "percentunit",
            [
                Target(
                    ratio(
                        sum_by(
                            [q.ERROR_TYPE],
                            rate(sel(q.REQUESTS, *BY_POOL, eq(q.OUTCOME, q.ERROR)), W),
                        ),
                        sum_by([], rate(requests, W)),
                        ignoring=[q.ERROR_TYPE],
                    ),
                    f"{{{{{q.ERROR_TYPE}}}}}",
                )
            ],
            stack=True,
        )
    )
    d = d.with_panel(
        timeseries(
            "Fallbacks per second by reason and layer",
            f"{sc.METRIC_FALLBACKS}: client-side (the app retried with a fixed model) and"
            " server-side (Eden AI's next attempt served) fallbacks.",
            "ops",
            [
                Target(
                    sum_by(
                        [q.FALLBACK_LAYER, q.FALLBACK_REASON],
                        rate(sel(q.FALLBACKS, *BY_SERVICE), W),
                    ),
                    f"{{{{{q.FALLBACK_LAYER}}}}} · {{{{{q.FALLBACK_REASON}}}}}",
                )
            ],
            stack=True,
        )
    )
    d = d.with_panel(
        timeseries(
            "Calls served after a fallback",
            f'Share of calls whose answer came after a fallback ({q.FALLBACK}="true").'
            f" Threshold of LLMRouterFallbackRateHigh: {fmt(th.fallback_ratio * 100)}%.",
            "percentunit",
            [
                Target(
                    f"({sum_by([], rate(sel(q.REQUESTS, *BY_POOL, eq(q.FALLBACK, 'true')), W))}"
                    f" or vector(0)) / {sum_by([], rate(requests, W))}",
                    "after a fallback",
                )
            ],
            threshold=th.fallback_ratio,
        )
    )
    d = d.with_panel(
        bargauge(
            "Fallback paths over the time range",
            "Fallbacks from one model to another, by layer, over the dashboard's time range.",
            "none",
            [
                Target(
                    sum_by(
                        [q.FALLBACK_FROM, q.FALLBACK_TO, q.FALLBACK_LAYER],
                        q.increase(sel(q.FALLBACKS, *BY_SERVICE), "$__range"),
                    ),
                    f"{{{{{q.FALLBACK_FROM}}}}} → {{{{{q.FALLBACK_TO}}}}}"
                    f" ({{{{{q.FALLBACK_LAYER}}}}})",
                    instant=True,
                )
            ],
        )
    )
    d = d.with_row(db.Row("Caller context"))
    for label, attribute in ((q.TIER, sc.ROUTER_TIER), (q.USE_CASE, sc.ROUTER_USE_CASE)):
        d = d.with_panel(
            timeseries(
                f"Calls per second by {attribute.rsplit('.', 1)[-1].replace('_', ' ')}",
                f"Calls tagged with {attribute} (observe(...) scopes); untagged calls are"
                " left out.",
                "reqps",
                [
                    Target(
                        sum_by([label], rate(sel(q.REQUESTS, *BY_POOL, ne(label, "")), W)),
                        f"{{{{{label}}}}}",
                    )
                ],
                stack=True,
            )
        )
    d = d.with_row(db.Row("Traces"))
    return d.with_panel(
        tb.Panel()
        .title("Slowest routed calls")
        .description(
            "Routed calls of the selected services and pools lasting at least"
            " $min_duration, from the traces datasource (Tempo, TraceQL). Sort by duration;"
            " open a trace to see the route span, the decision and first-chunk events."
        )
        .datasource(TRACES)
        .span(24)
        .height(10)
        .with_target(
            tempo.TempoQuery()
            .ref_id("A")
            .query_type("traceql")
            .query(_slowest_traceql())
            .limit(50)
            .table_type(tempo_models.SearchTableType.TRACES)
        )
        .sort_by([cb.TableSortByFieldState().display_name("Duration").desc(True)])  # noqa: FBT003
    )


def _net_savings(labels: list[str], window: str, *, per_second: bool) -> str:
    """Savings minus overspend (when the library counts overspend apart), by ``labels``."""

    def grown(metric: str) -> str:
        selector = sel(metric, *BY_POOL)
        if per_second:
            return sum_by(labels, q.per_second(metric, selector, window))
        return sum_by(labels, q.growth(metric, selector, window))

    savings = grown(q.SAVINGS)
    return f"({savings} - {grown(q.OVERSPEND)})" if q.OVERSPEND else savings


def _savings_description() -> str:
    if q.OVERSPEND:
        return f"{sc.METRIC_SAVINGS} minus its negative counterpart, {q.OVERSPEND}"
    return f"{sc.METRIC_SAVINGS}: baseline model's cost for the same tokens minus the cost"


def cost(th: Thresholds) -> db.Dashboard:
    """The cost dashboard."""
    spend = sel(q.COST, *BY_POOL)
    success = sel(q.REQUESTS, *BY_POOL, eq(q.OUTCOME, q.SUCCESS))
    model = f"{{{{{RESPONSE_MODEL}}}}}"
    pool = f"{{{{{POOL}}}}}"
    d = _dashboard(
        COST_UID,
        "routing-otel / Cost",
        "What routed LLM calls cost, against the budget and against a baseline model."
        " Generated by dashboards/generate.py: edit the generator, not this JSON.",
        traces=False,
    )
    d = d.with_row(db.Row("Spend"))
    for label, legend in ((RESPONSE_MODEL, model), (POOL, pool)):
        what = "served model" if label == RESPONSE_MODEL else "pool"
        d = d.with_panel(
            timeseries(
                f"Spend per hour by {what}",
                f"USD per hour ({sc.METRIC_COST}), at the pace of the selected interval.",
                "currencyUSD",
                [Target(f"{sum_by([label], rate(spend, W))} * 3600", legend)],
                stack=True,
            )
        )
    d = d.with_panel(
        timeseries(
            "Daily spend by served model and pool",
            "USD spent per day (bars of one day each).",
            "currencyUSD",
            [
                Target(
                    sum_by([RESPONSE_MODEL, POOL], q.increase(spend, "$__interval")),
                    f"{model} · {pool}",
                )
            ],
            stack=True,
            bars=True,
            interval="1d",
        )
    )
    d = d.with_panel(
        timeseries(
            f"Spend over the last {th.budget_period} vs budget",
            f"Rolling spend of the selected services against {sc.METRIC_BUDGET_LIMIT} (the"
            " configured budget, counted once per budget name). LLMRouterBudgetExhausted fires"
            " when the spend line crosses the budget line.",
            "currencyUSD",
            [
                Target(
                    sum_by([], q.increase(sel(q.COST, *BY_SERVICE), th.budget_period)),
                    f"spend (last {th.budget_period})",
                ),
                Target(
                    sum_by(
                        [], f"max by ({JOB}, {q.BUDGET_NAME}) ({sel(q.BUDGET_LIMIT, *BY_SERVICE)})"
                    ),
                    "budget",
                ),
            ],
        )
    )
    for label, legend in ((RESPONSE_MODEL, model), (POOL, pool)):
        what = "served model" if label == RESPONSE_MODEL else "pool"
        d = d.with_panel(
            timeseries(
                f"Cost per call by {what}",
                "USD per successful call. A jump against its own daily average is what"
                " LLMRouterCostPerRequestJump detects.",
                "currencyUSD",
                [
                    Target(
                        ratio(sum_by([label], rate(spend, W)), sum_by([label], rate(success, W))),
                        legend,
                    )
                ],
                decimals=5,
            )
        )
    d = d.with_row(db.Row("Savings and cost quality"))
    per_hour = _net_savings([q.BASELINE_MODEL], W, per_second=True)
    d = d.with_panel(
        timeseries(
            "Savings per hour against the baseline model",
            f"Net savings ({_savings_description()}) per hour, by baseline model: positive when"
            " routing chose cheaper models than the baseline, negative when pricier.",
            "currencyUSD",
            [Target(f"{per_hour} * 3600", f"vs {{{{{q.BASELINE_MODEL}}}}}")],
        )
    )
    d = d.with_panel(
        bargauge(
            f"Savings over the last {th.budget_period} by pool",
            f"Net savings of routing per pool ({_savings_description()}).",
            "currencyUSD",
            [Target(_net_savings([POOL], th.budget_period, per_second=False), pool, instant=True)],
        )
    )
    d = d.with_panel(
        timeseries(
            "Share of spend by cost source",
            f"{sc.COST_REPORTED}: Eden AI's own figure; {sc.COST_PRICE_TABLE}: tokens times"
            f" prices; {sc.COST_ESTIMATED}: tokens guessed from text. Calls of"
            f" {sc.COST_UNKNOWN} cost add nothing here (they are on their spans).",
            "percentunit",
            [
                Target(
                    ratio(
                        sum_by([q.COST_SOURCE], rate(spend, W)),
                        sum_by([], rate(spend, W)),
                        ignoring=[q.COST_SOURCE],
                    ),
                    f"{{{{{q.COST_SOURCE}}}}}",
                )
            ],
            stack=True,
        )
    )
    d = d.with_row(db.Row("Spend by caller context"))
    for label, attribute in ((q.USE_CASE, sc.ROUTER_USE_CASE), (q.TIER, sc.ROUTER_TIER)):
        d = d.with_panel(
            timeseries(
                f"Spend per hour by {attribute.rsplit('.', 1)[-1].replace('_', ' ')}",
                f"USD per hour of calls tagged with {attribute}; untagged calls are left out.",
                "currencyUSD",
                [
                    Target(
                        f"{sum_by([label], rate(sel(q.COST, *BY_POOL, ne(label, '')), W))} * 3600",
                        f"{{{{{label}}}}}",
                    )
                ],
                stack=True,
            )
        )
    return d


def _number_panels(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Give every panel (rows too) a stable id in layout order."""
    for number, panel in enumerate(dashboard.get("panels", []), start=1):
        panel["id"] = number
    return dashboard


def render(dashboard: db.Dashboard) -> dict[str, Any]:
    """The dashboard as the JSON object Grafana imports."""
    built: dict[str, Any] = json.loads(json.dumps(dashboard.build(), cls=JSONEncoder))
    return _number_panels(built)


def dashboards(th: Thresholds) -> dict[str, dict[str, Any]]:
    """Both dashboards, by file name under dashboards/grafana/."""
    return {"routing-overview.json": render(overview(th)), "cost.json": render(cost(th))}
