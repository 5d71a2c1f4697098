"""requests support: the Eden AI guides' own client.

``RoutingAdapter`` is a transport adapter to mount on a session; ``instrument()`` patches
``HTTPAdapter.send`` with the same code, so plain ``requests.post(...)`` is observed too.
The body is observed as the app reads it (``iter_lines``, ``iter_content``, ``.content``,
``.json()`` or ``.raw`` directly), through a proxy of ``response.raw``.

>>> import requests, routing_otel.requests
>>> session = requests.Session()
>>> session.mount("https://", routing_otel.requests.RoutingAdapter())
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import wrapt

try:
    from requests.adapters import HTTPAdapter
except ModuleNotFoundError as _missing:  # only requests itself: a broken install raises as is
    if _missing.name != "requests":
        raise
    raise ModuleNotFoundError(
        "routing_otel.requests needs requests, which is not installed:"
        " pip install 'routing-otel[requests]'",
        name="requests",
    ) from _missing

from routing_otel._calls.lifecycle import (
    ApiObserver,
    ObservedCall,
    RequestView,
    iterate,
    observed_send,
)
from routing_otel._options import OPTION_NAMES, Options

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import requests
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ["RoutingAdapter"]


def _view(request: requests.PreparedRequest) -> Callable[[], RequestView]:
    def build() -> RequestView:
        url = urlsplit(request.url or "")
        body = request.body
        return RequestView(
            method=request.method or "GET",
            host=url.hostname or "",
            port=url.port,
            path=url.path,
            headers=request.headers,
            body=body.encode()
            if isinstance(body, str)
            else body
            if isinstance(body, bytes)
            else None,
            set_header=request.headers.__setitem__,
            set_body=_body_setter(request),
        )

    return build


def _body_setter(request: requests.PreparedRequest) -> Callable[[bytes], None] | None:
    if not isinstance(request.body, bytes | str):
        return None  # a file or generator body is streamed: leave it alone

    def set_body(body: bytes) -> None:
        request.body = body
        request.headers["Content-Length"] = str(len(body))

    return set_body


class _ObservedRaw(wrapt.ObjectProxy[Any]):
    """``response.raw`` (a urllib3 response) showing what the app reads to the observer.

    urllib3 calls its own methods internally on the real object, so each byte is seen once:
    only the app's calls pass through this proxy.
    """

    def __init__(self, raw: Any, call: ObservedCall, status: int, headers: Any) -> None:
        super().__init__(raw)
        self._self_call = call
        self._self_status = status
        self._self_headers = headers
        self._self_started = False
        call.status(status)
        weakref.finalize(self, call.collected)

    def _self_start(self, decode_content: bool | None) -> ObservedCall:  # noqa: FBT001
        # Only now is it known whether the app reads decoded or raw (encoded) bytes.
        if not self._self_started:
            self._self_started = True
            decoded = self.__wrapped__.decode_content if decode_content is None else decode_content
            self._self_call.response(self._self_status, self._self_headers, decoded=bool(decoded))
        return self._self_call

    def stream(  # urllib3's signature, positional flag included
        self,
        amt: int | None = 2**16,
        decode_content: bool | None = None,  # noqa: FBT001
    ) -> Iterator[bytes]:
        call = self._self_start(decode_content)
        return iterate(call, self.__wrapped__.stream(amt, decode_content=decode_content))

    def read_chunked(  # urllib3's signature, positional flag included
        self,
        amt: int | None = None,
        decode_content: bool | None = None,  # noqa: FBT001
    ) -> Iterator[bytes]:
        call = self._self_start(decode_content)
        return iterate(call, self.__wrapped__.read_chunked(amt, decode_content=decode_content))

    def read(self, amt: int | None = None, *args: Any, **kwargs: Any) -> bytes:
        return self._self_read(self.__wrapped__.read, amt, *args, **kwargs)

    def read1(self, amt: int | None = None, *args: Any, **kwargs: Any) -> bytes:
        return self._self_read(self.__wrapped__.read1, amt, *args, **kwargs)

    def _self_read(
        self, read: Callable[..., bytes], amt: int | None, *args: Any, **kwargs: Any
    ) -> bytes:
        decode = kwargs.get("decode_content", args[0] if args else None)
        call = self._self_start(decode)
        while True:
            try:
                data = read(amt, *args, **kwargs)
            except BaseException as exc:
                call.end(exception=exc)
                raise
            if not data:  # the end of the body
                tail = call.held_back()
                call.end()
                return tail
            out = call.pass_on(data)
            if amt is None:  # the whole body was asked for
                out += call.held_back()
                call.end()
                return out
            # An empty read means the end to the app: read on if all was held back.
            if out or not call.filtering:
                return out

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            self._self_call.end(closed_early=True)

    def release_conn(self) -> None:
        try:
            self.__wrapped__.release_conn()
        finally:
            self._self_call.end(closed_early=True)


def _attach(response: requests.Response, call: ObservedCall) -> None:
    response.raw = _ObservedRaw(response.raw, call, response.status_code, response.headers)


def send_observed(
    observer: ApiObserver, request: requests.PreparedRequest, send: Callable[[], requests.Response]
) -> requests.Response:
    """Send a prepared request with ``send()``, observing it if it is an API call."""
    return observed_send(observer, _view(request), send, _attach)


class RoutingAdapter(HTTPAdapter):
    """A requests transport adapter that observes Eden AI chat calls."""

    def __init__(
        self,
        *args: Any,
        hosts: Iterable[str] | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        **kwargs: Any,
    ) -> None:
        """Take ``HTTPAdapter``'s arguments and the options of ``routing_otel.instrument``."""
        options = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTION_NAMES}
        super().__init__(*args, **kwargs)
        self._routing_observer = ApiObserver(
            Options.of(hosts, tracer_provider, meter_provider, **options)
        )

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send the request, observing it if it is an API call."""
        parent = super().send
        return send_observed(
            self._routing_observer, request, lambda: parent(request, *args, **kwargs)
        )
