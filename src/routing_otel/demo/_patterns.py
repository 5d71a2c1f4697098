"""The router guides' patterns that use ``requests``, as their users write them.

Each class is one pattern of "Advanced Router Usage" / "LLM Smart Routing Patterns": the
same payloads, the same streaming parser, the same fallback to a fixed model. The only
routing-otel code is an ``observe`` scope naming the pool, tier or use case the pattern
decided on (the examples in ``examples/`` show each one alone).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import requests

import routing_otel
from routing_otel.demo._prompts import SYSTEM_PROMPT
from routing_otel.demo._wire import ROUTED, TIMEOUT_S, Wire, read_sse, with_fallback

if TYPE_CHECKING:
    import random
    from collections.abc import Callable

Tier = Literal["budget", "balanced", "premium"]

# Candidate pools, named: the pool name is what labels the metrics (observe(pool=...)).
POOLS: Final[dict[str, list[str]]] = {
    "budget": ["openai/gpt-4o-mini", "google/gemini-2.0-flash", "anthropic/claude-haiku-4-5"],
    "balanced": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"],
    "premium": ["anthropic/claude-opus-4-5", "openai/gpt-4o", "google/gemini-2.5-pro"],
    "code": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "mistral/mistral-large-latest"],
    "creative": ["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "google/gemini-2.5-flash"],
    "fast": ["openai/gpt-4o-mini", "google/gemini-2.0-flash", "mistral/mistral-small-latest"],
    "general": ["openai/gpt-4o", "openai/gpt-4o-mini", "google/gemini-2.5-flash"],
}
TIERS: Final[tuple[Tier, ...]] = ("budget", "balanced", "premium")


@dataclass(frozen=True, slots=True)
class Answer:
    """What one call gave the app: the model it asked for, the one that answered, the text."""

    requested: str
    model: str | None
    text: str


def stream_chat(
    wire: Wire,
    rng: random.Random,
    model: str,
    messages: list[dict[str, Any]],
    candidates: list[str] | None = None,
) -> Answer:
    """One streamed call the guides' way: ``requests.post(..., stream=True)``, iter_lines."""
    routed = model == ROUTED
    payload: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
    if routed and candidates:
        payload["router_candidates"] = candidates
    with requests.post(
        wire.chat_url,
        headers=wire.headers(rng, routed=routed),
        json=payload,
        stream=True,
        timeout=TIMEOUT_S,
    ) as response:
        response.raise_for_status()  # the ResilientRouter's check: a 503 must fall back
        selected, text = read_sse(line.decode("utf-8") for line in response.iter_lines())
    return Answer(model, selected, text)


def _user(message: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": message}]


class TieredRouter:
    """TieredRouter: keywords and length classify a message as budget, balanced or premium."""

    def __init__(self, wire: Wire) -> None:
        """Route through ``wire``."""
        self.wire = wire

    @staticmethod
    def classify(message: str) -> Tier:
        """The guides' heuristic: simple questions are budget, analyses premium."""
        lowered = message.lower()
        simple = ["what is", "define", "who is", "when", "where"]
        if any(keyword in lowered for keyword in simple) and len(message) < 100:
            return "budget"
        complex_ = ["analyze", "compare", "evaluate", "design", "architect"]
        if any(keyword in lowered for keyword in complex_) or len(message) > 500:
            return "premium"
        return "balanced"

    def chat(self, message: str, use_case: str, rng: random.Random) -> Answer:
        """Answer with the pool of the message's tier, falling back to a fixed model."""
        tier = self.classify(message)
        with routing_otel.observe("tiered-chat", tier=tier, pool=tier, use_case=use_case):
            return with_fallback(
                lambda model: stream_chat(self.wire, rng, model, _user(message), POOLS[tier])
            )


class BudgetAwareRouter:
    """BudgetAwareRouter: cheaper pools as today's budget runs out, a refusal at zero.

    The guides keep the spend in memory from a rough estimate; this one reads it from the
    ``llm.router.cost`` metric routing-otel records (``spent``), the real cost of each call.
    """

    def __init__(self, wire: Wire, daily_budget: float, spent: Callable[[], float]) -> None:
        """Route through ``wire`` within ``daily_budget`` USD, ``spent()`` so far today."""
        self.wire = wire
        self.daily_budget = daily_budget
        self.spent = spent

    def select_tier(self) -> Tier | None:
        """Premium with over half the budget left, balanced over a fifth, then budget."""
        share_left = (self.daily_budget - self.spent()) / self.daily_budget
        if share_left <= 0:
            return None
        if share_left > 0.5:
            return "premium"
        if share_left > 0.2:
            return "balanced"
        return "budget"

    def chat(self, message: str, use_case: str, rng: random.Random) -> Answer | None:
        """Answer within budget, or None when today's budget is spent."""
        tier = self.select_tier()
        if tier is None:
            return None
        with routing_otel.observe("budget-chat", tier=tier, pool=tier, use_case=use_case):
            return with_fallback(
                lambda model: stream_chat(self.wire, rng, model, _user(message), POOLS[tier])
            )


class SmartConversation:
    """SmartConversation: the whole history (and a system prompt) is sent every turn."""

    def __init__(self, wire: Wire, conversation_id: str, candidates: list[str]) -> None:
        """A new conversation with the support assistant's system prompt."""
        self.wire = wire
        self.conversation_id = conversation_id
        self.candidates = candidates
        self.messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_PROMPT}]
        self.models_used: list[str | None] = []

    def send(self, message: str, rng: random.Random) -> Answer:
        """One turn: ask with the history, remember the answer and who gave it."""
        self.messages.append({"role": "user", "content": message})
        answer = with_fallback(
            lambda model: stream_chat(self.wire, rng, model, self.messages, self.candidates)
        )
        self.messages.append({"role": "assistant", "content": answer.text})
        self.models_used.append(answer.model)
        return answer


class CachedRouter:
    """CachedRouter: a repeated question goes straight to the model routed to last time.

    One instance serves every worker (a shared cache), hence the lock the guides' single-
    threaded version does not need.
    """

    def __init__(self, wire: Wire, ttl_s: float = 3600.0) -> None:
        """An empty cache of routing decisions, each fresh for ``ttl_s`` seconds."""
        self.wire = wire
        self.ttl_s = ttl_s
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def cache_key(message: str, candidates: list[str]) -> str:
        """The guides' key: the first 200 characters and the sorted candidates."""
        text = f"{message[:200]}:{sorted(candidates)}"
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    def _cached_model(self, key: str) -> str | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[1] < self.ttl_s:
                return entry[0]
            del self._cache[key]
            return None

    def chat(self, message: str, pool: str, rng: random.Random) -> Answer:
        """Answer with the cached model on a hit; route (and remember) on a miss."""
        candidates = POOLS[pool]
        key = self.cache_key(message, candidates)
        with routing_otel.observe("cached-router", pool=pool, use_case="chat"):
            cached = self._cached_model(key)
            if cached is not None:
                return stream_chat(self.wire, rng, cached, _user(message))
            answer = with_fallback(
                lambda model: stream_chat(self.wire, rng, model, _user(message), candidates)
            )
        if answer.requested == ROUTED and answer.model:
            with self._lock:
                self._cache[key] = (answer.model, time.monotonic())
        return answer


def default_routing(wire: Wire, message: str, rng: random.Random) -> Answer:
    """Default routing: no candidates, no scope; ``instrument()`` alone observes it."""
    return with_fallback(lambda model: stream_chat(wire, rng, model, _user(message)))
