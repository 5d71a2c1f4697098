"""Counters summed in the library and handed to the SDK when metrics are collected.

A synchronous ``Counter.add`` makes the SDK validate and hash the attribute set, take a lock
and offer an exemplar on every call; five of them per LLM call cost more than the rest of
the call's metrics. :class:`Sums` keeps one running total per attribute set instead (the
set is keyed by its items in the order our code builds it, which is fixed for a given set
of keys) and reports the totals through an observable counter at collection: the same
cumulative sums, exact, at a cost per collection and series, not per call. Counters carry no
exemplars this way; the latency histograms, which the dashboards link to traces, keep theirs.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from opentelemetry.metrics import CallbackOptions, Observation

if TYPE_CHECKING:
    from collections.abc import Iterable

    from opentelemetry.context import Context
    from opentelemetry.metrics import Meter
    from opentelemetry.util.types import AttributeValue

    Attributes = dict[str, AttributeValue]


# One Sums per meter provider and name: the SDK keeps only the first observable counter of a
# name, so every Instruments on one provider (instrument(), transports, observe scopes) must
# add to the same totals.
_shared: weakref.WeakKeyDictionary[object, dict[str, Sums]] = weakref.WeakKeyDictionary()
_shared_lock = threading.Lock()


class Sums:
    """A monotonic counter: ``add`` like the SDK's, collected as an observable counter."""

    __slots__ = ("_lock", "_rows")

    @classmethod
    def on(cls, provider: object, meter: Meter, name: str, *, unit: str, description: str) -> Sums:
        """The counter ``name`` of ``provider`` (whose ``meter`` it is), made once."""
        with _shared_lock:
            counters = _shared.setdefault(provider, {})
            found = counters.get(name)
            if found is None:
                found = counters[name] = cls(meter, name, unit=unit, description=description)
            return found

    def __init__(self, meter: Meter, name: str, *, unit: str, description: str) -> None:
        """Create the observable counter ``name`` on ``meter``."""
        self._rows: dict[tuple[tuple[str, AttributeValue], ...], list[object]] = {}
        self._lock = threading.Lock()
        meter.create_observable_counter(
            name, callbacks=[self._observe], unit=unit, description=description
        )

    def add(self, amount: float, attributes: Attributes, context: Context | None = None) -> None:
        """Add ``amount`` (not negative) to the total of ``attributes`` (kept, not copied)."""
        del context  # no exemplars on counters
        key = tuple(attributes.items())
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = [amount, attributes]
            else:
                row[0] += amount  # type: ignore[operator]

    def _observe(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        with self._lock:
            rows = list(self._rows.values())
        return [Observation(total, attributes) for total, attributes in rows]  # type: ignore[arg-type]
