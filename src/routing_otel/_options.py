"""The settings every entry point shares: transports, ``instrument()`` and the instrumentor.

Each setting can also come from the environment, so ``opentelemetry-instrument python app.py``
can be configured without code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

DEFAULT_WINDOW_S = 10.0  # see routing_otel._context.fallback
ENV_HOSTS = "ROUTING_OTEL_HOSTS"
ENV_REQUEST_METADATA = "ROUTING_OTEL_REQUEST_METADATA"
ENV_FALLBACK_WINDOW = "ROUTING_OTEL_FALLBACK_WINDOW_S"
ENV_SAVINGS_BASELINE = "ROUTING_OTEL_SAVINGS_BASELINE"
ENV_BUDGET = "ROUTING_OTEL_BUDGET_USD_PER_DAY"
ENV_CAPTURE_USAGE = "ROUTING_OTEL_CAPTURE_USAGE"
ENV_MAX_LABEL_VALUES = "ROUTING_OTEL_MAX_LABEL_VALUES"
DEFAULT_MAX_LABEL_VALUES = 50  # per label key; see routing_otel._telemetry.labels
ENV_CAPTURE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


class OptionArgs(TypedDict, total=False):
    """The keyword options every entry point takes (see :class:`Options`)."""

    request_metadata: bool
    capture_usage: bool
    capture_content: bool
    fallback_window_s: float
    prices_file: str
    savings_baseline: str
    budget_usd_per_day: float
    max_label_values: int


OPTION_NAMES = frozenset(OptionArgs.__annotations__)


def _env_hosts() -> tuple[str, ...] | None:
    raw = os.environ.get(ENV_HOSTS, "")
    hosts = tuple(h.strip() for h in raw.split(",") if h.strip())
    return hosts or None


def _env_flag(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    return default


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


def _env_max_label_values() -> int:
    try:
        return int(os.environ[ENV_MAX_LABEL_VALUES])
    except (KeyError, ValueError):
        return DEFAULT_MAX_LABEL_VALUES


def _env_budget() -> float | None:
    value = _env_float(ENV_BUDGET, -1.0)
    return value if value >= 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How calls are observed.

    ``hosts``: which hosts count as the API (``host`` any port, ``host:port`` one, a URL as
    its host and port); default Eden AI's public hosts and any host a call asking for
    ``@edenai`` goes to, or ``ROUTING_OTEL_HOSTS`` (comma-separated).
    ``request_metadata``: add ``x-edenai-metadata: enabled`` to API calls so server-side
    fallbacks and the router's strategy are visible (``ROUTING_OTEL_REQUEST_METADATA=0``
    turns it off).
    ``fallback_window_s``: without an ``observe`` scope, a fixed-model call this soon after
    a failed routed call in the same thread or task counts as a client fallback.
    ``capture_usage``: for streams that did not ask for usage, ask for it (so usage and
    cost are known) and remove the extra usage frame from what the app receives
    (``ROUTING_OTEL_CAPTURE_USAGE=0`` turns it off).
    ``capture_content``: record prompts and answers on spans (``gen_ai.input.messages``,
    ``gen_ai.output.messages``); off unless opted in, as in the GenAI conventions
    (``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``).
    ``prices_file``: a price file merged over the built-in prices (default: the file
    ``routing-otel prices pull`` writes, or ``ROUTING_OTEL_PRICES_FILE``).
    ``savings_baseline``: ``max_candidate`` (the pool's most expensive candidate) or a
    model id (``ROUTING_OTEL_SAVINGS_BASELINE``).
    ``budget_usd_per_day``: exported as the ``llm.router.budget.limit`` gauge for alert
    rules (``ROUTING_OTEL_BUDGET_USD_PER_DAY``); nothing is enforced in-process.
    ``max_label_values``: the most distinct values a metric label fed by requests, answers
    or app code (pool, models, server address, error type, tier, use case...) keeps; later
    new values are recorded as ``other`` (``ROUTING_OTEL_MAX_LABEL_VALUES``, default 50).
    """

    hosts: tuple[str, ...] | None = field(default_factory=_env_hosts)
    tracer_provider: TracerProvider | None = None
    meter_provider: MeterProvider | None = None
    request_metadata: bool = field(
        default_factory=lambda: _env_flag(ENV_REQUEST_METADATA, default=True)
    )
    fallback_window_s: float = field(
        default_factory=lambda: _env_float(ENV_FALLBACK_WINDOW, DEFAULT_WINDOW_S)
    )
    capture_usage: bool = field(default_factory=lambda: _env_flag(ENV_CAPTURE_USAGE, default=True))
    capture_content: bool = field(
        default_factory=lambda: _env_flag(ENV_CAPTURE_CONTENT, default=False)
    )
    prices_file: str | None = None
    savings_baseline: str = field(
        default_factory=lambda: os.environ.get(ENV_SAVINGS_BASELINE, "").strip() or "max_candidate"
    )
    budget_usd_per_day: float | None = field(default_factory=_env_budget)
    max_label_values: int = field(default_factory=_env_max_label_values)

    def __post_init__(self) -> None:
        """Reject options that cannot work, with a clear message."""
        if self.budget_usd_per_day is not None and self.budget_usd_per_day < 0:
            raise ValueError("budget_usd_per_day must be zero or more")
        if self.fallback_window_s < 0:
            raise ValueError("fallback_window_s must be zero or more")
        if self.max_label_values < 1:
            msg = f"max_label_values must be 1 or more, not {self.max_label_values!r}"
            raise ValueError(msg)

    @classmethod
    def of(
        cls,
        hosts: Iterable[str] | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        **others: object,
    ) -> Options:
        """Build options from keyword arguments; unset ones come from the environment."""
        given: dict[str, object] = dict(others)
        if hosts is not None:
            if isinstance(hosts, str):
                raise TypeError("hosts must be a list of host names, not one string")
            given["hosts"] = tuple(hosts)
        return cls(tracer_provider=tracer_provider, meter_provider=meter_provider, **given)  # type: ignore[arg-type]
