"""Timings: routing delay before the first chunk, TTFT before content, token pacing.

Wall-clock checks assert lower bounds only; exact values are checked on the plan.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig, Fault, find_model
from routing_otel.emulator._plan import PlanInput, make_plan
from routing_otel.emulator._routing import select
from routing_otel.emulator._usage import PromptCache
from routing_otel.emulator._validate import ChatRequest
from tests.emulator._support import AUTH, chat

_EARLY = 0.002  # timers may fire a hair early; never a reason to fail


def _arrivals(emu: Emulator, body: dict[str, object]) -> tuple[float, float, float]:
    """Seconds from sending to the first line, the first content chunk and the end."""
    first_line = first_content = 0.0
    with httpx.Client() as client:
        started = time.perf_counter()
        with client.stream(
            "POST", emu.base_url + "/chat/completions", json=body, headers=AUTH
        ) as response:
            for line in response.iter_lines():
                if not line.startswith("data: {"):
                    continue
                now = time.perf_counter() - started
                first_line = first_line or now
                delta = json.loads(line[6:])["choices"][0]["delta"]
                if delta.get("content") and not first_content:
                    first_content = now
        return first_line, first_content, time.perf_counter() - started


def test_routing_delay_precedes_the_first_chunk() -> None:
    """The chunk naming the model arrives no sooner than the routing delay."""
    config = EmulatorConfig.instant(routing_delay_s=(0.08, 0.08))
    with Emulator(config) as emu:
        first_line, _, _ = _arrivals(emu, {**chat(), "stream": True})
    assert first_line >= 0.08 - _EARLY


def test_ttft_and_token_rate_are_honoured() -> None:
    """Content starts after routing + TTFT, and tokens flow no faster than the rate."""
    config = EmulatorConfig(
        routing_delay_s=(0.03, 0.03), ttft_s=0.05, tokens_per_s=200, response_tokens=(10, 10)
    )
    with Emulator(config) as emu:
        first_line, first_content, total = _arrivals(emu, {**chat(), "stream": True})
    assert first_line >= 0.03 - _EARLY
    assert first_content >= 0.03 + 0.05 - _EARLY
    assert total >= 0.03 + 0.05 + 9 / 200 - _EARLY


def test_non_streamed_answer_takes_the_whole_generation() -> None:
    """A non-streamed answer arrives after routing, TTFT and every token."""
    config = EmulatorConfig(
        routing_delay_s=(0.02, 0.02), ttft_s=0.04, tokens_per_s=250, response_tokens=(10, 10)
    )
    with Emulator(config) as emu:
        started = time.perf_counter()
        httpx.post(emu.base_url + "/chat/completions", json=chat(), headers=AUTH)
        assert time.perf_counter() - started >= 0.02 + 0.04 + 10 / 250 - _EARLY


def _plan(
    config: EmulatorConfig, request: ChatRequest, faults: dict[Fault, float | None] | None = None
) -> tuple[float, float, float]:
    selection = select(request, config, region="global")
    given = PlanInput(
        request=request,
        selection=selection,
        fallbacks=[],
        faults=faults or {},
        metadata_requested=False,
        cache_scope="",
        response_id="chatcmpl-test",
        created=0,
    )
    plan = make_plan(given, config, PromptCache(1024))
    return plan.first_chunk_s, plan.ttft_s, plan.interval_s


MESSAGES = [{"role": "user", "content": "hello"}]


def test_fixed_models_have_no_routing_delay() -> None:
    """Only @edenai requests wait for the router."""
    config = EmulatorConfig()
    routed, _, _ = _plan(config, ChatRequest(model="@edenai", messages=MESSAGES))
    fixed, ttft, interval = _plan(config, ChatRequest(model="openai/gpt-4o", messages=MESSAGES))
    assert 0.1 <= routed <= 0.5
    assert fixed == 0.0
    spec = find_model("openai/gpt-4o")
    assert spec is not None
    assert ttft == spec.ttft_s
    assert interval == pytest.approx(1 / spec.tokens_per_s)


def test_timing_scale_and_overrides() -> None:
    """timing_scale multiplies catalogue timings; ttft_s and tokens_per_s replace them."""
    request = ChatRequest(model="openai/gpt-4o", messages=MESSAGES)
    _, ttft, interval = _plan(EmulatorConfig(timing_scale=0.5), request)
    assert ttft == pytest.approx(0.45 * 0.5)
    assert interval == pytest.approx(0.5 / 90)
    _, ttft, interval = _plan(EmulatorConfig(ttft_s=0.2, tokens_per_s=50), request)
    assert ttft == 0.2
    assert interval == pytest.approx(0.02)
    assert _plan(EmulatorConfig.instant(), request)[1:] == (0.0, 0.0)


def test_many_candidates_slow_routing() -> None:
    """Beyond 20 candidates routing takes longer, as the guides warn."""
    config = EmulatorConfig(routing_delay_s=(0.2, 0.2))
    few = ChatRequest(model="@edenai", messages=MESSAGES, router_candidates=["openai/gpt-4o"] * 5)
    many = ChatRequest(model="@edenai", messages=MESSAGES, router_candidates=["openai/gpt-4o"] * 60)
    assert _plan(config, few)[0] == pytest.approx(0.2)
    assert _plan(config, many)[0] == pytest.approx(0.4)


def test_failed_attempts_delay_the_first_chunk() -> None:
    """A server-side fallback spends time on the failed attempt before the model is known."""
    request = ChatRequest(model="openai/gpt-4o", messages=MESSAGES)
    first_chunk, _, _ = _plan(EmulatorConfig(), request, {Fault.PROVIDER_FALLBACK: None})
    assert first_chunk > 0


def test_slow_first_token_adds_to_ttft() -> None:
    """slow_first_token adds its value to the time to first token."""
    request = ChatRequest(model="openai/gpt-4o", messages=MESSAGES)
    assert _plan(EmulatorConfig.instant(), request, {Fault.SLOW_FIRST_TOKEN: 1.5})[1] == 1.5
