"""Cost for every call, savings against a baseline, and the budget gauge, end to end."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import routing_otel
from routing_otel import _semconv as sc
from routing_otel.httpx import RoutingTransport
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from pathlib import Path

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HOST = "api.edenai.run"
URL = f"https://{HOST}/v3/llm/chat/completions"
HEADERS = {"Authorization": f"Bearer {KEY}"}


def _answer(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-2024-08-06",
        "provider": "openai",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "x" * 400},
                "finish_reason": "stop",
            }
        ],
    }
    body.update(fields)
    return body


def _call(telemetry: Telemetry, body: dict[str, Any], **options: Any) -> dict[str, Any]:
    """One non-streamed call answered with ``body`` (a gateway or cached copy of Eden)."""
    inner = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    transport = RoutingTransport(inner, hosts=[HOST], **telemetry.providers, **options)
    with httpx.Client(transport=transport) as client:
        client.post(
            URL, json=chat("openai/gpt-4o", messages=[{"role": "user", "content": "y" * 80}])
        )
    return dict(telemetry.only_chat_span().attributes or {})


def test_price_table_when_usage_but_no_reported_cost(telemetry: Telemetry) -> None:
    """Usage without ``cost``: priced from the table, cached tokens at the cache price."""
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 200,
        "prompt_tokens_details": {"cached_tokens": 400},
    }
    attrs = _call(telemetry, _answer(usage=usage))
    expected = 600 * 2.5e-6 + 400 * 1.25e-6 + 200 * 10e-6
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_PRICE_TABLE
    assert attrs[sc.ROUTER_COST] == pytest.approx(expected)
    point = telemetry.point(sc.METRIC_COST, cost__source="price_table")
    assert point.value == pytest.approx(expected)  # type: ignore[union-attr]


def test_reported_cost_wins_even_when_zero(telemetry: Telemetry) -> None:
    """A reported cost is the cost, including 0 for a cached answer."""
    attrs = _call(telemetry, _answer(usage={"prompt_tokens": 10, "completion_tokens": 5}, cost=0))
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert attrs[sc.ROUTER_COST] == 0


def test_estimated_without_usage(telemetry: Telemetry) -> None:
    """No usage at all: tokens estimated from the prompt and answer text, marked estimated."""
    attrs = _call(telemetry, _answer())
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_ESTIMATED
    # about 80/4 prompt tokens and 400/4 completion tokens on gpt-4o
    assert attrs[sc.ROUTER_COST] == pytest.approx(20 * 2.5e-6 + 100 * 10e-6, rel=0.2)


def test_unknown_model_is_unknown_never_zero(telemetry: Telemetry) -> None:
    """An unpriced model has no cost on the span or the cost metric, and is counted as such."""
    attrs = _call(
        telemetry,
        _answer(
            model="acme/mystery-1",
            provider=None,
            usage={"prompt_tokens": 5, "completion_tokens": 5},
        ),
    )
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_UNKNOWN
    assert sc.ROUTER_COST not in attrs
    assert telemetry.points(sc.METRIC_COST) == []
    point = telemetry.point(sc.METRIC_REQUESTS, cost__source="unknown")
    assert point.value == 1  # type: ignore[union-attr]


def test_user_price_file_prices_a_new_model(telemetry: Telemetry, tmp_path: Path) -> None:
    """A price file in the /v3/models format prices models the built-in table lacks."""
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps(
            {
                "object": "list",
                "data": [
                    {
                        "id": "acme/mystery-1",
                        "pricing": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
                    }
                ],
            }
        )
    )
    attrs = _call(
        telemetry,
        _answer(
            model="acme/mystery-1",
            provider=None,
            usage={"prompt_tokens": 100, "completion_tokens": 50},
        ),
        prices_file=str(prices),
    )
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_PRICE_TABLE
    assert attrs[sc.ROUTER_COST] == pytest.approx(100 * 1e-6 + 50 * 2e-6)


def test_broken_price_file_falls_back_to_builtin(
    telemetry: Telemetry, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A malformed price file is reported once and the built-in prices are used."""
    broken = tmp_path / "prices.json"
    broken.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="routing_otel"):
        attrs = _call(
            telemetry,
            _answer(usage={"prompt_tokens": 10, "completion_tokens": 10}),
            prices_file=str(broken),
        )
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_PRICE_TABLE
    assert any("built-in prices" in r.getMessage() for r in caplog.records)


