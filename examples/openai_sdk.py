"""Smart routing through the OpenAI SDK.

The pattern (both router guides): ``OpenAI(api_key=..., base_url=".../v3/llm")``, then
``chat.completions.create(model="@edenai", stream=True, extra_body={"router_candidates":
[...]})``; the selected model is ``chunk.model``, the text ``chunk.choices[0].delta.content``.

The one added line: ``routing_otel.instrument()`` at startup. It patches the HTTP library
underneath the SDK (httpx2 for the SDK 3.x, httpx before), so the SDK's own client is
observed with no ``http_client=`` argument, even one created before the call.

Run it: ``python examples/openai_sdk.py``.
"""

from __future__ import annotations

import os
from typing import Any

from openai import OpenAI

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


def routed_completion(client: OpenAI, message: str, candidates: list[str]) -> dict[str, Any]:
    """Stream a routed answer with the SDK; return it with the model the router chose."""
    stream = client.chat.completions.create(
        model="@edenai",
        messages=[{"role": "user", "content": message}],
        stream=True,
        extra_body={"router_candidates": candidates},
    )
    selected_model = None
    full_response = ""
    for chunk in stream:
        if not selected_model and chunk.model:
            selected_model = chunk.model
        if chunk.choices and chunk.choices[0].delta.content:
            full_response += chunk.choices[0].delta.content
    return {"model": selected_model, "response": full_response}


def main() -> dict[str, Any]:
    """Ask one routed question through the SDK."""
    # At startup: this patches the SDK's HTTP library, so its own client is observed too.
    routing_otel.instrument()  # routing-otel: added
    client = OpenAI(api_key=API_KEY, base_url=BASE_URL)
    result = routed_completion(
        client,
        "Explain the difference between a list and a tuple in Python.",
        ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"],
    )
    client.close()
    print(f"[{result['model']}] {result['response']}")
    return result


if __name__ == "__main__":
    from _run import run

    run(__file__)
