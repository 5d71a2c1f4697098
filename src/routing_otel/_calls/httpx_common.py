"""What the httpx and httpx2 wrappers share, sync and async, explicit or patched.

httpx and httpx2 have the same transport interface, so everything is written once here;
``routing_otel.httpx`` and ``routing_otel.httpx2`` only bind it to their library's base
classes (``iter_raw`` checks ``isinstance(stream, SyncByteStream)``, so the stream wrappers
must inherit from the right library). ``send_sync``/``send_async`` serve both our explicit
transports and the global patches of ``instrument()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from routing_otel._calls.exchange import Exchange, Instrumentation
from routing_otel._calls.gate import Outgoing
from routing_otel._calls.lifecycle import Carried
from routing_otel._calls.relaying import AsyncRelayed, relayed
from routing_otel._options import OptionArgs, Options

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
    from types import TracebackType
    from typing import Self, Unpack

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    from routing_otel._calls.gate import Decision
    from routing_otel._calls.lifecycle import CallLifecycle, ResponseRelay

REQUESTED_AT = "routing_otel.requested_ns"  # request extension set by the global patch
CARRIED = "routing_otel.carried"  # request extension: what a redirect hop carries along


def stamp_built_request(request: Any, requested_ns: int) -> None:
    """Remember on the request when the app asked its client to build it."""
    extensions = getattr(request, "extensions", None)
    if isinstance(extensions, dict):
        extensions[REQUESTED_AT] = requested_ns


class HttpxAdapter:
    """httpx and httpx2 requests and responses, for :class:`Exchange`."""

    __slots__ = ("_wrap",)

    def __init__(self, wrap: Callable[[Any, ResponseRelay], Any]) -> None:
        """Wrap response streams with ``wrap`` (the library's sync or async stream class)."""
        self._wrap = wrap

    def outgoing(self, request: Any) -> Outgoing:
        """The request's plain facts."""
        url = request.url
        body = _body_of(request)
        return Outgoing(
            method=request.method,
            host=url.host,
            port=url.port,
            path=url.path,
            headers=request.headers,
            body=body,
            # Only an in-memory body (the library's ByteStream) can be replaced.
            body_replaceable=body is not None and type(request.stream).__name__ == "ByteStream",
        )

    def carried(self, request: Any) -> Carried | None:
        """Our record on a redirect hop or resend (httpx passes extensions along)."""
        value = request.extensions.get(CARRIED)
        return value if isinstance(value, Carried) else None

    def requested_ns(self, request: Any) -> int | None:
        """When the app's client built the request (stamped by the global patch)."""
        value = request.extensions.get(REQUESTED_AT)
        return value if isinstance(value, int) else None

    def apply(self, request: Any, decision: Decision | None, carried: Carried) -> bool:
        """Set our headers and body; leave ``carried`` in the request's extensions."""
        request.extensions[CARRIED] = carried
        if decision is None:
            return False
        for name, value in decision.headers:
            request.headers[name] = value
        body = decision.body
        if body is None:
            return False
        request.stream = type(request.stream)(body)
        request._content = body  # noqa: SLF001 - what request.content returns
        request.headers["Content-Length"] = str(len(body))
        return True

    def attach(self, response: Any, call: CallLifecycle) -> None:
        """Observe the response's body as the client reads it."""
        relay = call.response(response.status_code, response.headers).observe()
        loaded = _loaded_body(response)
        if loaded is not None:  # e.g. MockTransport: the client will never read the stream
            relay.relay(loaded)
            relay.body_ended()
            return
        response.stream = self._wrap(response.stream, relay)


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


class _RelayedBody:
    """What the sync and async body wrappers share: the inner stream and its relay."""

    def __init__(self, inner: Any, relay: ResponseRelay) -> None:
        """Wrap the inner transport's body stream."""
        self._inner = inner
        self._relay = relay

    def __del__(self) -> None:
        """A body dropped unclosed still ends its call (cheaper than a finalizer per call)."""
        self._relay.collected()


class RelayedStream(_RelayedBody):
    """A response body that shows every piece to the observer as it passes to the app."""

    def __iter__(self) -> Iterator[bytes]:
        """Yield the inner stream's bytes (less a usage frame we asked for)."""
        return relayed(self._relay, iter(self._inner))

    def close(self) -> None:
        """Close the inner stream, then end the call if nothing else did."""
        try:
            self._inner.close()
        finally:
            self._relay.end(closed_early=True)


class AsyncRelayedStream(_RelayedBody):
    """The async form of :class:`RelayedStream` (the one ``async for`` relay loop)."""

    def __aiter__(self) -> AsyncIterator[bytes]:
        """The inner stream's bytes (less a usage frame we asked for)."""
        return AsyncRelayed(self._relay, aiter(self._inner))

    async def aclose(self) -> None:
        """Close the inner stream, then end the call if nothing else did."""
        try:
            await self._inner.aclose()
        finally:
            self._relay.end(closed_early=True)


def send_sync(
    instrumentation: Instrumentation, adapter: HttpxAdapter, request: Any, send: Callable[..., Any]
) -> Any:
    """Send an httpx-style ``request`` with ``send``, observing it if it is an API call."""
    with Exchange(instrumentation, adapter, request) as exchange:
        return exchange.received(send(request))


async def send_async(
    instrumentation: Instrumentation,
    adapter: HttpxAdapter,
    request: Any,
    send: Callable[..., Awaitable[Any]],
) -> Any:
    """Send an httpx-style ``request`` with ``send`` (awaited), observing it if ours."""
    with Exchange(instrumentation, adapter, request) as exchange:
        return exchange.received(await send(request))


class _TransportBase:
    _default_transport: ClassVar[type[Any]]
    _stream_type: ClassVar[type[Any]]

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
        hosts, and any host a call asking for ``@edenai`` goes to; ``host`` matches any
        port, ``host:port`` one; a URL is read as its host and port). The tracer and meter
        providers default to the global ones. The other options are those of
        ``routing_otel.instrument``.
        """
        self._inner = transport if transport is not None else self._default_transport()
        self._instrumentation = Instrumentation(
            Options.of(hosts, tracer_provider, meter_provider, **options)
        )
        self._adapter = HttpxAdapter(self._stream_type)


class SyncTransportBase(_TransportBase):
    """``handle_request`` observed; everything else forwarded to the inner transport."""

    def handle_request(self, request: Any) -> Any:
        """Send the request through the inner transport, observing API calls."""
        inner = self._inner.handle_request
        return send_sync(self._instrumentation, self._adapter, request, inner)

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

    async def handle_async_request(self, request: Any) -> Any:
        """Send the request through the inner transport, observing API calls."""
        inner = self._inner.handle_async_request
        return await send_async(self._instrumentation, self._adapter, request, inner)

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
