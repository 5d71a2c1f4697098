"""Opt-in content capture: prompts and answers in the GenAI conventions' message format.

``gen_ai.input.messages`` and ``gen_ai.output.messages`` hold JSON (span attributes cannot
nest): a list of ``{"role", "parts": [...]}`` whose parts are ``{"type": "text", "content"}``,
the model's tool calls ``{"type": "tool_call", "id", "name", "arguments"}`` and, for a
``role: "tool"`` message, ``{"type": "tool_call_response", "id", "response"}``, as the
conventions' input and output message schemas say. Recorded only when the user opts in, and
bounded inside the parts so a long history cannot bloat spans and what is recorded always
parses: the longest texts are cut first (each cut text ends with ``…``), then the oldest
messages are left out.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from routing_otel._wire.observation import CapturedToolCall, Observation

MAX_JSON_CHARS = 64 * 1024
# Texts are not cut below this while older messages can be left out instead.
_MIN_TEXT_CHARS = 256
# Roles, ids, tool names and finish reasons are short by nature; longer ones are cut.
_MAX_NAME_CHARS = 256
_CUT = "…"

_Part = dict[str, str | None]
# Which value of each part type is the (long) text to cut.
_TEXT_KEYS = {"text": "content", "tool_call": "arguments", "tool_call_response": "response"}
_Message = dict[str, Any]  # role, parts (a list of _Part), finish_reason: strings or None


def input_messages(messages: list[object] | None) -> str | None:
    """The request's messages as ``gen_ai.input.messages`` JSON, or None."""
    if not messages:
        return None
    converted = [_message(m) for m in messages if isinstance(m, dict)]
    return _bounded(converted)


def output_messages(observation: Observation) -> str | None:
    """The answer as ``gen_ai.output.messages`` JSON, or None when nothing was captured."""
    if observation.content is None:
        return None
    text = "".join(observation.content)
    if observation.content_truncated:
        text += _CUT
    finish = observation.finish_reasons[0] if observation.finish_reasons else ""
    parts: list[_Part] = [{"type": "text", "content": text}] if text else []
    parts.extend(_captured_call(call) for call in observation.captured_tool_calls or ())
    message: _Message = {"role": "assistant", "parts": parts, "finish_reason": _name(finish) or ""}
    return _bounded([message])


def _captured_call(call: CapturedToolCall) -> _Part:
    """A tool call the model made (streamed in fragments or whole) as a ``tool_call`` part."""
    arguments = "".join(call.arguments) + (_CUT if call.truncated else "")
    return {
        "type": "tool_call",
        "id": _name(call.id),
        "name": _name(call.name),
        "arguments": arguments,
    }


def _name(value: object) -> str | None:
    return _clip(value, _MAX_NAME_CHARS) if isinstance(value, str) else None


def _arguments(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    try:  # the conventions' arguments are JSON: keep a non-string one as its JSON text
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None


def _message(message: dict[str, object]) -> _Message:
    role = _name(message.get("role"))
    if role == "tool":
        return {"role": role, "parts": [_tool_call_response(message)]}
    parts: list[_Part] = []
    content = message.get("content")
    if isinstance(content, str):
        parts.append({"type": "text", "content": content})
    elif isinstance(content, list):
        parts.extend(
            {"type": "text", "content": part["text"]}
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for call in calls:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(call, dict) and isinstance(function, dict):
                parts.append(
                    {
                        "type": "tool_call",
                        "id": _name(call.get("id")),
                        "name": _name(function.get("name")),
                        "arguments": _arguments(function.get("arguments")),
                    }
                )
    return {"role": role, "parts": parts}


def _tool_call_response(message: dict[str, object]) -> _Part:
    """A ``role: "tool"`` message as a ``tool_call_response`` part: the call's id, its result."""
    content = message.get("content")
    text = _text_of(content)
    return {
        "type": "tool_call_response",
        "id": _name(message.get("tool_call_id")),
        "response": text if text is not None else _arguments(content),
    }


def _text_of(content: object) -> str | None:
    """A message's text: its string content, or its text parts joined; None without text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
        return "".join(texts) if texts else None
    return None


# --- bounding: every value above is a string or None, so only the texts need cutting ------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + _CUT


def _clipped(message: _Message, limit: int) -> _Message:
    parts: list[_Part] = []
    for part in message["parts"]:
        key = _TEXT_KEYS.get(part["type"] or "", "arguments")
        value = part.get(key)
        parts.append(part if value is None else {**part, key: _clip(value, limit)})
    return {**message, "parts": parts}


def _dumps(messages: list[_Message]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _scrubbed(message: _Message) -> _Message:
    """``message`` with each lone surrogate replaced, so an exporter can encode it."""

    def scrub(value: str | None) -> str | None:
        return None if value is None else value.encode(errors="replace").decode()

    parts = [{key: scrub(value) for key, value in part.items()} for part in message["parts"]]
    return {key: scrub(value) for key, value in message.items() if key != "parts"} | {
        "parts": parts
    }


def _longest_text(messages: list[_Message]) -> int:
    return max(
        (
            len(value)
            for message in messages
            for part in message["parts"]
            for key in _TEXT_KEYS.values()
            if isinstance(value := part.get(key), str)
        ),
        default=0,
    )


def _recent(sizes: list[int], budget: int) -> int:
    """The index from which the trailing items' sizes (each plus a separator) fit."""
    start = len(sizes)
    while start > 0 and sizes[start - 1] + 2 <= budget:
        start -= 1
        budget -= sizes[start] + 2
    return start


def _bounded(messages: list[_Message]) -> str:
    text = _dumps(messages)
    try:
        text.encode()
    except UnicodeEncodeError:
        messages = [_scrubbed(m) for m in messages]
        text = _dumps(messages)
    if len(text) <= MAX_JSON_CHARS:
        return text
    # Keep the most recent messages that fit with their texts cut to the minimum...
    floor = [len(_dumps([_clipped(m, _MIN_TEXT_CHARS)])) - 2 for m in messages]
    start = _recent(floor, MAX_JSON_CHARS)
    if start < len(messages):
        kept = messages[start:]
    else:  # ...or, when even the last one does not, its most recent parts.
        last = messages[-1]
        bare = len(_dumps([{**last, "parts": []}]))
        part_floor = [
            len(_dumps([{"parts": [p]}])) - len('[{"parts": []}]')
            for p in _clipped(last, _MIN_TEXT_CHARS)["parts"]
        ]
        first_part = _recent(part_floor, MAX_JSON_CHARS - bare)
        kept = [{**last, "parts": last["parts"][first_part:]}]
    # ...then give back the longest texts as much room as fits.
    low, high = 0, _longest_text(kept)
    while low < high:
        mid = (low + high + 1) // 2
        if len(_dumps([_clipped(m, mid) for m in kept])) <= MAX_JSON_CHARS:
            low = mid
        else:
            high = mid - 1
    text = _dumps([_clipped(m, low) for m in kept])
    return text if len(text) <= MAX_JSON_CHARS else "[]"  # unreachable by the sizes above
