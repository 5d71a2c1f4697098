"""Every router-guide pattern in ``examples/``, run against the emulator, read back as telemetry.

Each test runs the example's ``main()`` exactly as shipped (configured by the environment,
its one added line included) and checks what a user would look at: the span tree (scope
span, then one ``chat`` span per call, then a ``route`` child for routed calls), the served
model on each span against what the example's own code read from the stream, TTFT, the
scope's labels on spans and on ``llm.router.requests``, and fallbacks where the emulator was
told to fail.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests
from opentelemetry.trace import StatusCode

import routing_otel
from routing_otel import _semconv as sc
from routing_otel.emulator import Fault
from tests.examples.support import (
    assert_routed,
    by_start,
    children,
    load,
    request_counts,
    scope_of,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import HistogramDataPoint, NumberDataPoint

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

pytestmark = pytest.mark.usefixtures("example_env")

ROUTING_TOLERANCE_S = 0.001  # the bar: our routing latency within 1 ms of the monitor's


def _value(point: HistogramDataPoint | NumberDataPoint) -> float:
    value = getattr(point, "value", None)
    assert isinstance(value, int | float)
    return value


def _attrs(span: Any) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_default_routing(global_telemetry: Telemetry) -> None:
    """One routed stream: a chat span with its route child, the model the code read, TTFT."""
    result = load("default_routing").main()
    span = global_telemetry.only_chat_span()
    assert span.parent is None  # instrument() alone: no scope above the call
    assert_routed(global_telemetry, span, result["model"])
    assert result["response"]
    assert _attrs(span)[sc.ROUTER_POOL] == sc.POOL_DEFAULT
    assert sc.ROUTER_CANDIDATES not in _attrs(span)
    point = global_telemetry.point(
        sc.METRIC_REQUESTS,
        gen_ai__request__model="@edenai",
        gen_ai__response__model=result["model"],
        outcome="success",
    )
    assert _value(point) == 1


def test_custom_candidate_pools(global_telemetry: Telemetry) -> None:
    """Each pool's call is labelled with the pool's name, on its span and on the metrics."""
    module = load("custom_candidate_pools")
    results = module.main()
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results) == 3
    for result, span in zip(results, spans, strict=True):
        use_case = result["use_case"]
        assert_routed(global_telemetry, span, result["model"])
        assert _attrs(span)[sc.ROUTER_POOL] == use_case
        assert _attrs(span)[sc.ROUTER_CANDIDATES] == tuple(module.CANDIDATE_POOLS[use_case])
        assert span.parent is None  # label(): the call itself is labelled, no scope span
        assert result["model"] in module.CANDIDATE_POOLS[use_case]
    assert request_counts(global_telemetry, sc.ROUTER_POOL) == {"code": 1, "creative": 1, "fast": 1}


@pytest.mark.openai_sdk
def test_openai_sdk(global_telemetry: Telemetry) -> None:
    """The SDK's own client is observed: ``chunk.model`` is the served model on the span."""
    result = load("openai_sdk").main()
    span = global_telemetry.only_chat_span()
    assert_routed(global_telemetry, span, result["model"])
    assert result["response"]
    assert len(_attrs(span)[sc.ROUTER_CANDIDATES]) == 3


def test_function_calling(global_telemetry: Telemetry, emu: Emulator) -> None:
    """Routed tool calls: the tool calls the code collected are counted on each span."""
    results = load("function_calling").main()
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results) == 2
    for result, span in zip(results, spans, strict=True):
        assert_routed(global_telemetry, span, result["model"])
        attrs = _attrs(span)
        assert result["tool_calls"]
        assert attrs[sc.ROUTER_TOOL_CALLS] == len(result["tool_calls"])
        assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_calls",)
        assert attrs[sc.ROUTER_USE_CASE] == "tools"
        assert scope_of(global_telemetry, span).name == "tool-chat"
        for call in result["tool_calls"]:
            assert call["name"] in {"get_weather", "calculate"}
            assert isinstance(json.loads(call["arguments"]), dict)
    assert all(len(r.body["tools"]) == 2 for r in emu.requests)  # the tools went on the wire
    assert request_counts(global_telemetry, sc.ROUTER_USE_CASE) == {"tools": 2}


def test_tiered_router(global_telemetry: Telemetry) -> None:
    """Each call carries the tier the router chose (or was forced to), on span and metrics."""
    module = load("tiered_router")
    results = module.main()
    assert [r["tier"] for r in results] == ["budget", "balanced", "premium", "premium"]
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results)
    router = module.TieredRouter("unused")
    for result, span in zip(results, spans, strict=True):
        assert_routed(global_telemetry, span, result["model"])
        assert _attrs(span)[sc.ROUTER_TIER] == result["tier"]
        assert _attrs(span)[sc.ROUTER_CANDIDATES] == tuple(router.get_candidates(result["tier"]))
        assert span.parent is None
    tiers = Counter(r["tier"] for r in results)
    assert request_counts(global_telemetry, sc.ROUTER_TIER) == tiers


