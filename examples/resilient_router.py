"""ResilientRouter / chat_with_fallback: a fixed model when smart routing fails.

The pattern (both router guides, production best practices): try ``@edenai`` with a 30 s
timeout and ``raise_for_status()``; on any exception send the same message to a fixed model
(``openai/gpt-4o``) and report which path served. Nothing on the wire links the two calls.

The one added line: ``@routing_otel.observe(...)`` on ``chat_with_fallback``. Inside one
scope, a failed ``@edenai`` call followed by a fixed-model call is a client-side fallback:
``llm.router.fallbacks{layer="client", reason="503"}`` counts it and the fixed call's span
has ``llm.router.fallback=true`` with where it fell from and why. (``instrument()`` alone
sees it too, when both calls run in the same thread within ``fallback_window_s``.)

Run it: ``python examples/resilient_router.py`` (the emulator's router is made to fail once).
"""

from __future__ import annotations

import os
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class ResilientRouter:
    """Smart routing first, a fixed model when it fails."""

    def __init__(
        self, api_key: str, fallback_model: str = "openai/gpt-4o", base_url: str = BASE_URL
    ) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.fallback_model = fallback_model

    def _complete(self, model: str, message: str, **extra: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = {"model": model, "messages": [{"role": "user", "content": message}], **extra}
        response = requests.post(self.url, headers=headers, json=payload, timeout=30)
        response.raise_for_status()
        data = response.json()
        return {"model": data.get("model"), "response": data["choices"][0]["message"]["content"]}

    # One scope per question: a failed routed call and its fallback are linked inside it.
    @routing_otel.observe("resilient-chat")  # routing-otel: added
    def chat_with_fallback(
        self, message: str, candidates: list[str] | None = None
    ) -> dict[str, Any]:
        """Answer with smart routing, or with the fallback model if routing fails."""
        try:
            extra = {"router_candidates": candidates} if candidates else {}
            result = self._complete("@edenai", message, **extra)
        except Exception as error:  # the guides fall back on any error
            result = self._complete(self.fallback_model, message)
            return {**result, "path": "fallback", "routing_error": str(error)}
        return {**result, "path": "routed"}


def main() -> list[dict[str, Any]]:
    """Two questions; when the router is down for the first one, the fallback answers it."""
    router = ResilientRouter(API_KEY)
    results = [
        router.chat_with_fallback("What is eventual consistency?"),
        router.chat_with_fallback(
            "What is a circuit breaker?", ["openai/gpt-4o-mini", "google/gemini-2.0-flash"]
        ),
    ]
    for result in results:
        print(f"{result['path']:>8} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__, faults=["router_down"])
