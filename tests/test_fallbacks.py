"""Fallbacks as metrics and span attributes: client-side (the guides' ResilientRouter) and
server-side (failed attempts in ``edenai_metadata``)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import routing_otel
from routing_otel import _semconv as sc
from routing_otel._context.fallback import FallbackTracker
from routing_otel._wire.request import ChatRequest
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}


def _chat_with_fallback(emu: Emulator, fault: str, fallback_model: str = "openai/gpt-4o") -> str:
    """The guides' ``chat_with_fallback``: try @edenai, on any error ask a fixed model."""
    url = emu.llm_base_url + "/chat/completions"
    try:
        response = httpx.post(
            url, json=chat(), headers={**HEADERS, "x-emulator-fault": fault}, timeout=30
        )
        response.raise_for_status()
    except httpx.HTTPError:
        httpx.post(url, json=chat(fallback_model), headers=HEADERS, timeout=30).raise_for_status()
        return "fallback"
    return "routed"


@pytest.mark.parametrize(("fault", "reason"), [("router_down", "503"), ("rate_limit", "429")])
def test_client_fallback_without_scope(
    emu: Emulator, instrumented: Telemetry, fault: str, reason: str
) -> None:
    """A failed routed call followed by a fixed-model call counts as a client fallback."""
    assert _chat_with_fallback(emu, fault) == "fallback"
    failed, served = instrumented.chat_spans()
    attrs = served.attributes or {}
    assert attrs[sc.ROUTER_FALLBACK] is True
    assert attrs[sc.ROUTER_FALLBACK_FROM] == "@edenai"
    assert attrs[sc.ROUTER_FALLBACK_REASON] == reason
    assert sc.ROUTER_FALLBACK not in (failed.attributes or {})
    point = instrumented.point(
        sc.METRIC_FALLBACKS,
        from__model="@edenai",
        to__model="openai/gpt-4o",
        reason=reason,
        layer="client",
    )
    assert point.value == 1  # type: ignore[union-attr]
    served_point = instrumented.point(sc.METRIC_REQUESTS, outcome="success")
    assert (served_point.attributes or {})[sc.FALLBACK] is True


def test_scope_links_calls_and_isolates_threads(emu: Emulator, instrumented: Telemetry) -> None:
    """Within a scope the fallback is seen; a fixed call in another thread is not one."""
    url = emu.llm_base_url + "/chat/completions"

    def other_thread() -> None:
        httpx.post(url, json=chat("openai/gpt-4o-mini"), headers=HEADERS)

    with routing_otel.observe("resilient"):
        httpx.post(url, json=chat(), headers={**HEADERS, "x-emulator-fault": "server_error"})
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        httpx.post(url, json=chat("openai/gpt-4o"), headers=HEADERS)
    flags = {
        (s.attributes or {})[sc.GEN_AI_REQUEST_MODEL]: (s.attributes or {}).get(sc.ROUTER_FALLBACK)
        for s in instrumented.chat_spans()
    }
    assert flags == {"@edenai": None, "openai/gpt-4o-mini": None, "openai/gpt-4o": True}


def test_success_in_between_clears_the_failure(emu: Emulator, instrumented: Telemetry) -> None:
    """A routed call that succeeds after a failure means the next fixed call is no fallback."""
    url = emu.llm_base_url + "/chat/completions"
    httpx.post(url, json=chat(), headers={**HEADERS, "x-emulator-fault": "router_down"})
    httpx.post(url, json=chat(), headers=HEADERS)
    httpx.post(url, json=chat("openai/gpt-4o"), headers=HEADERS)
    assert all(sc.ROUTER_FALLBACK not in (s.attributes or {}) for s in instrumented.chat_spans())
    assert instrumented.points(sc.METRIC_FALLBACKS) == []


def test_window_bounds_unscoped_fallbacks() -> None:
    """Without a scope, a fixed call after the window is not linked to the failure."""
    now = [100.0]
    tracker = FallbackTracker(window_s=5.0, clock=lambda: now[0])
    routed = ChatRequest("h", None, model="@edenai")
    fixed = ChatRequest("h", None, model="openai/gpt-4o")
    tracker.finished(routed, "503", None)
    now[0] += 4.9
    assert tracker.starting(fixed, None) is not None
    tracker.finished(routed, "503", None)
    now[0] += 5.1
    assert tracker.starting(fixed, None) is None


