"""Building blocks of our Grafana dashboards: queries, panels, variables, the frame."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grafana_foundation_sdk.builders import bargauge as bg
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus as pb
from grafana_foundation_sdk.builders import timeseries as ts
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm

from dashboards import promql as q
from dashboards.promql import (
    JOB,
    POOL,
    REQUEST_MODEL,
    eq,
    match,
    ne,
    sel,
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


def queries_of(targets: list[Target], *, exemplar: bool = False) -> list[pb.Dataquery]:
    """Prometheus queries for ``targets``, lettered A, B, C... in order."""
    return [_query(t, chr(ord("A") + i), exemplar=exemplar) for i, t in enumerate(targets)]


def legend() -> cb.VizLegendOptions:
    """The legend every time-series panel uses: a list below, with the last value."""
    return (
        cb.VizLegendOptions()
        .display_mode(cm.LegendDisplayMode.TABLE)
        .placement(cm.LegendPlacement.BOTTOM)
        .show_legend(True)  # noqa: FBT003  (the SDK's setter takes a bool)
        .calcs(["mean", "max", "lastNotNull"])
    )


def threshold_steps(value: float) -> db.ThresholdsConfig:
    """Green below ``value``, red from it (the alert's threshold drawn on the panel)."""
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
        .targets(list(queries_of(targets, exemplar=exemplar)))
        .legend(legend())
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
        panel = panel.thresholds(threshold_steps(threshold)).thresholds_style(
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
        .targets(list(queries_of(targets)))
        .orientation(cm.VizOrientation.HORIZONTAL)
        .display_mode(cm.BarGaugeDisplayMode.GRADIENT)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))  # noqa: FBT003
    )


def variables(*, traces: bool) -> list[Any]:
    """Datasource, service and pool variables (and the traces ones when asked)."""
    chosen: list[Any] = [
        db.DatasourceVariable("datasource").label("Prometheus").type("prometheus"),
    ]
    if traces:
        chosen.append(db.DatasourceVariable("traces").label("Traces").type("tempo"))
    chosen += [
        db.QueryVariable("service")
        .label("Service (job)")
        .description("The job label: the scrape job, or service.name through the Collector.")
        .datasource(PROMETHEUS)
        .query(f"label_values({sel(q.REQUESTS)}, {JOB})")
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
        chosen.append(
            db.CustomVariable("min_duration")
            .label("Slow calls from")
            .values("0ms,500ms,1s,2s,5s,10s")
            .current(dm.VariableOption(selected=True, text="1s", value="1s"))
        )
    return chosen


def new_dashboard(uid: str, title: str, description: str, *, traces: bool) -> db.Dashboard:
    """A dashboard frame with our uid, tags, time range and variables."""
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
    for variable in variables(traces=traces):
        dashboard = dashboard.with_variable(variable)
    return dashboard


def _number_panels(dashboard: dict[str, Any]) -> dict[str, Any]:
    """Give every panel (rows too) a stable id in layout order."""
    for number, panel in enumerate(dashboard.get("panels", []), start=1):
        panel["id"] = number
    return dashboard


def render(dashboard: db.Dashboard) -> dict[str, Any]:
    """The dashboard as the JSON object Grafana imports."""
    built: dict[str, Any] = json.loads(json.dumps(dashboard.build(), cls=JSONEncoder))
    return _number_panels(built)
