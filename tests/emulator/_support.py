"""Helpers shared by the emulator tests: the key, request bodies, SSE parsing."""

from __future__ import annotations

import json
from typing import Any

KEY = "sk-eden-test"
AUTH = {"Authorization": f"Bearer {KEY}"}
METADATA = {"x-edenai-metadata": "enabled"}
CANDIDATES = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"]
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}


def chat(
    content: str = "What is smart routing?", *, model: str = "@edenai", **fields: Any
) -> dict[str, Any]:
    """Build a chat completion body with one user message."""
    return {"model": model, "messages": [{"role": "user", "content": content}], **fields}


def streamed(content: str = "What is smart routing?", **fields: Any) -> dict[str, Any]:
    """Build a streamed chat completion body asking for usage."""
    return chat(content, stream=True, stream_options={"include_usage": True}, **fields)


def frames(text: str) -> list[str]:
    """Split an SSE body into the payloads of its `data:` lines, `[DONE]` included."""
    return [
        line[len("data: ") :]
        for line in text.replace("\r\n", "\n").split("\n")
        if line.startswith("data: ")
    ]


def chunks(text: str) -> list[dict[str, Any]]:
    """The JSON chunks of an SSE body (without `[DONE]`)."""
    return [json.loads(payload) for payload in frames(text) if payload != "[DONE]"]


def content_of(items: list[dict[str, Any]]) -> str:
    """Join the `delta.content` of every chunk."""
    return "".join(
        choice["delta"].get("content") or "" for item in items for choice in item.get("choices", [])
    )
