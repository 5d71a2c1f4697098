"""Legal SSE the spec does not document: CRLF, comments, id/event fields, split frames."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
from openai import OpenAI

from routing_otel.emulator import Emulator, EmulatorConfig
from tests.emulator._support import AUTH, CANDIDATES, KEY, chunks, streamed

if TYPE_CHECKING:
    from routing_otel.emulator import SseQuirk

ALL_QUIRKS = "crlf,comments,fields,split"


def _raw_stream(emu: Emulator, quirks: str) -> str:
    headers = {**AUTH, "x-emulator-sse-quirks": quirks}
    response = httpx.post(emu.base_url + "/chat/completions", json=streamed(), headers=headers)
    assert response.status_code == 200
    return response.text


def test_crlf(emu: Emulator) -> None:
    """crlf ends every line with CRLF."""
    text = _raw_stream(emu, "crlf")
    assert "\r\n\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    assert text.endswith("data: [DONE]\r\n\r\n")


def test_comments(emu: Emulator) -> None:
    """comments adds keep-alive comment lines before and after the role chunk."""
    text = _raw_stream(emu, "comments")
    assert text.startswith(": keep-alive\n\n")
    assert text.count(": keep-alive") == 2


def test_fields(emu: Emulator) -> None:
    """fields adds numbered id: lines and event: message to every frame."""
    text = _raw_stream(emu, "fields")
    frames = text.strip().split("\n\n")
    assert frames[0].startswith("id: 1\nevent: message\ndata: {")
    assert frames[-1] == f"id: {len(frames)}\nevent: message\ndata: [DONE]"


def test_split_frames_cross_network_writes(emu: Emulator) -> None:
    """split sends frames in pieces: HTTP chunks end in the middle of frames."""
    body = json.dumps(streamed()).encode()
    head = (
        f"POST /v3/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
        f"x-emulator-sse-quirks: split\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    data = b""
    with socket.create_connection((emu.host, emu.port), timeout=10) as sock:
        sock.sendall(head + body)
        while not data.endswith(b"\r\n0\r\n\r\n"):
            data += sock.recv(65536)
    rest = data.split(b"\r\n\r\n", 1)[1]
    pieces = []
    while True:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line, 16)
        if size == 0:
            break
        pieces.append(rest[:size])
        rest = rest[size + 2 :]
    assert any(not piece.endswith(b"\n\n") for piece in pieces)
    assert chunks(b"".join(pieces).decode())[-1]["usage"]["total_tokens"] > 0


def test_every_quirk_from_config() -> None:
    """The quirks can be set for the whole emulator."""
    quirks: frozenset[SseQuirk] = frozenset({"crlf", "fields"})
    with Emulator(EmulatorConfig.fast(sse_quirks=quirks)) as emu:
        text = httpx.post(emu.base_url + "/chat/completions", json=streamed(), headers=AUTH).text
    assert text.startswith("id: 1\r\nevent: message\r\ndata: ")


def test_unknown_quirk_is_refused(emu: Emulator) -> None:
    """An unknown quirk in the header is a 400."""
    headers = {**AUTH, "x-emulator-sse-quirks": "sparkles"}
    assert (
        httpx.post(emu.base_url + "/chat/completions", json=streamed(), headers=headers).status_code
        == 400
    )


def test_config_refuses_unknown_quirks() -> None:
    """EmulatorConfig refuses unknown quirks."""
    with pytest.raises(ValueError):
        EmulatorConfig(sse_quirks=frozenset({"sparkles"}))  # type: ignore[arg-type]


def test_guide_loop_with_every_quirk(emu: Emulator) -> None:
    """The guides' requests loop still reads model and content with every quirk on."""
    headers = {"Authorization": f"Bearer {KEY}", "x-emulator-sse-quirks": ALL_QUIRKS}
    payload: dict[str, Any] = {**streamed(router_candidates=CANDIDATES), "stream_options": None}
    with requests.post(
        emu.llm_base_url + "/chat/completions",
        headers=headers,
        json=payload,
        stream=True,
        timeout=30,
    ) as response:
        model, answer = None, ""
        for line in response.iter_lines():
            text = line.decode()
            if text.startswith("data: ") and text != "data: [DONE]":
                data = json.loads(text[6:])
                model = model or data.get("model")
                answer += data.get("choices", [{}])[0].get("delta", {}).get("content", "") or ""
    assert model in CANDIDATES
    assert answer


# Not all four at once: after an `id:` line the SDK's decoder (2.x and 3.x) turns a comment
# block into an empty event and fails on json.loads("") (the SSE standard ignores such a block).
@pytest.mark.openai_sdk
@pytest.mark.parametrize("quirks", ["crlf,comments,split", "crlf,fields,split"])
def test_openai_sdk_with_quirks(emu: Emulator, quirks: str) -> None:
    """The OpenAI SDK's SSE decoder takes the quirks."""
    with OpenAI(api_key=KEY, base_url=emu.llm_base_url, max_retries=0) as client:
        stream = client.chat.completions.create(
            model="@edenai",
            messages=[{"role": "user", "content": "hello"}],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={"x-emulator-sse-quirks": quirks},
        )
        items = list(stream)
    assert items[0].model
    assert items[-1].usage is not None
    assert "".join(c.choices[0].delta.content or "" for c in items if c.choices)