def test_budget_aware_router(global_telemetry: Telemetry) -> None:
    """Tiers step down as the budget shrinks; the refusal sends nothing; each call is costed."""
    results = load("budget_aware_router").main()
    *answered, refused = results
    assert "error" in refused
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(answered)  # the refused request never reached the API
    rank = {"premium": 0, "balanced": 1, "budget": 2}
    tiers = [r["tier"] for r in answered]
    assert tiers == sorted(tiers, key=rank.__getitem__)
    assert len(set(tiers)) > 1
    for result, span in zip(answered, spans, strict=True):
        assert_routed(global_telemetry, span, result["model"])
        attrs = _attrs(span)
        assert attrs[sc.ROUTER_TIER] == result["tier"]
        # What the pattern estimates by hand, we record from the API or the price table.
        assert isinstance(attrs[sc.ROUTER_COST], float)
        assert attrs[sc.ROUTER_COST_SOURCE] in {
            sc.COST_REPORTED,
            sc.COST_PRICE_TABLE,
            sc.COST_ESTIMATED,
        }
    assert request_counts(global_telemetry, sc.ROUTER_TIER) == Counter(tiers)


def test_cost_optimized_router(global_telemetry: Telemetry) -> None:
    """One router per tier: each call labelled with its instance's tier, and costed."""
    module = load("cost_optimized_router")
    results = module.main()
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results) == 3
    for result, span in zip(results, spans, strict=True):
        assert_routed(global_telemetry, span, result["model"])
        attrs = _attrs(span)
        assert attrs[sc.ROUTER_TIER] == result["tier"]
        assert attrs[sc.ROUTER_CANDIDATES] == tuple(
            module.CostOptimizedRouter.TIERS[result["tier"]]
        )
        assert result["cost"] == "unknown"  # the pattern's placeholder...
        assert isinstance(attrs[sc.ROUTER_COST], float)  # ...and what we know
    tiers = request_counts(global_telemetry, sc.ROUTER_TIER)
    assert tiers == {"budget": 1, "balanced": 1, "premium": 1}


def test_context_aware_router(global_telemetry: Telemetry, emu: Emulator) -> None:
    """Each call carries its use case; the system prompt goes first on the wire."""
    module = load("context_aware_router")
    results = module.main()
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results) == 3
    for result, span in zip(results, spans, strict=True):
        assert_routed(global_telemetry, span, result["model"])
        use_case = module.UseCase(result["use_case"])
        assert _attrs(span)[sc.ROUTER_USE_CASE] == use_case.value
        assert _attrs(span)[sc.ROUTER_CANDIDATES] == tuple(
            module.ContextAwareRouter.POOLS[use_case]
        )
        assert span.parent is None
    roles = [[m["role"] for m in r.body["messages"]] for r in emu.requests]
    assert roles == [["user"], ["user"], ["system", "user"]]
    counts = request_counts(global_telemetry, sc.ROUTER_USE_CASE)
    assert counts == {"code": 1, "translation": 1, "summarization": 1}


def test_smart_conversation(global_telemetry: Telemetry, emu: Emulator) -> None:
    """One span per turn, linked by the conversation id, each with its own served model."""
    result = load("smart_conversation").main()
    turns = by_start(global_telemetry.chat_spans())
    assert len(turns) == len(result["models_used"]) == 3
    for served, span in zip(result["models_used"], turns, strict=True):
        assert_routed(global_telemetry, span, served)
        assert _attrs(span)[sc.GEN_AI_CONVERSATION_ID] == result["session_id"]
    # The whole history goes out every turn: system prompt, then 1, 3 and 5 chat messages.
    assert [len(r.body["messages"]) for r in emu.requests] == [2, 4, 6]
    assert result["history_length"] == 7
    assert result["history_after_reset"] == 1


def test_cached_router(global_telemetry: Telemetry) -> None:
    """A cache hit sends the cached model directly: a fixed-model span, no route child."""
    results = load("cached_router").main()
    assert [r["cache_hit"] for r in results] == [False, True, False]
    miss, hit, other = by_start(global_telemetry.chat_spans())
    assert_routed(global_telemetry, miss, results[0]["model"])
    assert_routed(global_telemetry, other, results[2]["model"])
    cached = results[0]["model"]
    assert hit.name == f"chat {cached}"
    assert _attrs(hit)[sc.GEN_AI_REQUEST_MODEL] == cached
    assert _attrs(hit)[sc.GEN_AI_RESPONSE_MODEL] == results[1]["model"] == cached
    assert sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK in _attrs(hit)
    assert sc.ROUTER_ROUTING_DURATION not in _attrs(hit)
    assert children(global_telemetry, hit) == []
    for span in (miss, hit, other):
        assert scope_of(global_telemetry, span).name == "cached-router"
    counts = request_counts(global_telemetry, sc.GEN_AI_REQUEST_MODEL)
    assert counts == {"@edenai": 2, cached: 1}


