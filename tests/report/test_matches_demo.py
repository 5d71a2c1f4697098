"""The report read from a real Prometheus agrees with the demo's own report of the same calls.

Two demo processes (two services) export to the Debian ``prometheus``; ``routing-otel
report --format json`` must find the calls each demo counted in memory: the same counts per
pool and served model, the same shares, the cost to rounding, quantiles within one bucket,
and for both services together, their sums.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from routing_otel import _semconv as sc
from tests.report.conftest import SERVICES

if TYPE_CHECKING:
    from tests.report.conftest import Fleet

pytestmark = pytest.mark.prometheus

Key = tuple[str, str | None]


def _rows(report: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(row["pool"], row["served_model"]): row for row in report["rows"]}


def _bucket(seconds: float | None) -> int | None:
    """The index of the histogram bucket holding ``seconds``."""
    return None if seconds is None else bisect.bisect_left(sc.DURATION_BUCKETS, seconds)


def _within_one_bucket(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    for q in ("p50", "p95"):
        a, b = _bucket(ours[q]), _bucket(theirs[q])
        assert (a is None) == (b is None), (ours, theirs)
        if a is not None and b is not None:
            assert abs(a - b) <= 1, (ours, theirs)


@pytest.mark.parametrize("service", list(SERVICES))
def test_one_service_equals_its_demo_report(fleet: Fleet, service: str) -> None:
    """Counts, shares, tokens, money and fallbacks of one service are its demo's."""
    demo = fleet.demos[service]
    report = fleet.report("--service", service, "--format", "json").json()
    assert report["source"]["processes"] == 1
    assert report["source"]["service"] == service
    ours, theirs = _rows(report), _rows(demo)
    assert {k: r["requests"] for k, r in ours.items()} == {
        k: r["requests"] for k, r in theirs.items()
    }
    for key, row in ours.items():
        other = theirs[key]
        assert row["share"] == pytest.approx(other["share"], abs=1e-12)
        assert row["errors"] == other["errors"]
        assert row["served_after_fallback"] == other["served_after_fallback"]
        assert (row["input_tokens"], row["output_tokens"]) == (
            other["input_tokens"],
            other["output_tokens"],
        )
        assert row["cost_usd"] == pytest.approx(other["cost_usd"], rel=1e-6, abs=1e-12)
        assert row["net_savings_usd"] == pytest.approx(other["net_savings_usd"], abs=1e-9)
        _within_one_bucket(row["routing"], other["routing"])
        _within_one_bucket(row["ttft"], other["ttft"])
    for field in ("requests", "routed", "errors", "client_fallbacks", "server_fallbacks"):
        assert report["totals"][field] == demo["totals"][field], field
    assert report["totals"]["cost_usd"] == pytest.approx(demo["totals"]["cost_usd"], rel=1e-6)
    _within_one_bucket(report["totals"]["routing"], demo["totals"]["routing"])
    _within_one_bucket(report["totals"]["ttft"], demo["totals"]["ttft"])
    assert report["fallbacks"] == demo["fallbacks"]
    assert report["budget"]["limit_usd"] == demo["budget"]["limit_usd"]


def test_two_processes_are_summed(fleet: Fleet) -> None:
    """Without --service, every row and total is the sum of both demos' own counts."""
    report = fleet.report("--format", "json").json()
    assert report["source"]["processes"] == 2
    expected: Counter[Key] = Counter()
    for demo in fleet.demos.values():
        expected.update({k: r["requests"] for k, r in _rows(demo).items()})
    assert Counter({k: r["requests"] for k, r in _rows(report).items()}) == expected
    total = sum(expected.values())
    assert report["totals"]["requests"] == total
    for key, row in _rows(report).items():
        assert row["share"] == pytest.approx(expected[key] / total)
    cost = sum(demo["totals"]["cost_usd"] for demo in fleet.demos.values())
    assert report["totals"]["cost_usd"] == pytest.approx(cost, rel=1e-6)
    errors = sum(demo["totals"]["errors"] for demo in fleet.demos.values())
    assert report["totals"]["errors"] == errors
    net = sum(demo["totals"]["net_savings_usd"] for demo in fleet.demos.values())
    assert report["totals"]["net_savings_usd"] == pytest.approx(net, abs=1e-9)
    # Each service exports its own daily budget: the report's is their sum.
    limit = sum(demo["budget"]["limit_usd"] for demo in fleet.demos.values())
    assert report["budget"]["limit_usd"] == pytest.approx(limit)


def test_text_report_has_the_demo_sections_and_says_what_it_lacks(fleet: Fleet) -> None:
    """The text report has the demo's tables, the rules' state, and no invented trace ids."""
    outcome = fleet.report("--format", "text")
    assert outcome.status == 0, outcome.err
    lines = outcome.out.splitlines()
    assert lines[:2] == ["routing-otel report", "==================="]
    assert lines[2].startswith(f"{sum(d['totals']['requests'] for d in fleet.demos.values())} ")
    assert "from 2 processes (service checkout, support)" in outcome.out
    for title in (
        "Traffic and latency by pool and served model",
        "Tokens and money by pool and served model",
        "Fallbacks by reason (llm.router.fallbacks)",
    ):
        assert title in lines
    assert "The shipped recording rules are loaded" in outcome.out
    assert "Prometheus holds no exemplars" in outcome.out


def test_markdown_report_is_tables(fleet: Fleet) -> None:
    """--format markdown gives headings and pipe tables a chat or CI summary shows as tables."""
    outcome = fleet.report("--format", "markdown")
    assert outcome.status == 0, outcome.err
    assert outcome.out.startswith("## routing-otel report\n")
    assert "| pool | served model | calls | share |" in outcome.out
    assert "| --- | --- | ---: | ---: |" in outcome.out
