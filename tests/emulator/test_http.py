"""The HTTP layer on a raw socket: framing, keep-alive, chunked bodies, bad requests."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING

import pytest

from tests.emulator._support import KEY, chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator


@pytest.fixture
def sock(emu: Emulator) -> Iterator[socket.socket]:
    """A plain TCP connection to the emulator."""
    with socket.create_connection((emu.host, emu.port), timeout=10) as connection:
        yield connection


def _read_response(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """Read one Content-Length response: status line, headers, body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return status, headers, body


def _request(body: bytes, *extra: str) -> bytes:
    lines = [
        "POST /v3/chat/completions HTTP/1.1",
        "Host: localhost",
        f"Authorization: Bearer {KEY}",
        "Content-Type: application/json",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_keep_alive_serves_requests_in_sequence(sock: socket.socket) -> None:
    """Several requests on one connection each get a full response."""
    body = json.dumps(chat(model="openai/gpt-4o")).encode()
    for _ in range(3):
        sock.sendall(_request(body, f"Content-Length: {len(body)}"))
        status, headers, payload = _read_response(sock)
        assert status == "HTTP/1.1 200 OK"
        assert headers["content-type"] == "application/json"
        assert json.loads(payload)["object"] == "chat.completion"


def test_pipelined_requests(sock: socket.socket) -> None:
    """Two requests sent back to back are answered in order."""
    first = json.dumps(chat(model="openai/gpt-4o")).encode()
    second = json.dumps(chat(model="openai/gpt-4o-mini")).encode()
    sock.sendall(
        _request(first, f"Content-Length: {len(first)}")
        + _request(second, f"Content-Length: {len(second)}")
    )
    assert json.loads(_read_response(sock)[2])["model"] == "openai/gpt-4o"
    assert json.loads(_read_response(sock)[2])["model"] == "openai/gpt-4o-mini"


def test_chunked_request_body(sock: socket.socket) -> None:
    """A chunked request body is reassembled."""
    body = json.dumps(chat(model="openai/gpt-4o")).encode()
    half = len(body) // 2
    chunked = b"%x\r\n%b\r\n%x\r\n%b\r\n0\r\n\r\n" % (
        half,
        body[:half],
        len(body) - half,
        body[half:],
    )
    sock.sendall(_request(chunked, "Transfer-Encoding: chunked"))
    status, _, payload = _read_response(sock)
    assert status.endswith("200 OK")
    assert json.loads(payload)["model"] == "openai/gpt-4o"


def test_expect_continue(sock: socket.socket) -> None:
    """Expect: 100-continue gets an interim 100 before the body is sent."""
    body = json.dumps(chat(model="openai/gpt-4o")).encode()
    sock.sendall(_request(b"", f"Content-Length: {len(body)}", "Expect: 100-continue"))
    assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    sock.sendall(body)
    assert _read_response(sock)[0].endswith("200 OK")


def test_streamed_response_is_chunked(sock: socket.socket) -> None:
    """A stream is sent with Transfer-Encoding: chunked and ends with the zero chunk."""
    body = json.dumps(chat(model="openai/gpt-4o", stream=True)).encode()
    sock.sendall(_request(body, f"Content-Length: {len(body)}"))
    data = b""
    while not data.endswith(b"0\r\n\r\n"):
        data += sock.recv(65536)
    head = data.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert "transfer-encoding: chunked" in head
    assert "content-type: text/event-stream" in head
    assert b"data: [DONE]\n\n\r\n0\r\n\r\n" in data


def test_connection_close_is_honoured(sock: socket.socket) -> None:
    """Connection: close gets a response and then the server closes."""
    sock.sendall(b"GET /v3/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status, headers, _ = _read_response(sock)
    assert status.endswith("200 OK")
    assert headers["connection"] == "close"
    assert sock.recv(1024) == b""


def test_http_1_0_closes_by_default(sock: socket.socket) -> None:
    """An HTTP/1.0 request without keep-alive is answered, then the connection closes."""
    sock.sendall(b"GET /v3/models HTTP/1.0\r\n\r\n")
    assert _read_response(sock)[0].endswith("200 OK")
    assert sock.recv(1024) == b""


def test_malformed_request_line_is_400(sock: socket.socket) -> None:
    """Garbage gets a 400 and a closed connection, not a crash."""
    sock.sendall(b"HELLO\r\n\r\n")
    assert _read_response(sock)[0] == "HTTP/1.1 400 Bad Request"
    assert sock.recv(1024) == b""


def test_head_too_large_is_431(sock: socket.socket) -> None:
    """A request head over 64 KiB is refused with 431."""
    sock.sendall(b"GET /v3/models HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
    assert _read_response(sock)[0].startswith("HTTP/1.1 431")


def test_client_hanging_up_mid_stream_is_harmless(emu: Emulator) -> None:
    """A client closing during a stream leaves no error behind."""
    body = json.dumps(chat(model="openai/gpt-4o", stream=True)).encode()
    with socket.create_connection((emu.host, emu.port)) as connection:
        connection.sendall(_request(body, f"Content-Length: {len(body)}"))
        assert connection.recv(10)
    with socket.create_connection((emu.host, emu.port)) as connection:
        connection.sendall(b"GET /v3/models HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_response(connection)[0].endswith("200 OK")
    assert emu.internal_errors == []
