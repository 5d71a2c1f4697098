"""BudgetAwareRouter: cheaper pools as the day's budget runs out, and a refusal at zero.

The pattern ("Advanced Router Usage", cost optimisation): the router keeps today's spend in
memory; with most of the daily budget left it routes over premium models, then balanced,
then budget ones; when nothing is left it refuses without calling the API. Spend is
estimated by hand: (len(message) + len(answer)) / 4 tokens times an average price.

The one added line: ``routing_otel.label(tier=tier)`` just before the request. The tier the
budget allowed is decided per call; ``label`` puts it on that call's span and metrics (and
observes the call, with no ``instrument()`` needed). Our spans then carry the cost Eden AI
reports (or the price table's), next to the router's own estimate.

Run it: ``python examples/budget_aware_router.py``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, ClassVar

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")

AVERAGE_PRICE_PER_TOKEN = 0.00001  # USD, a rough blend of input and output prices


class BudgetAwareRouter:
    """Route over cheaper models as the daily budget shrinks."""

    POOLS: ClassVar[dict[str, list[str]]] = {
        "premium": ["anthropic/claude-opus-4-5", "openai/gpt-4o", "google/gemini-2.5-pro"],
        "balanced": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"],
        "budget": ["openai/gpt-4o-mini", "google/gemini-2.0-flash"],
    }

    def __init__(self, api_key: str, daily_budget: float, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.daily_budget = daily_budget
        self.spent_today = 0.0
        self.day = datetime.now(timezone.utc).date()

    def remaining_budget(self) -> float:
        """What is left of today's budget (a new day starts afresh)."""
        today = datetime.now(timezone.utc).date()
        if today != self.day:
            self.day, self.spent_today = today, 0.0
        return self.daily_budget - self.spent_today

    def _select_tier(self) -> str:
        share_left = self.remaining_budget() / self.daily_budget
        if share_left > 0.5:
            return "premium"
        if share_left > 0.2:
            return "balanced"
        return "budget"

    def chat(self, message: str) -> dict[str, Any]:
        """Answer within budget, or refuse when today's budget is spent."""
        if self.remaining_budget() <= 0:
            return {"error": "daily budget exhausted", "spent_today": self.spent_today}
        tier = self._select_tier()
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {
            "model": "@edenai",
            "messages": [{"role": "user", "content": message}],
            "router_candidates": self.POOLS[tier],
            "stream": True,
        }
        # The tier depends on today's spend: label this call with it.
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

        estimated_tokens = (len(message) + len(full_response)) / 4
        estimated_cost = estimated_tokens * AVERAGE_PRICE_PER_TOKEN
        self.spent_today += estimated_cost
        return {
            "tier": tier,
            "model": selected_model,
            "response": full_response,
            "estimated_cost": estimated_cost,
            "remaining_budget": self.remaining_budget(),
        }


def main() -> list[dict[str, Any]]:
    """Spend a tiny budget until the router refuses."""
    router = BudgetAwareRouter(API_KEY, daily_budget=0.0015)
    questions = [
        "Summarise the CAP theorem.",
        "Explain what a vector database is for.",
        "Give three tips for writing unit tests.",
        "What does idempotent mean for an HTTP API?",
        "Why do caches need an eviction policy?",
        "What is backpressure in a stream?",
    ]
    results = []
    for question in questions:
        result = router.chat(question)
        results.append(result)
        if "error" in result:
            print(f"refused: {result['error']}")
            break
        print(
            f"{result['tier']:>8} -> {result['model']}  (left: ${result['remaining_budget']:.5f})"
        )
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
