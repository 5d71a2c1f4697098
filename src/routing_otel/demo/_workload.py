"""One job of the plan, run: the pattern it names, with the choices its seed makes."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import routing_otel
from routing_otel.demo._patterns import (
    POOLS,
    BudgetAwareRouter,
    CachedRouter,
    SmartConversation,
    TieredRouter,
    default_routing,
)
from routing_otel.demo._prompts import FAQ, FOLLOW_UPS, TOOL_QUESTIONS, question
from routing_otel.demo._sdk_patterns import (
    ContextAwareRouter,
    ToolCaller,
    openai_client,
    parallel_batch,
)
from routing_otel.demo._wire import ROUTED

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel.demo._plan import Job, Pattern
    from routing_otel.demo._wire import Wire


class Workload:
    """The application the demo observes: the guides' routers, shared by every worker."""

    def __init__(self, wire: Wire, daily_budget: float, spent: Callable[[], float]) -> None:
        """Build the routers once (the cache and the OpenAI client are shared)."""
        self.wire = wire
        self._client: Any = openai_client(wire)
        self._tiered = TieredRouter(wire)
        self._budget = BudgetAwareRouter(wire, daily_budget, spent)
        self._cached = CachedRouter(wire)
        self._context = ContextAwareRouter(wire, self._client)
        self._tools = ToolCaller(wire, self._client)

    def close(self) -> None:
        """Release the OpenAI client's connections."""
        self._client.close()

    def run(self, job: Job) -> str:
        """Run ``job``; returns a short note on what the app decided (for the summary)."""
        rng = random.Random(job.seed)  # noqa: S311 - seeds the demo's choices, not crypto
        patterns: dict[Pattern, Callable[[Job, random.Random], str]] = {
            "tiered": self._tiered_chat,
            "budget": self._budget_chat,
            "pools": self._pool_chat,
            "conversation": self._conversation,
            "tools": self._tool_chat,
            "cached": self._cached_chat,
            "batch": self._batch,
            "default": self._default_chat,
        }
        return patterns[job.pattern](job, rng)

    def _tiered_chat(self, _: Job, rng: random.Random) -> str:
        use_case, message = question(rng)
        self._tiered.chat(message, use_case, rng)
        return TieredRouter.classify(message)

    def _budget_chat(self, _: Job, rng: random.Random) -> str:
        use_case, message = question(rng)
        tier = self._budget.select_tier()
        answer = self._budget.chat(message, use_case, rng)
        return "refused" if answer is None else str(tier)

    def _pool_chat(self, _: Job, rng: random.Random) -> str:
        use_case, message = question(rng)
        self._context.chat(message, use_case, rng)
        return use_case

    def _tool_chat(self, _: Job, rng: random.Random) -> str:
        answer = self._tools.chat(rng.choice(TOOL_QUESTIONS), rng)
        return "tool called" if answer.text else "answered in text"

    def _cached_chat(self, _: Job, rng: random.Random) -> str:
        answer = self._cached.chat(rng.choice(FAQ), "fast", rng)
        return "miss" if answer.requested == ROUTED else "hit"

    def _batch(self, job: Job, rng: random.Random) -> str:
        questions = [question(rng) for _ in range(job.calls)]
        parallel_batch(self.wire, questions, job.seed)
        return f"{job.calls} at once"

    def _default_chat(self, _: Job, rng: random.Random) -> str:
        message = question(rng, "chat")[1]
        default_routing(self.wire, message, rng)
        return "default pool"

    def _conversation(self, job: Job, rng: random.Random) -> str:
        conversation_id = f"demo-conversation-{job.index}"
        chat = SmartConversation(self.wire, conversation_id, POOLS["general"])
        with routing_otel.observe(
            "conversation", conversation_id=conversation_id, pool="general", use_case="chat"
        ):
            chat.send(question(rng, "chat")[1], rng)
            for _ in range(job.calls - 1):
                chat.send(rng.choice(FOLLOW_UPS), rng)
        return f"{job.calls} turns"
