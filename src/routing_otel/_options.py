"""The settings every entry point shares: transports, ``instrument()`` and the instrumentor.

Each setting can also come from the environment, so ``opentelemetry-instrument python app.py``
can be configured without code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from routing_otel._fallback import DEFAULT_WINDOW_S

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

ENV_HOSTS = "ROUTING_OTEL_HOSTS"
ENV_REQUEST_METADATA = "ROUTING_OTEL_REQUEST_METADATA"
ENV_FALLBACK_WINDOW = "ROUTING_OTEL_FALLBACK_WINDOW_S"


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How calls are observed.

    ``hosts``: which hosts count as the API (``host`` any port, ``host:port`` one); default
    Eden AI's public hosts, or ``ROUTING_OTEL_HOSTS`` (comma-separated).
    ``request_metadata``: add ``x-edenai-metadata: enabled`` to API calls so server-side
    fallbacks and the router's strategy are visible (``ROUTING_OTEL_REQUEST_METADATA=0``
    turns it off).
    ``fallback_window_s``: without an ``observe`` scope, a fixed-model call this soon after
    a failed routed call in the same thread or task counts as a client fallback.
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
