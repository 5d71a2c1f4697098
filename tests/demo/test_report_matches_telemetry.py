"""The report's numbers are the telemetry's: checked against spans and metric points.

The demo computes its report from its own in-memory reader; these tests read the same run
through a second metric reader and a span exporter of their own, as a backend would.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from routing_otel import _semconv as sc
from routing_otel.demo._args import parse
from routing_otel.demo._plan import make_plan
from tests.demo.conftest import SHORT

if TYPE_CHECKING:
    from tests.demo.conftest import DemoRun


def _report(run: DemoRun) -> dict[str, Any]:
    assert run.status == 0, run.err
    report: dict[str, Any] = json.loads(run.out)
    return report


def _rows(report: dict[str, Any]) -> Counter[tuple[str, str | None]]:
    return Counter({(r["pool"], r["served_model"]): r["requests"] for r in report["rows"]})


def test_request_counts_per_pool_and_model_equal_the_requests_counter(
    short_json_run: DemoRun,
) -> None:
    """Each row's calls equal llm.router.requests summed by pool and served model."""
    counted = short_json_run.counter(sc.METRIC_REQUESTS, sc.ROUTER_POOL, sc.GEN_AI_RESPONSE_MODEL)
    assert _rows(_report(short_json_run)) == Counter(
        {key: round(value) for key, value in counted.items()}
    )


def test_request_counts_and_served_models_equal_the_spans(short_json_run: DemoRun) -> None:
    """One chat span per call: same counts per pool and served model, same served models."""
    spans = short_json_run.chat_spans()
    by_span = Counter(
        (
            (span.attributes or {}).get(sc.ROUTER_POOL),
            (span.attributes or {}).get(sc.GEN_AI_RESPONSE_MODEL),
        )
        for span in spans
    )
    report = _report(short_json_run)
    assert _rows(report) == by_span
    assert report["totals"]["requests"] == len(spans)
    served = {r["served_model"] for r in report["rows"]} - {None}
    assert served == {m for _, m in by_span} - {None}
    assert len(served) >= 3


def test_every_planned_call_was_made_plus_one_per_fallback(short_json_run: DemoRun) -> None:
    """40 planned calls, minus budget refusals, plus one call per client fallback."""
    report = _report(short_json_run)
    refused = report["run"]["decisions"].get("budget", {}).get("refused", 0)
    assert report["run"]["failed_jobs"] == {}
    assert report["totals"]["requests"] == 40 - refused + report["totals"]["client_fallbacks"]


def test_cost_sum_equals_the_cost_counter_and_the_spans(short_json_run: DemoRun) -> None:
    """Total cost is the llm.router.cost sum, and the sum of the spans' costs."""
    report = _report(short_json_run)
    counter = sum(point.value for _, point in short_json_run.points(sc.METRIC_COST))
    costs = [(span.attributes or {}).get(sc.ROUTER_COST) for span in short_json_run.chat_spans()]
    spans = sum(cost for cost in costs if isinstance(cost, float))
    assert report["totals"]["cost_usd"] == pytest.approx(counter, rel=1e-9)
    assert sum(r["cost_usd"] for r in report["rows"]) == pytest.approx(counter, rel=1e-9)
    assert counter == pytest.approx(spans, rel=1e-6)
    assert report["budget"]["spent_usd"] == pytest.approx(counter, rel=1e-9)


def test_savings_are_net_of_overspend(short_json_run: DemoRun) -> None:
    """Net savings per row are llm.router.savings minus llm.router.overspend."""
    report = _report(short_json_run)
    savings = short_json_run.counter(sc.METRIC_SAVINGS, sc.ROUTER_POOL, sc.GEN_AI_RESPONSE_MODEL)
    overspend = short_json_run.counter(
        sc.METRIC_OVERSPEND, sc.ROUTER_POOL, sc.GEN_AI_RESPONSE_MODEL
    )
    for row in report["rows"]:
        key = (row["pool"], row["served_model"])
        assert row["net_savings_usd"] == pytest.approx(
            savings.get(key, 0.0) - overspend.get(key, 0.0), abs=1e-12
        )


