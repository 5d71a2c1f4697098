"""``--check``: the report's numbers against thresholds, by default the alert rules' own.

A canary for CI and cron: the same lines the shipped alerts draw in production, applied to
the report's range. As in the alerts, ratios are not judged on too few calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from routing_otel.report._model import Check
from routing_otel.report._thresholds import DEFAULT, seconds

if TYPE_CHECKING:
    from routing_otel.report._model import Report, Unit

_DAY_S = seconds(DEFAULT.budget_period)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """The thresholds of ``--check`` (None: not checked)."""

    max_routing_p95_s: float | None = DEFAULT.routing_latency_p95_s
    max_error_ratio: float | None = DEFAULT.error_ratio
    max_fallback_ratio: float | None = DEFAULT.fallback_ratio
    min_ttft_good_ratio: float | None = DEFAULT.ttft_objective
    max_budget_pace: float | None = DEFAULT.budget_pace_factor
    max_cost_per_request_usd: float | None = None  # the alerts compare cost to its own past
    min_request_rate: float = DEFAULT.min_request_rate  # calls/s below which ratios are noise


@dataclass(frozen=True, slots=True)
class _Measure:
    flag: str
    what: str
    unit: Unit
    limit: float | None
    value: float | None
    upper: bool = True  # the limit is a maximum (else a minimum)
    ratio: bool = False  # judged only on enough calls

    def check(self, too_few: str | None) -> Check | None:
        if self.limit is None:
            return None
        reason = None
        if self.value is None:
            reason = "the report has no such number"
        elif self.ratio and too_few:
            reason = too_few
        if reason is not None:
            return Check(
                flag=self.flag,
                what=self.what,
                unit=self.unit,
                limit=self.limit,
                value=self.value,
                status="skipped",
                reason=reason,
            )
        assert self.value is not None
        crossed = self.value > self.limit if self.upper else self.value < self.limit
        return Check(
            flag=self.flag,
            what=self.what,
            unit=self.unit,
            limit=self.limit,
            value=self.value,
            status="crossed" if crossed else "ok",
        )


def evaluate(report: Report, limits: Limits) -> list[Check]:
    """Every threshold that is set, against ``report``'s totals."""
    totals = report.totals
    range_s = report.source.range_s or 0.0
    needed = math.ceil(limits.min_request_rate * range_s)
    too_few = (
        f"{totals.requests} calls, fewer than the {needed} the alerts need "
        f"({limits.min_request_rate:g}/s, --min-request-rate)"
        if totals.requests < needed
        else None
    )
    pace = None
    if report.budget.limit_usd and range_s:
        pace = report.budget.spent_usd / (report.budget.limit_usd * range_s / _DAY_S)
    fallbacks = max(totals.client_fallbacks, totals.server_fallbacks)
    measures = [
        _Measure(
            "--max-routing-p95",
            "routing latency p95",
            "s",
            limits.max_routing_p95_s,
            totals.routing.p95,
        ),
        _Measure(
            "--max-error-ratio",
            "share of failed calls",
            "ratio",
            limits.max_error_ratio,
            totals.error_ratio if totals.requests else None,
            ratio=True,
        ),
        _Measure(
            "--max-fallback-ratio",
            "fallbacks per call (the busier layer)",
            "ratio",
            limits.max_fallback_ratio,
            fallbacks / totals.requests if totals.requests else None,
            ratio=True,
        ),
        _Measure(
            "--min-ttft-good-ratio",
            f"share of first chunks within {DEFAULT.ttft_target_s:g} s",
            "ratio",
            limits.min_ttft_good_ratio,
            totals.ttft_within_target,
            upper=False,
            ratio=True,
        ),
        _Measure(
            "--max-budget-pace",
            "spend against the daily budget's pace",
            "factor",
            limits.max_budget_pace,
            pace,
        ),
        _Measure(
            "--max-cost-per-request",
            "cost per successful call",
            "usd",
            limits.max_cost_per_request_usd,
            totals.cost_per_success,
        ),
    ]
    return [check for m in measures if (check := m.check(too_few)) is not None]


def crossed(checks: list[Check]) -> list[Check]:
    """The checks whose threshold was crossed."""
    return [check for check in checks if check.status == "crossed"]
