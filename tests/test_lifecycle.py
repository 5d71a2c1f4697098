"""Every way a response can finish ends its span exactly once, with the right status."""

from __future__ import annotations

import asyncio
import gc
from contextlib import AbstractContextManager, ExitStack
from typing import TYPE_CHECKING, Any

import pytest
import requests
from opentelemetry.trace import StatusCode

from routing_otel import _semconv as sc
from routing_otel.requests import RoutingAdapter
from tests.clients import KEY, LIBRARIES, Driver, chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}
SLOW = {**HEADERS, "x-emulator-fault": "slow_first_token=30"}


@pytest.fixture(params=list(LIBRARIES))
def library(request: pytest.FixtureRequest) -> str:
    """Each HTTP library the wrappers support."""
    return str(request.param)


@pytest.fixture(params=[*LIBRARIES, "requests"])
def sync_library(request: pytest.FixtureRequest) -> str:
    """Each HTTP library with a sync client: httpx, httpx2 and requests."""
    return str(request.param)


def _driver(library: str, emu: Emulator, telemetry: Telemetry, *, is_async: bool) -> Driver:
    return Driver(library, is_async, [f"127.0.0.1:{emu.port}"], telemetry.providers)


class SyncStreams:
    """One library's sync client sending the lifecycle tests' streamed call, as an app would.

    httpx and httpx2 share one API; requests uses a session with our adapter mounted.
    """

    def __init__(self, library: str, emu: Emulator, telemetry: Telemetry) -> None:
        """A client of ``library`` observing the emulator."""
        self.library = library
        self.url = _url(emu)
        self.payload = chat(stream=True)
        self._exits = ExitStack()
        if library == "requests":
            session = requests.Session()
            hosts = [f"127.0.0.1:{emu.port}"]
            session.mount("http://", RoutingAdapter(hosts=hosts, **telemetry.providers))
            self.client: Any = self._exits.enter_context(session)
        else:
            driver = _driver(library, emu, telemetry, is_async=False)
            self.client = self._exits.enter_context(driver.client())

    def close(self) -> None:
        """Close the client."""
        self._exits.close()

    def send(self) -> Any:
        """Send the call and return the streamed response, left open."""
        if self.library == "requests":
            return self.client.post(self.url, json=self.payload, headers=HEADERS, stream=True)
        request = self.client.build_request("POST", self.url, json=self.payload, headers=HEADERS)
        return self.client.send(request, stream=True)

    def stream(self) -> AbstractContextManager[Any]:
        """The call as a ``with`` block that closes the response on the way out."""
        if self.library == "requests":
            return self.send()  # type: ignore[no-any-return]
        return self.client.stream(  # type: ignore[no-any-return]
            "POST", self.url, json=self.payload, headers=HEADERS
        )

    def raw(self, response: Any) -> Iterator[bytes]:
        """The body's bytes as they arrive."""
        if self.library == "requests":
            return response.iter_content(chunk_size=None)  # type: ignore[no-any-return]
        return response.iter_raw()  # type: ignore[no-any-return]


@pytest.fixture
def streams(sync_library: str, emu: Emulator, telemetry: Telemetry) -> Iterator[SyncStreams]:
    """A sync client of each library, closed after the test."""
    client = SyncStreams(sync_library, emu, telemetry)
    yield client
    client.close()


def _url(emu: Emulator) -> str:
    return emu.llm_base_url + "/chat/completions"


def _ended_once(telemetry: Telemetry) -> Any:
    span = telemetry.only_chat_span()
    assert span.end_time is not None
    assert telemetry.end_counter.ends(span) == 1
    return span


def _closed_early(span: Any) -> bool:
    return bool((span.attributes or {}).get(sc.ROUTER_STREAM_CLOSED_EARLY, False))


def _collect() -> None:
    for _ in range(3):
        gc.collect()


def test_sync_full_read(streams: SyncStreams, telemetry: Telemetry) -> None:
    """Reading the body to the end ends the span as complete and unerrored."""
    with streams.stream() as response:
        for _ in streams.raw(response):
            pass
        span = _ended_once(telemetry)  # ended at the end of the body, before close()
    assert span.status.status_code is StatusCode.UNSET
    assert not _closed_early(span)
    # Closing after the end neither ends the span again nor makes another.
    _ended_once(telemetry)


def test_sync_break_then_del(streams: SyncStreams, telemetry: Telemetry) -> None:
    """A response abandoned after one chunk, never closed, ends its span when collected."""
    response = streams.send()
    lines = response.iter_lines()
    next(lines)
    assert telemetry.chat_spans() == []
    del response, lines
    _collect()
    span = _ended_once(telemetry)
    assert _closed_early(span)
    assert span.status.status_code is StatusCode.UNSET


def test_sync_close_early(streams: SyncStreams, telemetry: Telemetry) -> None:
    """``close()`` after a partial read ends the span once, marked closed early."""
    response = streams.send()
    next(streams.raw(response))
    response.close()
    response.close()
    assert _closed_early(_ended_once(telemetry))


def test_sync_context_exit(streams: SyncStreams, telemetry: Telemetry) -> None:
    """Leaving the ``with`` block after a ``break`` ends the span once."""
    with streams.stream() as response:
        for _ in response.iter_lines():
            break
    assert _closed_early(_ended_once(telemetry))