def test_parallel_batch(global_telemetry: Telemetry) -> None:
    """Five concurrent calls under one batch scope, each its own span with its own route."""
    results = load("parallel_batch").main()
    (batch,) = global_telemetry.spans("batch")
    spans = children(global_telemetry, batch)
    assert spans == by_start(global_telemetry.chat_spans())
    assert len(spans) == len(results) == 5
    for span in spans:
        assert_routed(global_telemetry, span, _attrs(span)[sc.GEN_AI_RESPONSE_MODEL])
    assert Counter(_attrs(s)[sc.GEN_AI_RESPONSE_MODEL] for s in spans) == Counter(
        r["model"] for r in results
    )
    assert len({s.context.span_id for s in spans}) == 5
    # Concurrent: every call was sent before the first one finished.
    assert max(s.start_time or 0 for s in spans) < min(s.end_time or 0 for s in spans)


@pytest.mark.parametrize(
    ("fault", "reason"), [(Fault.ROUTER_DOWN, "503"), (Fault.SERVER_ERROR, "500")]
)
def test_resilient_router(
    global_telemetry: Telemetry, emu: Emulator, fault: Fault, reason: str
) -> None:
    """A failed ``@edenai`` call then the fixed model: one client fallback, with its reason."""
    emu.inject(fault)  # the next request fails; the router answers again afterwards
    results = load("resilient_router").main()
    assert [r["path"] for r in results] == ["fallback", "routed"]
    failed, fallback, routed = by_start(global_telemetry.chat_spans())

    assert failed.name == "chat @edenai"
    assert failed.status.status_code is StatusCode.ERROR
    assert _attrs(failed)[sc.ERROR_TYPE] == reason
    assert sc.ROUTER_FALLBACK not in _attrs(failed)

    assert fallback.name == "chat openai/gpt-4o"
    attrs = _attrs(fallback)
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == results[0]["model"]
    assert attrs[sc.ROUTER_FALLBACK] is True
    assert attrs[sc.ROUTER_FALLBACK_FROM] == "@edenai"
    assert attrs[sc.ROUTER_FALLBACK_REASON] == reason
    # The failure and its fallback share one scope; the next question has its own.
    assert scope_of(global_telemetry, failed) == scope_of(global_telemetry, fallback)
    assert scope_of(global_telemetry, routed) != scope_of(global_telemetry, fallback)
    assert _attrs(routed)[sc.GEN_AI_RESPONSE_MODEL] == results[1]["model"]
    assert sc.ROUTER_FALLBACK not in _attrs(routed)

    (point,) = global_telemetry.points(sc.METRIC_FALLBACKS)
    assert dict(point.attributes or {}) == {
        sc.FALLBACK_FROM_MODEL: "@edenai",
        sc.FALLBACK_TO_MODEL: "openai/gpt-4o",
        sc.FALLBACK_REASON: reason,
        sc.FALLBACK_LAYER: "client",
    }
    assert _value(point) == 1
    served = global_telemetry.point(sc.METRIC_REQUESTS, gen_ai__request__model="openai/gpt-4o")
    assert (served.attributes or {})[sc.FALLBACK] is True


def test_routing_monitor_agrees_with_us(global_telemetry: Telemetry, emu: Emulator) -> None:
    """The monitor's own statistics and ours agree: models, and routing latency within 1 ms."""
    # Warm up: the first observed call of a process pays one-off costs (lazy imports and
    # first-use paths), as the first call of any client does.
    routing_otel.instrument()
    payload = {"model": "@edenai", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    with requests.post(
        emu.llm_base_url + "/chat/completions",
        json=payload,
        headers={"Authorization": "Bearer sk-eden-examples"},
        stream=True,
        timeout=30,
    ) as warm_up:
        assert list(warm_up.iter_lines())
    global_telemetry.exporter.clear()
    before = request_counts(global_telemetry, sc.GEN_AI_RESPONSE_MODEL)

    result = load("routing_monitor").main()
    stats, history = result["stats"], result["history"]
    spans = by_start(global_telemetry.chat_spans())
    assert len(spans) == len(history) == stats["total_requests"] == 5

    ours = []
    for entry, span in zip(history, spans, strict=True):
        assert_routed(global_telemetry, span, entry["selected_model"])
        routing = _attrs(span)[sc.ROUTER_ROUTING_DURATION]
        assert routing == pytest.approx(entry["routing_latency"], abs=ROUTING_TOLERANCE_S)
        ours.append(routing)
    assert statistics.fmean(ours) == pytest.approx(
        stats["avg_routing_latency"], abs=ROUTING_TOLERANCE_S
    )

    served = Counter(_attrs(s)[sc.GEN_AI_RESPONSE_MODEL] for s in spans)
    assert stats["model_distribution"] == served
    assert request_counts(global_telemetry, sc.GEN_AI_RESPONSE_MODEL) - before == served
    assert served[stats["most_selected_model"]] == max(served.values())
