"""The guides' patterns that use the OpenAI SDK, and the parallel async batch (httpx).

``ContextAwareRouter`` / custom candidate pools and function calling go through the OpenAI
SDK pointed at Eden AI (``base_url=.../v3/llm``, ``extra_body={"router_candidates": ...}``);
the batch sends five questions at once with ``httpx.AsyncClient`` and ``asyncio.gather``.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any, Final

import httpx

import routing_otel
from routing_otel.demo._patterns import POOLS, Answer
from routing_otel.demo._prompts import TOOLS
from routing_otel.demo._wire import FALLBACK_MODEL, ROUTED, TIMEOUT_S, Wire, read_sse, with_fallback

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing_otel.demo._prompts import UseCase

# ContextAwareRouter: each use case has its pool (and optionally a system prompt).
USE_CASE_POOLS: Final[dict[UseCase, str]] = {
    "code": "code",
    "creative": "creative",
    "analysis": "general",
    "translation": "fast",
    "chat": "fast",
    "summarization": "general",
}
_SYSTEM_PROMPTS: Final[dict[UseCase, str]] = {
    "code": "You are a senior software engineer. Prefer short, tested code.",
    "translation": "You are a professional translator. Keep the tone of the original.",
}


def openai_client(wire: Wire) -> Any:
    """The OpenAI SDK's client, pointed at Eden AI as the guides do (retries off).

    Without retries the SDK's failed call reaches the app at once, which then falls back to
    a fixed model (the guides' ResilientRouter) instead of retrying a down router.
    """
    import openai  # noqa: PLC0415 - only the workload needs it

    return openai.OpenAI(
        api_key=wire.api_key, base_url=wire.base_url, max_retries=0, timeout=TIMEOUT_S
    )


class ContextAwareRouter:
    """ContextAwareRouter: the use case picks the candidate pool, via the OpenAI SDK."""

    def __init__(self, wire: Wire, client: Any) -> None:
        """Route through ``client`` (an ``openai.OpenAI`` aimed at ``wire``)."""
        self.wire = wire
        self.client = client

    def _stream(
        self, model: str, messages: list[dict[str, str]], pool: str, rng: random.Random
    ) -> Answer:
        routed = model == ROUTED
        extra_body = {"router_candidates": POOLS[pool]} if routed else None
        selected = None
        text = ""
        with self.client.chat.completions.create(
            model=model,
            messages=messages,
            stream=True,
            extra_body=extra_body,
            extra_headers=self.wire.chaos(rng, routed=routed),
        ) as stream:
            for chunk in stream:
                selected = selected or chunk.model
                if chunk.choices and chunk.choices[0].delta.content:
                    text += chunk.choices[0].delta.content
        return Answer(model, selected, text)

    def chat(self, message: str, use_case: UseCase, rng: random.Random) -> Answer:
        """Answer with the use case's pool, falling back to a fixed model."""
        pool = USE_CASE_POOLS[use_case]
        messages = [{"role": "user", "content": message}]
        if system := _SYSTEM_PROMPTS.get(use_case):
            messages.insert(0, {"role": "system", "content": system})
        with routing_otel.observe("context-chat", pool=pool, use_case=use_case):
            return with_fallback(lambda model: self._stream(model, messages, pool, rng))


class ToolCaller:
    """Function calling: a routed stream with ``tools``, collecting ``tool_calls`` pieces."""

    def __init__(self, wire: Wire, client: Any) -> None:
        """Call through ``client`` (an ``openai.OpenAI`` aimed at ``wire``)."""
        self.wire = wire
        self.client = client

    def _stream(self, model: str, message: str, rng: random.Random) -> Answer:
        calls: dict[int, dict[str, str]] = {}
        selected = None
        with self.client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": message}],
            tools=TOOLS,
            stream=True,
            extra_headers=self.wire.chaos(rng, routed=model == ROUTED),
        ) as stream:
            for chunk in stream:
                selected = selected or chunk.model
                if not chunk.choices:
                    continue
                for piece in chunk.choices[0].delta.tool_calls or []:
                    call = calls.setdefault(piece.index, {"name": "", "arguments": ""})
                    if piece.function is not None:
                        call["name"] += piece.function.name or ""
                        call["arguments"] += piece.function.arguments or ""
        summary = "; ".join(f"{c['name']}({c['arguments']})" for c in calls.values())
        return Answer(model, selected, summary)

    @routing_otel.observe("tool-chat", use_case="tools")
    def chat(self, message: str, rng: random.Random) -> Answer:
        """Ask a question the tools can answer; the router picks the model."""
        return with_fallback(lambda model: self._stream(model, message, rng))


async def _ask(
    client: httpx.AsyncClient, wire: Wire, model: str, message: str, rng: random.Random
) -> Answer:
    routed = model == ROUTED
    payload: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": message}],
        "stream": True,
    }
    if routed:
        payload["router_candidates"] = POOLS["fast"]
    headers = wire.headers(rng, routed=routed)
    async with client.stream("POST", wire.chat_url, json=payload, headers=headers) as response:
        response.raise_for_status()
        selected, text = read_sse([line async for line in response.aiter_lines()])
    return Answer(model, selected, text)


async def _ask_resilient(
    client: httpx.AsyncClient, wire: Wire, message: str, use_case: str, seed: str
) -> Answer:
    rng = random.Random(seed)  # noqa: S311 - seeds the demo's choices, not crypto
    # One scope per question: concurrent calls must not share one scope's fallback state.
    async with routing_otel.observe("batch-question", use_case=use_case):
        try:
            return await _ask(client, wire, ROUTED, message, rng)
        except Exception:  # the guides fall back on any exception
            return await _ask(client, wire, FALLBACK_MODEL, message, rng)


async def _batch(wire: Wire, questions: Sequence[tuple[str, str]], seed: str) -> list[Answer]:
    async with (
        routing_otel.observe("parallel-batch", pool="fast"),
        httpx.AsyncClient(timeout=TIMEOUT_S) as client,
    ):
        return await asyncio.gather(
            *(
                _ask_resilient(client, wire, message, use_case, f"{seed}:{n}")
                for n, (use_case, message) in enumerate(questions)
            )
        )


def parallel_batch(wire: Wire, questions: Sequence[tuple[str, str]], seed: str) -> list[Answer]:
    """The guides' parallel async batch: every question at once, in a fresh event loop."""
    return asyncio.run(_batch(wire, questions, seed))
