"""What the httpx and httpx2 wrappers share, sync and async, explicit or patched.

httpx and httpx2 have the same transport interface, so everything is written once here;
``routing_otel.httpx`` and ``routing_otel.httpx2`` only bind it to their library's base
classes (``iter_raw`` checks ``isinstance(stream, SyncByteStream)``, so the stream wrappers
must inherit from the right library). ``send_sync``/``send_async`` serve both our explicit
transports and the global patches of ``instrument()``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from routing_otel._calls.lifecycle import (
    ApiObserver,
    ObservedCall,
    RequestView,
    iterate,
    observed_send,
    observed_send_async,
)
from routing_otel._options import OptionArgs, Options

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
    from types import TracebackType
    from typing import Self, Unpack

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider


class _URL(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int | None: ...
    @property
    def path(self) -> str: ...


class _Headers(Protocol):
    def get(self, key: str, default: str = "") -> str: ...
    def __contains__(self, key: object) -> bool: ...
    def __setitem__(self, key: str, value: str) -> None: ...


class _Request(Protocol):
    method: str
    url: _URL
    headers: _Headers


class _Response(Protocol):
    status_code: int
    headers: Mapping[str, str]
    stream: Any


def _view(request: _Request) -> Callable[[], RequestView]:
    def build() -> RequestView:
        url = request.url
        return RequestView(
            method=request.method,
            host=url.host,
            port=url.port,
            path=url.path,
            headers=request.headers,  # type: ignore[arg-type]
            body=_body_of(request),
            set_header=request.headers.__setitem__,
            set_body=_body_setter(request),
            requested_ns=_requested_ns(request),
        )

    return build


REQUESTED_AT = "routing_otel.requested_ns"  # request extension set by the global patch


def _requested_ns(request: object) -> int | None:
    extensions = getattr(request, "extensions", None)
    value = extensions.get(REQUESTED_AT) if isinstance(extensions, dict) else None
    return value if isinstance(value, int) else None


def stamp_built_request(request: Any, requested_ns: int) -> None:
    """Remember on the request when the app asked its client to build it."""
    extensions = getattr(request, "extensions", None)
    if isinstance(extensions, dict):
        extensions[REQUESTED_AT] = requested_ns


def _body_setter(request: Any) -> Callable[[bytes], None] | None:
    # Only an in-memory body (the library's ByteStream) can be replaced before sending.
    stream_type: Any = type(getattr(request, "stream", None))
    if stream_type.__name__ != "ByteStream":
        return None

    def set_body(body: bytes) -> None:
        request.stream = stream_type(body)
        request._content = body  # noqa: SLF001 - what request.content returns
        request.headers["Content-Length"] = str(len(body))

    return set_body


def _loaded_body(response: object) -> bytes | None:
    """The body of a response that arrived already read into memory, else None."""
    try:
        content = getattr(response, "content", None)
    except Exception:  # ResponseNotRead: a real stream, the usual case
        return None
    return content if isinstance(content, bytes) else None


def _body_of(request: object) -> bytes | None:
    # A streaming request body has not been read and cannot be looked at: leave it alone.
    try:
        content = getattr(request, "content", None)
    except Exception:
        return None
    return content if isinstance(content, bytes) else None


class ObservedSyncStream:
    """A response body that shows every piece to the observer as it passes to the app."""

    def __init__(self, inner: Any, call: ObservedCall) -> None:
        """Wrap the inner transport's body stream."""
        self._inner = inner
        self._call = call
        weakref.finalize(self, call.collected)

    def __iter__(self) -> Iterator[bytes]:
        """Yield the inner stream's bytes unchanged."""
        return iterate(self._call, iter(self._inner))

    def close(self) -> None:
        """Close the inner stream, then end the call if nothing else did."""
        try:
            self._inner.close()
        finally:
            self._call.end(closed_early=True)


