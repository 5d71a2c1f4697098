"""The settings every entry point shares: transports, ``instrument()`` and the instrumentor.

Each setting can also come from the environment, so ``opentelemetry-instrument python app.py``
can be configured without code.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry._logs import LoggerProvider
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

logger = logging.getLogger("routing_otel")

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


class ContentCapture(Enum):
    """Where captured prompts and answers go: the values of the GenAI instrumentations' variable.

    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` is read as
    opentelemetry-util-genai reads it (a member's name, any case, blanks around ignored; unset
    or empty: no content), plus the booleans this library and openai-v2's legacy path took
    (``true``: on spans).
    """

    NO_CONTENT = "no_content"
    SPAN_ONLY = "span_only"
    EVENT_ONLY = "event_only"
    SPAN_AND_EVENT = "span_and_event"

    @property
    def captures(self) -> bool:
        """Whether prompts and answers are captured at all."""
        return self is not ContentCapture.NO_CONTENT

    @property
    def on_spans(self) -> bool:
        """Whether ``gen_ai.input.messages``/``gen_ai.output.messages`` go on the chat span."""
        return self in {ContentCapture.SPAN_ONLY, ContentCapture.SPAN_AND_EVENT}

    @property
    def as_events(self) -> bool:
        """Whether each call emits ``gen_ai.client.inference.operation.details`` (logs API)."""
        return self in {ContentCapture.EVENT_ONLY, ContentCapture.SPAN_AND_EVENT}


ACCEPTED_CAPTURE_VALUES = (*(m.value for m in ContentCapture), "true", "false")
_CAPTURE_SPELLINGS: dict[str, ContentCapture] = {
    **dict.fromkeys(("", "0", "false", "no", "off"), ContentCapture.NO_CONTENT),
    **dict.fromkeys(("1", "true", "yes", "on"), ContentCapture.SPAN_ONLY),
    **{mode.value: mode for mode in ContentCapture},
}
_warned_capture_values: set[str] = set()


def content_capture_of(value: bool | str | ContentCapture) -> ContentCapture | None:  # noqa: FBT001
    """The capture mode a setting names (``True``: spans only), or None if it names none."""
    if isinstance(value, ContentCapture):
        return value
    if isinstance(value, bool):
        return ContentCapture.SPAN_ONLY if value else ContentCapture.NO_CONTENT
    return _CAPTURE_SPELLINGS.get(value.strip().lower())


def _env_content_capture() -> ContentCapture:
    raw = os.environ.get(ENV_CAPTURE_CONTENT, "")
    mode = content_capture_of(raw)
    if mode is not None:
        return mode
    if raw not in _warned_capture_values:  # a wrong setting is never silent; once per value
        _warned_capture_values.add(raw)
        logger.warning(
            "routing-otel: %s=%r is not one of %s (case-insensitive); prompts and answers "
            "are not captured",
            ENV_CAPTURE_CONTENT,
            raw,
            ", ".join(ACCEPTED_CAPTURE_VALUES),
        )
    return ContentCapture.NO_CONTENT


class OptionArgs(TypedDict, total=False):
    """The keyword options every entry point takes (see :class:`Options`)."""

    logger_provider: LoggerProvider
    request_metadata: bool
    capture_usage: bool
    capture_content: bool | str
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
    ``content_capture``: where prompts and answers are recorded (:class:`ContentCapture`):
    on spans (``gen_ai.input.messages``, ``gen_ai.output.messages``), as the conventions'
    ``gen_ai.client.inference.operation.details`` event through ``logger_provider`` (default
    the global one), both, or nowhere (the default, as in the GenAI conventions); from
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``, or the ``capture_content``
    keyword of :meth:`of` (``True``: spans only, or a mode's name). ``capture_content`` is
    then whether anything is captured.
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
    logger_provider: LoggerProvider | None = None
    request_metadata: bool = field(
        default_factory=lambda: _env_flag(ENV_REQUEST_METADATA, default=True)
    )
    fallback_window_s: float = field(
        default_factory=lambda: _env_float(ENV_FALLBACK_WINDOW, DEFAULT_WINDOW_S)
    )
    capture_usage: bool = field(default_factory=lambda: _env_flag(ENV_CAPTURE_USAGE, default=True))
    content_capture: ContentCapture = field(default_factory=_env_content_capture)
    capture_content: bool = field(init=False)  # derived: content is captured somewhere
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
        object.__setattr__(self, "capture_content", self.content_capture.captures)

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
        if "capture_content" in given:
            setting = given.pop("capture_content")
            mode = content_capture_of(setting) if isinstance(setting, bool | str) else None
            if mode is None:
                accepted = ", ".join(ACCEPTED_CAPTURE_VALUES)
                raise ValueError(f"capture_content must be True, False or one of {accepted}")
            given["content_capture"] = mode
        if hosts is not None:
            if isinstance(hosts, str):
                raise TypeError("hosts must be a list of host names, not one string")
            given["hosts"] = tuple(hosts)
        return cls(tracer_provider=tracer_provider, meter_provider=meter_provider, **given)  # type: ignore[arg-type]


def missing_client(error: ModuleNotFoundError, client: str, extra: str) -> ImportError:
    """What to raise when importing ``client`` failed: the extra to install, if it is missing.

    A broken install (``client`` there, a dependency of its missing) keeps its own error.
    """
    if error.name != client:
        return error
    return ModuleNotFoundError(
        f"routing_otel.{client} needs {client}, which is not installed: pip install {extra}",
        name=client,
    )
