"""--check and the shipped alert rules draw the same lines, from one set of constants."""

from __future__ import annotations

import re

from dashboards.promql import Thresholds

from dashboards import rules
from routing_otel.report import _promql as pq
from routing_otel.report._checks import Limits
from tests.dashboards import support

# The committed alert, and the comparison whose number --check must default to.
ALERT_THRESHOLDS = {
    "LLMRouterRoutingLatencyHigh": (r"p95_rate5m > ([0-9.]+)", "max_routing_p95_s"),
    "LLMRouterErrorRateHigh": (r"errors:ratio_rate5m > ([0-9.]+)", "max_error_ratio"),
    "LLMRouterFallbackRateHigh": (r"fallbacks:ratio_rate5m > ([0-9.]+)", "max_fallback_ratio"),
    "LLMRouterTTFTSLOBreach": (r"good_ratio_rate30m < ([0-9.]+)", "min_ttft_good_ratio"),
    "LLMRouterSpendAboveBudgetPace": (r"/ 24\) > ([0-9.]+)", "max_budget_pace"),
}


def test_check_defaults_are_the_committed_alert_thresholds() -> None:
    """Each --check default is the number its alert compares with in alerts.yaml."""
    alerts = {alert.name: alert.expr for alert in support.alerts()}
    limits = Limits()
    for name, (pattern, field) in ALERT_THRESHOLDS.items():
        found = re.search(pattern, alerts[name])
        assert found, f"{name}: {alerts[name]}"
        assert float(found.group(1)) == getattr(limits, field), name
    assert limits.min_request_rate == Thresholds().min_request_rate


def test_report_finds_the_shipped_rules_by_their_generated_names() -> None:
    """The recorded budget series and the group and alert names are the generator's."""
    assert rules.Recorded.of(Thresholds()).budget == pq.RECORDED_BUDGET
    groups = {
        group["name"] for path in support.RULE_FILES for group in support.load_yaml(path)["groups"]
    }
    assert groups == {pq.RECORDING_GROUP, pq.ALERTING_GROUP}
    assert all(alert.name.startswith(pq.ALERT_PREFIX) for alert in support.alerts())
    assert pq.RECORDED_BUDGET in {rule.name for rule in support.rules()}
