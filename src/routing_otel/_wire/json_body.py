"""A JSON response body, gathered piece by piece and read once it is complete.

The body is read as soon as its last byte has arrived, not only when the transport closes
it: the time the served model became known is that of the last piece. A cheap brace count
says when parsing is worth trying; a failed try waits for the body to double, so the
tries cost linear time. Past the cap only the body's ends are kept (``_clip``) and read
with :func:`routing_otel._wire.json_scan.recover` when the body ends.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from routing_otel._wire.clip import Clip
from routing_otel._wire.json_scan import recover

if TYPE_CHECKING:
    from routing_otel._wire.observation import Observation

_HEAD_MAX: Final = 16 * 1024
_TAIL_MAX: Final = 64 * 1024
_CLOSE_BRACE: Final = 0x7D
_LATER: Final = object()  # the body looked complete but is not yet


class JsonBody:
    """One JSON body; counts what is malformed in ``observation.parse_errors``."""

    __slots__ = ("_clip", "_depth", "_last_byte", "_obs", "_retry_at", "_trailing", "done")

    def __init__(self, observation: Observation, cap: int) -> None:
        """Gather up to ``cap`` bytes whole, then only the ends."""
        self._obs = observation
        self._clip = Clip(cap, min(_HEAD_MAX, cap // 4), min(_TAIL_MAX, cap // 2))
        self._depth = 0  # "{" minus "}" so far
        self._last_byte = 0  # the last byte that is not white space
        self._retry_at = 0
        self._trailing = False
        self.done = False  # the object was read; what follows is junk

    @property
    def held(self) -> int:
        """How many bytes are held in memory."""
        return 0 if self.done else self._clip.held

    def add(self, data: bytes) -> dict[str, object] | None:
        """Take the next piece; return the body's object if this piece completed it."""
        if self.done:
            if not self._trailing and not data.isspace():
                self._trailing = True
                self._obs.parse_errors += 1
            return None
        clip = self._clip
        clip.add(data)
        # Braces inside strings can fool this count; it only decides when to try parsing.
        self._depth += data.count(b"{") - data.count(b"}")
        stripped = data.rstrip()
        if stripped:
            self._last_byte = stripped[-1]
        if (
            self._depth <= 0
            and self._last_byte == _CLOSE_BRACE
            and not clip.clipped
            and clip.size >= self._retry_at
        ):
            return self._read(final=False)
        return None

    def finish(self) -> dict[str, object] | None:
        """End of body: return its object unless it was already returned or is unreadable."""
        if self.done or not self._clip.size:
            return None
        return self._read(final=True)

    def _read(self, *, final: bool) -> dict[str, object] | None:
        value = self._parse(final=final)
        if value is _LATER:
            return None
        self.done = True
        self._clip = Clip(0, 0, 0)  # let the bytes go
        return value if isinstance(value, dict) else None

    def _parse(self, *, final: bool) -> object:
        obs = self._obs
        clip = self._clip
        if clip.clipped:
            obs.truncated = True
            recovered = recover(clip.head, clip.tail, clip.size)
            if recovered is None:
                obs.parse_errors += 1
            return recovered
        raw = clip.whole()
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            if not final:
                self._retry_at = 2 * clip.size
                return _LATER
            if raw.isspace():
                return None  # a blank body is no error
            obs.parse_errors += 1  # junk, or junk after the object
            return _leading_value(raw)
        if not isinstance(value, dict):
            obs.parse_errors += 1
            return None
        return value


def _leading_value(raw: bytes) -> object:
    """Return the JSON value a malformed body starts with (junk after it ignored)."""
    text = raw.decode("utf-8", "replace").lstrip(" \t\r\n\ufeff")
    try:
        return json.JSONDecoder().raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None
