"""A finished call leaves nothing of ours for the garbage collector (issue: overhead).

A call's objects (its lifecycle, response relay, observer, observation and spans) must be
freed by reference counting as soon as the app drops the response. A reference cycle among
them made every call leave about 50 objects behind: the collector then ran several times as
often, each run promoting in-flight calls to older generations, and cost more CPU per call
than all of the call's metric points. These tests run calls with the collector off and look
for any object of ``routing_otel`` that only the collector could free.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest
import requests

from routing_otel.requests import RoutingAdapter
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel.emulator import Emulator
    from tests.clients import Driver
    from tests.telemetry import Telemetry


# What a call holds: never left to the collector, whatever the client does.
CALL_OBJECTS = frozenset(
    {"CallLifecycle", "CallRecord", "SseObserver", "Observation", "UsageHider", "_Span"}
)


def _left_for_the_collector(run: Callable[[], object]) -> list[str]:
    """Types of our objects (and spans) that only a garbage collection frees after ``run()``."""
    gc.collect()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sorted(
            type(found).__qualname__
            for found in gc.garbage
            if type(found).__module__.startswith(("routing_otel", "opentelemetry"))
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_httpx_and_httpx2_calls_leave_no_garbage(
    driver: Driver, emu: Emulator, telemetry: Telemetry, *, stream: bool
) -> None:
    """Sync and async, streamed and not: every object is freed when the call is done.

    httpx (not httpx2) keeps each response in a reference cycle of its own (the response and
    its bound stream), and with it our small body wrapper and the request's record: those
    wait for the collector as the response does, but nothing of the call hangs from them.
    """
    url = emu.llm_base_url + "/chat/completions"
    driver.send(url, chat(stream=True), stream=True)  # imports, first label sets

    def call() -> None:
        received = driver.send(url, chat(stream=stream), stream=stream)
        assert received.status == 200

    left = _left_for_the_collector(call)
    if driver.library == "httpx":
        assert CALL_OBJECTS.isdisjoint(left), left
        assert set(left) <= {
            "ResponseRelay",
            "_Stream",
            "_AsyncStream",
            "Carried",
            "ChatRequest",
        }, left
    else:
        assert left == []
    assert len(telemetry.chat_spans()) == 2  # the calls were observed


@pytest.mark.parametrize("how", ["stream", "whole", "closed early", "error answer"])
def test_requests_calls_leave_no_garbage(emu: Emulator, telemetry: Telemetry, how: str) -> None:
    """requests, read whole, streamed, closed before the end, or answered with a 429."""
    url = emu.llm_base_url + "/chat/completions"
    headers = {"Authorization": f"Bearer {KEY}"}
    adapter = RoutingAdapter(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)

    def call() -> None:
        if how == "error answer":
            emu.inject("rate_limit", times=1, value=0)
        with requests.Session() as session:
            session.mount("http://", adapter)
            streamed = how in {"stream", "closed early"}
            response = session.post(url, headers=headers, json=chat(stream=streamed), stream=True)
            with response:
                if how == "closed early":
                    next(response.iter_lines())
                else:
                    response.content  # noqa: B018 - read the body as an app would

    call()  # imports, first label sets
    assert _left_for_the_collector(call) == []
    assert len(telemetry.chat_spans()) == 2
