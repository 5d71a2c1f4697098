"""The real OpenAI SDK against the emulator, exactly as the router guides use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import openai
import pytest
from openai import AsyncOpenAI, OpenAI

from tests.emulator._support import CANDIDATES, KEY, WEATHER_TOOL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from openai.types.chat import (
        ChatCompletionChunk,
        ChatCompletionMessageParam,
        ChatCompletionToolParam,
    )

    from routing_otel.emulator import Emulator

pytestmark = pytest.mark.openai_sdk
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Explain smart routing"}]


@pytest.fixture
def sdk(emu: Emulator) -> Iterator[OpenAI]:
    """An SDK client on the older base URL, without retries."""
    with OpenAI(api_key=KEY, base_url=emu.llm_base_url, max_retries=0) as client:
        yield client


def test_streaming_with_candidates(sdk: OpenAI) -> None:
    """create(model='@edenai', stream=True, extra_body=router_candidates) streams chunks."""
    stream = sdk.chat.completions.create(
        model="@edenai",
        messages=MESSAGES,
        stream=True,
        extra_body={"router_candidates": CANDIDATES},
    )
    selected, answer = None, ""
    for chunk in stream:
        selected = selected or chunk.model
        if chunk.choices and chunk.choices[0].delta.content:
            answer += chunk.choices[0].delta.content
    assert selected in CANDIDATES
    assert answer


@pytest.mark.parametrize("shape", ["eden", "openai"])
def test_streaming_usage_both_shapes(sdk: OpenAI, shape: str) -> None:
    """include_usage works with both usage-chunk shapes; cost rides along as an extra field."""
    stream = sdk.chat.completions.create(
        model="openai/gpt-4o-mini",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-emulator-usage-shape": shape},
    )
    chunks = list(stream)
    last = chunks[-1]
    assert last.usage is not None
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert (last.model_extra or {})["cost"] > 0
    assert len(last.choices) == (1 if shape == "eden" else 0)


def test_metadata_with_extra_headers(sdk: OpenAI) -> None:
    """extra_headers x-edenai-metadata puts edenai_metadata on the first chunk."""
    stream = sdk.chat.completions.create(
        model="@edenai",
        messages=MESSAGES,
        stream=True,
        extra_headers={"x-edenai-metadata": "enabled"},
    )
    first = next(iter(stream))
    stream.close()
    assert (first.model_extra or {})["edenai_metadata"]["strategy"] == "auto"


def test_non_streaming(emu: Emulator) -> None:
    """A non-streamed create on the current base URL returns a ChatCompletion."""
    with OpenAI(api_key=KEY, base_url=emu.base_url, max_retries=0) as client:
        completion = client.chat.completions.create(
            model="anthropic/claude-haiku-4-5", messages=MESSAGES
        )
    assert completion.model == "anthropic/claude-haiku-4-5"
    assert completion.choices[0].message.content
    assert completion.usage is not None
    assert (completion.model_extra or {})["provider"] == "anthropic"


def test_streamed_tool_calls(sdk: OpenAI) -> None:
    """Tool-call fragments reassemble into one call with JSON arguments."""
    stream = sdk.chat.completions.create(
        model="@edenai",
        messages=[{"role": "user", "content": "What's the weather in Berlin?"}],
        tools=[cast("ChatCompletionToolParam", WEATHER_TOOL)],
        stream=True,
        extra_body={"router_candidates": CANDIDATES},
    )
    name, arguments, finish = "", "", None
    for chunk in stream:
        choice = chunk.choices[0]
        for call in choice.delta.tool_calls or []:
            name += (call.function.name or "") if call.function else ""
            arguments += (call.function.arguments or "") if call.function else ""
        finish = choice.finish_reason or finish
    assert name == "get_weather"
    assert '"location":"Berlin"' in arguments
    assert finish == "tool_calls"


def test_rate_limit_raises(sdk: OpenAI) -> None:
    """A 429 surfaces as openai.RateLimitError."""
    with pytest.raises(openai.RateLimitError):
        sdk.chat.completions.create(
            model="@edenai", messages=MESSAGES, extra_headers={"x-emulator-fault": "rate_limit"}
        )


def test_router_down_raises(emu: Emulator, sdk: OpenAI) -> None:
    """A 503 from a down router surfaces as openai.InternalServerError; fixed models work."""
    emu.router_down()
    with pytest.raises(openai.InternalServerError) as caught:
        sdk.chat.completions.create(model="@edenai", messages=MESSAGES, stream=True)
    assert caught.value.status_code == 503
    fixed = sdk.chat.completions.create(model="openai/gpt-4o", messages=MESSAGES)
    assert fixed.choices[0].message.content


def test_mid_stream_error_raises(sdk: OpenAI) -> None:
    """The SDK turns the mid-stream error frame into openai.APIError after some chunks."""
    stream = sdk.chat.completions.create(
        model="@edenai",
        messages=MESSAGES,
        stream=True,
        extra_headers={"x-emulator-fault": "stream_error=2"},
    )
    received: list[ChatCompletionChunk] = []
    with pytest.raises(openai.APIError):
        received.extend(stream)
    assert len(received) == 3


async def test_async_streaming(emu: Emulator) -> None:
    """AsyncOpenAI streams too."""
    async with AsyncOpenAI(api_key=KEY, base_url=emu.llm_base_url, max_retries=0) as client:
        stream = await client.chat.completions.create(
            model="@edenai",
            messages=MESSAGES,
            stream=True,
            extra_body={"router_candidates": CANDIDATES},
        )
        models = {chunk.model async for chunk in stream}
    assert len(models) == 1
    assert models <= set(CANDIDATES)


def test_models_list(sdk: OpenAI) -> None:
    """client.models.list() reads the public catalogue."""
    ids = [model.id for model in sdk.models.list()]
    assert "openai/gpt-4o" in ids
    assert "google/gemini-flash-latest" in ids
