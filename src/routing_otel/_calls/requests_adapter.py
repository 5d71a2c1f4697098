"""What requests needs of the call path: its prepared requests, responses and ``raw`` reads.

``routing_otel.requests.RoutingAdapter`` and the global patch of ``HTTPAdapter.send`` both
send through :func:`send_exchange`. The body is observed as the app reads it
(``iter_lines``, ``iter_content``, ``.content``, ``.json()`` or ``.raw`` directly), through a
proxy of ``response.raw``.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import wrapt

from routing_otel._calls.exchange import Exchange
from routing_otel._calls.gate import Outgoing
from routing_otel._calls.relaying import relayed
from routing_otel._safety import guard

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import requests

    from routing_otel._calls.exchange import Instrumentation
    from routing_otel._calls.gate import Decision
    from routing_otel._calls.lifecycle import CallLifecycle, Carried, ResponseRelay


class _CarryingBody(bytes):
    """A request body that carries our record along.

    requests resends the same object on a redirect (``PreparedRequest.copy``), so the next
    hop is known as ours.
    """

    routing_otel_carried: Carried


class _RequestsAdapter:
    """requests' prepared requests and responses, for :class:`Exchange`."""

    __slots__ = ()

    def outgoing(self, request: requests.PreparedRequest) -> Outgoing:
        url = urlsplit(request.url or "")
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")  # looked at, never sent
        return Outgoing(
            method=request.method or "GET",
            host=url.hostname or "",
            port=url.port,
            path=url.path,
            headers=request.headers,
            body=body if isinstance(body, bytes) else None,
            # A file or generator body is streamed, and a str one is encoded by the client.
            body_replaceable=type(request.body) is bytes,
        )

    def carried(self, request: requests.PreparedRequest) -> Carried | None:
        body = request.body
        return body.routing_otel_carried if isinstance(body, _CarryingBody) else None

    def requested_ns(self, request: requests.PreparedRequest) -> int | None:
        del request  # stamped in a context variable by the patch of Session.request
        return None

    def apply(
        self, request: requests.PreparedRequest, decision: Decision | None, carried: Carried
    ) -> bool:
        if decision is not None:
            for name, value in decision.headers:
                request.headers[name] = value
        new = decision.body if decision is not None else None
        body = new if new is not None else request.body
        if type(body) is bytes:
            carrying = _CarryingBody(body)
            carrying.routing_otel_carried = carried
            request.body = carrying
            request.headers["Content-Length"] = str(len(body))
        return new is not None

    def attach(self, response: requests.Response, call: CallLifecycle) -> None:
        relay = call.response(response.status_code, response.headers)
        response.raw = _RelayedRaw(response.raw, relay)


_ADAPTER = _RequestsAdapter()


class _RelayedRaw(wrapt.ObjectProxy[Any]):
    """``response.raw`` (a urllib3 response) showing what the app reads to the observer.

    urllib3 calls its own methods internally on the real object, so each byte is seen once:
    only the app's calls pass through this proxy.
    """

    def __init__(self, raw: Any, relay: ResponseRelay) -> None:
        super().__init__(raw)
        self._self_relay = relay
        self._self_started = False
        self._self_ready = b""  # bytes due to the app, not yet asked for (read(amt))
        self._self_done = False
        weakref.finalize(self, relay.collected)

    def _self_start(self, decode_content: bool | None) -> ResponseRelay:  # noqa: FBT001
        # Only now is it known whether the app reads decoded or raw (encoded) bytes.
        if not self._self_started:
            self._self_started = True
            with guard("requests raw"):
                wrapped = self.__wrapped__
                decoded = wrapped.decode_content if decode_content is None else decode_content
                self._self_relay.observe(decoded=bool(decoded))
        return self._self_relay

    def stream(  # urllib3's signature, positional flag included
        self,
        amt: int | None = 2**16,
        decode_content: bool | None = None,  # noqa: FBT001
    ) -> Iterator[bytes]:
        relay = self._self_start(decode_content)
        return relayed(relay, self.__wrapped__.stream(amt, decode_content=decode_content))

    def read_chunked(  # urllib3's signature, positional flag included
        self,
        amt: int | None = None,
        decode_content: bool | None = None,  # noqa: FBT001
    ) -> Iterator[bytes]:
        relay = self._self_start(decode_content)
        return relayed(relay, self.__wrapped__.read_chunked(amt, decode_content=decode_content))

    def read(self, amt: int | None = None, *args: Any, **kwargs: Any) -> bytes:
        return self._self_read(self.__wrapped__.read, amt, *args, **kwargs)

    def read1(self, amt: int | None = None, *args: Any, **kwargs: Any) -> bytes:
        return self._self_read(self.__wrapped__.read1, amt, *args, **kwargs)

    def _self_read(
        self, read: Callable[..., bytes], amt: int | None, *args: Any, **kwargs: Any
    ) -> bytes:
        """Read as the app asked, through the relay; never more than ``amt`` bytes."""
        relay = self._self_start(kwargs.get("decode_content", args[0] if args else None))
        ready = self._self_ready
        while not self._self_done and (amt is None or not ready):
            with relay:
                data = read(amt, *args, **kwargs)
            if data:
                ready += relay.relay(data) or b""
            if not data or amt is None:  # the end of the body, or all of it at once
                ready += relay.body_ended()
                self._self_done = True
            elif not relay.filtering:
                break  # as the wire gave it
        size = len(ready) if amt is None else amt
        self._self_ready = ready[size:]
        return ready[:size]

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            self._self_relay.end(closed_early=True)

    def release_conn(self) -> None:
        try:
            self.__wrapped__.release_conn()
        finally:
            self._self_relay.end(closed_early=True)


def send_exchange(
    instrumentation: Instrumentation,
    request: requests.PreparedRequest,
    send: Callable[[], requests.Response],
) -> requests.Response:
    """Send a prepared request with ``send()``, observing it if it is an API call."""
    with Exchange(instrumentation, _ADAPTER, request) as exchange:
        return exchange.received(send())  # type: ignore[no-any-return]
