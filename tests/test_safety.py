"""Our code never changes what the app receives, never raises into it, never leaks a span."""

from __future__ import annotations

import http.server
import itertools
import logging
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry import trace as trace_api
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from routing_otel import _semconv as sc
from routing_otel._calls import gate as _gate
from routing_otel._calls.httpx_common import RelayedStream
from routing_otel._calls.lifecycle import ResponseRelay
from routing_otel._telemetry.recorder import Recorder
from routing_otel._wire.observer import SseObserver
from routing_otel.requests import RoutingAdapter
from tests.clients import KEY, LIBRARIES, Driver, chat

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HOST = "api.edenai.run"
URL = f"https://{HOST}/v3/llm/chat/completions"


def _recorded_stream(emu: Emulator) -> bytes:
    """A real routed stream with metadata and usage, as the emulator sends it."""
    import httpx  # noqa: PLC0415

    headers = {"Authorization": f"Bearer {KEY}", "x-edenai-metadata": "enabled"}
    payload = chat(stream=True, stream_options={"include_usage": True})
    with httpx.Client() as client:
        url = emu.llm_base_url + "/chat/completions"
        return client.post(url, json=payload, headers=headers).content


@pytest.fixture(scope="module")
def stream_body(emulator: Emulator) -> bytes:
    """One recorded SSE body, reused by every property example."""
    return _recorded_stream(emulator)


def _canned_transport(module: ModuleType, pieces: list[bytes], *, is_async: bool) -> Any:
    """An inner transport answering every request with ``pieces``, exactly as given."""

    class Pieces(module.SyncByteStream, module.AsyncByteStream):  # type: ignore[name-defined,misc]
        def __iter__(self) -> Iterator[bytes]:
            yield from pieces

        async def __aiter__(self) -> Any:
            for piece in pieces:
                yield piece

    def respond(_: Any) -> Any:
        return module.Response(200, headers={"content-type": "text/event-stream"}, stream=Pieces())

    if is_async:

        class AsyncCanned(module.AsyncBaseTransport):  # type: ignore[name-defined,misc]
            async def handle_async_request(self, request: Any) -> Any:
                return respond(request)

        return AsyncCanned()

    class Canned(module.BaseTransport):  # type: ignore[name-defined,misc]
        def handle_request(self, request: Any) -> Any:
            return respond(request)

    return Canned()


def _split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    return [body[a:b] for a, b in itertools.pairwise(points)]


WITH_USAGE = chat(stream=True, stream_options={"include_usage": True})


def _pieces_received(driver: Driver, payload: dict[str, Any] = WITH_USAGE) -> list[bytes]:
    """What the app reads, piece by piece (by default, a request that asked for usage)."""

    def sync(client: Any) -> list[bytes]:
        with client.stream("POST", URL, json=payload) as response:
            return list(response.iter_raw())

    async def coro(client: Any) -> list[bytes]:
        async with client.stream("POST", URL, json=payload) as response:
            return [piece async for piece in response.aiter_raw()]

    result: list[bytes] = driver.run(sync, coro)
    return result


@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=60))
def test_app_receives_identical_pieces_under_any_split(
    library: str, is_async: bool, cuts: list[int], stream_body: bytes, telemetry: Telemetry
) -> None:
    """Whatever pieces the network gives, the app gets the same pieces, in the same order."""
    pieces = _split(stream_body, cuts)
    inner = _canned_transport(LIBRARIES[library][0], pieces, is_async=is_async)
    driver = Driver(library, is_async, [HOST], telemetry.providers, inner=inner)
    telemetry.exporter.clear()
    assert _pieces_received(driver) == pieces
    assert len(telemetry.chat_spans()) == 1


@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=60))
def test_captured_usage_frame_is_hidden_under_any_split(
    library: str, is_async: bool, cuts: list[int], stream_body: bytes, telemetry: Telemetry
) -> None:
    """With usage captured for the app, it gets the body less the usage frame, byte for byte."""
    frames = stream_body.split(b"\n\n")
    usage = [f for f in frames if b'"usage"' in f]
    assert len(usage) == 1
    expected = stream_body.replace(usage[0] + b"\n\n", b"")
    inner = _canned_transport(LIBRARIES[library][0], _split(stream_body, cuts), is_async=is_async)
    driver = Driver(library, is_async, [HOST], telemetry.providers, inner=inner)
    telemetry.exporter.clear()
    assert b"".join(_pieces_received(driver, chat(stream=True))) == expected
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] > 0  # type: ignore[operator]


FAULTS: dict[str, tuple[Any, str]] = {
    "observer feed": (SseObserver, "feed"),
    "observer close": (SseObserver, "close"),
    "request parsing": (_gate, "parse_chat_request"),
    "recorder finish": (Recorder, "finish"),
    "response observe": (ResponseRelay, "observe"),
}


