"""Captured prompts and answers are always valid JSON under the cap, however long."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing_otel.httpx
from routing_otel import _semconv as sc
from routing_otel._telemetry.content import MAX_JSON_CHARS, input_messages, output_messages
from routing_otel._wire.observation import Observation
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

CUT = "…"
# Characters JSON escapes or encodes in several bytes, so sizes are not just lengths.
ALPHABET = st.sampled_from(["a", "b", " ", '"', "\\", "\n", "\x01", "é", "中", "😀"])


def _parse(text: str | None) -> list[dict[str, Any]]:
    assert text is not None
    assert len(text) <= MAX_JSON_CHARS
    text.encode()  # exportable as UTF-8
    parsed: list[dict[str, Any]] = json.loads(text)
    return parsed


def _text(message: dict[str, Any]) -> str:
    (part,) = message["parts"]
    content: str = part["content"]
    return content


def _is_cut_from(kept: str, original: str) -> bool:
    return kept == original or (kept.endswith(CUT) and original.startswith(kept[: -len(CUT)]))


def test_70kb_message_through_a_real_client(emu: Emulator, telemetry: Telemetry) -> None:
    """A 70 KB prompt is recorded as parsable JSON: its start kept, the cut marked with …."""
    prompt = "".join(f'line {i}: "quoted" é\n' for i in range(3500))
    assert len(prompt.encode()) > 70_000
    transport = routing_otel.httpx.RoutingTransport(
        hosts=[f"127.0.0.1:{emu.port}"], capture_content=True, **telemetry.providers
    )
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": prompt}]
    with httpx.Client(transport=transport, timeout=30) as client:
        client.post(
            emu.llm_base_url + "/chat/completions",
            json=chat(messages=messages),
            headers={"Authorization": f"Bearer {KEY}"},
        )
    attrs = telemetry.only_chat_span().attributes or {}
    system, user = _parse(str(attrs[sc.GEN_AI_INPUT_MESSAGES]))
    assert system == {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]}
    assert user["role"] == "user"
    assert _is_cut_from(_text(user), prompt)
    assert _text(user) != prompt
    assert len(_text(user)) > MAX_JSON_CHARS * 0.8
    assert _parse(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))[0]["role"] == "assistant"


def test_many_messages_keep_the_most_recent() -> None:
    """3,000 messages: the oldest are left out, the most recent kept whole and in order."""
    messages: list[object] = [
        {"role": "user" if i % 2 else "assistant", "content": f"message {i} " + "x" * 80}
        for i in range(3000)
    ]
    kept = _parse(input_messages(messages))
    assert 100 < len(kept) < 3000
    texts = [_text(m) for m in kept]
    assert texts == [m["content"] for m in messages[-len(kept) :]]  # type: ignore[index]


def test_tool_calls_and_lone_surrogates_stay_valid() -> None:
    """Huge tool-call arguments are cut; a lone surrogate is replaced, never breaks export."""
    arguments = {"rows": ["x" * 100] * 1000}
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    messages: list[object] = [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "user", "content": "cut \ud83d emoji"},
    ]
    tool, user = _parse(input_messages(messages))
    (part,) = tool["parts"]
    assert part["name"] == "f"
    assert _is_cut_from(part["arguments"], json.dumps(arguments))
    assert _text(user).startswith("cut ")
    assert _text(user).endswith(" emoji")


def test_long_answer_is_valid_json() -> None:
    """A captured answer longer than the cap is cut inside its text."""
    observation = Observation(content=['ans"wer\n' * 20_000], finish_reasons=("length",))
    (message,) = _parse(output_messages(observation))
    assert message["finish_reason"] == "length"
    assert _is_cut_from(_text(message), 'ans"wer\n' * 20_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(0, 90_000), min_size=1, max_size=40),
    char=ALPHABET,
    many=st.integers(0, 2_000),
)
def test_any_sizes_give_valid_bounded_json(sizes: list[int], char: str, many: int) -> None:
    """Any message sizes: valid JSON under the cap, a most-recent suffix, each text a prefix."""
    originals = ["m" * 3 for _ in range(many)] + [f"{i}:" + char * n for i, n in enumerate(sizes)]
    messages: list[object] = [{"role": "user", "content": text} for text in originals]
    text = input_messages(messages)
    kept = [_text(m) for m in _parse(text)]
    assert kept
    suffix = originals[-len(kept) :]
    assert all(_is_cut_from(k, o) for k, o in zip(kept, suffix, strict=True))
    whole = json.dumps(
        [{"role": "user", "parts": [{"type": "text", "content": o}]} for o in originals],
        ensure_ascii=False,
    )
    if len(whole) <= MAX_JSON_CHARS:
        assert text == whole
    # The room is used: a cut leaves the text near the cap, unless it was short anyway.
    if kept != suffix:
        assert len(str(text)) > MAX_JSON_CHARS * 0.9
