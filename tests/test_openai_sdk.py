"""The real OpenAI SDK through our transports: 3.x over httpx2, 1.x/2.x over httpx.

``make test`` runs this module twice: in the main environment (openai 3.x) and in a second
one with openai 2.x, so both generations of the SDK are covered.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import openai
import pytest
from opentelemetry.trace import StatusCode

from routing_otel import _semconv as sc
from tests.clients import KEY, LIBRARIES

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

pytestmark = pytest.mark.openai_sdk

SDK_MAJOR = int(openai.__version__.split(".", 1)[0])
# The library the installed SDK speaks natively; 3.x also accepts a legacy httpx client.
NATIVE = "httpx2" if SDK_MAJOR >= 3 else "httpx"
CLIENT_LIBRARIES = ["httpx2", "httpx"] if SDK_MAJOR >= 3 else ["httpx"]
CANDIDATES = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]


def test_the_environment_has_the_sdk_we_think() -> None:
    """The SDK generation matches the HTTP library available (guards the test matrix)."""
    assert NATIVE in LIBRARIES


@pytest.fixture(params=CLIENT_LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    """Each HTTP library this SDK generation can be given as its ``http_client``."""
    return str(request.param)


@pytest.fixture
def sdk(emu: Emulator, telemetry: Telemetry, library: str) -> Iterator[Any]:
    """A sync ``OpenAI`` client whose HTTP client uses our transport; closed afterwards."""
    with _sdk(emu, telemetry, library, is_async=False) as client:
        yield client


def _sdk(emu: Emulator, telemetry: Telemetry, library: str, *, is_async: bool) -> Any:
    module, ours = LIBRARIES[library]
    hosts = [f"127.0.0.1:{emu.port}"]
    if is_async:
        transport = ours.AsyncRoutingTransport(hosts=hosts, **telemetry.providers)
        http_client = module.AsyncClient(transport=transport)
        return openai.AsyncOpenAI(
            api_key=KEY, base_url=emu.llm_base_url, http_client=http_client, max_retries=0
        )
    transport = ours.RoutingTransport(hosts=hosts, **telemetry.providers)
    http_client = module.Client(transport=transport)
    return openai.OpenAI(
        api_key=KEY, base_url=emu.llm_base_url, http_client=http_client, max_retries=0
    )


STREAM_ARGS: dict[str, Any] = {
    "model": "@edenai",
    "messages": [{"role": "user", "content": "Write a haiku about routers."}],
    "stream": True,
    "stream_options": {"include_usage": True},
    "extra_body": {"router_candidates": CANDIDATES},
    "extra_headers": {"x-edenai-metadata": "enabled"},
}


def _check_routed_span(telemetry: Telemetry, served: str) -> None:
    span = telemetry.only_chat_span()
    attrs = span.attributes or {}
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "@edenai"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == served
    assert attrs[sc.ROUTER_CANDIDATES] == tuple(CANDIDATES)
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert isinstance(attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK], float)
    assert len(telemetry.spans("route ")) == 1
    assert not attrs.get(sc.ROUTER_STREAM_CLOSED_EARLY, False)


def test_sync_stream(sdk: Any, telemetry: Telemetry) -> None:
    """The guides' SDK pattern: routed stream, model read from the chunks."""
    selected = None
    answer = ""
    for chunk in sdk.chat.completions.create(**STREAM_ARGS):
        selected = selected or chunk.model
        if chunk.choices and chunk.choices[0].delta.content:
            answer += chunk.choices[0].delta.content
    assert answer
    assert selected in CANDIDATES
    _check_routed_span(telemetry, selected)


def test_async_stream(emu: Emulator, telemetry: Telemetry, library: str) -> None:
    """The same with ``AsyncOpenAI``."""

    async def main() -> str | None:
        client = _sdk(emu, telemetry, library, is_async=True)
        selected = None
        async with client:
            async for chunk in await client.chat.completions.create(**STREAM_ARGS):
                selected = selected or chunk.model
        return selected

    selected = asyncio.run(main())
    assert selected in CANDIDATES
    _check_routed_span(telemetry, selected)


def test_non_streamed_fixed_model(sdk: Any, telemetry: Telemetry) -> None:
    """A plain ``create`` records usage, the served model and no routing span."""
    completion = sdk.chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    )
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "openai/gpt-4o-mini"
    assert completion.usage is not None
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == completion.usage.prompt_tokens
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == completion.usage.completion_tokens
    assert attrs[sc.GEN_AI_RESPONSE_ID] == completion.id
    assert telemetry.spans("route ") == []


def test_tool_calls_are_counted(sdk: Any, telemetry: Telemetry) -> None:
    """A routed stream with tools finishes with ``tool_calls`` and counts them."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    names = [
        call.function.name
        for chunk in sdk.chat.completions.create(**STREAM_ARGS, tools=tools)
        if chunk.choices and chunk.choices[0].delta.tool_calls
        for call in chunk.choices[0].delta.tool_calls
        if call.function and call.function.name
    ]
    attrs = telemetry.only_chat_span().attributes or {}
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_calls",)
    assert attrs[sc.ROUTER_TOOL_CALLS] == len(names) == 1


def test_rate_limit_reaches_the_app_unchanged(sdk: Any, telemetry: Telemetry) -> None:
    """A 429 raises the SDK's own ``RateLimitError``; the span says 429."""
    with pytest.raises(openai.RateLimitError):
        sdk.chat.completions.create(
            **{**STREAM_ARGS, "extra_headers": {"x-emulator-fault": "rate_limit"}}
        )
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == "429"


def test_sdk_retries_are_separate_spans(sdk: Any, emu: Emulator, telemetry: Telemetry) -> None:
    """Each attempt the SDK makes is its own span: a 429, then the call that served."""
    client = sdk.with_options(max_retries=2)
    emu.inject("rate_limit", times=1, value=0)
    for _ in client.chat.completions.create(**STREAM_ARGS):
        pass
    errors = [(s.attributes or {}).get(sc.ERROR_TYPE) for s in telemetry.chat_spans()]
    assert errors == ["429", None]


@pytest.mark.parametrize("shape", ["eden", "openai"])
def test_usage_capture_is_invisible_to_the_sdk(
    emu: Emulator, telemetry: Telemetry, library: str, shape: str
) -> None:
    """A stream without usage: the SDK yields the same chunks; we still learn the cost."""
    module, ours = LIBRARIES[library]
    seen = {}
    for capture in (False, True):
        transport = ours.RoutingTransport(
            hosts=[f"127.0.0.1:{emu.port}"], capture_usage=capture, **telemetry.providers
        )
        with openai.OpenAI(
            api_key=KEY,
            base_url=emu.llm_base_url,
            http_client=module.Client(transport=transport),
            max_retries=0,
        ) as client:
            stream = client.chat.completions.create(
                model="@edenai",
                messages=[{"role": "user", "content": "Same answer twice?"}],
                stream=True,
                extra_headers={"x-emulator-usage-shape": shape},
            )
            # The guides read chunk.choices[0] on every chunk: a usage chunk would break it.
            seen[capture] = [
                (c.model, c.choices[0].delta.content, c.choices[0].finish_reason) for c in stream
            ]
    assert seen[True] == seen[False]
    attrs = telemetry.chat_spans()[-1].attributes or {}
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert isinstance(attrs[sc.GEN_AI_USAGE_INPUT_TOKENS], int)