@pytest.mark.usefixtures("production_mode")
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_internal_failure_leaves_the_app_unchanged(
    fault: str,
    library: str,
    is_async: bool,
    stream_body: bytes,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in any telemetry step is logged; the app's bytes and flow are untouched."""
    pieces = _split(stream_body, [7, 100, 101, 500])
    inner = _canned_transport(LIBRARIES[library][0], pieces, is_async=is_async)
    driver = Driver(library, is_async, [HOST], telemetry.providers, inner=inner)

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"injected failure in {fault}")

    owner, name = FAULTS[fault]
    monkeypatch.setattr(owner, name, broken)
    with caplog.at_level(logging.WARNING, logger="routing_otel"):
        assert _pieces_received(driver) == pieces
    assert any("internal error" in r.getMessage() for r in caplog.records)
    for span in telemetry.exporter.get_finished_spans():
        assert span.end_time is not None
    if fault not in {"request parsing", "recorder finish"}:  # no span could be made then
        assert len(telemetry.chat_spans()) == 1


class _CannedHandler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with ``pieces``, each written and flushed on its own."""

    protocol_version = "HTTP/1.0"  # the body ends when the connection closes
    pieces: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        try:
            for piece in self.pieces:
                self.wfile.write(piece)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def canned_server(stream_body: bytes) -> Iterator[str]:
    """A loopback HTTP server answering with the recorded stream in pieces; its address."""
    _CannedHandler.pieces = _split(stream_body, [7, 100, 101, 500])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CannedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _requests_read(session: requests.Session, url: str, read: str) -> list[bytes]:
    """What a requests app reads: the whole body, or its lines (the guides' loop)."""
    with session.post(url, json=WITH_USAGE, stream=True) as response:
        if read == "iter_lines":
            return list(response.iter_lines())
        if read == "iter_content":
            return [b"".join(response.iter_content(chunk_size=None))]
        return [response.content]


@pytest.mark.usefixtures("production_mode")
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("read", ["iter_content", "iter_lines", "content"])
def test_internal_failure_leaves_a_requests_app_unchanged(
    fault: str,
    read: str,
    canned_server: str,
    stream_body: bytes,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With requests, a bug in any telemetry step is logged; the app reads what it would."""
    url = f"http://{canned_server}/v3/llm/chat/completions"
    with requests.Session() as plain:
        expected = _requests_read(plain, url, read)
    assert b"".join(expected).replace(b"\n", b"") == stream_body.replace(b"\n", b"")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"injected failure in {fault}")

    owner, name = FAULTS[fault]
    monkeypatch.setattr(owner, name, broken)
    with (
        requests.Session() as session,
        caplog.at_level(logging.WARNING, logger="routing_otel"),
    ):
        session.mount("http://", RoutingAdapter(hosts=[canned_server], **telemetry.providers))
        assert _requests_read(session, url, read) == expected
    assert any("internal error" in r.getMessage() for r in caplog.records)
    for span in telemetry.exporter.get_finished_spans():
        assert span.end_time is not None
    if fault not in {"request parsing", "recorder finish"}:  # no span could be made then
        assert len(telemetry.chat_spans()) == 1


@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("telemetry_on", [True, False], ids=["on", "off"])
def test_with_telemetry_off_the_body_is_not_even_wrapped(
    library: str, telemetry_on: bool, telemetry: Telemetry
) -> None:
    """With an ALWAYS_OFF sampler and no meter provider, responses pass through untouched."""
    module, ours = LIBRARIES[library]
    inner = _canned_transport(module, [b"data: [DONE]\n\n"], is_async=False)
    providers = (
        telemetry.providers
        if telemetry_on
        else {
            "tracer_provider": TracerProvider(sampler=ALWAYS_OFF),
            "meter_provider": NoOpMeterProvider(),
        }
    )
    transport = ours.RoutingTransport(inner, hosts=[HOST], **providers)
    request = module.Request("POST", URL, json=chat(stream=True))
    response = transport.handle_request(request)
    assert isinstance(response.stream, RelayedStream) is telemetry_on
    response.close()


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_with_telemetry_off_the_request_is_not_even_parsed(
    library: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No SDK recording anything: the request body is never read, whatever its size."""
    calls: list[object] = []
    monkeypatch.setattr(_gate, "parse_chat_request", lambda **kw: calls.append(kw))
    module, ours = LIBRARIES[library]
    inner = _canned_transport(module, [b"data: [DONE]\n\n"], is_async=False)
    for providers in (
        {
            "tracer_provider": TracerProvider(sampler=ALWAYS_OFF),
            "meter_provider": NoOpMeterProvider(),
        },
        {"tracer_provider": trace_api.NoOpTracerProvider(), "meter_provider": NoOpMeterProvider()},
    ):
        transport = ours.RoutingTransport(inner, hosts=[HOST], **providers)
        response = transport.handle_request(module.Request("POST", URL, json=chat(stream=True)))
        response.close()
    assert calls == []
