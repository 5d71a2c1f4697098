"""What every pattern shares: where the API is, its headers, the guides' SSE parser, fallback.

Nothing here knows about telemetry: this is the application side of the demo, written the
way the router guides write it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterable

ROUTED: Final = "@edenai"
FALLBACK_MODEL: Final = "openai/gpt-4o"  # the guides' ResilientRouter falls back to it
TIMEOUT_S: Final = 30.0  # the guides' client timeout
FAULT_HEADER: Final = "x-emulator-fault"

# Trouble the emulator adds to a share of routed calls, so the report has something to
# show besides the outage: (share of routed calls, x-emulator-fault value). Server-side
# provider fallbacks, a slow first token, a rate limit, an error frame mid-stream.
CHAOS: Final[tuple[tuple[float, str], ...]] = (
    (0.04, "provider_fallback"),
    (0.02, "slow_first_token=1.5"),
    (0.015, "rate_limit=1"),
    (0.015, "stream_error=2"),
)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Wire:
    """The API the workload talks to, and the emulator-only extras of a demo run."""

    base_url: str  # ends in /v3/llm (the guides') or /v3
    api_key: str
    emulated: bool  # the built-in emulator: chaos faults may be asked for per request
    router_down: threading.Event = field(default_factory=threading.Event)

    @property
    def chat_url(self) -> str:
        """The chat completions endpoint."""
        return f"{self.base_url}/chat/completions"

    def headers(self, rng: random.Random, *, routed: bool) -> dict[str, str]:
        """The guides' headers, plus an emulator fault for a seeded share of routed calls."""
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        headers.update(self.chaos(rng, routed=routed))
        return headers

    def chaos(self, rng: random.Random, *, routed: bool) -> dict[str, str]:
        """The emulator fault header for this call, if the seeded roll picked one."""
        roll = rng.random()  # always drawn, so the job's later choices do not shift
        # A request with this header ignores the emulator's router-down switch: none then.
        if not (self.emulated and routed) or self.router_down.is_set():
            return {}
        for share, fault in CHAOS:
            if roll < share:
                return {FAULT_HEADER: fault}
            roll -= share
        return {}


def read_sse(lines: Iterable[str]) -> tuple[str | None, str]:
    """The guides' stream parser: the model named by the first chunk, and the answer text.

    Unlike the guides' version, a ``null`` content (Eden AI's usage chunk) adds nothing
    instead of raising a TypeError.
    """
    selected_model = None
    full_response = ""
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            data = json.loads(line[6:])
            if not selected_model and "model" in data:
                selected_model = data["model"]
            content = data.get("choices", [{}])[0].get("delta", {}).get("content")
            full_response += content or ""
    return selected_model, full_response


def with_fallback(call: Callable[[str], _T]) -> _T:
    """The guides' ResilientRouter: ``@edenai`` first; on any error, a fixed model."""
    try:
        return call(ROUTED)
    except Exception:  # the guides fall back on any exception
        return call(FALLBACK_MODEL)
