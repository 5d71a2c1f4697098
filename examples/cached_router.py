"""CachedRouter: remember the router's choice and skip routing for repeated queries.

The pattern ("Advanced Router Usage", performance): the cache key is the MD5 of the first 200
characters of the message plus the sorted candidates; on a hit within the TTL the cached
model is sent directly (a fixed model, no routing delay); on a miss the call goes to
``@edenai`` and the chosen model is cached.

The one added line: ``@routing_otel.observe(...)`` on ``chat``. Nothing varies per call that
the telemetry needs from the app: a miss shows as ``chat @edenai`` with its ``route`` child,
a hit as ``chat <cached model>`` with none, so the routing time the cache saved is visible.

Run it: ``python examples/cached_router.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class CachedRouter:
    """Route once per distinct query, then reuse the chosen model for a while."""

    def __init__(self, api_key: str, cache_ttl: int = 3600, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.cache_ttl = cache_ttl
        self.routing_cache: dict[str, tuple[str, float]] = {}

    def _cache_key(self, message: str, candidates: list[str]) -> str:
        return hashlib.md5(f"{message[:200]}:{sorted(candidates)}".encode()).hexdigest()

    def _cached_model(self, key: str) -> str | None:
        if key in self.routing_cache:
            model, stored_at = self.routing_cache[key]
            if time.time() - stored_at < self.cache_ttl:
                return model
            del self.routing_cache[key]
        return None

    # Every call is scoped the same way, so a decorator is enough.
    @routing_otel.observe("cached-router")  # routing-otel: added
    def chat(self, message: str, candidates: list[str]) -> dict[str, Any]:
        """Answer ``message``, routing only when no fresh choice is cached."""
        key = self._cache_key(message, candidates)
        cached_model = self._cached_model(key)
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload: dict[str, Any] = {
            "model": cached_model or "@edenai",
            "messages": [{"role": "user", "content": message}],
            "stream": True,
        }
        if not cached_model:
            payload["router_candidates"] = candidates
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

        if not cached_model and selected_model:
            self.routing_cache[key] = (selected_model, time.time())
        return {"model": selected_model, "response": full_response, "cache_hit": bool(cached_model)}


def main() -> list[dict[str, Any]]:
    """The same question twice (a miss, then a hit), then another one (a miss)."""
    router = CachedRouter(API_KEY)
    candidates = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"]
    results = [
        router.chat("How do I reverse a string in Python?", candidates),
        router.chat("How do I reverse a string in Python?", candidates),
        router.chat("How do I sort a dict by value?", candidates),
    ]
    for result in results:
        print(f"{'hit ' if result['cache_hit'] else 'miss'} -> {result['model']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
