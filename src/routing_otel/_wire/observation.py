"""What the observer learns about one response: plain data, no OpenTelemetry, no I/O.

The response observer (``observer.py``) fills an :class:`Observation` as bytes pass; the
recorder (``_telemetry``) turns it into spans and metrics. Timestamps are ``time.time_ns()``
readings (the clock OpenTelemetry spans use), so they go on spans and events directly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass(slots=True)
class Attempt:
    """One upstream attempt listed in ``edenai_metadata.attempts``."""

    provider: str | None = None
    model: str | None = None
    status: int | None = None
    region: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether this attempt served the response (a 2xx status)."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(slots=True)
class CapturedToolCall:
    """A tool call the model made, kept only when content capture is on (opt-in)."""

    id: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)  # fragments, in order, capped
    truncated: bool = False


@dataclass(slots=True)
class Observation:
    """Facts about one response, each ``None`` (or empty) until seen on the wire."""

    streamed: bool = False
    # When things happened (time.time_ns()).
    first_byte_ns: int | None = None
    model_known_ns: int | None = None
    first_token_ns: int | None = None
    first_token_chunk: int = 0  # the chunk count when the first content came
    end_ns: int | None = None
    # What the response said.
    raw_model: str | None = None
    provider: str | None = None
    response_id: str | None = None
    finish_reasons: tuple[str, ...] = ()  # tuples: an empty one is shared, a list is 56 B
    tool_calls: int = 0
    content_chars: int = 0
    # The answer's text, only when content capture is on (opt-in), capped.
    content: list[str] | None = None
    content_truncated: bool = False
    # The model's tool calls, only when content capture is on, at most MAX_CAPTURED_TOOL_CALLS.
    captured_tool_calls: list[CapturedToolCall] | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost: float | None = None
    # edenai_metadata (only when asked for with the x-edenai-metadata header).
    metadata_seen: bool = False
    strategy: str | None = None
    attempt: int | None = None
    attempts: tuple[Attempt, ...] = ()
    dropped_candidates: tuple[str, ...] = ()
    summary_served: str | None = None
    # An error frame in a stream, or an error body.
    error_code: str | None = None
    error_message: str | None = None
    # Bookkeeping.
    done: bool = False  # saw ``data: [DONE]`` (stream) or parsed the whole JSON body
    chunks: int = 0  # SSE data frames carrying JSON
    bytes_seen: int = 0
    parse_errors: int = 0
    truncated: bool = False  # a line or body exceeded the buffer cap; fields read from its ends

    @property
    def served_model(self) -> str | None:
        """The served model, resolved in the wire doc's order.

        The metadata's successful attempt (or ``served=`` in its summary); ``model`` if it
        contains ``/``; ``provider/model``; the raw ``model``.
        """
        for attempt in reversed(self.attempts):
            if attempt.succeeded and attempt.model:
                return attempt.model
        if self.summary_served:
            return self.summary_served
        raw = self.raw_model
        if not raw:
            return None
        if "/" in raw:
            return raw
        if self.provider:
            return f"{self.provider}/{raw}"
        return raw

    @property
    def server_fallbacks(self) -> list[tuple[Attempt, Attempt]]:
        """Server-side fallbacks: each failed attempt paired with the attempt that followed.

        The last attempt is never a fallback's origin: if it failed (an error frame in the
        middle of a stream marks the serving attempt failed), the call failed; nothing fell
        back.
        """
        return [
            (attempt, after)
            for attempt, after in itertools.pairwise(self.attempts)
            if not attempt.succeeded
        ]
