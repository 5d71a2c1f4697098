"""The report laid out as titled tables and lines of text, for any renderer.

Numbers are formatted once here, so the rich, plain-text and markdown reports say the same
thing, whether the demo or Prometheus supplied them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from routing_otel.report._model import Check, Quantiles, Report, Row, Unit

NO_MODEL = "(failed, no model)"


@dataclass
class Table:
    """A titled table: headers (may span lines), right-aligned columns, rows in groups."""

    title: str
    headers: list[str]
    right: set[int]  # indexes of right-aligned (numeric) columns
    groups: list[list[list[str]]] = field(default_factory=list)
    footer: list[str] | None = None  # a totals row


@dataclass
class Section:
    """A part of the report: a heading, lines of text, an optional table."""

    heading: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None


def seconds(value: float | None) -> str:
    """A duration, short: ``268 ms``, ``1.21 s``, ``-`` when unknown."""
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def pair(quantiles: Quantiles) -> str:
    """p50 and p95 side by side, in one unit: ``296/603 ms`` or ``0.83/1.24 s``."""
    p50, p95 = quantiles.p50, quantiles.p95
    if p50 is None or p95 is None:
        return "-"
    if p95 < 1:
        return f"{p50 * 1000:.0f}/{p95 * 1000:.0f} ms"
    return f"{p50:.2f}/{p95:.2f} s"


def usd(value: float) -> str:
    """An amount in USD, to a hundredth of a cent."""
    return f"${value:.4f}" if value >= 0 else f"-${-value:.4f}"


def errors_by_type(report: Report) -> list[str]:
    """Failed calls by ``error.type``, most frequent first."""
    counts: dict[str, int] = {}
    for row in report.rows:
        for kind, count in row.errors.items():
            counts[kind] = counts.get(kind, 0) + count
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{kind} {count}" for kind, count in ranked)
    return [f"Errors by type (error.type of {sc.METRIC_REQUESTS}): {listed}."]


def _grouped(rows: list[Row], cells: list[list[str]]) -> list[list[list[str]]]:
    groups: list[list[list[str]]] = []
    pool = None
    for row, line in zip(rows, cells, strict=True):
        if row.pool != pool:
            groups.append([])
            pool = row.pool
        else:
            line[0] = ""
        groups[-1].append(line)
    return groups


def traffic_table(report: Report) -> Table:
    """Calls, share, latency percentiles, fallbacks and errors per pool and served model."""
    cells = [
        [
            row.pool,
            row.served_model or NO_MODEL,
            str(row.requests),
            f"{row.share:.1%}",
            pair(row.routing),
            pair(row.ttft),
            str(row.served_after_fallback or "-"),
            str(sum(row.errors.values()) or "-"),
        ]
        for row in report.rows
    ]
    totals = report.totals
    return Table(
        title="Traffic and latency by pool and served model",
        headers=[
            "pool",
            "served model",
            "calls",
            "share",
            "routing\np50/p95",
            "TTFT\np50/p95",
            "fell\nback",
            "errors",
        ],
        right={2, 3, 4, 5, 6, 7},
        groups=_grouped(report.rows, cells),
        footer=[
            "all",
            f"{totals.routed} routed, {totals.requests - totals.routed} fixed",
            str(totals.requests),
            "100%",
            pair(totals.routing),
            pair(totals.ttft),
            str(totals.served_after_fallback or "-"),
            str(totals.errors or "-"),
        ],
    )


def money_table(report: Report) -> Table:
    """Tokens, cost and its source, savings against the baseline per pool and served model."""
    rows = [row for row in report.rows if row.served_model is not None]  # the rest cost 0
    cells = [
        [
            row.pool,
            row.served_model or NO_MODEL,
            f"{row.input_tokens:,}",
            f"{row.output_tokens:,}",
            usd(row.cost_usd) if row.cost_sources else "-",
            "+".join(row.cost_sources) or "-",
            usd(row.net_savings_usd) if row.routed and row.cost_sources else "-",
        ]
        for row in rows
    ]
    totals = report.totals
    return Table(
        title="Tokens and money by pool and served model",
        headers=[
            "pool",
            "served model",
            "tokens\nin",
            "tokens\nout",
            "cost",
            "cost source",
            "net\nsaved",
        ],
        right={2, 3, 4, 6},
        groups=_grouped(rows, cells),
        footer=[
            "all",
            "",
            f"{totals.input_tokens:,}",
            f"{totals.output_tokens:,}",
            usd(totals.cost_usd),
            "+".join(totals.cost_by_source) or "-",
            usd(totals.net_savings_usd),
        ],
    )


def fallback_table(report: Report, shown: int = 8) -> Table:
    """``llm.router.fallbacks`` by layer, reason and path (the most frequent ``shown``)."""
    paths = sorted(report.fallbacks, key=lambda p: -p.count)
    rest = paths[shown:]
    return Table(
        title="Fallbacks by reason (llm.router.fallbacks)",
        headers=["layer", "reason", "from", "to", "count"],
        right={4},
        groups=[
            [[p.layer, p.reason, p.from_model, p.to_model, str(p.count)] for p in paths[:shown]]
        ],
        footer=["", "", f"{len(rest)} more paths", "", str(sum(p.count for p in rest))]
        if rest
        else None,
    )


def slowest_table(report: Report) -> Table:
    """The slowest routed calls and the trace ids that open them in a trace backend."""
    return Table(
        title="Slowest routed calls (open them by trace id in Jaeger or Tempo)",
        headers=["total", "routing", "TTFT", "pool", "served model", "trace id"],
        right={0, 1, 2},
        groups=[
            [
                [
                    seconds(call.duration_s),
                    seconds(call.routing_s),
                    seconds(call.ttft_s),
                    call.pool or "-",
                    call.served_model or (call.error_type and f"error {call.error_type}") or "-",
                    call.trace_id,
                ]
                for call in report.slowest
            ]
        ],
    )


def alerts_section(report: Report) -> Section | None:
    """The shipped rules' alerts that are pending or firing (None: the source cannot tell)."""
    if report.alerts is None:
        return None
    if not report.alerts:
        return Section("", ["No alert of the shipped rules is pending or firing."])
    order = {"firing": 0, "pending": 1}
    alerts = sorted(
        report.alerts, key=lambda a: (order.get(a.state, 2), a.name, a.labels.get("job", ""))
    )
    return Section(
        "",
        table=Table(
            title="Alerts pending or firing (the shipped rules, from Prometheus)",
            headers=["state", "alert", "severity", "service", "summary"],
            right=set(),
            groups=[
                [
                    [
                        a.state,
                        a.name,
                        a.severity or "-",
                        a.labels.get("job", "-"),
                        a.summary or "-",
                    ]
                    for a in alerts
                ]
            ],
        ),
    )