def test_sync_exception_in_user_loop(streams: SyncStreams, telemetry: Telemetry) -> None:
    """The app's own exception passes through unchanged and the span still ends once."""
    error = ValueError("the app's own bug")
    with (  # noqa: PT012
        pytest.raises(ValueError) as raised,
        streams.stream() as response,
    ):
        for _ in response.iter_lines():
            raise error
    assert raised.value is error
    assert _closed_early(_ended_once(telemetry))


async def test_async_full_read(library: str, emu: Emulator, telemetry: Telemetry) -> None:
    """Reading an async body to the end ends the span as complete and unerrored."""
    driver = _driver(library, emu, telemetry, is_async=True)
    async with (
        driver.client() as client,
        client.stream("POST", _url(emu), json=chat(stream=True), headers=HEADERS) as response,
    ):
        async for _ in response.aiter_raw():
            pass
        span = _ended_once(telemetry)
    assert span.status.status_code is StatusCode.UNSET
    assert not _closed_early(span)


async def test_async_break_then_del(library: str, emu: Emulator, telemetry: Telemetry) -> None:
    """An async response abandoned after one chunk ends its span when collected."""
    driver = _driver(library, emu, telemetry, is_async=True)
    async with driver.client() as client:
        request = client.build_request("POST", _url(emu), json=chat(stream=True), headers=HEADERS)
        response = await client.send(request, stream=True)
        lines = response.aiter_lines()
        await lines.__anext__()
        assert telemetry.chat_spans() == []
        del response, lines
        # The loop finalizes abandoned async generators one nesting level per turn.
        for _ in range(50):
            await asyncio.sleep(0)
            _collect()
            if telemetry.chat_spans():
                break
        assert _closed_early(_ended_once(telemetry))


async def test_async_close_early(library: str, emu: Emulator, telemetry: Telemetry) -> None:
    """``aclose()`` after a partial read ends the span once, marked closed early."""
    driver = _driver(library, emu, telemetry, is_async=True)
    async with driver.client() as client:
        request = client.build_request("POST", _url(emu), json=chat(stream=True), headers=HEADERS)
        response = await client.send(request, stream=True)
        await response.aiter_bytes().__anext__()
        await response.aclose()
        await response.aclose()
    assert _closed_early(_ended_once(telemetry))


async def test_async_body_iterator_acts_as_an_async_generator(
    library: str, emu: Emulator, telemetry: Telemetry
) -> None:
    """The relayed async body's iterator: ``aclose`` stops it without ending the call (as an
    async generator's would), closing the response ends it, and an ended one stays ended."""
    driver = _driver(library, emu, telemetry, is_async=True)
    async with driver.client() as client:
        request = client.build_request("POST", _url(emu), json=chat(stream=True), headers=HEADERS)
        response = await client.send(request, stream=True)
        pieces = aiter(response.stream)
        assert (await anext(pieces)).startswith(b"data: ")
        await pieces.aclose()
        with pytest.raises(StopAsyncIteration):
            await anext(pieces)
        assert telemetry.chat_spans() == []
        await response.aclose()
        assert _closed_early(_ended_once(telemetry))

        request = client.build_request("POST", _url(emu), json=chat(stream=True), headers=HEADERS)
        response = await client.send(request, stream=True)
        pieces = aiter(response.stream)
        body = b"".join([piece async for piece in pieces])
        assert body.rstrip().endswith(b"data: [DONE]")
        with pytest.raises(StopAsyncIteration):
            await anext(pieces)
        await response.aclose()
    assert len(telemetry.chat_spans()) == 2


async def test_async_exception_in_user_loop(
    library: str, emu: Emulator, telemetry: Telemetry
) -> None:
    """An exception in the app's ``async for`` passes through and the span ends once."""
    driver = _driver(library, emu, telemetry, is_async=True)
    error = KeyError("the app's own bug")
    async with driver.client() as client:
        with pytest.raises(KeyError) as raised:  # noqa: PT012
            async with client.stream(
                "POST", _url(emu), json=chat(stream=True), headers=HEADERS
            ) as r:
                async for _ in r.aiter_lines():
                    raise error
    assert raised.value is error
    assert _closed_early(_ended_once(telemetry))


@pytest.mark.parametrize("phase", ["waiting for the first token", "waiting for the response"])
async def test_async_cancellation(
    library: str, emu: Emulator, telemetry: Telemetry, phase: str
) -> None:
    """Cancelling the app's task ends the span once, as cancelled, and cancels the app."""
    driver = _driver(library, emu, telemetry, is_async=True)
    started = asyncio.Event()

    async def read(client: Any) -> None:
        if phase == "waiting for the response":
            started.set()
            await client.post(_url(emu), json=chat(), headers=SLOW)
            return
        async with client.stream("POST", _url(emu), json=chat(stream=True), headers=SLOW) as r:
            async for _ in r.aiter_lines():
                started.set()

    async with driver.client() as client:
        task = asyncio.create_task(read(client))
        await asyncio.wait_for(started.wait(), timeout=10)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    span = _ended_once(telemetry)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "asyncio.CancelledError"
