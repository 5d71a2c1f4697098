"""The response observer: body bytes in, an :class:`Observation` out.

The transport wrappers show :class:`SseObserver` every piece of a response body on its way
to the app, in whatever sizes the network gives. The observer only looks: it never writes
to those bytes, never holds them back and never keeps more than a bounded partial line (or
the bounded ends of an oversized line or body) between pieces. It is pure: no I/O, no
OpenTelemetry, no HTTP client; timestamps come from the injected ``clock``.

It reads Eden AI's V3 chat wire: an SSE stream of ``chat.completion.chunk`` frames ending
with ``data: [DONE]`` (``sse_stream``), or one JSON body, a ``chat.completion`` or an error
(``_json_body``); plain, gzip or deflate (``_decode``). What each payload says is read by
``_payload``.

``feed`` is on the app's hot path, so a content chunk whose only news is its text is
measured without being parsed (``_skim``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Final

from routing_otel._wire.clock import FeedClock
from routing_otel._wire.decode import DecodeError, Decoder, parse_content_encoding
from routing_otel._wire.json_body import JsonBody
from routing_otel._wire.observation import Observation
from routing_otel._wire.payload import PayloadReader
from routing_otel._wire.sse_stream import SseStream
from routing_otel._wire.usage import FrameMarks

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SseObserver"]

# Modes: how the body is read.
_SNIFF: Final = 0  # undecided: the first non-blank byte will tell
_SSE: Final = 1
_JSON: Final = 2
_OTHER: Final = 3  # neither (an HTML error page, ...): only bytes and times are recorded
_REFUSED: Final = 4  # a Content-Encoding the observer cannot undo

_LEADING: Final = b" \t\r\n\xef\xbb\xbf"  # white space and a byte-order mark
_SSE_FIRST: Final = b"d:eir"  # data:, comment, event:, id:, retry:
_BRACE: Final = 0x7B
_MIN_CAP: Final = 256
_INFLATE_STEP: Final = 64 * 1024
_INFLATE_BUDGET: Final = 4  # x max_body_bytes: what one feed may inflate to


def _mode_of(content_type: str | None) -> int:
    if not content_type:
        return _SNIFF
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/event-stream":
        return _SSE
    if media == "application/json" or media.endswith("+json"):
        return _JSON
    return _SNIFF


class SseObserver:
    """Watches one response body go by and fills :attr:`observation` as it learns.

    ``feed`` and ``close`` accept any input without raising: malformed data is counted in
    ``observation.parse_errors``. A line longer than ``max_line_bytes`` or a JSON body
    longer than ``max_body_bytes`` is kept as its two ends only (``observation.truncated``).
    """

    __slots__ = (
        "_body",
        "_body_cap",
        "_clock",
        "_closed",
        "_dead",
        "_decoder",
        "_line_cap",
        "_mode",
        "_reader",
        "_stream",
        "marks",
        "observation",
    )

    def __init__(  # noqa: PLR0913 - keyword-only settings, each with a default
        self,
        *,
        content_type: str | None = None,
        content_encoding: str | None = None,
        clock: Callable[[], int] = time.time_ns,
        max_line_bytes: int = 64 * 1024,
        max_body_bytes: int = 1024 * 1024,
        capture_content_chars: int | None = None,
        mark_frames: bool = False,
    ) -> None:
        """Observe a body of this ``Content-Type`` and ``Content-Encoding``.

        ``clock`` gives ``time.time_ns()``-like readings, taken at most once per call to
        :meth:`feed` or :meth:`close`, and only when something needs a time. The caps must
        be at least 256 bytes. ``capture_content_chars``: keep up to that many characters of
        the answer's text in ``observation.content`` (content capture is opt-in).
        ``mark_frames``: note in :attr:`marks` where SSE frames sit in the body and which is
        a usage frame (for usage hiding; not with a ``Content-Encoding``).
        """
        if min(max_line_bytes, max_body_bytes) < _MIN_CAP:
            raise ValueError(f"buffer caps must be at least {_MIN_CAP} bytes")
        self.observation = Observation()
        self._reader = PayloadReader(self.observation, capture_chars=capture_content_chars)
        self._clock = FeedClock(clock)
        self._closed = False
        self._dead = False  # stopped observing (an undecodable body)
        self._line_cap = max_line_bytes
        self._body_cap = max_body_bytes
        self._stream: SseStream | None = None
        self._body: JsonBody | None = None
        self._decoder: Decoder | None = None
        self.marks: FrameMarks | None = None
        mode = _mode_of(content_type)
        self.observation.streamed = mode == _SSE
        try:
            coding = parse_content_encoding(content_encoding)
        except DecodeError:
            mode = _REFUSED
        else:
            if coding is not None:
                budget = _INFLATE_BUDGET * max_body_bytes
                self._decoder = Decoder(coding, step=_INFLATE_STEP, budget=budget)
            elif mark_frames:
                self.marks = FrameMarks()
        self._mode = mode
        if mode == _SSE:
            self._start_stream(0)

    @property
    def buffered_bytes(self) -> int:
        """Bytes held between feeds: partial line, pending event or body so far."""
        stream, body = self._stream, self._body
        return (stream.held if stream else 0) + (body.held if body else 0)

    def feed(self, data: bytes) -> None:
        """Look at the next piece of the body (any size, empty included)."""
        if self._closed:
            return
        if type(data) is not bytes:
            try:
                data = bytes(memoryview(data))  # a private copy, dropped on return
            except TypeError:
                self.observation.parse_errors += 1
                return
        if not data:
            return
        obs = self.observation
        obs.bytes_seen += len(data)
        self._clock.reading = None
        if obs.first_byte_ns is None:
            obs.first_byte_ns = self._clock.now()
        if self._dead:
            return
        stream = self._stream
        if self._decoder is not None:
            self._inflate(data)
        elif stream is not None:
            stream.feed(data)
        else:
            self._route(data)

    def close(self) -> Observation:
        """End of body: read what is still pending and return the observation (idempotent)."""
        obs = self.observation
        if self._closed:
            return obs
        self._closed = True
        self._clock.reading = None
        decoder = self._decoder
        if decoder is not None and not self._dead:
            try:
                rest = decoder.flush()
            except DecodeError:
                self._stop()
            else:
                if rest:
                    self._route(rest)
        if not self._dead:
            if self._stream is not None:
                self._stream.close()
            elif self._body is not None:
                self._read_body(self._body.finish())
        if obs.end_ns is None:
            obs.end_ns = self._clock.now()
        self._release()
        return obs

    def _start_stream(self, offset: int) -> None:
        self._mode = _SSE
        self.observation.streamed = True
        self._stream = SseStream(
            self.observation, self._reader, self._clock, self._line_cap, self.marks, offset
        )

    def _stop(self) -> None:
        self._dead = True
        self.observation.parse_errors += 1
        self._release()

    def _release(self) -> None:
        self._decoder = None
        self._stream = None
        self._body = None

    def _inflate(self, data: bytes) -> None:
        assert self._decoder is not None
        try:
            for piece in self._decoder.decode(data):
                self._route(piece)
        except DecodeError:
            self._stop()

    def _route(self, data: bytes) -> None:
        mode = self._mode
        if mode == _SSE:
            assert self._stream is not None
            self._stream.feed(data)
        elif mode == _JSON:
            self._json(data)
        elif mode == _SNIFF:
            self._sniff(data)
        elif mode == _REFUSED:
            self._stop()

    def _sniff(self, data: bytes) -> None:
        start = data.lstrip(_LEADING)
        if not start:
            return
        if start[0] == _BRACE:
            self._mode = _JSON
            self._json(start)
        elif start[0] in _SSE_FIRST:
            self._start_stream(self.observation.bytes_seen - len(start))
            self._route(start)
        else:
            self._mode = _OTHER

    def _json(self, data: bytes) -> None:
        body = self._body
        if body is None:
            body = self._body = JsonBody(self.observation, self._body_cap)
        self._read_body(body.add(data))

    def _read_body(self, body: dict[str, object] | None) -> None:
        if body is None:
            return
        obs = self.observation
        self._reader.read(body, part="message")
        obs.done = True
        now = self._clock.now()
        if obs.end_ns is None:
            obs.end_ns = now
        if obs.model_known_ns is None and obs.served_model is not None:
            obs.model_known_ns = now
