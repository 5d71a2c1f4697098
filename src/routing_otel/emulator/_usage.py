"""Token counts, prompt caching and cost, as Eden AI reports them.

Token counts are a fixed approximation (about four characters a token plus a few tokens of
per-message overhead): deterministic, cheap, and close enough to real tokenizers.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from routing_otel.emulator._routing import message_text, stable_hash

if TYPE_CHECKING:
    from routing_otel.emulator._catalogue import ModelSpec

_IMAGE_TOKENS = 85
_MAX_CACHED_PREFIXES = 10_000


@dataclass(frozen=True, slots=True)
class Usage:
    """The `usage` object of a response."""

    prompt_tokens: int
    completion_tokens: int  # includes reasoning_tokens, as OpenAI counts them
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    def as_json(self) -> dict[str, Any]:
        """Return the wire shape."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "prompt_tokens_details": {
                "cached_tokens": self.cached_tokens,
                "cache_write_tokens": self.cache_write_tokens,
            },
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
        }

    def cost(self, pricing: dict[str, float]) -> float:
        """USD: the wire spec's formula, from the catalogue's after-discount `pricing`."""
        uncached = self.prompt_tokens - self.cached_tokens
        total = (
            uncached * pricing["input_cost_per_token"]
            + self.cached_tokens * pricing.get("cache_read_input_token_cost", 0.0)
            + self.cache_write_tokens * pricing.get("cache_creation_input_token_cost", 0.0)
            + self.completion_tokens * pricing["output_cost_per_token"]
        )
        return float(f"{total:.10g}")  # drop float noise such as ...0000000002


def message_tokens(message: dict[str, Any]) -> int:
    """Approximate tokens of one message, overhead included."""
    content = message.get("content")
    images = 0
    if isinstance(content, list):
        images = sum(1 for p in content if isinstance(p, dict) and p.get("type") == "image_url")
    tokens = 4 + _text_tokens(message_text(message)) + images * _IMAGE_TOKENS
    if message.get("tool_calls"):
        tokens += _text_tokens(json.dumps(message["tool_calls"]))
    return tokens


def prompt_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[int]:
    """Cumulative prompt tokens after each message; the last item is the whole prompt."""
    running = 3 + (_text_tokens(json.dumps(tools)) if tools else 0)
    cumulative = []
    for message in messages:
        running += message_tokens(message)
        cumulative.append(running)
    return cumulative


def _text_tokens(text: str) -> int:
    return (len(text) + 3) // 4


class PromptCache:
    """Which prompt prefixes a provider holds in cache, per conversation scope and model.

    The prefix of a request (every message but the last) is written to the cache when it is
    at least `min_tokens` long; a later request in the same scope that starts with a cached
    prefix reports it as `cached_tokens`. So a long system prompt repeated within a session
    is cached from its second use on, as real prompt caching behaves.
    """

    def __init__(self, min_tokens: int) -> None:
        """Start empty; prefixes shorter than `min_tokens` are never cached."""
        self._min_tokens = min_tokens
        self._lock = threading.Lock()
        self._prefixes: OrderedDict[int, None] = OrderedDict()  # least recently used first

    def use(
        self, scope: str, model: ModelSpec, messages: list[dict[str, Any]], cumulative: list[int]
    ) -> tuple[int, int]:
        """Look the request's prefixes up and store them: (cached tokens, written tokens)."""
        if model.cache_read_cost is None or len(messages) < 2:
            return 0, 0
        keys, running = [], 0
        for message in messages[:-1]:
            running = stable_hash(running, scope, model.id, json.dumps(message, sort_keys=True))
            keys.append(running)
        with self._lock:
            cached = 0
            for index in range(len(keys) - 1, -1, -1):
                if keys[index] in self._prefixes:
                    self._prefixes.move_to_end(keys[index])
                    cached = cumulative[index]
                    break
            longest = cumulative[len(keys) - 1]
            if longest < self._min_tokens or longest == cached:
                return cached, 0
            for index, key in enumerate(keys):
                if cumulative[index] >= self._min_tokens:
                    self._prefixes[key] = None
            while len(self._prefixes) > _MAX_CACHED_PREFIXES:
                self._prefixes.popitem(last=False)
        # Only providers that bill cache creation report the tokens they wrote.
        written = longest - cached if model.cache_write_cost > 0 else 0
        return cached, written

    def clear(self) -> None:
        """Forget everything cached."""
        with self._lock:
            self._prefixes.clear()
