"""Counting a content chunk's characters without parsing it.

Nearly every chunk of a stream is the previous one with other content: same id, model and
created time, ``finish_reason`` null, no usage. Only its characters matter, and
``json.loads`` plus a walk of the dict costs several times what finding them does.

:class:`Skimmer` learns such a chunk's bytes before and after the content string (the
template). A later chunk with the same bytes around a content that holds no unescaped
quote has the same structure, so only its content can differ: it is measured directly.
Otherwise one regular expression looks for the keys that would need a parse (usage, cost,
errors, metadata, tool calls, a finish reason, and model, id or provider while unknown); a
chunk with none of them is measured and becomes the new template. Anything else, or any
doubt, returns ``None``: the caller parses the chunk.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from routing_otel._wire.clock import FeedClock
    from routing_otel._wire.observation import Observation

# Keys after which a chunk must be parsed: anything but a content delta may change the
# observation.
_ALWAYS_PARSE: Final = (
    b"usage",
    b"cost",
    b"error",
    b"error_code",
    b"detail",
    b"edenai_metadata",
    b"tool_calls",
)


_DATA: Final = b"data: "  # a frame's field name, which the template's head starts with
_BLANK: Final = b"\n\n"  # the blank line, which the template's tail ends with
_QUOTE: Final = 0x22
_BACKSLASH: Final = 0x5C
# Templates' tails (after the content: finish reason, logprobs, the blank line) are alike
# across responses: the streams in flight share one copy of each (memory per stream).
_TAILS: dict[bytes, bytes] = {}
_TAILS_MAX: Final = 64
_TAIL_SHARED_MAX: Final = 256  # bytes: a longer tail is kept by its stream alone


@lru_cache(maxsize=8)
def _scanner(unknown: tuple[bytes, ...]) -> re.Pattern[bytes]:
    keys = b"|".join(re.escape(key) for key in _ALWAYS_PARSE + unknown)
    # Inside a JSON string every quote is escaped, so these can only match keys.
    return re.compile(
        rb'"(?:' + keys + rb')"|"finish_reason"\s*:\s*"|"content"\s*:\s*"([^"\\]*)(["\\])'
    )


def _shared(tail: bytes) -> bytes:
    """The one copy of ``tail`` kept for every stream (the first few dozen tails seen)."""
    if len(tail) > _TAIL_SHARED_MAX:
        return tail
    found = _TAILS.get(tail)
    if found is None:
        if len(_TAILS) >= _TAILS_MAX:
            _TAILS.clear()  # a bound on memory: only sharing is lost
        found = _TAILS[tail] = tail
    return found


def _chars(text: bytes) -> int | None:
    """Characters of a JSON string's raw bytes (no quotes around), or ``None`` if invalid."""
    if _BACKSLASH not in text:
        if _QUOTE in text:
            return None
        if text.isascii():
            return len(text)
        try:
            return len(text.decode())
        except UnicodeDecodeError:
            return None
    try:
        decoded = json.loads(b'"' + text + b'"')
    except ValueError:  # an unescaped quote, a bad escape, a control character, bad UTF-8
        return None
    return len(decoded)


class Skimmer:
    """Measures content chunks that carry nothing else; see the module docstring."""

    __slots__ = ("_head", "_scan", "_tail")

    def __init__(self, unknown: tuple[bytes, ...]) -> None:
        """Also parse chunks that carry one of the ``unknown`` keys (model, id, provider)."""
        self._scan = _scanner(unknown)
        # The template, kept once (memory per stream): a frame's bytes before its content,
        # "data: " included, and after it, the blank line included.
        self._head = b""
        self._tail = b""

    def watch(self, unknown: tuple[bytes, ...]) -> None:
        """Parse chunks with one of these keys from now on (fewer, as fields become known)."""
        self._scan = _scanner(unknown)

    def count(self, payload: bytes) -> int | None:
        """Characters of content in ``payload``, or ``None`` if it must be parsed."""
        head, tail = self._head, self._tail
        data_len, blank_len = len(_DATA), len(_BLANK)
        if head and payload.startswith(head[data_len:]) and payload.endswith(tail[:-blank_len]):
            start = len(head) - data_len
            end = len(payload) - len(tail) + blank_len
            if end >= start:
                middle = payload[start:end]
                # Ints: "in" with a one-byte bytes needle is several times slower.
                if middle.isascii() and _QUOTE not in middle and _BACKSLASH not in middle:
                    return end - start
                chars = _chars(middle)
                if chars is not None:
                    return chars
        scan = self._scan
        match = scan.search(payload)
        if match is None:
            return 0
        if match.group(2) != b'"':
            return None  # a key that needs parsing, or a content with escapes
        if scan.search(payload, match.end()) is not None:
            return None
        chars = _chars(match.group(1))
        if chars is not None:
            start, end = match.span(1)
            self._head = _DATA + payload[:start]
            self._tail = _shared(payload[end:] + _BLANK)
        return chars

    def count_frames(self, data: bytes, pos: int, obs: Observation, clock: FeedClock) -> int:
        """Count whole template frames from ``pos`` in ``data`` into ``obs``; where reading goes on.

        The fast path for a network read of content chunks: between frames, with a content
        template known, a frame that matches it changes nothing but the counts, so it is not
        read line by line. Each such frame is the template's bytes around a content with no
        quote or backslash, then a blank line (a raw line end cannot be inside a JSON string,
        so the first ``tail`` ends the frame).
        """
        head = self._head
        if not head:
            return pos
        tail = self._tail
        skip_head = len(head)
        skip_tail = len(tail)
        frames = chars = 0
        while data.startswith(head, pos):
            begin = pos + skip_head
            end = data.find(tail, begin)
            if end < 0:
                break
            middle = data[begin:end]
            if _QUOTE in middle or _BACKSLASH in middle:
                break
            if middle.isascii():
                chars += end - begin
            else:
                try:
                    chars += len(middle.decode())
                except UnicodeDecodeError:
                    break
            frames += 1
            pos = end + skip_tail
        if frames:
            obs.chunks += frames
            if chars:
                obs.content_chars += chars
                if obs.first_token_ns is None:
                    obs.first_token_ns = clock.now()
                    obs.first_token_chunk = obs.chunks - frames + 1
        return pos
