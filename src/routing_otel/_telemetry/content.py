"""Opt-in content capture: prompts and answers in the GenAI conventions' message format.

``gen_ai.input.messages`` and ``gen_ai.output.messages`` hold JSON (span attributes cannot
nest): a list of ``{"role", "parts": [...]}`` whose parts are ``{"type": "text", "content"}``,
the model's tool calls ``{"type": "tool_call", "id", "name", "arguments"}`` and, for a
``role: "tool"`` message, ``{"type": "tool_call_response", "id", "response"}``, as the
conventions' input and output message schemas say. Recorded only when the user opts in;
bounded so a long history cannot bloat spans.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing_otel._wire.observation import CapturedToolCall, Observation

MAX_JSON_CHARS = 64 * 1024


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
        text += "…"
    parts: list[dict[str, object]] = [{"type": "text", "content": text}] if text else []
    parts.extend(_captured_call(call) for call in observation.captured_tool_calls or ())
    message: dict[str, object] = {
        "role": "assistant",
        "parts": parts,
        "finish_reason": observation.finish_reasons[0] if observation.finish_reasons else "",
    }
    return _bounded([message])


def _captured_call(call: CapturedToolCall) -> dict[str, object]:
    """A tool call the model made (streamed in fragments or whole) as a ``tool_call`` part."""
    arguments = "".join(call.arguments) + ("…" if call.truncated else "")
    return {"type": "tool_call", "id": call.id, "name": call.name, "arguments": arguments}


def _message(message: dict[str, object]) -> dict[str, object]:
    role = message.get("role")
    if role == "tool":
        return {"role": role, "parts": [_tool_call_response(message)]}
    parts: list[dict[str, object]] = []
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
        parts.extend(_tool_call(call) for call in calls if isinstance(call, dict))
    return {"role": role, "parts": parts}


def _tool_call(call: dict[str, object]) -> dict[str, object]:
    """An assistant message's tool call as a ``tool_call`` part (arguments as sent)."""
    function = call.get("function")
    function = function if isinstance(function, dict) else {}
    return {
        "type": "tool_call",
        "id": call.get("id"),
        "name": function.get("name"),
        "arguments": function.get("arguments"),
    }


def _tool_call_response(message: dict[str, object]) -> dict[str, object]:
    """A ``role: "tool"`` message as a ``tool_call_response`` part: the call's id, its result."""
    content = message.get("content")
    text = _text_of(content)
    return {
        "type": "tool_call_response",
        "id": message.get("tool_call_id"),
        "response": text if text is not None else content,
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


def _bounded(messages: list[dict[str, object]]) -> str:
    text = json.dumps(messages, ensure_ascii=False)
    if len(text) <= MAX_JSON_CHARS:
        return text
    # Keep the most recent messages: they are what the answer responds to.
    while len(messages) > 1 and len(text) > MAX_JSON_CHARS:
        messages = messages[1:]
        text = json.dumps(messages, ensure_ascii=False)
    return text[:MAX_JSON_CHARS]
