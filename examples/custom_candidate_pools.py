"""Custom candidate pools: the use case picks the models the router may choose from.

The pattern (both router guides): a dict of named pools of two or three models; the caller's
use case selects one, sent as ``router_candidates`` with ``model: "@edenai"``; the answer is
streamed and parsed as in the default pattern.

The one added line: ``routing_otel.label(pool=use_case)`` just before the call. The pool's
name is known only per call; ``label`` names it on the span and on every metric
(``llm.router.pool="code"`` rather than a hash of the candidate list).

Run it: ``python examples/custom_candidate_pools.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")

CANDIDATE_POOLS = {
    "code": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
    "creative": ["anthropic/claude-opus-4-5", "openai/gpt-4o", "google/gemini-2.5-pro"],
    "fast": ["openai/gpt-4o-mini", "google/gemini-2.0-flash", "anthropic/claude-haiku-4-5"],
    "general": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"],
}


def chat_with_custom_candidates(message: str, use_case: str = "general") -> dict[str, Any]:
    """Route ``message`` among the models of the ``use_case`` pool."""
    candidates = CANDIDATE_POOLS.get(use_case, CANDIDATE_POOLS["general"])
    url = f"{BASE_URL}/chat/completions"
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": message}],
        "router_candidates": candidates,
        "stream": True,
    }
    # Name the pool as the app does (keep it a small, fixed vocabulary: it labels metrics).
    routing_otel.label(pool=use_case)  # routing-otel: added
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
    return {"use_case": use_case, "model": selected_model, "response": full_response}


def main() -> list[dict[str, Any]]:
    """Ask one question per pool."""
    questions = {
        "code": "Write a Python function that reverses a linked list.",
        "creative": "Write a haiku about load balancers.",
        "fast": "What is the capital of France?",
    }
    results = [chat_with_custom_candidates(q, use_case) for use_case, q in questions.items()]
    for result in results:
        print(f"{result['use_case']:>8} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
