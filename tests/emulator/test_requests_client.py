"""The router guides' own pattern: requests with stream=True and an iter_lines() loop."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
import requests

from routing_otel.emulator import Emulator, EmulatorConfig
from tests.emulator._support import CANDIDATES, KEY


def guide_stream(
    url: str, payload: dict[str, Any], session: requests.Session | None = None
) -> tuple[str | None, str]:
    """The guides' loop: keep `data: ` lines, read the model from the first chunk, join content."""
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    post = session.post if session is not None else requests.post
    response = post(url, headers=headers, json=payload, stream=True, timeout=30)
    response.raise_for_status()
    selected_model = None
    full_response = ""
    for line in response.iter_lines():
        if line:
            text = line.decode("utf-8")
            if text.startswith("data: ") and text != "data: [DONE]":
                data = json.loads(text[6:])
                if selected_model is None and "model" in data:
                    selected_model = data["model"]
                content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                if content:
                    full_response += content
    response.close()
    return selected_model, full_response


@pytest.mark.parametrize("base", ["base_url", "llm_base_url"])
def test_guide_loop_default_routing(emu: Emulator, base: str) -> None:
    """The default-routing example works unchanged against both base URLs."""
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": "Explain quantum computing"}],
        "stream": True,
    }
    model, answer = guide_stream(getattr(emu, base) + "/chat/completions", payload)
    assert model in EmulatorConfig().default_candidates
    assert len(answer.split()) >= 5


def test_guide_loop_with_candidates(emu: Emulator) -> None:
    """Custom candidate pools are honoured."""
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": "Write a Python function"}],
        "router_candidates": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
        "stream": True,
    }
    model, answer = guide_stream(emu.llm_base_url + "/chat/completions", payload)
    assert model in {"openai/gpt-4o", "anthropic/claude-sonnet-4-5"}
    assert answer


def test_guide_loop_survives_the_eden_usage_chunk(emu: Emulator) -> None:
    """With include_usage the Eden usage chunk (one empty choice) does not break the loop."""
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": "hello"}],
        "router_candidates": CANDIDATES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    model, answer = guide_stream(emu.llm_base_url + "/chat/completions", payload)
    assert model in CANDIDATES
    assert answer


def test_keep_alive_reuses_one_connection(emu: Emulator) -> None:
    """A requests Session sends several streamed and plain requests over one connection."""
    payload = {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
    }
    with requests.Session() as session:
        for _ in range(3):
            guide_stream(emu.llm_base_url + "/chat/completions", payload, session)
        response = session.get(emu.base_url + "/models", timeout=10)
        assert response.status_code == 200
    assert len(emu.requests) == 4
    assert len({request.peer for request in emu.requests}) == 1  # one client port: one connection


def test_gzip_stream_stays_live() -> None:
    """With gzip on, requests decodes the compressed stream line by line."""
    with Emulator(EmulatorConfig.fast(gzip=True)) as emu:
        payload = {
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
        }
        response = requests.post(
            emu.base_url + "/chat/completions",
            headers={"Authorization": f"Bearer {KEY}"},
            json=payload,
            stream=True,
            timeout=10,
        )
        assert response.headers["content-encoding"] == "gzip"
        lines = [line for line in response.iter_lines() if line]
        response.close()
    assert lines[-1] == b"data: [DONE]"
    assert lines[0].startswith(b"data: {")


def test_gzip_plain_body(emu: Emulator) -> None:
    """gzip is off by default; on, a JSON body is compressed for clients that accept it."""
    response = requests.get(emu.base_url + "/models", timeout=10)
    assert "content-encoding" not in response.headers
    with Emulator(EmulatorConfig.fast(gzip=True)) as zipped:
        raw = requests.get(zipped.base_url + "/models", timeout=10, stream=True)
        assert raw.headers["content-encoding"] == "gzip"
        body = json.loads(gzip.decompress(raw.raw.read()))
        raw.close()
        identity = requests.get(
            zipped.base_url + "/models", headers={"Accept-Encoding": "identity"}, timeout=10
        )
        assert "content-encoding" not in identity.headers
    assert body["object"] == "list"
