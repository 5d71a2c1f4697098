"""How an emulator behaves: one frozen dataclass of plain values, and the fault names."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

ModelSpelling = Literal["provider/model", "bare", "bare-only"]
"""How responses name the served model.

`provider/model`: `"model": "openai/gpt-4o"` (what the router guides show).
`bare`: the upstream's dated name plus a provider field, `"model": "gpt-4o-2024-08-06",
"provider": "openai"` (what fixed-model fixtures show).
`bare-only`: the dated name and no provider field at all.
"""

UsageShape = Literal["eden", "openai"]
"""The final usage chunk: `eden` keeps one empty choice, `openai` sends `"choices": []`."""

SseQuirk = Literal["crlf", "comments", "fields", "split"]
"""Legal SSE the spec does not document but robust readers must take.

`crlf`: lines end with CRLF. `comments`: `: keep-alive` comment lines. `fields`: each frame
also has `id:` and `event: message` lines. `split`: every frame is cut at seeded places and
sent in several network writes.
"""

MODEL_SPELLINGS: tuple[ModelSpelling, ...] = ("provider/model", "bare", "bare-only")
SSE_QUIRKS: tuple[SseQuirk, ...] = ("crlf", "comments", "fields", "split")
USAGE_SHAPES: tuple[UsageShape, ...] = ("eden", "openai")
DEFAULT_CANDIDATES: tuple[str, ...] = (
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-sonnet-4-5",
    "google/gemini-2.0-flash",
)
DEFAULT_PORT = 8787


class Fault(str, Enum):
    """Everything the emulator can do besides answering normally.

    Inject them with `Emulator.inject()` or per request with the `x-emulator-fault` header.
    """

    RATE_LIMIT = "rate_limit"
    """429 with `Retry-After` and `X-RateLimit-*` headers; value: seconds to wait (1)."""
    SERVER_ERROR = "server_error"
    """500, a provider error."""
    BAD_GATEWAY = "bad_gateway"
    """502, the upstream returned garbage."""
    ROUTER_DOWN = "router_down"
    """503 for `@edenai` requests only; fixed models still work."""
    INSUFFICIENT_CREDITS = "insufficient_credits"
    """402 `{"error": "Insufficient credits"}`."""
    INSUFFICIENT_CREDITS_LEGACY = "insufficient_credits_legacy"
    """402 `{"detail": ..., "error_code": "INSUFFICIENT_CREDIT"}` (older shape)."""
    REGION_NOT_ALLOWED = "region_not_allowed"
    """451 `region_not_allowed`, as the EU host answers for a model not served in the EU."""
    STREAM_ERROR = "stream_error"
    """An error frame after some content chunks, then the end of the stream; value: chunks
    before it (3). Without streaming: a 502."""
    CONNECTION_RESET = "connection_reset"
    """The socket is reset after some content chunks, no terminating chunk; value: chunks
    before it (3). Without streaming: reset before any response."""
    CONTENT_FILTER = "content_filter"
    """The answer stops with `finish_reason: content_filter`; value: chunks before it (3)."""
    SLOW_FIRST_TOKEN = "slow_first_token"  # noqa: S105  (a token of text, not a secret)
    """Extra delay before the first content token; value: seconds (config default)."""
    ROUTER_SILENT_FAILURE = "router_silent_failure"
    """`@edenai` only: the router fails quietly and the first candidate serves (or
    `openai/gpt-4o` without candidates); nothing in the response says so."""
    PROVIDER_FALLBACK = "provider_fallback"
    """The primary provider fails and the next attempt serves: `attempt` > 1, failed attempts
    listed in `edenai_metadata.attempts`; value: failed attempts (1)."""
    CACHE_HIT = "cache_hit"
    """Prompt caching: the prompt's prefix is reported as `cached_tokens`."""
    CACHED_ANSWER = "cached_answer"
    """A cached answer: `cost` 0 and no `edenai_metadata` block."""
    REDIRECT = "redirect"
    """On the older chat path only, a gateway's redirect to the current one
    (`/v3/llm/chat/completions` to `/v3/chat/completions`); value: the status (307, or 308)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    """Settings of one emulator. Every field has a sensible default.

    Timings: `@edenai` requests wait a routing delay drawn from `routing_delay_s` before the
    first chunk (which names the model); content starts after the model's time to first token
    and flows at its token rate (both from the catalogue, overridable, scaled by
    `timing_scale`). `EmulatorConfig.instant()` zeroes everything, for benchmarks.
    """

    host: str = "127.0.0.1"
    port: int = 0  # 0: an ephemeral port, read it back from Emulator.port
    seed: int = 0
    routing_delay_s: tuple[float, float] = (0.1, 0.5)
    timing_scale: float = 1.0  # multiplies every model's TTFT and token interval
    ttft_s: float | None = None  # overrides every model's time to first token
    tokens_per_s: float | None = None  # overrides every model's rate; math.inf: no wait
    slow_first_token_s: float = 2.0  # default extra delay of Fault.SLOW_FIRST_TOKEN
    model_spelling: ModelSpelling = "provider/model"
    stream_model_spelling: ModelSpelling | None = None  # None: same as model_spelling
    usage_shape: UsageShape = "eden"
    sse_quirks: frozenset[SseQuirk] = frozenset()  # none: exactly the documented framing
    default_candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    api_keys: frozenset[str] | None = None  # None: any key starting with "sk-eden-"
    gzip: bool = False  # gzip responses for clients sending Accept-Encoding: gzip
    discount: float = 0.0  # account discount: pricing = list_pricing x (1 - discount)
    unknown_model_status: Literal[400, 404] = 400
    response_tokens: tuple[int, int] = (12, 48)  # natural answer length range, in tokens
    prompt_cache_min_tokens: int = 1024  # shortest prefix a provider caches
    eu_hosts: tuple[str, ...] = ("api.eu.edenai.run",)  # Host headers meaning region "eu"
    max_recorded_requests: int = 1000

    def __post_init__(self) -> None:
        """Reject settings that cannot work, early and with a clear message."""
        low, high = self.routing_delay_s
        if not 0 <= low <= high:
            raise ValueError(f"routing_delay_s must be 0 <= min <= max, got {low}, {high}")
        shortest, longest = self.response_tokens
        if not 1 <= shortest <= longest:
            raise ValueError("response_tokens must be 1 <= min <= max")
        if self.timing_scale < 0 or (self.ttft_s is not None and self.ttft_s < 0):
            raise ValueError("timings cannot be negative")
        if self.tokens_per_s is not None and not self.tokens_per_s > 0:
            raise ValueError("tokens_per_s must be positive (math.inf for no wait)")
        if not 0.0 <= self.discount < 1.0:
            raise ValueError("discount must be in [0, 1)")
        if self.model_spelling not in MODEL_SPELLINGS:
            raise ValueError(f"model_spelling must be one of {MODEL_SPELLINGS}")
        if self.stream_model_spelling not in (None, *MODEL_SPELLINGS):
            raise ValueError(f"stream_model_spelling must be one of {MODEL_SPELLINGS}")
        if self.usage_shape not in USAGE_SHAPES:
            raise ValueError(f"usage_shape must be one of {USAGE_SHAPES}")
        if not set(self.sse_quirks) <= set(SSE_QUIRKS):
            raise ValueError(f"sse_quirks must be taken from {SSE_QUIRKS}")

    @classmethod
    def instant(cls, **changes: Any) -> EmulatorConfig:
        """No routing delay, no time to first token, no token pacing: for benchmarks."""
        base = {"routing_delay_s": (0.0, 0.0), "timing_scale": 0.0, "tokens_per_s": math.inf}
        return cls(**{**base, **changes})

    @classmethod
    def fast(cls, **changes: Any) -> EmulatorConfig:
        """Delays of a few milliseconds: realistic ordering, quick tests."""
        base = {"routing_delay_s": (0.002, 0.005), "timing_scale": 0.01}
        return cls(**{**base, **changes})

    def replace(self, **changes: Any) -> EmulatorConfig:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)
