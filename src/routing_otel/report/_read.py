"""``routing-otel report``'s reading: from a Prometheus and a time range to a `Report`.

It first makes sure there is something to report (our series exist, calls in the range),
and says precisely what is missing when there is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel import _semconv as sc
from routing_otel.report import _promql as pq
from routing_otel.report._figures import assemble
from routing_otel.report._model import Report, Source
from routing_otel.report._prometheus import (
    NO_EXEMPLARS,
    NOT_ANSWERED,
    NoDataError,
    alerts,
    figures,
    rfc3339,
    slowest,
)

if TYPE_CHECKING:
    from routing_otel.report._client import Prometheus
    from routing_otel.report._promql import Window


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def rules_note(*, loaded: bool) -> str:
    """Whether the shipped recording rules are loaded, in words."""
    if loaded:
        return (
            "The shipped recording rules are loaded; counts, money, quantiles and the budget "
            "need the report's own range and every process's latest value, so they come from "
            "the raw series."
        )
    return (
        "The shipped recording rules (dashboards/prometheus/recording.yaml) are not loaded: "
        "every number comes from the raw series."
    )


def _no_data(prometheus: Prometheus, window: Window, *, loaded: bool) -> NoDataError:
    between = f"between {rfc3339(window.start)} and {rfc3339(window.end)}"
    rules = "loaded" if loaded else "not loaded"
    if sc.PROM_REQUESTS not in prometheus.metric_names():
        return NoDataError(
            f"Prometheus at {prometheus.url} holds no routing-otel series "
            f"({sc.PROM_REQUESTS}) at all: no instrumented process exports to it, or it does "
            "not scrape them (see dashboards/prometheus/prometheus.example.yml); the shipped "
            f"recording rules are {rules}"
        )
    if window.service is not None:
        others = prometheus.query(window.services(selected=False), window.end)
        names = sorted(s.labels.get(pq.JOB, "?") for s in others)
        if names:
            return NoDataError(
                f"no routing-otel calls of service {window.service!r} {between}; services "
                f"with calls then: {', '.join(names)}"
            )
    return NoDataError(
        f"Prometheus at {prometheus.url} holds routing-otel series, but no calls {between} "
        "(UTC): widen the range with --since, or check --from/--to"
    )


def read_report(prometheus: Prometheus, window: Window) -> Report:
    """The report of every process exporting to ``prometheus``, over ``window``."""
    loaded = pq.RECORDED_BUDGET in prometheus.rule_names()
    processes = prometheus.value(window.processes(), window.end)
    if not processes:
        raise _no_data(prometheus, window, loaded=loaded)
    rows, totals, fallbacks, budget = assemble(figures(prometheus, window, recorded=loaded))
    if not totals.requests:
        raise _no_data(prometheus, window, loaded=loaded)
    slow = slowest(prometheus, window)
    services = sorted(
        s.labels.get(pq.JOB, "?") for s in prometheus.query(window.services(), window.end)
    )
    notes = [rules_note(loaded=loaded), *([] if slow else [NO_EXEMPLARS]), NOT_ANSWERED]
    source = Source(
        kind="prometheus",
        prometheus_url=prometheus.url,
        service=window.service,
        start=rfc3339(window.start),
        end=rfc3339(window.end),
        range_s=float(window.range_s),
        processes=round(processes),
        recording_rules=loaded,
        exemplars=bool(slow),
        notes=notes,
    )
    plural = "process" if round(processes) == 1 else "processes"
    intro = [
        (
            f"{totals.requests} calls from {round(processes)} {plural} "
            f"(service {', '.join(services)}) between {source.start} and {source.end} "
            f"({_duration(window.range_s)}), read from Prometheus at {prometheus.url}"
        )
    ]
    return Report(
        source=source,
        rows=rows,
        totals=totals,
        fallbacks=fallbacks,
        slowest=slow,
        budget=budget,
        alerts=alerts(prometheus, window),
        intro=intro,
    )
