"""What a finished call amounts to: derived once, then written to spans, metrics and logs."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from opentelemetry.trace import INVALID_SPAN

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from opentelemetry import trace
    from opentelemetry.context import Context
    from opentelemetry.util.types import AttributeValue

    from routing_otel._context.fallback import Fallback
    from routing_otel._context.scope import Scope
    from routing_otel._cost.economics import Assessment
    from routing_otel._wire.observation import Attempt, Observation
    from routing_otel._wire.request import ChatRequest


@dataclass(slots=True)
class Outcome:
    """How a call ended, as the transport saw it."""

    status_code: int | None = None
    exception: BaseException | None = None
    closed_early: bool = False
    end_ns: int = field(default_factory=time.time_ns)


@dataclass(slots=True)
class CallRecord:
    """A started call: its request, caller context and what it falls back from.

    Plain data while the call runs; its spans are made, whole, when it has ended.
    """

    request: ChatRequest
    start_ns: int
    pool: str
    scope: Scope | None = None
    fallback: Fallback | None = None
    context: Context | None = None  # the OpenTelemetry context the app called in
    span: trace.Span = field(default=INVALID_SPAN)  # the chat span, once made

    @classmethod
    def of(
        cls,
        request: ChatRequest,
        start_ns: int,
        scope: Scope | None,
        fallback: Fallback | None,
        context: Context | None,
    ) -> CallRecord:
        """A call starting at ``start_ns``; the scope's pool name wins over the hash."""
        pool = scope.pool if scope is not None and scope.pool else request.pool
        return cls(request, start_ns, pool, scope, fallback, context)

    @property
    def span_attributes(self) -> dict[str, AttributeValue]:
        """The caller's attributes for the call's span."""
        return self.scope.span_attributes if self.scope else {}

    @property
    def metric_attributes(self) -> dict[str, AttributeValue]:
        """The caller's bounded attributes for the call's metric points."""
        return self.scope.metric_attributes if self.scope else {}


@dataclass(slots=True)
class CallResult:
    """Everything derived from a finished call, computed once."""

    record: CallRecord
    observation: Observation | None
    outcome: Outcome
    served_model: str | None
    error_type: str | None
    end_ns: int
    assessment: Assessment | None = None

    @classmethod
    def of(
        cls, record: CallRecord, observation: Observation | None, outcome: Outcome
    ) -> CallResult:
        """Derive the result of a call from what was observed and how it ended."""
        end_ns = outcome.end_ns
        if observation is not None and observation.end_ns is not None:
            end_ns = observation.end_ns
        return cls(
            record=record,
            observation=observation,
            outcome=outcome,
            served_model=observation.served_model if observation else None,
            error_type=_error_type(outcome, observation),
            end_ns=end_ns,
        )

    @property
    def cost_usd(self) -> float | None:
        """What the call cost in USD, when known."""
        return self.assessment.cost.usd if self.assessment else None

    @property
    def cost_source(self) -> str:
        """Where :attr:`cost_usd` comes from: reported, price_table, estimated or unknown."""
        return self.assessment.cost.source if self.assessment else sc.COST_UNKNOWN

    @property
    def server_fallbacks(self) -> list[tuple[Attempt, Attempt]]:
        """Failed server-side attempts, each with the attempt Eden AI tried next."""
        return self.observation.server_fallbacks if self.observation else []

    @property
    def fell_back(self) -> bool:
        """Whether this call was made or served after a fallback (client or server)."""
        return self.record.fallback is not None or bool(self.server_fallbacks)

    def seconds_until(self, ns: int | None) -> float | None:
        """Seconds from the request being sent to ``ns`` (None stays None)."""
        return None if ns is None else max(ns - self.record.start_ns, 0) / 1e9

    @property
    def duration_s(self) -> float:
        """Seconds from the request being sent to the response being finished with."""
        return max(self.end_ns - self.record.start_ns, 0) / 1e9

    @property
    def ttft_s(self) -> float | None:
        """Time to the first content or tool-call chunk."""
        return self.seconds_until(self.observation.first_token_ns if self.observation else None)

    @property
    def time_per_chunk_s(self) -> float | None:
        """A stream's mean time per output chunk after the first (None: not a stream of two)."""
        observation = self.observation
        if observation is None or not observation.streamed or observation.first_token_ns is None:
            return None
        gaps = observation.chunks - observation.first_token_chunk
        end_ns = observation.end_ns
        if gaps < 1 or end_ns is None:
            return None
        return max(end_ns - observation.first_token_ns, 0) / gaps / 1e9

    @property
    def routing_s(self) -> float | None:
        """Routing latency: time until the router's choice was known (routed calls only)."""
        if not self.record.request.routed or self.observation is None:
            return None
        return self.seconds_until(self.observation.model_known_ns)

    def describe_error(self) -> str:
        """A short human description of why the call failed."""
        if self.outcome.exception is not None:
            # The type only: an exception's text may hold a URL with its query string or
            # userinfo, or a header value (an API key).
            return exception_type(self.outcome.exception)
        if self.observation is not None and self.observation.error_message:
            return redact(self.observation.error_message)[:300]
        if self.outcome.status_code is not None:
            return f"HTTP {self.outcome.status_code}"
        return "error"


_URL_SECRETS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)(?:[^/\s@]*@)?([^\s?#]*)(?:\?[^\s#]*)?")


def redact(text: str) -> str:
    """``text`` with the userinfo and query string of every URL in it removed."""
    return _URL_SECRETS.sub(r"\1\2", text)


def exception_type(exc: BaseException) -> str:
    """An exception's qualified type (``httpx.ReadError``; builtins unqualified)."""
    exc_type = type(exc)
    package = exc_type.__module__.split(".", 1)[0]
    name = exc_type.__qualname__
    return name if package == "builtins" else f"{package}.{name}"


def _error_type(outcome: Outcome, observation: Observation | None) -> str | None:
    if outcome.exception is not None:
        return exception_type(outcome.exception)
    if outcome.status_code is not None and outcome.status_code >= 400:
        return str(outcome.status_code)
    if observation is not None and (observation.error_code or observation.error_message):
        return observation.error_code or "stream_error"
    return None
