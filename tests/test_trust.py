"""The promises a reviewer tried to break: the app's bytes, secrets, spans, odd requests.

Each test is a recipe that broke an earlier version (issue "Trust by construction"), run on
every client: httpx and httpx2 (sync and async) and requests, against real servers on
loopback.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import tracemalloc
from typing import TYPE_CHECKING, Any

import pytest
import requests

from routing_otel import _semconv as sc
from routing_otel.requests import RoutingAdapter
from tests.canned_server import CannedServer, serve
from tests.clients import KEY, LIBRARIES, chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}", "content-type": "application/json"}
CLIENTS = [f"{lib}-{mode}" for lib in LIBRARIES for mode in ("sync", "async")] + ["requests"]


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    """A loopback server answering with canned bytes."""
    yield from serve()


def app_reads(
    client: str,
    url: str,
    body: bytes,
    hosts: list[str] | None,
    providers: dict[str, Any] | None,
    *,
    follow_redirects: bool = True,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """POST ``body`` with ``client`` (ours when ``providers`` is given) and read all raw bytes."""
    all_headers = {**HEADERS, **(headers or {})}
    options: dict[str, Any] = {"hosts": hosts, **(providers or {})}
    if client == "requests":
        session = requests.Session()
        if providers is not None:
            session.mount("http://", RoutingAdapter(**options))
        with session.post(
            url, data=body, headers=all_headers, stream=True, allow_redirects=follow_redirects
        ) as response:
            return response.status_code, b"".join(response.iter_content(None))
    library, mode = client.split("-")
    module, ours = LIBRARIES[library]
    if mode == "sync":
        transport = ours.RoutingTransport(**options) if providers is not None else None
        with (
            module.Client(transport=transport, follow_redirects=follow_redirects) as http,
            http.stream("POST", url, content=body, headers=all_headers) as response,
        ):
            return response.status_code, b"".join(response.iter_raw())

    async def main() -> tuple[int, bytes]:
        transport = ours.AsyncRoutingTransport(**options) if providers is not None else None
        async with (
            module.AsyncClient(transport=transport, follow_redirects=follow_redirects) as http,
            http.stream("POST", url, content=body, headers=all_headers) as response,
        ):
            return response.status_code, b"".join([p async for p in response.aiter_raw()])

    return asyncio.run(main())


def _frames(*chunks: dict[str, Any] | str) -> list[bytes]:
    return [
        b"data: " + (c if isinstance(c, str) else json.dumps(c)).encode() + b"\n\n" for c in chunks
    ]


def _content(text: str, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": text} if finish is None else {}
    return {
        "id": "c1",
        "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


USAGE = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("content_type", [None, "application/octet-stream"])
@pytest.mark.parametrize(
    "usage_chunk",
    [{"id": "c1", "usage": USAGE, "cost": 0.001}, {"id": "c1", "choices": None, "usage": USAGE}],
    ids=["no-choices", "null-choices"],
)
def test_usage_frame_hidden_whatever_the_proxy_did(
    client: str,
    content_type: str | None,
    usage_chunk: dict[str, Any],
    canned: CannedServer,
    telemetry: Telemetry,
) -> None:
    """2c: a rewritten Content-Type or an odd usage chunk never shows the app our frame."""
    answer = _frames(_content("Hel"), _content("lo"), _content("", "stop"))
    done = _frames("[DONE]")
    canned.canned.pieces = [*answer, *_frames(usage_chunk), *done]
    canned.canned.content_type = content_type
    body = json.dumps(chat(stream=True)).encode()
    hosts = [f"127.0.0.1:{canned.port}"]
    status, got = app_reads(client, canned.url, body, hosts, telemetry.providers)
    assert status == 200
    assert got == b"".join(answer + done)
    sent = json.loads(canned.canned.bodies[-1])
    assert sent["stream_options"] == {"include_usage": True}
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == 5


@pytest.mark.parametrize("client", CLIENTS)
def test_the_body_sent_is_the_apps_plus_one_insertion(
    client: str, canned: CannedServer, telemetry: Telemetry
) -> None:
    """2h: non-standard JSON (1e400), escapes and key order reach the server as sent."""
    canned.canned.pieces = _frames(_content("hi"), "[DONE]")
    original = (
        b'{"model": "@edenai", "stream": true, "temperature": 1e400, '
        b'"messages": [{"role": "user", "content": "caf\\u00e9 \\ud83d"}]}'
    )
    hosts = [f"127.0.0.1:{canned.port}"]
    app_reads(client, canned.url, original, hosts, telemetry.providers)
    sent = canned.canned.bodies[-1]
    insertion = b'"stream_options":{"include_usage":true},'
    assert sent == b"{" + insertion + original[1:]
    assert len(telemetry.chat_spans()) == 1


@pytest.mark.parametrize("client", CLIENTS)
def test_a_lone_surrogate_prompt_is_observed_and_sent_unchanged(
    client: str, emu: Emulator, telemetry: Telemetry
) -> None:
    """2a: a prompt with a lone surrogate (escaped by the client) is sent and its span ends."""
    url = emu.base_url + "/chat/completions"
    payload = chat(stream=True, messages=[{"role": "user", "content": "cut \ud83d emoji"}])
    body = json.dumps(payload).encode()  # ASCII: the surrogate escaped, as requests does
    status, _ = app_reads(client, url, body, [f"127.0.0.1:{emu.port}"], telemetry.providers)
    assert status == 200
    span = telemetry.only_chat_span()
    assert (span.attributes or {})[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert emu.requests[-1].body is not None
    assert emu.requests[-1].body["messages"][0]["content"] == "cut \ud83d emoji"


@pytest.mark.usefixtures("production_mode")
def test_internal_error_logs_never_carry_the_request(
    emu: Emulator, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2a: an internal error's log line names the place and type, never the prompt or key."""
    from routing_otel._calls import gate  # noqa: PLC0415

    def broken(body: bytes, payload: object) -> bytes:
        text = body.decode()
        raise UnicodeEncodeError("utf-8", text, 0, len(text), f"cannot encode {text}")

    monkeypatch.setattr(gate, "with_include_usage", broken)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger = logging.getLogger("routing_otel")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        url = emu.base_url + "/chat/completions"
        payload = chat(stream=True, messages=[{"role": "user", "content": "SECRET-PROMPT"}])
        app_reads("requests", url, json.dumps(payload).encode(), None, telemetry.providers)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    assert records, "the internal error was not reported"
    formatter = logging.Formatter()
    for record in records:
        assert record.exc_info is None
        text = formatter.format(record)
        assert "SECRET-PROMPT" not in text
        assert KEY not in text


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("client", CLIENTS)
def test_no_secret_from_a_failing_url_reaches_telemetry(
    client: str, telemetry: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    """2d: a query-string key or userinfo in the URL of a failed call is never recorded."""
    port = _dead_port()
    url = f"http://user:sk-PASSWORD@127.0.0.1:{port}/v3/chat/completions?api_key=sk-QUERYKEY"
    body = json.dumps(chat()).encode()
    with caplog.at_level(logging.DEBUG), pytest.raises(Exception):  # noqa: B017
        app_reads(client, url, body, [f"127.0.0.1:{port}"], telemetry.providers)
    span = telemetry.only_chat_span()
    recorded = [
        json.dumps(dict(span.attributes or {})),
        span.status.description or "",
        *(json.dumps(dict(e.attributes or {})) for e in span.events),
        *(json.dumps(dict(p.attributes or {})) for p in telemetry.points(sc.METRIC_REQUESTS)),
        *(r.getMessage() for r in caplog.records),
    ]
    assert span.status.description  # the failure is described: by its type
    for text in recorded:
        assert "sk-QUERYKEY" not in text
        assert "sk-PASSWORD" not in text


@pytest.mark.parametrize("client", CLIENTS)
def test_a_deeply_nested_body_is_still_observed(
    client: str, canned: CannedServer, telemetry: Telemetry
) -> None:
    """2j: a body too deep to parse: the call is observed, without the body's attributes."""
    canned.canned.pieces = _frames(_content("hi"), "[DONE]")
    body = b'{"model": "@edenai", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    app_reads(client, canned.url, body, [f"127.0.0.1:{canned.port}"], telemetry.providers)
    assert canned.canned.bodies[-1] == body
    span = telemetry.only_chat_span()
    assert span.name == "chat unknown"


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", [307, 308])
def test_a_redirected_call_is_one_call_and_the_app_reads_what_it_would(
    client: str, status: int, emu: Emulator, telemetry: Telemetry
) -> None:
    """2b: a same-origin 307/308 (older path to the current one) is one call, unchanged."""
    url = emu.llm_base_url + "/chat/completions"
    # The metadata we ask for by default is a documented change: ask for it in both runs.
    fault = {"x-emulator-fault": f"redirect={status}", "x-edenai-metadata": "enabled"}
    body = json.dumps(chat(stream=True)).encode()
    _, plain = app_reads(client, url, body, None, None, headers=fault)
    hosts = [f"127.0.0.1:{emu.port}"]
    got_status, ours = app_reads(client, url, body, hosts, telemetry.providers, headers=fault)
    assert got_status == 200
    assert _events(ours) == _events(plain)
    assert b'"usage"' not in ours
    span = telemetry.only_chat_span()
    assert span.name == "chat @edenai"
    attrs = span.attributes or {}
    assert attrs[sc.HTTP_RESPONSE_STATUS_CODE] == 200
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert len(telemetry.spans("route ")) == 1
    counts = [p.value for p in telemetry.points(sc.METRIC_REQUESTS)]  # type: ignore[union-attr]
    assert counts == [1]
    hops = [r.path for r in emu.requests if r.path.endswith("/chat/completions")]
    assert hops[-2:] == ["/v3/llm/chat/completions", "/v3/chat/completions"]


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_a_redirect_the_app_does_not_follow_is_the_call(
    library: str, emu: Emulator, telemetry: Telemetry
) -> None:
    """2b: when the client does not follow, the call is the 307 the app got, once dropped."""
    url = emu.llm_base_url + "/chat/completions"
    body = json.dumps(chat(stream=True)).encode()
    status, _ = app_reads(
        f"{library}-sync",
        url,
        body,
        [f"127.0.0.1:{emu.port}"],
        telemetry.providers,
        follow_redirects=False,
        headers={"x-emulator-fault": "redirect"},
    )
    assert status == 307
    gc.collect()
    span = telemetry.only_chat_span()
    assert (span.attributes or {})[sc.HTTP_RESPONSE_STATUS_CODE] == 307
    assert span.status.is_unset


def _events(body: bytes) -> list[Any]:
    """The SSE events of a body, less the per-call id and time."""
    events = []
    for frame in body.replace(b"\r\n", b"\n").split(b"\n\n"):
        if frame.startswith(b"data: {"):
            event = json.loads(frame[6:])
            event.pop("id", None)
            event.pop("created", None)
            events.append(event)
        elif frame:
            events.append(frame.decode())
    return events


def _peak_reading(url: str, adapter: requests.adapters.HTTPAdapter) -> int:
    """Peak traced memory while requests reads a response in 64 KiB pieces, dropping them."""
    session = requests.Session()
    session.mount("http://", adapter)
    body = json.dumps(chat(stream=True)).encode()
    tracemalloc.start()
    try:
        with session.post(url, data=body, headers=HEADERS, stream=True) as response:
            for _ in response.iter_content(65536):
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_10mb_line_costs_requests_no_more_than_a_small_prefix(
    canned: CannedServer, telemetry: Telemetry
) -> None:
    """2i: with usage capture on, a 10 MB SSE line is passed on, not held (was +3.1 MiB)."""
    # Tool-call arguments: no text shows early, so only the hold limit lets it pass.
    head = b'data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"'
    line = head + b"a" * (10 << 20) + b'"}}]}}]}\n\n'
    canned.canned.pieces = [line[i : i + 65536] for i in range(0, len(line), 65536)]
    hosts = [f"127.0.0.1:{canned.port}"]
    raw = _peak_reading(canned.url, requests.adapters.HTTPAdapter())
    ours = _peak_reading(canned.url, RoutingAdapter(hosts=hosts, **telemetry.providers))
    assert len(telemetry.chat_spans()) == 1
    assert ours - raw < 512 * 1024, (raw, ours)


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_a_request_sent_twice_is_read_as_the_app_sent_it_both_times(
    library: str, canned: CannedServer, telemetry: Telemetry
) -> None:
    """The same request object sent again (a retry) is two calls, both hiding our usage."""
    answer = _frames(_content("Hi"), _content("", "stop"))
    done = _frames("[DONE]")
    canned.canned.pieces = [*answer, *_frames({"id": "c1", "usage": USAGE}), *done]
    module, ours = LIBRARIES[library]
    transport = ours.RoutingTransport(hosts=[f"127.0.0.1:{canned.port}"], **telemetry.providers)
    with module.Client(transport=transport) as client:
        request = client.build_request(
            "POST", canned.url, content=json.dumps(chat(stream=True)).encode(), headers=HEADERS
        )
        got = []
        for _ in range(2):
            response = client.send(request, stream=True)
            got.append(b"".join(response.iter_raw()))
            response.close()
    assert got == [b"".join(answer + done)] * 2
    assert len(telemetry.chat_spans()) == 2
    assert [json.loads(b)["stream_options"] for b in canned.canned.bodies] == [
        {"include_usage": True}
    ] * 2
