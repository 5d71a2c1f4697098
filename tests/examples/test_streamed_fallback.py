"""Regression: a streamed fallback whose failed response is never read or closed.

``chat_with_fallback`` written with a streamed request: ``requests.post(..., stream=True)``
then ``raise_for_status()``. On a 503 the app never reads or closes the failed response; it
stays referenced (by the exception's traceback) until the fallback request has been sent.
The routed call's failure must reach the fallback tracker when its status arrives, not when
the response is collected; otherwise the fallback is missed and, inside a scope, the stale
failure is pinned on a later, unrelated call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

import routing_otel
from routing_otel import _semconv as sc
from routing_otel.emulator import Fault

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry


def _chat(url: str, model: str) -> str:
    payload = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    headers = {"Authorization": "Bearer sk-eden-examples"}
    response = requests.post(url, headers=headers, json=payload, stream=True, timeout=30)
    response.raise_for_status()
    return "".join(line.decode() for line in response.iter_lines())


def _chat_with_fallback(url: str) -> str:
    try:
        return _chat(url, "@edenai")
    except Exception:  # the guides fall back on any error
        return _chat(url, "openai/gpt-4o")


def test_streamed_fallback_without_scope(emu: Emulator, instrumented: Telemetry) -> None:
    """With ``instrument()`` only, the streamed fallback counts once."""
    emu.inject(Fault.ROUTER_DOWN)
    _chat_with_fallback(emu.llm_base_url + "/chat/completions")
    (point,) = instrumented.points(sc.METRIC_FALLBACKS)
    assert (point.attributes or {})[sc.FALLBACK_REASON] == "503"


def test_streamed_fallback_in_a_scope(emu: Emulator, instrumented: Telemetry) -> None:
    """In a scope it counts once, and a later fixed-model call is not a fallback."""
    url = emu.llm_base_url + "/chat/completions"
    emu.inject(Fault.ROUTER_DOWN)
    with routing_otel.observe("resilient"):
        _chat_with_fallback(url)
        _chat(url, "openai/gpt-4o-mini")
    (point,) = instrumented.points(sc.METRIC_FALLBACKS)
    assert (point.attributes or {})[sc.FALLBACK_TO_MODEL] == "openai/gpt-4o"