def test_fallbacks_happen_during_the_outage_and_match_the_spans(short_json_run: DemoRun) -> None:
    """Every 503 overlaps the router-down window, and each one was followed by a fallback."""
    report = _report(short_json_run)
    outage = report["run"]["outage"]
    assert outage is not None
    failed = [
        span
        for span in short_json_run.chat_spans()
        if (span.attributes or {}).get(sc.ERROR_TYPE) == "503"
    ]
    assert failed, "the shortened run's outage window met no routed call"
    for span in failed:
        assert span.name == f"{sc.OPERATION_CHAT} {sc.ROUTED_MODEL}"
        assert span.start_time is not None
        assert span.end_time is not None
        assert span.start_time <= outage["end_unix_nano"]
        assert span.end_time >= outage["start_unix_nano"]
    paths = {
        (p["layer"], p["reason"], p["from_model"], p["to_model"]): p["count"]
        for p in report["fallbacks"]
    }
    assert paths[("client", "503", sc.ROUTED_MODEL, "openai/gpt-4o")] == len(failed)
    metric = short_json_run.counter(sc.METRIC_FALLBACKS, sc.FALLBACK_LAYER)
    assert report["totals"]["client_fallbacks"] == metric[("client",)]
    fell_back = [  # client fallbacks: a fixed-model call after a failed routed one
        s
        for s in short_json_run.chat_spans()
        if (s.attributes or {}).get(sc.ROUTER_FALLBACK_FROM) == sc.ROUTED_MODEL
    ]
    assert len(fell_back) == report["totals"]["client_fallbacks"]


def test_latency_quantiles_are_within_the_observed_range(short_json_run: DemoRun) -> None:
    """Bucket estimates stay within the buckets holding the spans' routing durations."""
    report = _report(short_json_run)
    durations = [
        d
        for s in short_json_run.chat_spans()
        if isinstance(d := (s.attributes or {}).get(sc.ROUTER_ROUTING_DURATION), float)
    ]
    upper = min(b for b in sc.DURATION_BUCKETS if b >= max(durations))
    p50, p95 = report["totals"]["routing"]["p50"], report["totals"]["routing"]["p95"]
    assert 0 < p50 <= p95 <= upper
    for row in report["rows"]:
        if row["routed"] and row["served_model"]:
            assert row["routing"]["p50"] is not None
        for quantiles in (row["routing"], row["ttft"]):
            if quantiles["p50"] is not None:
                assert quantiles["p50"] <= quantiles["p95"]


def test_slowest_calls_are_the_longest_routed_spans(short_json_run: DemoRun) -> None:
    """The three slowest routed calls and their trace ids are the longest chat @edenai spans."""
    report = _report(short_json_run)
    routed = sorted(
        (s for s in short_json_run.chat_spans() if s.name == f"chat {sc.ROUTED_MODEL}"),
        key=lambda s: (s.end_time or 0) - (s.start_time or 0),
        reverse=True,
    )
    expected = [f"{s.context.trace_id:032x}" for s in routed[:3]]
    assert [call["trace_id"] for call in report["slowest"]] == expected
    for call, span in zip(report["slowest"], routed, strict=False):
        assert math.isclose(
            call["duration_s"], ((span.end_time or 0) - (span.start_time or 0)) / 1e9
        )


def test_budget_gauge_is_the_planned_budget(short_json_run: DemoRun) -> None:
    """The llm.router.budget.limit gauge exists and holds the run's daily budget."""
    report = _report(short_json_run)
    (point,) = [p for _, p in short_json_run.points(sc.METRIC_BUDGET_LIMIT)]
    assert point.value == report["budget"]["limit_usd"] == make_plan(parse(SHORT)).budget_usd
