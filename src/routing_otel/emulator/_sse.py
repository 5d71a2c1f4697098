"""Server-sent events on a response channel: the documented framing, or legal quirks.

The spec documents `data: <json>` plus a blank line. Readers must also take what SSE allows
and real servers send (CRLF line ends, comment lines, `id:`/`event:` fields, frames cut
across network reads), so each can be switched on to test them.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from routing_otel.emulator._generate import rng_for

if TYPE_CHECKING:
    from routing_otel.emulator._config import SseQuirk
    from routing_otel.emulator._http import ResponseChannel


class SseWriter:
    """Writes events to one streamed response."""

    def __init__(self, channel: ResponseChannel, quirks: frozenset[SseQuirk], seed: object) -> None:
        """Frame for `channel` with `quirks`; `seed` makes the split points reproducible."""
        self._channel = channel
        self._eol = b"\r\n" if "crlf" in quirks else b"\n"
        self._comments = "comments" in quirks
        self._fields = "fields" in quirks
        self._split = "split" in quirks
        self._rng = rng_for("sse", seed)
        self._sent = 0

    def comment(self) -> None:
        """Queue a keep-alive comment line (only with the `comments` quirk)."""
        if self._comments:
            self._channel.write(b": keep-alive" + self._eol + self._eol)

    async def event(self, data: bytes) -> None:
        """Queue one `data:` event (with the `split` quirk: send it in several writes)."""
        self._sent += 1
        lines = [b"id: %d" % self._sent, b"event: message"] if self._fields else []
        frame = self._eol.join([*lines, b"data: " + data]) + self._eol + self._eol
        if not self._split:
            self._channel.write(frame)
            return
        cuts = sorted({self._rng.randrange(1, len(frame)) for _ in range(2)})
        for start, end in itertools.pairwise([0, *cuts, len(frame)]):
            self._channel.write(frame[start:end])
            await self._channel.flush()
