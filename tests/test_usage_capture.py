"""Transparent usage capture: usage and cost for streams that did not ask, invisible to the app.

With capture on, a stream that did not ask for usage gets ``include_usage`` added, and the
extra usage frame is hidden again: the app receives the events it would have received.
Compared here against the same call with capture off, on every client, in both usage-chunk
shapes (Eden's one empty choice, OpenAI's ``choices: []`` that breaks the guides' parser).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import requests

from routing_otel import _semconv as sc
from routing_otel.requests import RoutingAdapter
from tests.clients import KEY, Driver, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}
SHAPES = ["eden", "openai"]


def _events(body: bytes) -> list[dict[str, Any]]:
    """The SSE events of a body, minus the per-call ``id``/``created``."""
    events = []
    for frame in body.split(b"\n\n"):
        if frame.startswith(b"data: {"):
            event = json.loads(frame[6:])
            event.pop("id", None)
            event.pop("created", None)
            events.append(event)
    return events


def _guides_parser(lines: list[str]) -> tuple[str | None, str]:
    """The guides' stream parsing, verbatim in behaviour (raises where theirs raises)."""
    selected_model = None
    full_response = ""
    for line_str in lines:
        if line_str.startswith("data: ") and line_str != "data: [DONE]":
            data = json.loads(line_str[6:])
            if not selected_model and "model" in data:
                selected_model = data["model"]
            content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
            full_response += content
    return selected_model, full_response


@pytest.mark.parametrize("shape", SHAPES)
def test_httpx_clients_see_the_same_stream(
    driver: Driver, emu: Emulator, telemetry: Telemetry, shape: str
) -> None:
    """httpx and httpx2, sync and async: same events and parse with capture on or off."""
    url = emu.llm_base_url + "/chat/completions"
    headers = {"x-emulator-usage-shape": shape}
    received = {}
    for capture in (False, True):
        driver.options = {"capture_usage": capture}
        received[capture] = driver.send(url, chat(stream=True), headers)
    assert _events(received[True].body) == _events(received[False].body)
    assert _guides_parser(received[True].lines) == _guides_parser(received[False].lines)
    without, with_capture = telemetry.chat_spans()[-2:]
    assert (without.attributes or {})[sc.ROUTER_COST_SOURCE] == sc.COST_ESTIMATED
    attrs = with_capture.attributes or {}
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert isinstance(attrs[sc.ROUTER_COST], float)
    assert isinstance(attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS], int)
    sent = [r for r in emu.requests if r.path.endswith("/chat/completions")][-1]
    assert sent.body is not None
    assert sent.body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("how", ["iter_lines", "raw.read", "content"])
def test_requests_with_the_guides_parser(
    emu: Emulator, telemetry: Telemetry, shape: str, how: str
) -> None:
    """requests, read three ways: the guides' parser works and gives the same answer."""
    url = emu.llm_base_url + "/chat/completions"
    results = {}
    for capture in (False, True):
        with requests.Session() as session:
            adapter = RoutingAdapter(
                hosts=[f"127.0.0.1:{emu.port}"], capture_usage=capture, **telemetry.providers
            )
            session.mount("http://", adapter)
            response = session.post(
                url,
                json=chat(stream=True),
                headers={**HEADERS, "x-emulator-usage-shape": shape},
                stream=how != "content",
            )
            if how == "iter_lines":
                body = b"\n".join(response.iter_lines())
            elif how == "raw.read":
                body = response.raw.read()
            else:
                body = response.content
            lines = [line for line in body.decode().split("\n") if line]
            results[capture] = (_events(body.replace(b"\n", b"\n\n")), _guides_parser(lines))
    assert results[True] == results[False]
    attrs = telemetry.chat_spans()[-1].attributes or {}
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED


def test_the_apps_own_usage_request_is_left_alone(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """When the app asked for usage it gets the usage frame, as it asked."""
    url = emu.llm_base_url + "/chat/completions"
    payload = chat(stream=True, stream_options={"include_usage": True})
    received = driver.send(url, payload)
    assert any("usage" in event for event in _events(received.body))
    assert (telemetry.only_chat_span().attributes or {})[sc.ROUTER_COST_SOURCE] == "reported"


def test_capture_off_leaves_no_usage(driver: Driver, emu: Emulator, telemetry: Telemetry) -> None:
    """With capture off, a stream without usage is priced by estimate, and says so."""
    driver.options = {"capture_usage": False}
    driver.send(emu.llm_base_url + "/chat/completions", chat("openai/gpt-4o", stream=True))
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_ESTIMATED
    assert attrs[sc.ROUTER_COST] > 0  # type: ignore[operator]
    assert sc.GEN_AI_USAGE_OUTPUT_TOKENS not in attrs
