"""ContextAwareRouter: the task's use case picks the candidate pool.

The pattern ("Advanced Router Usage", context-aware selection): an enum of use cases
(code, creative, analysis, translation, chat, summarization), each mapped to a pool sent as
``router_candidates``; an optional system prompt goes first in the messages.

The one added line: ``routing_otel.label(use_case=use_case.value)`` just before the
request. The use case is an argument of each call; spans and metrics then carry
``llm.router.use_case``, which is what "track spend per use case" needs.

Run it: ``python examples/context_aware_router.py``.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from typing import Any, ClassVar

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class UseCase(Enum):
    """The kinds of task the application routes differently."""

    CODE = "code"
    CREATIVE = "creative"
    ANALYSIS = "analysis"
    TRANSLATION = "translation"
    CHAT = "chat"
    SUMMARIZATION = "summarization"


class ContextAwareRouter:
    """Route each request over the pool of its use case."""

    POOLS: ClassVar[dict[UseCase, list[str]]] = {
        UseCase.CODE: ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "openai/gpt-4.1"],
        UseCase.CREATIVE: ["anthropic/claude-opus-4-5", "openai/gpt-4o", "google/gemini-2.5-pro"],
        UseCase.ANALYSIS: ["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "google/gemini-2.5-pro"],
        UseCase.TRANSLATION: [
            "openai/gpt-4o",
            "google/gemini-2.0-flash",
            "mistral/mistral-large-latest",
        ],
        UseCase.CHAT: [
            "openai/gpt-4o-mini",
            "google/gemini-2.0-flash",
            "anthropic/claude-haiku-4-5",
        ],
        UseCase.SUMMARIZATION: [
            "openai/gpt-4o-mini",
            "google/gemini-2.0-flash",
            "anthropic/claude-haiku-4-5",
        ],
    }

    def __init__(self, api_key: str, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"

    def chat(
        self, message: str, use_case: UseCase, system_prompt: str | None = None
    ) -> dict[str, Any]:
        """Answer ``message`` with a model suited to ``use_case``."""
        messages = []
        if system_prompt:
            messages.append({"role": "system", "content": system_prompt})
        messages.append({"role": "user", "content": message})
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {
            "model": "@edenai",
            "messages": messages,
            "router_candidates": self.POOLS[use_case],
            "stream": True,
        }
        # The use case is this call's argument: label this call with it.
        routing_otel.label(use_case=use_case.value)  # routing-otel: added
        response = requests.post(self.url, headers=headers, json=payload, stream=True)

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
        return {"use_case": use_case.value, "model": selected_model, "response": full_response}


def main() -> list[dict[str, Any]]:
    """One request for each of three use cases, one with a system prompt."""
    router = ContextAwareRouter(API_KEY)
    results = [
        router.chat("Write a function that merges two sorted lists.", UseCase.CODE),
        router.chat("Translate 'good morning, team' into German.", UseCase.TRANSLATION),
        router.chat(
            "Summarise: smart routing picks a model per request among candidates.",
            UseCase.SUMMARIZATION,
            system_prompt="You write one-sentence summaries.",
        ),
    ]
    for result in results:
        print(f"{result['use_case']:>13} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
