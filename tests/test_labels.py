"""Metric labels fed by requests, answers or app code keep a bounded number of values."""

from __future__ import annotations

import collections
import logging
import random
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from opentelemetry.sdk.metrics.export import HistogramDataPoint

import routing_otel.httpx
from routing_otel import _semconv as sc
from routing_otel._context.scope import Scope
from routing_otel._options import Options
from routing_otel._telemetry.labels import LabelBounds
from routing_otel._telemetry.recorder import Recorder
from routing_otel._telemetry.result import CallRecord, Outcome
from routing_otel._wire.observation import Observation
from routing_otel._wire.request import ChatRequest, pool_of
from routing_otel.emulator import CATALOGUE
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

MODELS = [spec.id for spec in CATALOGUE]
SDK_OVERFLOW = "otel.metric.overflow"


def _candidate_lists(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(MODELS, rng.randint(2, 6)) for _ in range(count)]


def _pools(telemetry: Telemetry, metric: str = sc.METRIC_REQUESTS) -> dict[Any, float]:
    """Calls per pool label in ``metric``'s points (a counter's value, a histogram's count)."""
    totals: dict[Any, float] = collections.defaultdict(float)
    for point in telemetry.points(metric):
        attributes = point.attributes or {}
        assert SDK_OVERFLOW not in attributes, "the SDK's attribute-set limit was reached"
        calls = point.count if isinstance(point, HistogramDataPoint) else point.value
        totals[attributes.get(sc.ROUTER_POOL)] += calls
    return totals


def _finish(recorder: Recorder, request: ChatRequest, **outcome: Any) -> None:
    record = CallRecord.of(request, time.time_ns(), None, None, None)
    recorder.finish(record, None, Outcome(**outcome))


def test_5000_random_pools_stay_under_the_cap(telemetry: Telemetry) -> None:
    """5,000 calls with random candidate subsets: 50 pools + other, no SDK overflow.

    The bulk drives the Recorder directly (5,000 calls through the emulator would take
    minutes); the end-to-end test below sends real calls through a client.
    """
    recorder = Recorder(telemetry.tracer_provider, telemetry.meter_provider)
    lists = _candidate_lists(5000, seed=9)
    calls = collections.Counter(pool_of(c) for c in lists)
    assert len(calls) > 2000  # enough attribute sets to overflow the SDK without a cap
    for candidates in lists:
        request = ChatRequest("api.edenai.run", 443, model="@edenai", candidates=candidates)
        _finish(recorder, request, status_code=200)
    first_50 = list(dict.fromkeys(pool_of(c) for c in lists))[:50]
    for metric in (sc.METRIC_REQUESTS, sc.METRIC_OPERATION_DURATION):
        pools = _pools(telemetry, metric)
        assert set(pools) == {*first_50, sc.LABEL_OVERFLOW}
        assert all(pools[pool] == calls[pool] for pool in first_50)
        assert pools[sc.LABEL_OVERFLOW] == 5000 - sum(calls[pool] for pool in first_50)
    spans = telemetry.chat_spans()
    assert len({(s.attributes or {})[sc.ROUTER_POOL] for s in spans}) == len(calls)


def test_real_client_calls_past_the_cap_label_other(emu: Emulator, telemetry: Telemetry) -> None:
    """Through httpx and the emulator, the 51st new pool is ``other``; spans keep the hash."""
    lists = list({pool_of(c): c for c in _candidate_lists(200, seed=5)}.values())[:60]
    transport = routing_otel.httpx.RoutingTransport(
        hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers
    )
    url = emu.llm_base_url + "/chat/completions"
    with httpx.Client(transport=transport, timeout=30) as client:
        for candidates in lists:
            response = client.post(
                url,
                json=chat(router_candidates=candidates),
                headers={"Authorization": f"Bearer {KEY}"},
            )
            assert response.status_code == 200
    pools = _pools(telemetry)
    assert set(pools) == {*(pool_of(c) for c in lists[:50]), sc.LABEL_OVERFLOW}
    assert pools[sc.LABEL_OVERFLOW] == 10
    span_pools = {(s.attributes or {})[sc.ROUTER_POOL] for s in telemetry.chat_spans()}
    assert span_pools == {pool_of(c) for c in lists}