def amount(value: float | None, unit: Unit) -> str:
    """A checked number in its unit: ``1.21 s``, ``4.2%``, ``$0.0100``, ``1.30x``."""
    if value is None:
        return "-"
    if unit == "s":
        return seconds(value)
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "usd":
        return usd(value)
    return f"{value:.2f}x"


def check_line(check: Check) -> str:
    """One check in words: ``routing latency p95 1.21 s > 1 s (--max-routing-p95)``."""
    sign = {"crossed": ">" if check.flag.startswith("--max") else "<"}.get(check.status, "vs")
    return (
        f"{check.what} {amount(check.value, check.unit)} {sign} "
        f"{amount(check.limit, check.unit)} ({check.flag})"
    )


def checks_table(checks: list[Check]) -> Table:
    """``--check``: each threshold, the report's number, and the verdict."""
    return Table(
        title="Checks (--check; defaults are the shipped alert rules' thresholds)",
        headers=["check", "flag", "limit", "value", "result"],
        right={2, 3},
        groups=[
            [
                [
                    c.what,
                    c.flag,
                    amount(c.limit, c.unit),
                    amount(c.value, c.unit),
                    c.status.upper() if c.status == "crossed" else c.status,
                ]
                for c in checks
            ]
        ],
        footer=None,
    )


def numbers(report: Report) -> list[str]:
    """The numbers a newcomer looks at first: latency, money, errors, budget."""
    totals = report.totals
    lines = [
        (
            f"routing latency p50 {seconds(totals.routing.p50)}, "
            f"p95 {seconds(totals.routing.p95)}   time to first chunk "
            f"p50 {seconds(totals.ttft.p50)}, p95 {seconds(totals.ttft.p95)}"
        ),
        (
            f"cost {usd(totals.cost_usd)}   routing saved {usd(totals.net_savings_usd)} net "
            f"against each pool's priciest candidate ({usd(totals.savings_usd)} saved, "
            f"{usd(totals.overspend_usd)} overspent)"
        ),
        (
            f"errors {totals.errors} ({totals.error_ratio:.1%})   fallbacks: "
            f"{totals.client_fallbacks} by the app to a fixed model, {totals.server_fallbacks} "
            "inside Eden AI"
        ),
    ]
    budget = report.budget
    if budget.limit_usd:
        lines.append(
            f"budget {usd(budget.limit_usd)}/day (llm.router.budget.limit): spent "
            f"{usd(budget.spent_usd)}, {budget.spent_usd / budget.limit_usd:.0%}"
        )
    return lines


def _notes(report: Report) -> list[str]:
    metrics = (
        f"{sc.METRIC_REQUESTS}, {sc.METRIC_ROUTING_DURATION}, {sc.METRIC_TIME_TO_FIRST_CHUNK}, "
        f"{sc.METRIC_TOKEN_USAGE}, {sc.METRIC_COST}, {sc.METRIC_SAVINGS} - "
        f"{sc.METRIC_OVERSPEND}, {sc.METRIC_FALLBACKS}"
    )
    if report.source.kind == "demo":
        origin = f"Every number above comes from routing-otel's metrics ({metrics}); the slowest "
        origin += "calls from its spans."
    else:
        origin = (
            f"Every number above comes from Prometheus at {report.source.prometheus_url} "
            f"({metrics}, under their Prometheus names); the slowest calls from its exemplars."
        )
    return [origin, report.quantile_note, *report.source.notes]


def sections(report: Report) -> list[Section]:
    """The whole report, in reading order: alerts first, notes last."""
    alerts = alerts_section(report)
    if alerts is None:
        parts = [Section(report.heading, report.intro + numbers(report) + report.story)]
    else:  # alerts head the report, right under what it covers
        parts = [
            Section(report.heading, report.intro),
            alerts,
            Section("", numbers(report) + report.story),
        ]
    parts += [
        Section("", table=traffic_table(report)),
        Section("", errors_by_type(report)),
        Section("", table=money_table(report)),
    ]
    if report.fallbacks:
        parts.append(Section("", table=fallback_table(report)))
    if report.slowest:
        parts.append(Section("", table=slowest_table(report)))
    elif report.source.kind == "prometheus":
        parts.append(
            Section(
                "",
                [
                    (
                        "Slowest calls: Prometheus holds no exemplars for these calls, so there "
                        "are no trace ids to show (see the notes)."
                    )
                ],
            )
        )
    if report.checks is not None:
        skipped = [f"{c.flag} skipped: {c.reason}." for c in report.checks if c.reason]
        parts.append(Section("", skipped, table=checks_table(report.checks)))
    parts.append(Section("Notes", _notes(report)))
    return parts
