"""The observer's clock: at most one reading per piece of the body."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class FeedClock:
    """At most one clock reading per feed, taken only when something needs a time."""

    __slots__ = ("_clock", "reading")

    def __init__(self, clock: Callable[[], int]) -> None:
        """Read ``clock`` (``time.time_ns``-like); set ``reading`` to None at each feed."""
        self._clock = clock
        self.reading: int | None = None

    def now(self) -> int:
        """Return this feed's reading, reading the clock if not done yet."""
        reading = self.reading
        if reading is None:
            reading = self.reading = self._clock()
        return reading
