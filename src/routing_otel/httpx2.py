"""Transport wrappers for httpx2 (and the OpenAI SDK 3.x, which uses httpx2).

>>> import httpx2, routing_otel.httpx2
>>> client = httpx2.Client(transport=routing_otel.httpx2.RoutingTransport())
"""

from __future__ import annotations

from routing_otel._options import missing_client

try:
    import httpx2
except ModuleNotFoundError as _missing:  # only httpx2 itself: a broken install raises as is
    raise missing_client(_missing, "httpx2", "'routing-otel[httpx2]' (Python 3.11+)") from _missing

from routing_otel._calls.httpx_common import (
    AsyncRelayedStream,
    AsyncTransportBase,
    RelayedStream,
    SyncTransportBase,
)

__all__ = ["AsyncRoutingTransport", "RoutingTransport"]


class _Stream(RelayedStream, httpx2.SyncByteStream):
    pass


class _AsyncStream(AsyncRelayedStream, httpx2.AsyncByteStream):
    pass


class RoutingTransport(SyncTransportBase, httpx2.BaseTransport):
    """An httpx2 transport that observes Eden AI chat calls and forwards everything."""

    _default_transport = httpx2.HTTPTransport
    _stream_type = _Stream


class AsyncRoutingTransport(AsyncTransportBase, httpx2.AsyncBaseTransport):
    """An async httpx2 transport that observes Eden AI chat calls and forwards everything."""

    _default_transport = httpx2.AsyncHTTPTransport
    _stream_type = _AsyncStream
