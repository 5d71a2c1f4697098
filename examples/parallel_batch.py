"""Parallel async batch: five routed questions at once with httpx.

The pattern ("Advanced Router Usage", performance): one ``httpx.AsyncClient(timeout=30)``,
``client.stream("POST", ...)`` per question, ``aiter_lines()`` parsed as in the default
pattern, all five questions run concurrently with ``asyncio.gather``.

The one added line: ``@routing_otel.observe(...)`` on the batch coroutine. The batch becomes
one trace: a scope span with one ``chat @edenai`` span per question (each with its own
``route`` child and served model), since every task ``gather`` starts inherits the scope.

Run it: ``python examples/parallel_batch.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")

QUESTIONS = [
    "What is Docker?",
    "Explain Kubernetes pods.",
    "What is a service mesh?",
    "How does a load balancer work?",
    "What is infrastructure as code?",
]


async def process_query(client: httpx.AsyncClient, message: str) -> dict[str, Any]:
    """Stream one routed answer."""
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    payload = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": message}],
        "stream": True,
    }
    selected_model = None
    full_response = ""
    async with client.stream(
        "POST", f"{BASE_URL}/chat/completions", headers=headers, json=payload
    ) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                data = json.loads(line[6:])
                if not selected_model and "model" in data:
                    selected_model = data["model"]
                content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                full_response += content
    return {"question": message, "model": selected_model, "response": full_response}


# One scope for the whole batch; the five concurrent calls become its children.
@routing_otel.observe("batch")  # routing-otel: added
async def batch_process(questions: list[str]) -> list[dict[str, Any]]:
    """Ask every question concurrently."""
    async with httpx.AsyncClient(timeout=30) as client:
        return list(await asyncio.gather(*(process_query(client, q) for q in questions)))


def main() -> list[dict[str, Any]]:
    """Run the batch of five questions."""
    results = asyncio.run(batch_process(QUESTIONS))
    for result in results:
        print(f"{result['model']:<30} {result['question']}")
    return results


if __name__ == "__main__":
    from _run import run

    run(__file__)
