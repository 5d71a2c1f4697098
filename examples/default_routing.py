"""Default smart routing: one streamed ``@edenai`` call, no candidates.

The pattern (both router guides): POST ``{"model": "@edenai", "messages": [...], "stream":
true}`` with ``requests``, read the SSE lines, take the selected model from the first chunk
that names one and append each chunk's ``delta.content`` to the answer.

The one added line: ``routing_otel.instrument()`` at startup. Nothing is scoped here, so the
process-wide switch is all it takes: every call becomes a ``chat @edenai`` span with a
``route @edenai`` child (the routing phase), the served model, TTFT and the metrics.

Run it: ``python examples/default_routing.py`` (the built-in emulator, unless
``EDENAI_BASE_URL`` is set).
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


def chat_with_smart_routing(message: str) -> dict[str, Any]:
    """Ask the router to pick a model for ``message``; return the answer and the model."""
    url = f"{BASE_URL}/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    payload = {
        "model": "@edenai",  # smart routing over the default pool
        "messages": [{"role": "user", "content": message}],
        "stream": True,
    }
    response = requests.post(url, headers=headers, json=payload, stream=True)

    selected_model = None
    full_response = ""
    for line in response.iter_lines():
        if line:
            line_str = line.decode("utf-8")
            if line_str.startswith("data: ") and line_str != "data: [DONE]":
                data = json.loads(line_str[6:])
                if not selected_model and "model" in data:
                    selected_model = data["model"]
                content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                full_response += content
    return {"model": selected_model, "response": full_response}


def main() -> dict[str, Any]:
    """Ask one question through the router."""
    # At startup: observe every Eden AI call of the process, whatever client sends it.
    routing_otel.instrument()  # routing-otel: added
    result = chat_with_smart_routing("Explain machine learning in two sentences.")
    print(f"[{result['model']}] {result['response']}")
    return result


if __name__ == "__main__":
    from _run import run

    run(__file__)
