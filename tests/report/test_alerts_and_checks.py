"""Alerts head the report, and ``--check`` is a canary: on the real Prometheus of the fleet.

Both demo processes have ended, so the shipped "telemetry stopped" alert is pending for
both services; the demo's outage makes about a fifth of its calls fail, so the default
--check (the error-rate alert's 5%) fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.report.conftest import Fleet

pytestmark = pytest.mark.prometheus

STOPPED = "LLMRouterTelemetryStopped"


def _wait_for_stopped_alert(fleet: Fleet) -> None:
    def active() -> bool:
        alerts = fleet.prometheus.api("alerts")["alerts"]
        return {a["labels"]["job"] for a in alerts if a["labels"]["alertname"] == STOPPED} == {
            "checkout",
            "support",
        }

    fleet.prometheus.wait(active, 30, f"{STOPPED} to be pending for both services")


def test_pending_alerts_head_the_report(fleet: Fleet) -> None:
    """The shipped alerts are listed before the numbers, with their state and service."""
    _wait_for_stopped_alert(fleet)
    outcome = fleet.report("--format", "text")
    assert outcome.status == 0, outcome.err
    text = outcome.out
    assert "Alerts pending or firing" in text
    assert text.index(STOPPED) < text.index("routing latency p50")
    report = fleet.report("--format", "json").json()
    found = {(a["name"], a["labels"].get("job")) for a in report["alerts"]}
    assert {(STOPPED, "checkout"), (STOPPED, "support")} <= found
    assert all(a["state"] in {"pending", "firing"} for a in report["alerts"])
    assert all(a["summary"] for a in report["alerts"])


def test_service_report_keeps_only_its_alerts(fleet: Fleet) -> None:
    """With --service, alerts of other services are left out."""
    _wait_for_stopped_alert(fleet)
    report = fleet.report("--service", "checkout", "--format", "json").json()
    jobs = {a["labels"].get("job") for a in report["alerts"]}
    assert "checkout" in jobs
    assert "support" not in jobs


def test_default_check_fails_on_the_error_ratio(fleet: Fleet) -> None:
    """--check with the alert thresholds exits 1 and names the crossed threshold."""
    outcome = fleet.report("--check")
    assert outcome.status == 1
    assert "check failed: share of failed calls" in outcome.err
    assert "> 5.0% (--max-error-ratio)" in outcome.err
    assert "Checks (--check" in outcome.out
    assert "CROSSED" in outcome.out


def test_check_passes_within_looser_thresholds(fleet: Fleet) -> None:
    """Thresholds the run stays within exit 0; JSON lists every check and its number."""
    outcome = fleet.report(
        "--check",
        "--max-error-ratio",
        "0.9",
        "--max-fallback-ratio",
        "0.9",
        "--max-budget-pace",
        "1e9",
        "--max-routing-p95",
        "5s",
        "--max-cost-per-request",
        "1",
        "--format",
        "json",
    )
    assert outcome.status == 0, outcome.err
    checks = {c["flag"]: c for c in outcome.json()["checks"]}
    assert set(checks) == {
        "--max-routing-p95",
        "--max-error-ratio",
        "--max-fallback-ratio",
        "--min-ttft-good-ratio",
        "--max-budget-pace",
        "--max-cost-per-request",
    }
    assert all(c["status"] == "ok" for c in checks.values()), checks
    assert checks["--max-routing-p95"]["limit"] == 5.0
    assert 0 < checks["--max-error-ratio"]["value"] < 0.9


def test_tight_latency_check_fails(fleet: Fleet) -> None:
    """A routing p95 limit below what the run saw exits 1 and says so."""
    outcome = fleet.report("--check", "--max-error-ratio", "1", "--max-routing-p95", "1ms")
    assert outcome.status == 1
    assert "routing latency p95" in outcome.err
    assert "(--max-routing-p95)" in outcome.err
    assert "--max-error-ratio" not in outcome.err


def test_ratios_are_not_judged_on_too_few_calls(fleet: Fleet) -> None:
    """Below --min-request-rate, as in the alerts, the ratio checks are skipped and say why."""
    argv = ("--check", "--min-request-rate", "1000", "--max-budget-pace", "1e9")
    outcome = fleet.report(*argv)
    assert outcome.status == 0, outcome.err
    assert "--max-error-ratio skipped: " in outcome.out
    checks = {c["flag"]: c for c in fleet.report(*argv, "--format", "json").json()["checks"]}
    for flag in ("--max-error-ratio", "--max-fallback-ratio", "--min-ttft-good-ratio"):
        assert checks[flag]["status"] == "skipped"
        assert checks[flag]["reason"].endswith("the alerts need (1000/s, --min-request-rate)")
    assert checks["--max-routing-p95"]["status"] == "ok"
