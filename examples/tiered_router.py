"""TieredRouter: simple questions to cheap models, complex ones to premium models.

The pattern ("Advanced Router Usage", cost optimisation): keyword and length heuristics
classify a message as ``budget``, ``balanced`` or ``premium``; each tier has its own pool of
candidates sent with ``model: "@edenai"``; a caller may force a tier. Streamed and parsed as
in the default pattern.

The one added line: ``routing_otel.label(tier=tier)`` just before the request. The tier is
decided per message; ``label`` puts it on that call's span and labels its metrics with
``llm.router.tier`` (and observes the call, with no ``instrument()`` needed).

Run it: ``python examples/tiered_router.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar, Literal

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")

Tier = Literal["budget", "balanced", "premium"]


class TieredRouter:
    """Send each query to the candidate pool of its complexity tier."""

    BUDGET_MODELS: ClassVar[list[str]] = [
        "openai/gpt-4o-mini",
        "google/gemini-2.0-flash",
        "anthropic/claude-haiku-4-5",
    ]
    BALANCED_MODELS: ClassVar[list[str]] = [
        "openai/gpt-4o",
        "anthropic/claude-sonnet-4-5",
        "google/gemini-2.0-flash",
    ]
    PREMIUM_MODELS: ClassVar[list[str]] = [
        "anthropic/claude-opus-4-5",
        "openai/gpt-4o",
        "google/gemini-2.5-pro",
    ]

    def __init__(self, api_key: str, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"

    def _classify_query(self, message: str) -> Tier:
        """Guess the query's complexity from keywords and length."""
        lowered = message.lower()
        simple = ["what is", "define", "who is", "when", "where"]
        if any(keyword in lowered for keyword in simple) and len(message) < 100:
            return "budget"
        complex_ = ["analyze", "compare", "evaluate", "design", "architect"]
        if any(keyword in lowered for keyword in complex_) or len(message) > 500:
            return "premium"
        return "balanced"

    def get_candidates(self, tier: str) -> list[str]:
        """The candidate pool of ``tier`` (balanced when unknown)."""
        return {
            "budget": self.BUDGET_MODELS,
            "balanced": self.BALANCED_MODELS,
            "premium": self.PREMIUM_MODELS,
        }.get(tier, self.BALANCED_MODELS)

    def chat(self, message: str, force_tier: Tier | None = None) -> dict[str, Any]:
        """Answer ``message`` with a model of its tier (or of ``force_tier``)."""
        tier = force_tier or self._classify_query(message)
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {
            "model": "@edenai",
            "messages": [{"role": "user", "content": message}],
            "router_candidates": self.get_candidates(tier),
            "stream": True,
        }
        # The tier is known only now: label this call's span and metrics with it.
        routing_otel.label(tier=tier)  # routing-otel: added
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
        return {"tier": tier, "model": selected_model, "response": full_response}


def main() -> list[dict[str, Any]]:
    """One query per tier, and one with the tier forced."""
    router = TieredRouter(API_KEY)
    results = [
        router.chat("What is an API?"),
        router.chat("How do I read a CSV file with pandas and drop empty rows?"),
        router.chat("Compare event sourcing and CRUD for an order management system."),
        router.chat("What is a mutex?", force_tier="premium"),
    ]
    for result in results:
        print(f"{result['tier']:>8} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
