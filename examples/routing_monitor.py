"""RoutingMonitor: timing the router by hand and keeping statistics.

The pattern (both router guides, monitoring): around each routed, streamed call take
``start`` just before ``requests.post``; routing latency is the first line received minus
``start``, total latency the end of the stream minus ``start``; keep a history and report
the model distribution, the averages and the most selected model.

The one added line: ``routing_otel.instrument()`` at startup. The library measures the same
things from the same instants (its span starts when the request is handed to ``requests``,
its routing phase ends when the first chunk names the model), so its
``llm.router.routing.duration`` and served models agree with this monitor's, and they reach
dashboards and alerts instead of a Python list.

Run it: ``python examples/routing_monitor.py``.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class RoutingMonitor:
    """Route requests and keep hand-made routing statistics."""

    def __init__(self, api_key: str, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.history: list[dict[str, Any]] = []

    def chat(self, message: str, candidates: list[str] | None = None) -> dict[str, Any]:
        """Route ``message`` and record the model chosen and the latencies."""
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload: dict[str, Any] = {
            "model": "@edenai",
            "messages": [{"role": "user", "content": message}],
            "stream": True,
        }
        if candidates:
            payload["router_candidates"] = candidates

        start = time.time()
        response = requests.post(self.url, headers=headers, json=payload, stream=True)

        selected_model = None
        full_response = ""
        first_line_at = None
        for line in response.iter_lines():
            if line:
                if first_line_at is None:
                    first_line_at = time.time()
                line_str = line.decode("utf-8")
                if line_str.startswith("data: ") and line_str != "data: [DONE]":
                    data = json.loads(line_str[6:])
                    if not selected_model and "model" in data:
                        selected_model = data["model"]
                    content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                    full_response += content
        end = time.time()

        entry = {
            "timestamp": start,
            "selected_model": selected_model,
            "routing_latency": (first_line_at or end) - start,
            "total_latency": end - start,
            "candidates": candidates,
        }
        self.history.append(entry)
        return {**entry, "response": full_response}

    def get_stats(self) -> dict[str, Any]:
        """Model distribution, average latencies and the most selected model."""
        if not self.history:
            return {"total_requests": 0}
        distribution = Counter(entry["selected_model"] for entry in self.history)
        count = len(self.history)
        return {
            "total_requests": count,
            "model_distribution": dict(distribution),
            "avg_routing_latency": sum(e["routing_latency"] for e in self.history) / count,
            "avg_total_latency": sum(e["total_latency"] for e in self.history) / count,
            "most_selected_model": distribution.most_common(1)[0][0],
        }


def main() -> dict[str, Any]:
    """Route a handful of requests and print the monitor's statistics."""
    # At startup: the library then times each call from the same instants as the monitor.
    routing_otel.instrument()  # routing-otel: added
    monitor = RoutingMonitor(API_KEY)
    code_pool = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]
    for message, candidates in [
        ("Hello!", None),
        ("Write a binary search in Go.", code_pool),
        ("Refactor this loop into a comprehension.", code_pool),
        ("What is the boiling point of water?", None),
        ("Explain the actor model.", None),
    ]:
        monitor.chat(message, candidates)
    stats = monitor.get_stats()
    print(f"requests: {stats['total_requests']}, most selected: {stats['most_selected_model']}")
    print(f"average routing latency: {stats['avg_routing_latency'] * 1000:.1f} ms")
    return {"stats": stats, "history": monitor.history}


if __name__ == "__main__":
    from _run import run

    run(__file__)
