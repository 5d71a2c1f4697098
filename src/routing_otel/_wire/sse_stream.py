"""Reading a ``text/event-stream`` body: lines, events, chunks.

Lines end with LF, CRLF or CR and may be split anywhere across pieces, even between CR and
LF. ``data:`` lines make an event (several are joined with LF, as the SSE spec says);
``event:``, ``id:``, ``retry:`` and comments are skipped.
An event is read as soon as its data is a whole JSON object, without waiting for the blank
line, so its time is that of the piece that completed it even if the blank line is late or
never comes.

Only a partial line is kept between pieces. A line or event longer than the cap is kept as
its two ends (``_clip``) and read with :func:`routing_otel._wire.json_scan.recover`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Final

from routing_otel._wire.clip import Clip
from routing_otel._wire.json_scan import recover
from routing_otel._wire.skim import Skimmer
from routing_otel._wire.usage import is_usage_only

if TYPE_CHECKING:
    from routing_otel._wire.clock import FeedClock
    from routing_otel._wire.observation import Observation
    from routing_otel._wire.payload import PayloadReader
    from routing_otel._wire.usage import FrameMarks

_EOL: Final = re.compile(rb"\r\n|\r|\n")
_BLANK_RUN: Final = re.compile(rb"[\r\n]+")  # more blank lines change nothing
_BOM: Final = b"\xef\xbb\xbf"
_LF: Final = 0x0A
_CR: Final = 0x0D
_EOL_BYTES: Final = (_LF, _CR)
_HEAD_MAX: Final = 16 * 1024
_TAIL_MAX: Final = 32 * 1024


class SseStream:
    """Reads an event stream into an Observation through a :class:`PayloadReader`."""

    __slots__ = (
        "_cap",
        "_clock",
        "_dispatched",
        "_end_pending",
        "_event",
        "_head_cap",
        "_long",
        "_marks",
        "_obs",
        "_offset",
        "_partial",
        "_reader",
        "_skim",
        "_skip_lf",
        "_tail_cap",
    )

    def __init__(  # noqa: PLR0913, PLR0917 - the marks are optional
        self,
        observation: Observation,
        reader: PayloadReader,
        clock: FeedClock,
        line_cap: int,
        marks: FrameMarks | None = None,
        offset: int = 0,
    ) -> None:
        """Fill ``observation``; keep lines and events up to ``line_cap`` bytes whole.

        ``marks``: also note where frames start and end and which is a usage frame (for
        usage hiding), in body offsets; ``offset`` is the body offset of the first byte fed.
        """
        self._marks = marks
        self._offset = offset
        self._end_pending = False  # a frame ended with a CR at the end of the last piece
        self._obs = observation
        self._reader = reader
        self._clock = clock
        self._cap = line_cap
        self._head_cap = min(_HEAD_MAX, line_cap // 4)
        self._tail_cap = min(_TAIL_MAX, line_cap // 2)
        self._partial = b""  # the unfinished line
        self._long: Clip | None = None  # or an oversized one
        self._skip_lf = False  # the last piece ended with "\r": a leading "\n" belongs to it
        self._event: Clip | None = None  # data lines of an event not read yet
        self._dispatched = False  # this event's data was complete and already read
        self._skim: Skimmer | None = None  # the fast path, once a chunk was parsed

    @property
    def held(self) -> int:
        """How many bytes are held in memory."""
        held = len(self._partial)
        for clip in (self._long, self._event):
            if clip is not None:
                held += clip.held
        return held

    def feed(self, data: bytes) -> None:
        """Take the next piece of the (decoded) stream."""
        skim = self._skim
        pos = 0
        if (
            skim is not None
            and not self._partial
            and not self._dispatched
            and not self._skip_lf
            and self._event is None
            and self._long is None
            and (self._marks is None or self._marks.open_at is None)
        ):
            # Between frames, with a content template known: whole content frames are counted
            # without reading them line by line.
            pos = skim.count_frames(data, 0, self._obs, self._clock)
            if pos == len(data):
                self._offset += pos
                return
        self._scan(data, pos)

    def _scan(self, data: bytes, pos: int) -> None:  # noqa: C901, PLR0912, PLR0915 - the hot loop
        """Read ``data`` line by line from ``pos``."""
        base = self._offset
        self._offset = base + len(data)
        marks = self._marks
        if self._skip_lf:
            self._skip_lf = False
            if data[0] == _LF:
                pos = 1
            if self._end_pending and marks is not None:  # the blank line's LF is its own
                self._end_pending = False
                marks.end(base + pos)
        if self._long is not None:
            pos = self._long_continues(data, pos)
            if pos < 0:
                return
        size = len(data)
        cap = self._cap
        partial = self._partial
        with_cr = _CR in data  # an int: much faster than a one-byte bytes
        while pos < size:
            if with_cr:
                match = _EOL.search(data, pos)
                if match is None:
                    break
                end, after = match.span()
                if after == size and data[end] == _CR:
                    self._skip_lf = True
            else:
                end = data.find(b"\n", pos)
                if end < 0:
                    break
                after = end + 1
            if marks is not None and (partial or end > pos):
                marks.line(base + pos - len(partial))
            if partial or end - pos > cap:
                self._joined_line(partial, data, pos, end)
                partial = b""
            elif end == pos:  # a blank line ends the event
                if self._event is not None:
                    self._dispatch()
                else:
                    self._dispatched = False
                if marks is not None:
                    if after == size and data[end] == _CR:
                        self._end_pending = True  # a LF may follow in the next piece
                    else:
                        marks.end(base + after)
                if after < size and data[after] in _EOL_BYTES:
                    run = _BLANK_RUN.match(data, after)
                    after = run.end() if run else after
                skim = self._skim
                if skim is not None and self._event is None and not self._end_pending:
                    after = skim.count_frames(data, after, self._obs, self._clock)
            elif data.startswith(b"data: ", pos):
                self._data(data[pos + 6 : end])
            else:
                self._line(data[pos:end])
            pos = after
        if pos < size:
            if marks is not None:
                marks.line(base + pos - len(partial))
            partial = self._keep(partial, data, pos)
        self._partial = partial

    def _keep(self, partial: bytes, data: bytes, start: int) -> bytes:
        """Keep the unfinished line; return what is kept whole (nothing if oversized)."""
        if len(partial) + len(data) - start <= self._cap:
            return partial + data[start:]
        if self._marks is not None:
            self._marks.read(usage_only=False)  # far too long for a usage frame
        clip = self._long = Clip(self._cap, self._head_cap, self._tail_cap)
        clip.add(partial)
        clip.add(memoryview(data)[start:])
        return b""

    def _joined_line(self, partial: bytes, data: bytes, start: int, end: int) -> None:
        if len(partial) + end - start <= self._cap:
            self._line(partial + data[start:end])
            return
        clip = Clip(self._cap, self._head_cap, self._tail_cap)
        clip.add(partial)
        clip.add(memoryview(data)[start:end])
        self._long_line(clip)

    def _long_continues(self, data: bytes, pos: int) -> int:
        """Add to the oversized line; where the rest of ``data`` starts, or -1."""
        clip = self._long
        assert clip is not None
        # Two finds: a regular expression is slow over the long pieces of a long line.
        end = data.find(b"\n", pos)
        cr = data.find(b"\r", pos, end if end >= 0 else len(data))
        if cr >= 0:
            after = cr + 2 if cr + 1 == end else cr + 1
            end = cr
        elif end >= 0:
            after = end + 1
        else:
            clip.add(memoryview(data)[pos:])
            return -1
        clip.add(memoryview(data)[pos:end])
        self._long = None
        if after == len(data) and data[end] == _CR:
            self._skip_lf = True
        self._long_line(clip)
        return after

    def _line(self, line: bytes) -> None:
        if not line:  # a blank line ends the event
            if self._event is not None:
                self._dispatch()
            else:
                self._dispatched = False
            return
        if line.startswith(b"data:"):
            payload = line[6:] if line[5:6] == b" " else line[5:]
        elif line == b"data":
            payload = b""
        elif line.startswith(_BOM):
            self._line(line[3:])
            return
        else:  # event:, id:, retry:, comments and unknown fields
            return
        self._data(payload)

    def _data(self, payload: bytes) -> None:
        event = self._event
        if event is not None:  # multi-line data, joined with "\n" as the SSE spec says
            event.add(b"\n")
            event.add(payload)
            return
        if self._dispatched:
            if not payload or payload.isspace():
                return  # more of an event already read whole
            self._dispatched = False  # no blank line between two events: tolerate it
            marks = self._marks
            if marks is not None:  # the new event is a frame of its own
                marks.end(marks.line_at)
                marks.line(marks.line_at)
        # Read as soon as the line is complete, not at the blank line: the time taken is
        # that of the piece that completed the frame, even if the blank line never comes.
        if self._read_data(payload, eager=True):
            self._dispatched = True
            return
        event = self._event = Clip(self._cap, self._head_cap, self._tail_cap)
        event.add(payload)

    def _long_line(self, clip: Clip) -> None:
        head = clip.head
        size = clip.size
        if head.startswith(_BOM):
            head = head[3:]
            size -= 3
        if not head.startswith(b"data:"):
            return  # an oversized comment or unknown field
        skip = 6 if head[5:6] == b" " else 5
        if self._event is not None:
            self._dispatch()  # an oversized line is read as an event of its own
        self._obs.truncated = True
        self._read_recovered(head[skip:], clip.tail, size - skip)
        self._dispatched = True

    def _dispatch(self) -> None:
        event = self._event
        self._event = None
        self._dispatched = False
        if event is None:
            return
        if event.clipped:
            self._obs.truncated = True
            self._read_recovered(event.head, event.tail, event.size)
        else:
            self._read_data(event.whole(), eager=False)

    def close(self) -> None:
        """End of stream: read the last line even without its line end, and its event."""
        clip = self._long
        if clip is not None:
            self._long = None
            self._long_line(clip)
        elif self._partial:
            line = self._partial
            self._partial = b""
            self._line(line)
        self._dispatch()
        if self._marks is not None:
            self._marks.end(self._offset)

    def _read_data(  # noqa: C901, PLR0911, PLR0912 - the hot path, kept whole
        self, payload: bytes, *, eager: bool
    ) -> bool:
        """Read an event's data; ``False`` if eager and it is not a whole JSON object yet."""
        if payload[-1:] != b"}":
            stripped = payload.strip()
            if stripped == b"[DONE]":
                self._decided()
                obs = self._obs
                obs.done = True
                if obs.end_ns is None:
                    obs.end_ns = self._clock.now()
                return True
            if stripped[-1:] != b"}":
                if eager:
                    return False
                if stripped:
                    self._obs.parse_errors += 1
                self._decided()
                return True
            payload = stripped
        skim = self._skim
        if skim is not None:
            chars = skim.count(payload)
            if chars is not None:
                self._decided()
                obs = self._obs
                obs.chunks += 1
                if chars:
                    obs.content_chars += chars
                    if obs.first_token_ns is None:
                        obs.first_token_ns = self._clock.now()
                        obs.first_token_chunk = obs.chunks
                return True
        try:
            chunk = json.loads(payload.decode())
        except (ValueError, RecursionError):
            if eager:
                return False
            self._obs.parse_errors += 1
            self._decided()
            return True
        if isinstance(chunk, dict):
            self._read_chunk(chunk)
        else:
            self._obs.parse_errors += 1
            self._decided()
        return True

    def _decided(self, *, usage_only: bool = False) -> None:
        """The open frame's data was read: a usage frame, or one to keep."""
        if self._marks is not None:
            self._marks.read(usage_only=usage_only)

    def _read_recovered(self, head: bytes, tail: bytes, size: int) -> None:
        self._decided()
        chunk = recover(head, tail, size)
        if chunk is None:
            self._obs.parse_errors += 1
        else:
            self._read_chunk(chunk)

    def _read_chunk(self, chunk: dict[str, object]) -> None:
        if self._marks is not None:
            self._decided(usage_only=is_usage_only(chunk))
        obs = self._obs
        obs.chunks += 1
        if self._reader.read(chunk, part="delta") and obs.first_token_ns is None:
            obs.first_token_ns = self._clock.now()
            obs.first_token_chunk = obs.chunks
        if obs.model_known_ns is None and obs.served_model is not None:
            obs.model_known_ns = self._clock.now()
        unknown = (
            (b"model",) * (obs.raw_model is None)
            + (b"id",) * (obs.response_id is None)
            + (b"provider",) * (obs.provider is None)
        )
        if self._reader.capturing:
            return  # content is captured: every chunk is parsed, no fast path
        if self._skim is None:
            self._skim = Skimmer(unknown)
        else:
            self._skim.watch(unknown)
