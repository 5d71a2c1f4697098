"""What the demo's users ask: questions by use case, a long system prompt, tools.

The emulator's router decides from the question (long or technical ones lean to stronger
models), so varied questions spread each pool's calls over its models like real traffic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    import random

UseCase = Literal["code", "creative", "analysis", "translation", "chat", "summarization"]

QUESTIONS: Final[dict[UseCase, tuple[str, ...]]] = {
    "code": (
        "Write a Python function that merges two sorted lists.",
        "Debug this: my asyncio task never finishes when the queue is empty.",
        "Refactor a 200-line Flask view into smaller functions; show the result.",
        "What is a mutex?",
        "Implement an LRU cache in TypeScript with O(1) get and put.",
        "Design a rate limiter for an HTTP API and write it in Go.",
        "Explain Python's GIL and when threads still help.",
        "Write SQL that finds the second highest salary per department.",
    ),
    "creative": (
        "Write a haiku about a load balancer at dawn.",
        "Draft a product announcement for a smart routing feature, upbeat, 100 words.",
        "Invent five names for a coffee shop run by robots.",
        "Write the opening paragraph of a mystery set in a data centre.",
        "Compose a limerick about flaky tests.",
        "Write a short bedtime story about a lost packet finding its way home.",
    ),
    "analysis": (
        "Analyze the trade-offs between event sourcing and CRUD for an order system.",
        "Compare PostgreSQL and DynamoDB for a multi-tenant SaaS with spiky traffic.",
        "Evaluate whether our team should move from REST to gRPC for internal services.",
        "Analyze this churn data: 5% monthly in Q1, 7% in Q2, 4% in Q3. What changed?",
        "Compare three caching strategies for a read-heavy product catalogue.",
        "Architect a pipeline that ingests 50k events per second with exactly-once output.",
    ),
    "translation": (
        "Translate 'the router picks the cheapest model that can answer' into French.",
        "Translate this error message into German: 'Your session has expired.'",
        "Translate 'good morning, how can I help?' into Spanish and Italian.",
        "Translate the phrase 'fallback to a fixed model' into Japanese.",
    ),
    "chat": (
        "What is an API?",
        "Define latency in one sentence.",
        "Who is Ada Lovelace?",
        "When should I use a queue instead of a direct call?",
        "Where do logs usually go in a Kubernetes cluster?",
        "Hi! Can you recommend a good book on distributed systems?",
        "What is the difference between a process and a thread?",
    ),
    "summarization": (
        "Summarize the CAP theorem for a product manager in three sentences.",
        "Summarize the main ideas of the twelve-factor app.",
        "Summarize what OpenTelemetry is and why teams adopt it.",
        "Give a two-line summary of how TLS protects a web request.",
        "Summarize the pros and cons of microservices in five bullet points.",
    ),
}
USE_CASES: Final[tuple[UseCase, ...]] = tuple(QUESTIONS)

# The cached router's questions: a small FAQ, so the same question comes back often.
FAQ: Final[tuple[str, ...]] = (
    "How do I reset my password?",
    "What are your support hours?",
    "How do I export my data as CSV?",
    "Can I change the plan I am on?",
    "Where do I find my invoices?",
    "How do I add a team member?",
)

_STYLES = ("", " Keep it short.", " Be precise.", " Answer for a beginner.", " Use an example.")

# A support assistant's instructions, long enough (over 1,024 tokens) for providers to
# cache it: from a conversation's second turn on its tokens are billed as cache reads.
SYSTEM_PROMPT: Final = " ".join(
    [
        (
            "You are the support assistant of a software company. Answer in the user's "
            "language, be friendly and concise, never invent features, and say so when you "
            "do not know."
        )
    ]
    + [
        f"Rule {n}: when a question is about billing, accounts, security or data export, "
        "first restate the question in one sentence, then give numbered steps, then say "
        "where in the settings the option lives, and finish with one line on what to do if "
        "the steps do not work, such as contacting support with the request id."
        for n in range(1, 19)
    ]
)

FOLLOW_UPS: Final[tuple[str, ...]] = (
    "Can you give an example?",
    "Why is that?",
    "How would that change for a team of fifty?",
    "And what are the risks?",
    "Thanks. Can you make it shorter?",
    "What would you do first?",
)

# The function-calling guide's two tools.
TOOLS: Final[list[dict[str, Any]]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "City name"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "calculate",
            "description": "Evaluate an arithmetic expression",
            "parameters": {
                "type": "object",
                "properties": {"expression": {"type": "string"}},
                "required": ["expression"],
            },
        },
    },
]
TOOL_QUESTIONS: Final[tuple[str, ...]] = (
    "What is the weather in Paris right now? Use get_weather.",
    "get_weather for Tokyo in celsius, please.",
    "Use calculate: what is 17 * 23 + 4?",
    "Is it raining in London? Call get_weather.",
    "calculate 2 ** 16 - 1 for me.",
)


def question(rng: random.Random, use_case: UseCase | None = None) -> tuple[UseCase, str]:
    """A seeded question (of ``use_case``, else of any), with a seeded style suffix."""
    chosen = use_case if use_case is not None else rng.choice(USE_CASES)
    return chosen, rng.choice(QUESTIONS[chosen]) + rng.choice(_STYLES)