def _routed(emu: Emulator, telemetry: Telemetry, candidates: list[str], **options: Any) -> Any:
    """A routed call whose router fails silently, so the first candidate serves."""
    transport = RoutingTransport(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers, **options)
    with httpx.Client(transport=transport) as client:
        client.post(
            emu.llm_base_url + "/chat/completions",
            json=chat(router_candidates=candidates),
            headers={**HEADERS, "x-emulator-fault": "router_silent_failure"},
        )
    return telemetry.only_chat_span()


def test_savings_against_the_most_expensive_candidate(emu: Emulator, telemetry: Telemetry) -> None:
    """Routing to the cheap candidate saves money against the pool's priciest one."""
    span = _routed(emu, telemetry, ["openai/gpt-4o-mini", "anthropic/claude-opus-4-5"])
    attrs = span.attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "openai/gpt-4o-mini"
    assert attrs[sc.ROUTER_SAVINGS_BASELINE] == "anthropic/claude-opus-4-5"
    savings = attrs[sc.ROUTER_SAVINGS]
    assert isinstance(savings, float)
    assert savings > 0
    point = telemetry.point(sc.METRIC_SAVINGS, baseline__model="anthropic/claude-opus-4-5")
    assert point.value == pytest.approx(savings)  # type: ignore[union-attr]
    overspend = telemetry.point(sc.METRIC_OVERSPEND, baseline__model="anthropic/claude-opus-4-5")
    assert overspend.value == 0  # type: ignore[union-attr]


def test_negative_savings_are_recorded(emu: Emulator, telemetry: Telemetry) -> None:
    """Against a cheap fixed baseline, a pricier routed choice shows negative savings."""
    span = _routed(
        emu,
        telemetry,
        ["anthropic/claude-opus-4-5", "openai/gpt-4o-mini"],
        savings_baseline="openai/gpt-4o-mini",
    )
    savings = (span.attributes or {})[sc.ROUTER_SAVINGS]
    assert isinstance(savings, float)
    assert savings < 0
    # Counters cannot go down: the loss is counted as overspend, net = savings - overspend.
    overspend = telemetry.point(sc.METRIC_OVERSPEND, baseline__model="openai/gpt-4o-mini")
    assert overspend.value == pytest.approx(-savings)  # type: ignore[union-attr]
    saved = telemetry.point(sc.METRIC_SAVINGS, baseline__model="openai/gpt-4o-mini")
    assert saved.value == 0  # type: ignore[union-attr]


def test_fixed_model_calls_have_no_savings(emu: Emulator, telemetry: Telemetry) -> None:
    """Savings measure routing: a fixed-model call has none."""
    transport = RoutingTransport(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    with httpx.Client(transport=transport) as client:
        client.post(
            emu.llm_base_url + "/chat/completions", json=chat("openai/gpt-4o"), headers=HEADERS
        )
    assert sc.ROUTER_SAVINGS not in (telemetry.only_chat_span().attributes or {})
    assert telemetry.points(sc.METRIC_SAVINGS) == []


def test_budget_gauge_from_option_and_environment(
    emu: Emulator, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily budget is exported as a gauge; the option wins over the environment."""
    monkeypatch.setenv("ROUTING_OTEL_BUDGET_USD_PER_DAY", "3.5")
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    try:
        point = telemetry.point(sc.METRIC_BUDGET_LIMIT, budget__name="daily")
        assert point.value == 3.5  # type: ignore[union-attr]
    finally:
        routing_otel.uninstrument()
    with pytest.raises(ValueError, match="budget_usd_per_day"):
        routing_otel.instrument(budget_usd_per_day=-1)
    routing_otel.uninstrument()


def test_no_budget_no_gauge(emu: Emulator, telemetry: Telemetry) -> None:
    """Without a budget there is no budget gauge at all."""
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    try:
        httpx.post(emu.llm_base_url + "/chat/completions", json=chat(), headers=HEADERS)
        assert telemetry.points(sc.METRIC_BUDGET_LIMIT) == []
    finally:
        routing_otel.uninstrument()


def test_choosing_the_baseline_itself_saves_exactly_nothing(
    emu: Emulator, telemetry: Telemetry
) -> None:
    """When the router serves the baseline model, savings are 0, not rounding noise."""
    span = _routed(emu, telemetry, ["anthropic/claude-opus-4-5", "openai/gpt-4o-mini"])
    attrs = span.attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "anthropic/claude-opus-4-5"
    assert attrs[sc.ROUTER_SAVINGS] == 0.0
