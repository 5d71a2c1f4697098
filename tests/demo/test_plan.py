"""The run is planned up front: about a minute by default, the same for the same seed."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from routing_otel import _semconv as sc
from routing_otel.demo._args import parse
from routing_otel.demo._metric_points import Buckets
from routing_otel.demo._plan import PATTERN_NAMES, Plan, make_plan


def _first_jobs(plan: Plan, count: int) -> list[tuple[str, int]]:
    return [(job.pattern, job.calls) for job in itertools.islice(plan.jobs(), count)]


def test_default_run_is_about_a_minute_of_hundreds_of_calls() -> None:
    """No flags: a 60 s run, hundreds of calls, a 10 s outage inside it, a budget."""
    plan = make_plan(parse([]))
    assert plan.duration_s == plan.expected_seconds == 60
    assert plan.requests is None
    assert 200 <= plan.expected_calls <= 2000
    window = plan.outage_seconds()
    assert window is not None
    start, end = window
    assert 10 <= start < end <= 50
    assert end - start == pytest.approx(10)
    assert plan.budget_usd > 0
    assert plan.fast is False


def test_the_same_seed_plans_the_same_run() -> None:
    """Jobs, their seeds and the outage follow from the seed alone."""
    one, again = make_plan(parse(["--seed", "3"])), make_plan(parse(["--seed", "3"]))
    other = make_plan(parse(["--seed", "4"]))
    assert list(itertools.islice(one.jobs(), 200)) == list(itertools.islice(again.jobs(), 200))
    assert one.outage == again.outage != other.outage
    assert _first_jobs(one, 200) != _first_jobs(other, 200)


def test_the_mix_uses_every_pattern_of_the_guides() -> None:
    """Every pattern appears early in a run (conversations and batches make several calls)."""
    jobs = _first_jobs(make_plan(parse([])), 150)
    assert set(Counter(pattern for pattern, _ in jobs)) == set(PATTERN_NAMES)
    assert {calls for pattern, calls in jobs if pattern == "batch"} == {5}
    assert all(3 <= calls <= 5 for pattern, calls in jobs if pattern == "conversation")


@pytest.mark.parametrize("requests", [1, 7, 40, 333])
def test_a_fixed_size_run_plans_exactly_that_many_calls(requests: int) -> None:
    """--requests N: the jobs' planned calls add up to N, and some meet the outage."""
    plan = make_plan(parse(["--requests", str(requests)]))
    jobs = list(plan.jobs())
    assert sum(job.calls for job in jobs) == requests
    assert plan.duration_s is None
    assert any(plan.in_outage(job) for job in jobs)


def test_the_shortened_test_run_meets_the_outage_with_routed_calls() -> None:
    """The 40-call run of the tests plans routed (not only cached) calls in the outage."""
    plan = make_plan(parse(["--requests", "40", "--concurrency", "4", "--fast"]))
    in_outage = [job.pattern for job in plan.jobs() if plan.in_outage(job)]
    assert set(in_outage) - {"cached"}


def test_no_outage_against_a_real_endpoint() -> None:
    """Against --target the demo cannot take the router down: no outage is planned."""
    settings = parse(["--target", "https://api.example.com/v3/llm"], {"EDENAI_API_KEY": "k"})
    assert make_plan(settings).outage is None


def test_quantiles_interpolate_inside_buckets_like_histogram_quantile() -> None:
    """p50/p95 are linear inside the bucket holding the rank; +Inf gives the top bound."""
    buckets = Buckets((1.0, 2.0, 4.0), [2, 6, 2, 0], total=10)
    assert buckets.quantile(0.5) == pytest.approx(1.5)  # rank 5: 3 of 6 into (1, 2]
    assert buckets.quantile(0.95) == pytest.approx(3.5)  # rank 9.5: 1.5 of 2 into (2, 4]
    assert buckets.quantile(0.1) == pytest.approx(0.5)  # the first bucket starts at 0
    overflow = Buckets((1.0, 2.0), [0, 1, 3], total=4)
    assert overflow.quantile(0.95) == 2.0
    assert Buckets((1.0,), [0, 0]).quantile(0.5) is None


def test_duration_buckets_are_the_contract_s() -> None:
    """The report's quantile note names the contract's duration buckets."""
    from routing_otel.demo._model import QUANTILE_NOTE  # noqa: PLC0415

    assert f"{sc.DURATION_BUCKETS[0]}, {sc.DURATION_BUCKETS[1]}" in QUANTILE_NOTE
    assert f"{sc.DURATION_BUCKETS[-1]} s" in QUANTILE_NOTE
