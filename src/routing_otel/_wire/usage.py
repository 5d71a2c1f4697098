"""Transparent usage capture: ask for usage the app did not ask for, and hide it again.

A stream without ``stream_options.include_usage`` carries no usage and no cost. The gate adds
the option to the request body *textually* (the app's bytes plus our one insertion, never a
re-encoding, so non-standard numbers, escapes and key order reach the server as the app sent
them). The response observer's own frame scanner marks where the extra usage frame sits
(:class:`FrameMarks`), and :class:`UsageHider` cuts exactly that frame out of what the app
receives, so the app reads the bytes it would have read without us. This matters: the
guides' parser raises on OpenAI's ``"choices": []`` usage chunk, and Eden's one-empty-choice
shape hands it ``content: None``.

Only a frame that may still turn out to be the usage frame is held back, and at most
:data:`HOLD_MAX` bytes of it: a frame that shows content, or is complete and is not the usage
frame, is passed on at once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

HOLD_MAX: Final = 4 * 1024  # the usage frame is a few hundred bytes
_OPTION: Final = b'"include_usage":true'
_LEADING: Final = " \t\r\n\ufeff"
_LEADING_BYTES: Final = b" \t\r\n\xef\xbb\xbf"  # white space and a UTF-8 byte-order mark
_SHOWS_CONTENT: Final = b'"content":"'
_MISSING: Final = object()


def with_include_usage(body: bytes, payload: Mapping[str, object]) -> bytes | None:
    """``body`` with ``stream_options.include_usage`` inserted, or None to leave it alone.

    ``payload`` is ``body`` parsed. None when the app decided (the key is there, whatever its
    value), did not stream, sent a ``stream_options`` we do not understand, or the body's
    text cannot be walked.
    """
    if payload.get("stream") is not True:
        return None
    options = payload.get("stream_options", _MISSING)
    if (
        options is not _MISSING
        and options is not None
        and (not isinstance(options, dict) or "include_usage" in options)
    ):
        return None
    if options is _MISSING:  # the usual case: no need to decode the body
        return _first_member(body)
    return _into_existing(body, options)


def _into_existing(body: bytes, options: object) -> bytes | None:
    """``body`` with include_usage put into its ``stream_options`` (null or an object)."""
    try:
        text = body.decode("utf-8-sig")
        start = len(text) - len(text.lstrip(_LEADING))
        if text[start : start + 1] != "{":
            return None
        value = _last_top_level_value(text, start, "stream_options")
    except (UnicodeDecodeError, ValueError, RecursionError, IndexError):
        return None
    if value is None:
        return None
    prefix = len(body) - len(text.encode())  # a byte-order mark, kept
    begin = prefix + len(text[: value[0]].encode())
    if options is None:  # "stream_options": null
        end = prefix + len(text[: value[1]].encode())
        return body[:begin] + b"{" + _OPTION + b"}" + body[end:]
    return _with_member(body, begin, _OPTION)


def _first_member(body: bytes) -> bytes | None:
    """``body`` with ``stream_options`` added as the first member of its top-level object."""
    brace = len(body) - len(body.lstrip(_LEADING_BYTES))
    if body[brace : brace + 1] != b"{":
        return None
    return _with_member(body, brace, b'"stream_options":{' + _OPTION + b"}")


def _with_member(body: bytes, brace: int, member: bytes) -> bytes:
    """``body`` with ``member`` first in the object that opens at ``brace``."""
    after = brace + 1
    if not body[after:].lstrip(_LEADING_BYTES).startswith(b"}"):
        member += b","
    return body[:after] + member + body[after:]


def _last_top_level_value(text: str, brace: int, key: str) -> tuple[int, int] | None:
    """The span of the last top-level ``key``'s value (JSON keeps the last duplicate)."""
    decoder = json.JSONDecoder()
    scan_string = json.decoder.scanstring  # type: ignore[attr-defined]
    found = None
    at = _skip(text, brace + 1)
    while text[at] != "}":
        if text[at] != '"':
            raise ValueError("a key was expected")
        name, at = scan_string(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            raise ValueError("a colon was expected")
        start = _skip(text, at + 1)
        _, end = decoder.raw_decode(text, start)
        if name == key:
            found = (start, end)
        at = _skip(text, end)
        if text[at] == ",":
            at = _skip(text, at + 1)
    return found


def _skip(text: str, at: int) -> int:
    while text[at] in _LEADING:
        at += 1
    return at


def is_usage_only(chunk: Mapping[str, object]) -> bool:
    """Whether a stream chunk is the usage frame include_usage adds (any known shape).

    OpenAI sends ``"choices": []``; Eden keeps one empty choice; proxies may drop the key or
    send ``null``. A chunk that carries anything else (text, a finish reason, an error) is not.
    """
    if not isinstance(chunk.get("usage"), dict) or "error" in chunk:
        return False
    choices = chunk.get("choices")
    if choices is None:
        return True
    return isinstance(choices, list) and all(_empty_choice(choice) for choice in choices)


def _empty_choice(choice: object) -> bool:
    if not isinstance(choice, dict) or choice.get("finish_reason") is not None:
        return False
    delta = choice.get("delta") or {}
    return isinstance(delta, dict) and all(v in (None, "", [], {}) for v in delta.values())


class FrameMarks:
    """Where SSE frames start and end in the body, and which are usage frames to cut.

    The observer's frame scanner writes it (offsets count the body's bytes from its first);
    :class:`UsageHider` reads it. A frame is *open* from its first line until the blank line
    that ends it; while open it is undecided until its data is read: a usage frame then waits
    for its end to be cut, anything else is kept.
    """

    __slots__ = ("cuts", "keep", "line_at", "open_at", "usage")

    def __init__(self) -> None:
        """No frame open, nothing to cut."""
        self.open_at: int | None = None
        self.line_at = 0  # where the line being read starts
        self.keep = False
        self.usage = False
        self.cuts: list[tuple[int, int]] | None = None  # made at the first cut (rare)

    def line(self, at: int) -> None:
        """A non-blank line starts at ``at``: it opens a frame unless one is open."""
        self.line_at = at
        if self.open_at is None:
            self.open_at = at
            self.keep = self.usage = False

    def read(self, *, usage_only: bool) -> None:
        """The open frame's data was read (the first read decides)."""
        if self.open_at is not None and not (self.keep or self.usage):
            if usage_only:
                self.usage = True
            else:
                self.keep = True

    def end(self, at: int) -> None:
        """The open frame ends just before ``at`` (after its blank line, or at a new frame)."""
        if self.open_at is not None and self.usage and not self.keep:
            if self.cuts is None:
                self.cuts = []
            self.cuts.append((self.open_at, at))
        self.open_at = None
        self.keep = self.usage = False

    def held_from(self) -> int | None:
        """Where the bytes that may still be cut start, if any."""
        return self.open_at if self.open_at is not None and not self.keep else None


class UsageHider:
    """Passes body bytes on, less the frames :class:`FrameMarks` says to cut."""

    __slots__ = ("_at", "_held", "_marks")

    def __init__(self, marks: FrameMarks) -> None:
        """Read the cuts from ``marks`` (filled by the observer that sees the same bytes)."""
        self._marks = marks
        self._held = b""
        self._at = 0  # the body offset of the first held byte

    @property
    def held(self) -> int:
        """How many bytes are held back."""
        return len(self._held)

    def pass_on(self, chunk: bytes) -> bytes:
        """After the observer saw ``chunk``: what the app gets now."""
        marks = self._marks
        if not self._held and marks.open_at is None and not marks.cuts:
            self._at += len(chunk)  # between frames, nothing to cut: the usual read
            return chunk
        data = self._held + chunk if self._held else chunk
        end = self._at + len(data)
        hold = marks.held_from()
        if (
            hold is not None
            and not marks.usage
            and (end - hold > HOLD_MAX or self._shows_content(data, max(hold, end - len(chunk))))
        ):
            marks.keep = True  # too long to be the usage frame, or it shows content
            hold = None
        return self._emit(data, end if hold is None else hold)

    def finish(self) -> bytes:
        """At the end of the body (after the observer closed): the rest, less any cut."""
        data, self._held = self._held, b""
        return self._emit(data, self._at + len(data))

    def abandon(self) -> bytes:
        """Stop hiding (after an internal error): the bytes held so far, unexamined."""
        data, self._held = self._held, b""
        self._marks.cuts = None
        return data

    def _shows_content(self, data: bytes, new: int) -> bool:
        """Whether the open frame shows text, looking only at bytes not looked at before."""
        found = data.find(_SHOWS_CONTENT, max(new - self._at - len(_SHOWS_CONTENT), 0))
        return (
            found >= 0
            and found + len(_SHOWS_CONTENT) < len(data)
            and (
                data[found + len(_SHOWS_CONTENT)] != 0x22  # '"': an empty first delta
            )
        )

    def _emit(self, data: bytes, until: int) -> bytes:
        """Emit ``data`` (starting at ``self._at``) up to body offset ``until``, less cuts."""
        base = self._at
        cuts = self._marks.cuts
        if not cuts:
            out = data[: until - base]
        else:
            parts = []
            pos = base
            while cuts and cuts[0][1] <= until:
                start, stop = cuts.pop(0)
                parts.append(data[pos - base : max(start, pos) - base])
                pos = max(stop, pos)
            parts.append(data[pos - base : max(until, pos) - base])
            out = b"".join(parts)
            until = max(until, pos)
        self._held = data[until - base :]
        self._at = until
        return out
