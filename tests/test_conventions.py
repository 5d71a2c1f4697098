"""GenAI conventions (v1.41): request settings, detailed usage and event names on spans."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from routing_otel import _semconv as sc
from tests.clients import Driver, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

LONG_PROMPT = "Summarise the history of the printing press in detail. " * 200  # > 1024 tokens


def _url(emu: Emulator) -> str:
    return emu.llm_base_url + "/chat/completions"


def _attributes(telemetry: Telemetry) -> dict[str, Any]:
    return dict(telemetry.only_chat_span().attributes or {})


def test_request_settings_become_span_attributes(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Seed, choice count, output type, penalties and stop sequences are on the span."""
    payload = chat(
        seed=42,
        n=3,
        response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        frequency_penalty=0.5,
        presence_penalty=-0.25,
        stop=["END", "STOP"],
    )
    assert driver.send(_url(emu), payload, stream=False).status == 200
    attrs = _attributes(telemetry)
    assert attrs[sc.GEN_AI_REQUEST_SEED] == 42
    assert attrs[sc.GEN_AI_REQUEST_CHOICE_COUNT] == 3
    assert attrs[sc.GEN_AI_OUTPUT_TYPE] == "json"
    assert attrs[sc.GEN_AI_REQUEST_FREQUENCY_PENALTY] == 0.5
    assert attrs[sc.GEN_AI_REQUEST_PRESENCE_PENALTY] == -0.25
    assert attrs[sc.GEN_AI_REQUEST_STOP_SEQUENCES] == ("END", "STOP")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"n": 1, "stop": "END", "response_format": {"type": "json_object"}}, ("END",)),
        ({"stop": None, "response_format": {"type": "text"}}, None),
    ],
    ids=["one-stop-string", "text"],
)
def test_request_settings_edge_cases(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    fields: dict[str, Any],
    expected: tuple[str, ...] | None,
) -> None:
    """`n=1` is not recorded, a stop string is a one-item list, output types map to the spec's."""
    assert driver.send(_url(emu), chat(**fields), stream=False).status == 200
    attrs = _attributes(telemetry)
    assert sc.GEN_AI_REQUEST_CHOICE_COUNT not in attrs
    assert sc.GEN_AI_REQUEST_SEED not in attrs
    assert attrs.get(sc.GEN_AI_REQUEST_STOP_SEQUENCES) == expected
    kind = fields["response_format"]["type"]
    assert attrs[sc.GEN_AI_OUTPUT_TYPE] == ("json" if kind == "json_object" else "text")


@pytest.mark.parametrize("shape", ["eden", "openai", "body"])
def test_reasoning_tokens_from_every_usage_shape(
    driver: Driver, emu: Emulator, telemetry: Telemetry, shape: str
) -> None:
    """A reasoning model's `reasoning_tokens` is `gen_ai.usage.reasoning.output_tokens`."""
    payload = chat("openai/o4-mini")
    streamed = shape != "body"
    if streamed:
        payload |= {"stream": True, "stream_options": {"include_usage": True}}
    headers = {"x-emulator-usage-shape": shape} if streamed else {}
    received = driver.send(_url(emu), payload, headers, stream=streamed)
    usage = received.chunks()[-1]["usage"] if streamed else _json(received.body)["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    attrs = _attributes(telemetry)
    assert attrs[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] == reasoning
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] >= reasoning  # included, as the spec says


def test_cache_writes_are_cache_creation_input_tokens(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Prompt tokens written to the provider's cache are `cache_creation.input_tokens`."""
    messages = [
        {"role": "system", "content": LONG_PROMPT},
        {"role": "user", "content": "And in one line?"},
    ]
    payload = {"model": "anthropic/claude-sonnet-4-5", "messages": messages}
    first = _json(driver.send(_url(emu), payload, stream=False).body)["usage"]
    second = _json(driver.send(_url(emu), payload, stream=False).body)["usage"]
    written = first["prompt_tokens_details"]["cache_write_tokens"]
    assert written > 0
    assert second["prompt_tokens_details"]["cached_tokens"] > 0
    spans = sorted(telemetry.chat_spans(), key=lambda s: s.start_time or 0)
    firsts, seconds = (dict(s.attributes or {}) for s in spans)
    assert firsts[sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] == written
    assert (
        seconds[sc.GEN_AI_USAGE_CACHED_INPUT_TOKENS]
        == (second["prompt_tokens_details"]["cached_tokens"])
    )


def test_first_chunk_event_is_outside_the_reserved_namespace(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """The first-chunk event is `llm.router.first_chunk`: no event name starts `gen_ai.`."""
    driver.send(_url(emu), chat(stream=True))
    names = [event.name for event in telemetry.only_chat_span().events]
    assert names == ["llm.router.decision", "llm.router.first_chunk"]


def _json(body: bytes) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(body)
    return parsed
