"""Transport wrappers for httpx (and the OpenAI SDK 1.x/2.x, which uses httpx).

>>> import httpx, routing_otel.httpx
>>> client = httpx.Client(transport=routing_otel.httpx.RoutingTransport())
"""

from __future__ import annotations

from routing_otel._options import missing_client

try:
    import httpx
except ModuleNotFoundError as _missing:  # only httpx itself: a broken install raises as is
    raise missing_client(_missing, "httpx", "'routing-otel[httpx]'") from _missing

from routing_otel._calls.httpx_common import (
    AsyncRelayedStream,
    AsyncTransportBase,
    RelayedStream,
    SyncTransportBase,
)

__all__ = ["AsyncRoutingTransport", "RoutingTransport"]


class _Stream(RelayedStream, httpx.SyncByteStream):
    pass


class _AsyncStream(AsyncRelayedStream, httpx.AsyncByteStream):
    pass


class RoutingTransport(SyncTransportBase, httpx.BaseTransport):
    """An httpx transport that observes Eden AI chat calls and forwards everything."""

    _default_transport = httpx.HTTPTransport
    _stream_type = _Stream


class AsyncRoutingTransport(AsyncTransportBase, httpx.AsyncBaseTransport):
    """An async httpx transport that observes Eden AI chat calls and forwards everything."""

    _default_transport = httpx.AsyncHTTPTransport
    _stream_type = _AsyncStream