def test_every_outside_label_is_capped(telemetry: Telemetry) -> None:
    """Models, address, error type, tier, use case, baseline: a 2nd value past cap 1 is other."""
    recorder = Recorder(telemetry.tracer_provider, telemetry.meter_provider, max_label_values=1)
    for n in (1, 2):
        request = ChatRequest(f"host{n}.example", 443, model=f"vendor/model-{n}")
        scope = Scope("op", pool=f"pool-{n}", attributes={sc.ROUTER_TIER: f"tier-{n}"})
        record = CallRecord.of(request, time.time_ns(), scope, None, None)
        observation = Observation(raw_model=f"vendor/served-{n}")
        recorder.finish(record, observation, Outcome(status_code=500 + n))
    keys = (
        sc.GEN_AI_REQUEST_MODEL,
        sc.GEN_AI_RESPONSE_MODEL,
        sc.SERVER_ADDRESS,
        sc.ERROR_TYPE,
        sc.ROUTER_POOL,
        sc.ROUTER_TIER,
    )
    points = telemetry.points(sc.METRIC_OPERATION_DURATION)
    assert sorted(str((p.attributes or {})[sc.GEN_AI_REQUEST_MODEL]) for p in points) == [
        sc.LABEL_OVERFLOW,
        "vendor/model-1",
    ]
    (second,) = (p for p in points if (p.attributes or {})[sc.ROUTER_POOL] == sc.LABEL_OVERFLOW)
    assert {key: (second.attributes or {})[key] for key in keys} == dict.fromkeys(
        keys, sc.LABEL_OVERFLOW
    )
    (span,) = (
        s for s in telemetry.chat_spans() if (s.attributes or {})[sc.ROUTER_POOL] == "pool-2"
    )
    assert (span.attributes or {})[sc.SERVER_ADDRESS] == "host2.example"


def test_cap_keeps_known_values_and_counts_per_key() -> None:
    """Past the cap only new values become other; each label key has its own cap."""
    bounds = LabelBounds(2)
    seen = [bounds.bound(sc.ROUTER_POOL, v) for v in ("a", "b", "c", "a", "b", "d")]
    assert seen == ["a", "b", sc.LABEL_OVERFLOW, "a", "b", sc.LABEL_OVERFLOW]
    assert bounds.bound(sc.GEN_AI_REQUEST_MODEL, "c") == "c"
    assert bounds.bound(sc.OUTCOME, "anything") == "anything"  # our own values: not capped


@pytest.mark.parametrize("bad", [0, -1])
def test_cap_below_one_is_refused(bad: int) -> None:
    """``max_label_values`` under 1 is refused with a message naming the option."""
    with pytest.raises(ValueError, match="max_label_values must be 1 or more"):
        Options.of(max_label_values=bad)


def test_cap_from_the_environment(
    emu: Emulator, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ROUTING_OTEL_MAX_LABEL_VALUES`` sets the cap when the option is not given."""
    monkeypatch.setenv("ROUTING_OTEL_MAX_LABEL_VALUES", "2")
    assert Options.of().max_label_values == 2
    transport = routing_otel.httpx.RoutingTransport(
        hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers
    )
    lists = [MODELS[:2], MODELS[2:4], MODELS[4:6]]
    with httpx.Client(transport=transport, timeout=30) as client:
        for candidates in lists:
            client.post(
                emu.llm_base_url + "/chat/completions",
                json=chat(router_candidates=candidates),
                headers={"Authorization": f"Bearer {KEY}"},
            )
    assert set(_pools(telemetry)) == {pool_of(lists[0]), pool_of(lists[1]), sc.LABEL_OVERFLOW}
    monkeypatch.setenv("ROUTING_OTEL_MAX_LABEL_VALUES", "0")
    with pytest.raises(ValueError, match="max_label_values"):
        Options.of()


def test_overflow_warns_once_per_label(caplog: pytest.LogCaptureFixture) -> None:
    """The first overflow of a label logs one warning naming it and how to raise the cap."""
    bounds = LabelBounds(1)
    with caplog.at_level(logging.WARNING, logger="routing_otel"):
        for value in ("a", "b", "c", "d"):
            bounds.bound(sc.ROUTER_POOL, value)
        bounds.bound(sc.ROUTER_TIER, "x")
    (record,) = caplog.records
    assert record.name == "routing_otel"
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert sc.ROUTER_POOL in message
    assert "max_label_values" in message
    assert "ROUTING_OTEL_MAX_LABEL_VALUES" in message
    assert "\n" not in message
