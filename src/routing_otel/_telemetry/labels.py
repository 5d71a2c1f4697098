"""A cap on the distinct values of each metric label that comes from outside our code.

Pools, models, server addresses, error types and the caller's tier and use case come from
request input, the server's answer or app code. Each label key keeps its first
``max_values`` distinct values; every later new value is recorded as ``other``. Spans keep
the true values: only metric points are bounded.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Final

from routing_otel import _semconv as sc
from routing_otel._options import DEFAULT_MAX_LABEL_VALUES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from opentelemetry.util.types import AttributeValue

logger = logging.getLogger("routing_otel")

# Every metric label whose values we do not choose ourselves.
BOUNDED_KEYS: Final = frozenset(
    {
        sc.ROUTER_POOL,
        sc.GEN_AI_REQUEST_MODEL,
        sc.GEN_AI_RESPONSE_MODEL,
        sc.ERROR_TYPE,
        sc.SERVER_ADDRESS,
        sc.FALLBACK_FROM_MODEL,
        sc.FALLBACK_TO_MODEL,
        sc.FALLBACK_REASON,
        sc.BASELINE_MODEL,
        sc.ROUTER_TIER,
        sc.ROUTER_USE_CASE,
    }
)


class LabelBounds:
    """Per label key, the first ``max_values`` distinct values; the rest become ``other``."""

    __slots__ = ("_known", "_lock", "_max_values", "_warned")

    def __init__(self, max_values: int = DEFAULT_MAX_LABEL_VALUES) -> None:
        """Keep at most ``max_values`` distinct values per label key (at least one)."""
        if max_values < 1:
            raise ValueError("max_label_values must be 1 or more")
        self._max_values = max_values
        # Copy-on-write sets: a reader never sees one being changed.
        self._known: dict[str, frozenset[AttributeValue]] = dict.fromkeys(BOUNDED_KEYS, frozenset())
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def bound(self, key: str, value: AttributeValue) -> AttributeValue:
        """Return ``value``, or ``other`` once ``key`` has ``max_values`` other values."""
        known = self._known.get(key)
        try:
            if known is None or value in known:  # the hot path: one lookup
                return value
        except TypeError:  # a list value cannot be a bounded label's
            return sc.LABEL_OVERFLOW
        with self._lock:
            known = self._known[key]
            if value in known:
                return value
            if len(known) < self._max_values:
                self._known[key] = known | {value}
                return value
            first = key not in self._warned
            self._warned.add(key)
        if first:
            logger.warning(
                "routing_otel: metric label %s has %d distinct values; new values are "
                "recorded as %r (spans keep them). Raise the cap with max_label_values= "
                "or ROUTING_OTEL_MAX_LABEL_VALUES.",
                key,
                self._max_values,
                sc.LABEL_OVERFLOW,
            )
        return sc.LABEL_OVERFLOW

    def apply(self, attributes: Mapping[str, AttributeValue]) -> dict[str, AttributeValue]:
        """A copy of ``attributes`` with every bounded label's value bounded."""
        return {key: self.bound(key, value) for key, value in attributes.items()}
