"""A small HTTP/1.1 implementation on asyncio streams: just what the emulator needs.

Keep-alive, `Content-Length` and chunked request bodies, `Expect: 100-continue`, fixed and
chunked responses, optional gzip. Written by hand so the emulator has no dependency and is
fast enough never to be the bottleneck of a benchmark.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
import zlib
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

JSON = "application/json"
SSE = "text/event-stream; charset=utf-8"
MAX_BODY_BYTES = 16 * 1024 * 1024
_REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized",
    402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    413: "Content Too Large", 422: "Unprocessable Content", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
}  # fmt: skip


def json_bytes(value: object) -> bytes:
    """Compact JSON, as FastAPI sends it."""
    return json.dumps(value, separators=(",", ":")).encode()


class ProtocolError(Exception):
    """A request the server cannot parse: answered with `status`, then the connection closes."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the status to answer with."""
        super().__init__(message)
        self.status = status


@dataclass(slots=True)
class HttpRequest:
    """One parsed request. Header names are lower-case; repeated headers are comma-joined."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    keep_alive: bool
    peer: str = ""  # the client's "address:port": requests of one connection share it

    @property
    def accepts_gzip(self) -> bool:
        """Whether the client sent `Accept-Encoding: gzip` (and did not refuse it with q=0)."""
        for item in self.headers.get("accept-encoding", "").split(","):
            coding, _, params = item.strip().partition(";")
            if coding.strip().lower() == "gzip":
                return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
        return False


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> HttpRequest | None:
    """Read one request; None when the client closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise ProtocolError(400, "incomplete request head") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise ProtocolError(431, "request head too large") from exc
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise ProtocolError(400, "malformed request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ProtocolError(400, "malformed header line")
        key, value = name.lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_body(reader, headers)
    url = urlsplit(target)
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    peer = writer.get_extra_info("peername")
    peer_text = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else ""
    return HttpRequest(method, unquote(url.path), query, headers, body, keep_alive, peer_text)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await _read_chunked(reader)
        length = int(headers.get("content-length", "0"))
        if length < 0:
            raise ProtocolError(400, "negative Content-Length")
        if length > MAX_BODY_BYTES:
            raise ProtocolError(413, "request body too large")
        return await reader.readexactly(length)
    except ValueError as exc:
        raise ProtocolError(400, "bad body framing") from exc
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError(400, "incomplete request body") from exc


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # skip trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            raise ProtocolError(413, "request body too large")
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError(400, "bad chunk framing")


class _DateCache:
    """The `Date` header changes once a second: format it once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._value = second, formatdate(second, usegmt=True)
        return self._value


_DATE = _DateCache()


class ResponseChannel:
    """Writes responses to one connection: fixed bodies, or a chunked stream."""

    def __init__(self, writer: asyncio.StreamWriter, *, gzip_enabled: bool) -> None:
        """Wrap a connection; gzip only happens when enabled and accepted by the request."""
        self._writer = writer
        self._gzip_enabled = gzip_enabled
        self._gzip = False
        self._compressor: zlib._Compress | None = None
        self._unsent: list[bytes] = []  # framed bytes not yet written (the head, at first)
        self._pending: list[bytes] = []  # stream pieces not yet framed
        self.keep_alive = True
        self.status = 0  # the status of the last response started, 0 before any

    def begin(self, request: HttpRequest) -> None:
        """Prepare for the response to `request`."""
        self.keep_alive = request.keep_alive
        self._gzip = self._gzip_enabled and request.accepts_gzip
        self.status = 0

    def _head(self, status: int, headers: Iterable[tuple[str, str]]) -> bytes:
        self.status = status
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
            f"date: {_DATE.now()}",
            "server: routing-otel-emulator",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if self._gzip:
            lines += ["content-encoding: gzip", "vary: accept-encoding"]
        if not self.keep_alive:
            lines.append("connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def send(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str = JSON,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Send a complete response with a Content-Length."""
        if self._gzip:
            compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: gzip container
            body = compressor.compress(body) + compressor.flush()
        all_headers = [("content-type", content_type), ("content-length", str(len(body)))]
        self._writer.write(self._head(status, [*all_headers, *headers]) + body)
        await self._writer.drain()

    def open_stream(
        self, status: int, *, content_type: str = SSE, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Start a chunked response; then `write()` pieces, `flush()`, and `close_stream()`."""
        base = [
            ("content-type", content_type),
            ("transfer-encoding", "chunked"),
            ("cache-control", "no-cache"),
            ("x-accel-buffering", "no"),
        ]
        self._compressor = zlib.compressobj(1, zlib.DEFLATED, 31) if self._gzip else None
        self._unsent = [self._head(status, [*base, *headers])]
        self._pending = []

    def write(self, data: bytes) -> None:
        """Queue a piece of the stream; `flush()` sends everything queued."""
        self._pending.append(data)

    def _take_chunk(self, *, last: bool) -> bytes:
        """Frame the queued pieces as one HTTP chunk (compressed and flushed with gzip on)."""
        data = b"".join(self._pending)
        self._pending.clear()
        if self._compressor is not None:
            # A sync flush ends each chunk on a byte boundary, so the client can decode it now.
            mode = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
            data = self._compressor.compress(data) + self._compressor.flush(mode)
        return b"%x\r\n%b\r\n" % (len(data), data) if data else b""

    async def flush(self) -> None:
        """Send what is queued, at once: called before every pause of a stream."""
        self._unsent.append(self._take_chunk(last=False))
        self._writer.write(b"".join(self._unsent))
        self._unsent.clear()
        await self._writer.drain()

    async def close_stream(self) -> None:
        """Send what is queued and the terminating chunk."""
        self._unsent += [self._take_chunk(last=True), b"0\r\n\r\n"]
        self._writer.write(b"".join(self._unsent))
        self._unsent.clear()
        self._compressor = None
        await self._writer.drain()

    def reset(self) -> None:
        """Abort the connection with a TCP reset: what a crashed upstream looks like."""
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER with a zero timeout turns close() into a RST instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self._writer.transport.abort()
        self.keep_alive = False
