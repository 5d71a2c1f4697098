"""A loopback HTTP server that answers every POST with a canned response, piece by piece.

For what the emulator does not do on purpose: a proxy that rewrites ``Content-Type``, an
unusual usage chunk, bytes split at chosen places. It records each request's raw body.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Canned:
    """The response to give, and what was asked."""

    pieces: list[bytes] = field(default_factory=list)
    content_type: str | None = "text/event-stream"
    status: int = 200
    bodies: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    canned: Canned

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.canned.bodies.append(self.rfile.read(length))
        self.canned.paths.append(self.path)
        self.send_response(self.canned.status)
        if self.canned.content_type is not None:
            self.send_header("content-type", self.canned.content_type)
        self.send_header("connection", "close")  # the body ends where the connection does
        self.end_headers()
        for piece in self.canned.pieces:
            self.wfile.write(piece)
            self.wfile.flush()
            time.sleep(0.001)  # separate network reads, as far as the kernel allows
        self.close_connection = True

    def log_message(self, *_: Any) -> None:
        """Quiet."""


@dataclass
class CannedServer:
    """The running server: its port and what it answers."""

    port: int
    canned: Canned

    @property
    def url(self) -> str:
        """The chat-completions URL on this server."""
        return f"http://127.0.0.1:{self.port}/v3/chat/completions"


def serve() -> Iterator[CannedServer]:
    """Run a canned server until the generator is closed (use as a fixture)."""
    canned = Canned()
    handler = type("Handler", (_Handler,), {"canned": canned})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CannedServer(server.server_address[1], canned)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
