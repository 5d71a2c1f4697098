"""httpx and httpx2, sync and async: streaming with client.stream and (a)iter_lines."""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import TYPE_CHECKING, Any

import pytest

from routing_otel.emulator import Emulator, EmulatorConfig
from tests.emulator._support import AUTH, CANDIDATES, chat, streamed

if TYPE_CHECKING:
    from types import ModuleType


@pytest.fixture(params=["httpx", "httpx2"])
def http(request: pytest.FixtureRequest) -> ModuleType:
    """The client library under test (httpx2 only where it is installed)."""
    name: str = request.param
    module: ModuleType = (
        pytest.importorskip(name) if name == "httpx2" else importlib.import_module(name)
    )
    return module


def _parse(lines: list[str]) -> tuple[str | None, str, dict[str, Any] | None]:
    """Selected model, joined content and the usage chunk of SSE lines."""
    model, answer, usage = None, "", None
    for line in lines:
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        data = json.loads(line[6:])
        model = model or data.get("model")
        for choice in data.get("choices", []):
            answer += choice["delta"].get("content") or ""
        usage = data.get("usage", usage)
    return model, answer, usage


def test_sync_stream(emu: Emulator, http: ModuleType) -> None:
    """Client.stream + iter_lines reads a routed stream to the end."""
    with (
        http.Client(base_url=emu.base_url, timeout=30) as client,
        client.stream(
            "POST", "/chat/completions", json=streamed(router_candidates=CANDIDATES), headers=AUTH
        ) as response,
    ):
        assert response.status_code == 200
        lines = list(response.iter_lines())
    model, answer, usage = _parse(lines)
    assert model in CANDIDATES
    assert answer
    assert usage is not None
    assert [line for line in lines if line][-1] == "data: [DONE]"


async def test_async_stream(emu: Emulator, http: ModuleType) -> None:
    """AsyncClient.stream + aiter_lines reads a routed stream to the end."""
    async with (
        http.AsyncClient(base_url=emu.llm_base_url, timeout=30) as client,
        client.stream(
            "POST", "/chat/completions", json=streamed(router_candidates=CANDIDATES), headers=AUTH
        ) as response,
    ):
        lines = [line async for line in response.aiter_lines()]
    model, answer, _ = _parse(lines)
    assert model in CANDIDATES
    assert answer


async def test_parallel_async_batch(emu: Emulator, http: ModuleType) -> None:
    """The guides' parallel batch: five streamed questions at once with asyncio.gather."""
    questions = [f"Question {n}: what is {n} squared?" for n in range(5)]

    async def ask(client: Any, question: str) -> tuple[str | None, str, dict[str, Any] | None]:
        payload = {
            "model": "@edenai",
            "messages": [{"role": "user", "content": question}],
            "stream": True,
        }
        async with client.stream(
            "POST", emu.llm_base_url + "/chat/completions", json=payload, headers=AUTH
        ) as response:
            return _parse([line async for line in response.aiter_lines()])

    async with http.AsyncClient(timeout=30) as client:
        results = await asyncio.gather(*(ask(client, q) for q in questions))
    assert all(model and answer for model, answer, _ in results)


def test_keep_alive_with_a_client(emu: Emulator, http: ModuleType) -> None:
    """One pooled client connection serves many requests in a row."""
    with http.Client(base_url=emu.base_url, timeout=30) as client:
        for _ in range(5):
            assert (
                client.post(
                    "/chat/completions", json=chat(model="openai/gpt-4o"), headers=AUTH
                ).status_code
                == 200
            )
            with client.stream(
                "POST", "/chat/completions", json=streamed(), headers=AUTH
            ) as response:
                response.read()
    assert len({request.peer for request in emu.requests}) == 1


def test_gzip_stream(http: ModuleType) -> None:
    """A gzip stream is decoded incrementally into the same lines."""
    with (
        Emulator(EmulatorConfig.fast(gzip=True)) as emu,
        http.Client(
            base_url=emu.base_url, timeout=30, headers={"Accept-Encoding": "gzip"}
        ) as client,
        client.stream("POST", "/chat/completions", json=streamed(), headers=AUTH) as response,
    ):
        assert response.headers["content-encoding"] == "gzip"
        lines = [line for line in response.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert _parse(lines)[2] is not None
