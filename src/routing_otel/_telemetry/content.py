"""Opt-in content capture: prompts and answers in the GenAI conventions' message format.

``gen_ai.input.messages`` and ``gen_ai.output.messages`` hold JSON (span attributes cannot
nest): a list of ``{"role", "parts": [{"type": "text", "content"} | {"type": "tool_call",
...}]}``. Recorded only when the user opts in; bounded so a long history cannot bloat spans.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing_otel._wire.observation import Observation

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
    message: dict[str, object] = {
        "role": "assistant",
        "parts": [{"type": "text", "content": text}] if text else [],
        "finish_reason": observation.finish_reasons[0] if observation.finish_reasons else "",
    }
    return _bounded([message])


def _message(message: dict[str, object]) -> dict[str, object]:
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
        for call in calls:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(call, dict) and isinstance(function, dict):
                parts.append(
                    {
                        "type": "tool_call",
                        "id": call.get("id"),
                        "name": function.get("name"),
                        "arguments": function.get("arguments"),
                    }
                )
    return {"role": message.get("role"), "parts": parts}


def _bounded(messages: list[dict[str, object]]) -> str:
    text = json.dumps(messages, ensure_ascii=False)
    if len(text) <= MAX_JSON_CHARS:
        return text
    # Keep the most recent messages: they are what the answer responds to.
    while len(messages) > 1 and len(text) > MAX_JSON_CHARS:
        messages = messages[1:]
        text = json.dumps(messages, ensure_ascii=False)
    return text[:MAX_JSON_CHARS]
