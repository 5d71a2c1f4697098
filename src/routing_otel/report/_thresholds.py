"""The alert thresholds: one set of values for the shipped Prometheus rules and ``--check``.

``dashboards/rules.py`` generates the alerting rules from `Thresholds`, and
``routing-otel report --check`` takes its defaults from the same instance, so a canary in CI
and the alerts in production cross the same lines.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from routing_otel import _semconv as sc

_DURATION = re.compile(r"^[1-9][0-9]*[smhd]$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(duration: str) -> int:
    """Return a Prometheus duration such as ``5m`` in seconds."""
    if not _DURATION.match(duration):
        raise ValueError(f"not a simple Prometheus duration: {duration!r}")
    return int(duration[:-1]) * _SECONDS[duration[-1]]


def le_value(bound: float) -> str:
    """The ``le`` label of a bucket bound, spelled alike by the Python and Collector exporters.

    The Python exporter writes ``1.0`` where the Collector writes ``1``; both write ``2.56``.
    Only bounds with a fractional part are spelled the same on both paths.
    """
    if float(bound).is_integer():
        raise ValueError(f"bucket bound {bound} is spelled differently by the exporters")
    return repr(float(bound))


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """Everything an operator may tune in the alerts; defaults follow the router guides."""

    # Routing latency (the guides: "routing latency above 1 s").
    routing_latency_p95_s: float = 1.0
    routing_latency_for: str = "10m"
    # Errors and fallbacks, as a share of calls.
    error_ratio: float = 0.05
    error_for: str = "10m"
    fallback_ratio: float = 0.10
    fallback_for: str = "10m"
    # Ratios are noise below this many calls per second (0.01/s is 3 calls in 5 minutes).
    min_request_rate: float = 0.01
    # TTFT SLO: share of calls whose first chunk arrives within the target (a bucket bound).
    ttft_target_s: float = 2.56
    ttft_objective: float = 0.95
    ttft_window: str = "30m"
    ttft_for: str = "10m"
    # "Routing always selects the same model": one model in the recent window, several in
    # the history window, with at least this many routed calls in the recent window.
    same_model_window: str = "1h"
    same_model_history: str = "1d"
    same_model_min_requests: int = 20
    same_model_for: str = "30m"
    # Budgets: llm.router.budget.limit is a per-day limit (instrument(budget_usd_per_day=)).
    budget_period: str = "1d"
    budget_pace_window: str = "1h"
    budget_pace_factor: float = 1.0
    budget_pace_for: str = "15m"
    budget_exhausted_for: str = "5m"
    # Cost per call against its own average over the baseline window.
    cost_jump_factor: float = 2.0
    cost_jump_window: str = "1h"
    cost_baseline_window: str = "1d"
    cost_jump_min_requests: int = 20
    cost_jump_for: str = "30m"
    # Telemetry.
    absent_for: str = "15m"
    stopped_lookback: str = "1h"
    stopped_for: str = "5m"
    # Where alerts point for help (anchors are the alert names, lower-cased).
    runbook_url: str = (
        "https://github.com/routing-otel/routing-otel/blob/main/dashboards/runbook.md"
    )

    def __post_init__(self) -> None:
        """Reject values the rules cannot express, early and with a clear message."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name.endswith(("_for", "_window", "_history", "_period", "_lookback")):
                seconds(value)
        for name in ("error_ratio", "fallback_ratio", "ttft_objective"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.ttft_target_s not in sc.DURATION_BUCKETS:
            raise ValueError(f"ttft_target_s must be a bucket bound: {sc.DURATION_BUCKETS}")
        le_value(self.ttft_target_s)
        if seconds(self.same_model_history) <= seconds(self.same_model_window):
            raise ValueError("same_model_history must be longer than same_model_window")
        if seconds(self.cost_baseline_window) <= seconds(self.cost_jump_window):
            raise ValueError("cost_baseline_window must be longer than cost_jump_window")

    def replace(self, **changes: object) -> Thresholds:
        """Return a copy with some values changed (and validated)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


DEFAULT = Thresholds()
