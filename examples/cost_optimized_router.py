"""CostOptimizedRouter: one cost tier per router instance.

The pattern ("LLM Smart Routing Patterns", cost optimisation): a router is created for a
tier (``budget``, ``balanced`` or ``premium``) and always routes over that tier's pool; it
returns the answer, the model and a cost it cannot know (a placeholder).

The one added line: ``routing_otel.label(tier=self.tier)`` just before the request: the
tier belongs to the instance and labels each call. The placeholder cost is where our
telemetry adds what the pattern lacks: every span carries ``llm.router.cost`` (reported by
Eden AI, else priced from the table).

Run it: ``python examples/cost_optimized_router.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class CostOptimizedRouter:
    """Route every request over the pool of one cost tier."""

    TIERS: ClassVar[dict[str, list[str]]] = {
        "budget": ["openai/gpt-4o-mini", "google/gemini-2.0-flash", "mistral/mistral-small-latest"],
        "balanced": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.5-flash"],
        "premium": ["anthropic/claude-opus-4-5", "openai/gpt-4.1", "google/gemini-2.5-pro"],
    }

    def __init__(self, api_key: str, tier: str = "balanced", base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.tier = tier
        self.candidates = self.TIERS[tier]

    def chat(self, message: str) -> dict[str, Any]:
        """Answer ``message`` with a model of this router's tier."""
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {
            "model": "@edenai",
            "messages": [{"role": "user", "content": message}],
            "router_candidates": self.candidates,
            "stream": True,
        }
        # The tier is the instance's: label this call with it.
        routing_otel.label(tier=self.tier)  # routing-otel: added
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
        return {
            "tier": self.tier,
            "model": selected_model,
            "response": full_response,
            "cost": "unknown",  # the pattern has no way to know it
        }


def main() -> list[dict[str, Any]]:
    """The same question through a router of each tier."""
    question = "Explain how a hash map handles collisions."
    results = [
        CostOptimizedRouter(API_KEY, tier).chat(question) for tier in CostOptimizedRouter.TIERS
    ]
    for result in results:
        print(f"{result['tier']:>8} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
