"""The Grafana dashboards, built with grafana-foundation-sdk from the telemetry names.

Two dashboards: *Routing overview* (traffic, model mix, latency, errors, fallbacks, caller
context, slowest traces) and *Cost* (spend, budget, cost per call, savings, cost quality).
Both take a Prometheus datasource, a service (the ``job`` label) and a pool; every query
aggregates with ``sum by`` so the exporter's ``otel_scope_*`` and ``instance`` labels never
split a series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dashboards.cost import cost
from dashboards.overview import overview
from dashboards.panels import COST_UID, OVERVIEW_UID, TAG, render

if TYPE_CHECKING:
    from dashboards.promql import Thresholds

__all__ = ["COST_UID", "OVERVIEW_UID", "TAG", "dashboards"]


def dashboards(th: Thresholds) -> dict[str, dict[str, Any]]:
    """Both dashboards, by file name under dashboards/grafana/."""
    return {"routing-overview.json": render(overview(th)), "cost.json": render(cost(th))}