class ObservedAsyncStream:
    """The async twin of :class:`ObservedSyncStream` (``async for`` cannot share its code)."""

    def __init__(self, inner: Any, call: ObservedCall) -> None:
        """Wrap the inner transport's async body stream."""
        self._inner = inner
        self._call = call
        weakref.finalize(self, call.collected)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the inner stream's bytes unchanged."""
        call = self._call
        try:
            async for chunk in self._inner:
                out = call.pass_on(chunk)
                if out or not call.filtering:
                    yield out
            if tail := call.held_back():
                yield tail
        except GeneratorExit:
            raise
        except BaseException as exc:  # includes cancellation
            call.end(exception=exc)
            raise
        call.end()

    async def aclose(self) -> None:
        """Close the inner stream, then end the call if nothing else did."""
        try:
            await self._inner.aclose()
        finally:
            self._call.end(closed_early=True)


def _attach_to(wrap: Callable[[Any, ObservedCall], Any]) -> Callable[[Any, ObservedCall], None]:
    def attach(response: _Response, call: ObservedCall) -> None:
        call.response(response.status_code, response.headers)
        loaded = _loaded_body(response)
        if loaded is not None:  # e.g. MockTransport: the client will never read the stream
            call.pass_on(loaded)
            call.end()
            return
        response.stream = wrap(response.stream, call)

    return attach


def send_sync(
    observer: ApiObserver,
    request: _Request,
    send: Callable[[Any], Any],
    wrap: type[ObservedSyncStream],
) -> Any:
    """Send an httpx-style ``request`` with ``send``, observing it if it is an API call."""
    return observed_send(observer, _view(request), lambda: send(request), _attach_to(wrap))


async def send_async(
    observer: ApiObserver,
    request: _Request,
    send: Callable[[Any], Awaitable[Any]],
    wrap: type[ObservedAsyncStream],
) -> Any:
    """The async twin of :func:`send_sync`."""
    attach = _attach_to(wrap)
    return await observed_send_async(observer, _view(request), lambda: send(request), attach)


class _TransportBase:
    _default_transport: ClassVar[type[Any]]

    def __init__(
        self,
        transport: Any = None,
        *,
        hosts: Iterable[str] | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        **options: Unpack[OptionArgs],
    ) -> None:
        """Wrap ``transport`` (default: the library's standard one).

        ``hosts`` are the hosts whose chat calls are observed (default: Eden AI's public
        hosts; ``host`` matches any port, ``host:port`` one). The tracer and meter providers
        default to the global ones. The other options are those of
        ``routing_otel.instrument`` (``request_metadata``, ``capture_usage``, ``prices_file``,
        ``savings_baseline``, ``budget_usd_per_day``, ``fallback_window_s``).
        """
        self._inner = transport if transport is not None else self._default_transport()
        self._observer = ApiObserver(Options.of(hosts, tracer_provider, meter_provider, **options))


class SyncTransportBase(_TransportBase):
    """``handle_request`` observed; everything else forwarded to the inner transport."""

    _stream_type: ClassVar[type[ObservedSyncStream]]

    def handle_request(self, request: Any) -> Any:
        """Send the request through the inner transport, observing API calls."""
        return send_sync(self._observer, request, self._inner.handle_request, self._stream_type)

    def close(self) -> None:
        """Close the inner transport."""
        self._inner.close()

    def __enter__(self) -> Self:
        """Enter the inner transport too (it may open a connection pool)."""
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit the inner transport."""
        self._inner.__exit__(exc_type, exc_value, traceback)


class AsyncTransportBase(_TransportBase):
    """``handle_async_request`` observed; everything else forwarded to the inner transport."""

    _stream_type: ClassVar[type[ObservedAsyncStream]]

    async def handle_async_request(self, request: Any) -> Any:
        """Send the request through the inner transport, observing API calls."""
        inner = self._inner.handle_async_request
        return await send_async(self._observer, request, inner, self._stream_type)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        """Enter the inner transport too (it may open a connection pool)."""
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Exit the inner transport."""
        await self._inner.__aexit__(exc_type, exc_value, traceback)
