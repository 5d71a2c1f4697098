"""The run, planned before it starts: which jobs, in which order, and when the router is down.

Everything here follows from the settings and the seed alone, so the same command plans the
same run: the sequence of jobs (each one of the guides' patterns), the choices inside each
job (seeded per job), the outage window of the fallback storm and the budget. Only timing
(which call finishes first) varies between two runs.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.demo._args import Settings

Pattern = Literal[
    "tiered", "budget", "pools", "conversation", "tools", "cached", "batch", "default"
]

# How often each pattern starts a job: (pattern, weight). Conversations and batches make
# several calls each, so they carry more of the traffic than their weight says.
MIX: tuple[tuple[Pattern, int], ...] = (
    ("tiered", 20),  # TieredRouter: the message's complexity picks a tier's pool
    ("budget", 14),  # BudgetAwareRouter: the remaining budget picks the pool
    ("pools", 18),  # custom candidate pools / ContextAwareRouter, via the OpenAI SDK
    ("conversation", 4),  # SmartConversation: several turns, the whole history each time
    ("tools", 10),  # function calling, via the OpenAI SDK
    ("cached", 14),  # CachedRouter: a repeated question reuses the model chosen before
    ("batch", 3),  # parallel async batch: five questions at once with httpx.AsyncClient
    ("default", 6),  # default routing: no candidates, Eden AI's default pool
)
PATTERN_NAMES: tuple[Pattern, ...] = tuple(pattern for pattern, _ in MIX)
CONVERSATION_TURNS = (3, 5)  # inclusive range of turns per conversation
BATCH_SIZE = 5

# Worker-seconds one planned call takes with the emulator's default timings (routing delay
# 0.1-0.5 s, then the served model's time to first token and token rate), averaged over
# the mix; measured on a 2-core machine. Only used to size the run and its budget.
CALL_SECONDS = 0.75
FAST_CALL_SECONDS = 0.03
# Average cost of one call over the mix (USD, emulator prices), measured the same way.
CALL_COST_USD = 0.00028
# The budget is a little above the run's expected spend, so the budget-aware router steps
# down from premium (over half left) to balanced, then budget (under a fifth left).
BUDGET_HEADROOM = 1.05
OUTAGE_SHARE = 1 / 6  # the router is down for a sixth of the run: 10 s of the minute
OUTAGE_EARLIEST, OUTAGE_LATEST = 0.40, 0.60  # where the outage may start (share of the run)


@dataclass(frozen=True, slots=True)
class Job:
    """One use of one pattern: ``calls`` planned calls (each fallback adds one more)."""

    index: int
    pattern: Pattern
    calls: int
    start: int  # planned calls before this job: its place in a run of N calls
    seed: str  # seeds the job's own choices (prompts, tiers, injected faults)


@dataclass(frozen=True, slots=True)
class Outage:
    """The fallback storm: the emulator's router is down over this share of the run."""

    start: float
    end: float

    def covers(self, progress: float) -> bool:
        """Whether the router is down at ``progress`` (0 to 1) through the run."""
        return self.start <= progress < self.end


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A whole run, decided up front from the settings and the seed."""

    seed: int
    concurrency: int
    duration_s: float | None  # a timed run; None for a fixed number of calls
    requests: int | None
    outage: Outage | None  # None against a real endpoint: we cannot take its router down
    budget_usd: float
    fast: bool

    @property
    def call_seconds(self) -> float:
        """Worker-seconds one call is expected to take."""
        return FAST_CALL_SECONDS if self.fast else CALL_SECONDS

    @property
    def expected_calls(self) -> int:
        """How many calls the run should make (exact for a fixed number of calls)."""
        if self.requests is not None:
            return self.requests
        assert self.duration_s is not None
        return round(self.duration_s * self.concurrency / self.call_seconds)

    @property
    def expected_seconds(self) -> float:
        """How long the workload should take (the set duration for a timed run)."""
        if self.duration_s is not None:
            return self.duration_s
        return self.expected_calls * self.call_seconds / self.concurrency

    def outage_seconds(self) -> tuple[float, float] | None:
        """When a timed run's router goes down and comes back (seconds into the run)."""
        if self.outage is None or self.duration_s is None:
            return None
        return self.outage.start * self.duration_s, self.outage.end * self.duration_s

    def in_outage(self, job: Job) -> bool:
        """Whether a job of a fixed-size run has calls planned while the router is down."""
        if self.outage is None or self.requests is None:
            return False
        first, last = job.start / self.requests, (job.start + job.calls) / self.requests
        return first < self.outage.end and last > self.outage.start

    def jobs(self) -> Iterator[Job]:
        """The jobs in order: endless for a timed run, N calls in all otherwise."""
        rng = random.Random(f"routing-otel-demo:{self.seed}")  # noqa: S311 - not crypto
        patterns = [pattern for pattern, _ in MIX]
        weights = [weight for _, weight in MIX]
        start = 0
        index = 0
        while self.requests is None or start < self.requests:
            pattern = rng.choices(patterns, weights)[0]
            calls = _calls_of(pattern, rng)
            if self.requests is not None:
                calls = min(calls, self.requests - start)
            yield Job(index, pattern, calls, start, f"{self.seed}:{index}")
            start += calls
            index += 1


def _calls_of(pattern: Pattern, rng: random.Random) -> int:
    if pattern == "conversation":
        return rng.randint(*CONVERSATION_TURNS)
    if pattern == "batch":
        return BATCH_SIZE
    return 1


def make_plan(settings: Settings) -> Plan:
    """Plan the run the settings ask for."""
    rng = random.Random(f"routing-otel-outage:{settings.seed}")  # noqa: S311 - not crypto
    start = OUTAGE_EARLIEST + (OUTAGE_LATEST - OUTAGE_EARLIEST) * rng.random()
    outage = None if settings.target else Outage(start, start + OUTAGE_SHARE)
    plan = Plan(
        seed=settings.seed,
        concurrency=settings.concurrency,
        duration_s=settings.duration_s,
        requests=settings.requests,
        outage=outage,
        budget_usd=1.0,
        fast=settings.fast,
    )
    budget = settings.budget_usd
    if budget is None:
        budget = round(max(plan.expected_calls * CALL_COST_USD * BUDGET_HEADROOM, 0.001), 3)
    return dataclasses.replace(plan, budget_usd=budget)