def test_server_side_fallback_counts_each_failed_attempt(
    emu: Emulator, instrumented: Telemetry
) -> None:
    """Failed attempts in the metadata count as server fallbacks to the served model."""
    url = emu.llm_base_url + "/chat/completions"
    body = httpx.post(
        url,
        json=chat("openai/gpt-4o"),
        headers={**HEADERS, "x-emulator-fault": "provider_fallback=2"},
    ).json()
    attempts = body["edenai_metadata"]["attempts"]
    assert [a["status"] != 200 for a in attempts] == [True, True, False]
    points = instrumented.points(sc.METRIC_FALLBACKS)
    paths = {
        (
            (p.attributes or {})[sc.FALLBACK_FROM_MODEL],
            (p.attributes or {})[sc.FALLBACK_TO_MODEL],
            (p.attributes or {})[sc.FALLBACK_REASON],
        ): getattr(p, "value", 0)
        for p in points
    }
    # Each failed attempt falls back to the attempt Eden AI tried next.
    expected = {
        (a["model"], b["model"], str(a["status"])): 1 for a, b in itertools.pairwise(attempts)
    }
    assert paths == expected
    assert {(p.attributes or {})[sc.FALLBACK_LAYER] for p in points} == {sc.LAYER_SERVER}
    point = instrumented.point(sc.METRIC_REQUESTS, outcome="success")
    assert (point.attributes or {})[sc.FALLBACK] is True


def test_one_log_event_per_call(
    emu: Emulator, instrumented: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    """Each call logs ``llm.call`` with its model, latency, cost, outcome and trace ids."""
    with caplog.at_level(logging.INFO, logger="routing_otel.calls"):
        _chat_with_fallback(emu, "router_down")
    events = [r for r in caplog.records if r.getMessage() == "llm.call"]
    assert len(events) == 2
    failed, served = (vars(r) for r in events)
    assert failed["outcome"] == "error"
    assert failed["error_type"] == "503"
    assert served["outcome"] == "success"
    assert served["fallback"] is True
    assert served["served_model"] == "openai/gpt-4o"
    assert isinstance(served["cost_usd"], float)
    span = instrumented.chat_spans()[1]
    assert served["trace_id"] == format(span.context.trace_id, "032x")


def test_structlog_processor_adds_trace_context(instrumented: Telemetry) -> None:
    """``add_trace_context`` puts the current span's ids on a structlog event."""
    from routing_otel.logging import add_trace_context  # noqa: PLC0415

    event: dict[str, Any] = {"event": "x"}
    assert add_trace_context(None, "info", event) == {"event": "x"}
    with routing_otel.observe("scope"):
        add_trace_context(None, "info", event)
    (scope,) = instrumented.spans("scope")
    assert event["trace_id"] == format(scope.context.trace_id, "032x")
    assert event["span_id"] == format(scope.context.span_id, "016x")


def test_error_mid_stream_is_a_failure_not_a_fallback(
    emu: Emulator, instrumented: Telemetry
) -> None:
    """An error frame marks the serving attempt failed: the call failed, nothing fell back."""
    url = emu.llm_base_url + "/chat/completions"
    with httpx.stream(
        "POST", url, json=chat(stream=True), headers={**HEADERS, "x-emulator-fault": "stream_error"}
    ) as response:
        body = b"".join(response.iter_bytes())
    assert b'"edenai_metadata"' in body.split(b"\n\n")[-2]  # the corrected metadata block
    span = instrumented.only_chat_span()
    assert sc.ROUTER_FALLBACK not in (span.attributes or {})
    assert instrumented.points(sc.METRIC_FALLBACKS) == []
    point = instrumented.point(sc.METRIC_REQUESTS, outcome="error")
    assert (point.attributes or {})[sc.FALLBACK] is False


def test_concurrent_fallbacks_in_one_scope_are_each_counted(
    emu: Emulator, instrumented: Telemetry
) -> None:
    """The guides' batch under one scope: five tasks fail and fall back, five fallbacks."""
    url = emu.llm_base_url + "/chat/completions"

    async def ask(client: httpx.AsyncClient) -> None:
        try:
            routed = await client.post(
                url, json=chat(), headers={**HEADERS, "x-emulator-fault": "router_down"}
            )
            routed.raise_for_status()
        except httpx.HTTPStatusError:
            await client.post(url, json=chat("openai/gpt-4o"), headers=HEADERS)

    @routing_otel.observe("batch")
    async def batch() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(ask(client) for _ in range(5)))

    asyncio.run(batch())
    point = instrumented.point(sc.METRIC_FALLBACKS, layer=sc.LAYER_CLIENT)
    assert point.value == 5  # type: ignore[union-attr]
    served = [s for s in instrumented.chat_spans() if (s.attributes or {}).get(sc.ROUTER_FALLBACK)]
    assert len(served) == 5


def test_scope_failure_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived scope remembers failures of at most a bounded number of threads/tasks."""
    from routing_otel._context import fallback as _fallback  # noqa: PLC0415
    from routing_otel._context.scope import Scope, ScopeState  # noqa: PLC0415

    monkeypatch.setattr(_fallback, "_MAX_TRACKED", 3)
    places = iter(range(10))
    monkeypatch.setattr(_fallback, "_place", lambda: (next(places), 0))
    scope = Scope("long-lived", None, None, {}, ScopeState())
    tracker = FallbackTracker()
    for _ in range(10):
        tracker.finished(ChatRequest("h", None, model="@edenai"), "503", scope)
    assert len(scope.state.routed_failures) == 3
