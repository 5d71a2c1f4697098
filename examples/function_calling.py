"""Function calling with smart routing.

The pattern (both router guides): a routed, streamed call that offers tools (``get_weather``,
``calculate``); the router weighs the tools when it picks a model; the app collects the
``delta.tool_calls`` fragments (id and name first, then the JSON arguments in pieces).

The one added line: ``@routing_otel.observe(...)`` on the function that talks to the model.
It opens a scope (so the calls are observed without ``instrument()``) with a fixed use case
label; the call's span carries the served model and ``llm.router.tool_calls``.

Run it: ``python examples/function_calling.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather for a location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "City name"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "calculate",
            "description": "Evaluate an arithmetic expression",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        },
    },
]


# A fixed label for every call of this function: the scope's attributes are set here, once.
@routing_otel.observe("tool-chat", use_case="tools")  # routing-otel: added
def chat_with_tools(message: str) -> dict[str, Any]:
    """Let the router pick a tool-capable model; collect the tool calls it asks for."""
    url = f"{BASE_URL}/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": message}],
        "tools": TOOLS,
        "router_candidates": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "openai/gpt-4o-mini"],
        "stream": True,
    }
    response = requests.post(url, headers=headers, json=payload, stream=True)

    selected_model = None
    full_response = ""
    tool_calls: dict[int, dict[str, str]] = {}
    for line in response.iter_lines():
        if line:
            line_str = line.decode("utf-8")
            if line_str.startswith("data: ") and line_str != "data: [DONE]":
                data = json.loads(line_str[6:])
                if not selected_model and "model" in data:
                    selected_model = data["model"]
                delta = data.get("choices", [{}])[0].get("delta", {})
                full_response += delta.get("content", "")
                for fragment in delta.get("tool_calls") or []:
                    call = tool_calls.setdefault(
                        fragment["index"], {"id": "", "name": "", "arguments": ""}
                    )
                    call["id"] = fragment.get("id") or call["id"]
                    function = fragment.get("function", {})
                    call["name"] = function.get("name") or call["name"]
                    call["arguments"] += function.get("arguments") or ""
    return {
        "model": selected_model,
        "response": full_response,
        "tool_calls": [tool_calls[i] for i in sorted(tool_calls)],
    }


def main() -> list[dict[str, Any]]:
    """Ask two questions that call for a tool."""
    results = [
        chat_with_tools("What's the weather like in Paris right now?"),
        chat_with_tools("Calculate 15% of 240."),
    ]
    for result in results:
        for call in result["tool_calls"]:
            print(f"[{result['model']}] {call['name']}({call['arguments']})")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
