"""Transparent usage capture: ask for usage the app did not ask for, and hide it again.

A stream without ``stream_options.include_usage`` carries no usage and no cost. We add the
option to the request, the observer reads the extra usage frame, and the stripper removes
that frame from what the app receives, so the app sees the events it would have seen. This
matters: the guides' parser raises on OpenAI's ``"choices": []`` usage chunk, and Eden's
one-empty-choice shape hands it ``content: None``.

The stripper passes bytes through as they come, holding back only an incomplete frame
until its end arrives (an app reading lines or events sees each frame at the same moment).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

_FRAME_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")
_MAX_HELD = 1024 * 1024  # a frame longer than this is passed on unexamined
_DATA_PREFIX = re.compile(rb"^data: ?", re.MULTILINE)


def add_include_usage(payload: Mapping[str, object]) -> bytes | None:
    """The request body (parsed) with ``stream_options.include_usage`` on, or None."""
    if payload.get("stream") is not True:
        return None
    options = payload.get("stream_options")
    if options is None:
        options = {}
    if not isinstance(options, dict) or options.get("include_usage") is not None:
        return None  # the app decided (or sent something we do not understand)
    rewritten = {**payload, "stream_options": {**options, "include_usage": True}}
    return json.dumps(rewritten, separators=(",", ":"), ensure_ascii=False).encode()


def is_usage_frame(frame: bytes) -> bool:
    """Whether an SSE event is the usage-only chunk (either shape), and nothing else."""
    if b'"usage"' not in frame:
        return False
    data = b"\n".join(
        line[m.end() :]
        for line in frame.splitlines()
        if (m := _DATA_PREFIX.match(line)) is not None
    )
    try:
        chunk = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(chunk, dict) or not isinstance(chunk.get("usage"), dict):
        return False
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return False
    return all(_empty_choice(choice) for choice in choices)


def _empty_choice(choice: object) -> bool:
    if not isinstance(choice, dict) or choice.get("finish_reason") is not None:
        return False
    delta = choice.get("delta") or {}
    return isinstance(delta, dict) and all(v in (None, "", [], {}) for v in delta.values())


class UsageFrameStripper:
    """Removes usage-only frames from an SSE byte stream; everything else passes unchanged."""

    __slots__ = ("_held", "_stripped")

    def __init__(self) -> None:
        """Start with nothing held."""
        self._held = b""
        self._stripped = 0

    @property
    def stripped(self) -> int:
        """How many usage frames were removed."""
        return self._stripped

    def feed(self, data: bytes) -> bytes:
        """Return the bytes to pass on now (possibly empty while a frame is incomplete)."""
        buffer = self._held + data if self._held else bytes(data)
        out: list[bytes] = []
        start = 0
        for match in _FRAME_END.finditer(buffer):
            frame = buffer[start : match.end()]
            if is_usage_frame(frame):
                self._stripped += 1
            else:
                out.append(frame)
            start = match.end()
        rest = buffer[start:]
        if len(rest) > _MAX_HELD:  # no usage frame is this long: stop holding it
            out.append(rest)
            rest = b""
        self._held = rest
        return b"".join(out)

    def abandon(self) -> bytes:
        """Stop filtering: the bytes held so far, to pass on unexamined."""
        held, self._held = self._held, b""
        return held

    def flush(self) -> bytes:
        """At the end of the body: whatever is still held (an unterminated last frame)."""
        held, self._held = self._held, b""
        return b"" if is_usage_frame(held) else held
