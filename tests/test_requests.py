"""requests, the guides' own client: explicit adapter and every way of reading a body."""

from __future__ import annotations

import gc
import json
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
import requests
from opentelemetry.trace import StatusCode

from routing_otel import _semconv as sc
from routing_otel.requests import RoutingAdapter
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}


@pytest.fixture
def session(emu: Emulator, telemetry: Telemetry) -> Iterator[requests.Session]:
    """A session with our adapter mounted, observing the emulator."""
    with requests.Session() as s:
        s.mount("http://", RoutingAdapter(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers))
        yield s


def _url(emu: Emulator) -> str:
    return emu.llm_base_url + "/chat/completions"


def test_guides_streaming_loop_and_timing(instrumented: Telemetry, emu: Emulator) -> None:
    """The guide's code, with ``instrument()`` added, agrees with our latencies within 1 ms."""
    telemetry = instrumented
    requests.post(_url(emu), headers=HEADERS, json=chat(), timeout=30)  # warm up imports
    telemetry.exporter.clear()
    payload = chat(stream=True, router_candidates=["openai/gpt-4o", "openai/gpt-4o-mini"])
    selected_model = None
    first_chunk_time = None
    first_content_time = None
    full_response = ""
    start_time = datetime.now()  # noqa: DTZ005 - the guide's own clock
    response = requests.post(_url(emu), headers=HEADERS, json=payload, stream=True)
    for line in response.iter_lines():
        if line:
            if not first_chunk_time:
                first_chunk_time = datetime.now()  # noqa: DTZ005
            line_str = line.decode("utf-8")
            if line_str.startswith("data: ") and line_str != "data: [DONE]":
                data = json.loads(line_str[6:])
                if not selected_model and "model" in data:
                    selected_model = data["model"]
                content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                if content and not first_content_time:
                    first_content_time = datetime.now()  # noqa: DTZ005
                full_response += content or ""
    assert first_chunk_time is not None
    assert first_content_time is not None
    assert full_response
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == selected_model
    assert attrs[sc.ROUTER_ROUTING_DURATION] == pytest.approx(
        (first_chunk_time - start_time).total_seconds(), abs=0.001
    )
    assert attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] == pytest.approx(
        (first_content_time - start_time).total_seconds(), abs=0.001
    )


def test_non_streamed_json(session: requests.Session, emu: Emulator, telemetry: Telemetry) -> None:
    """``requests.post(...).json()`` is observed with usage and the served model."""
    body = session.post(_url(emu), headers=HEADERS, json=chat("openai/gpt-4o")).json()
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "openai/gpt-4o"
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == body["usage"]["completion_tokens"]
    assert attrs[sc.ROUTER_COST] == pytest.approx(body["cost"])


@pytest.mark.parametrize("how", ["iter_content", "raw.read", "raw.read-in-pieces", "content"])
def test_every_way_of_reading_the_body(
    session: requests.Session, emu: Emulator, telemetry: Telemetry, how: str
) -> None:
    """Whatever way the app reads the stream, the span completes with the served model."""
    response = session.post(_url(emu), headers=HEADERS, json=chat(stream=True), stream=True)
    if how == "iter_content":
        body = b"".join(response.iter_content(chunk_size=None))
    elif how == "raw.read":
        body = response.raw.read()
    elif how == "raw.read-in-pieces":
        pieces = []
        while piece := response.raw.read(7):
            pieces.append(piece)
        body = b"".join(pieces)
    else:
        body = response.content
    first = json.loads(body.split(b"\n\n")[0][6:])
    span = telemetry.only_chat_span()
    attrs = span.attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == first["model"]
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert not attrs.get(sc.ROUTER_STREAM_CLOSED_EARLY, False)


def test_closed_early(session: requests.Session, emu: Emulator, telemetry: Telemetry) -> None:
    """Closing after the first line ends the span once, marked closed early."""
    response = session.post(_url(emu), headers=HEADERS, json=chat(stream=True), stream=True)
    next(response.iter_lines())
    response.close()
    response.close()
    assert (telemetry.only_chat_span().attributes or {})[sc.ROUTER_STREAM_CLOSED_EARLY] is True


def test_dropped_unclosed(session: requests.Session, emu: Emulator, telemetry: Telemetry) -> None:
    """A response dropped after one line ends its span when collected."""
    response = session.post(_url(emu), headers=HEADERS, json=chat(stream=True), stream=True)
    lines = response.iter_lines()
    next(lines)
    assert telemetry.chat_spans() == []
    del response, lines
    gc.collect()
    assert (telemetry.only_chat_span().attributes or {})[sc.ROUTER_STREAM_CLOSED_EARLY] is True


def test_http_error_reaches_app(
    session: requests.Session, emu: Emulator, telemetry: Telemetry
) -> None:
    """``raise_for_status()`` on a 503 raises the app's HTTPError; the span says 503."""
    headers = {**HEADERS, "x-emulator-fault": "router_down"}
    response = session.post(_url(emu), headers=headers, json=chat(stream=True), stream=True)
    with pytest.raises(requests.HTTPError):
        response.raise_for_status()
    response.close()
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "503"


def test_reset_mid_stream(session: requests.Session, emu: Emulator, telemetry: Telemetry) -> None:
    """A connection reset mid-stream raises requests' own error and fails the span."""
    headers = {**HEADERS, "x-emulator-fault": "connection_reset"}
    response = session.post(_url(emu), headers=headers, json=chat(stream=True), stream=True)
    with pytest.raises(requests.RequestException):
        for _ in response.iter_lines():
            pass
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    error_type = (span.attributes or {})[sc.ERROR_TYPE]
    assert isinstance(error_type, str)
    assert error_type.startswith(("urllib3.", "requests."))
