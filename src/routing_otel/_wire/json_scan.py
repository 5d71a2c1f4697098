"""What can be known of a JSON object from its first and last bytes only.

When a line or body outgrows its cap the observer keeps a head and a tail (see ``_clip``).
Eden's bodies put ``id``, ``model`` and the start of ``choices`` first and ``usage``,
``cost``, ``provider`` and ``edenai_metadata`` last, so the two ends carry what matters.

:func:`recover` parses the head as far as it goes, which gives the complete values it holds
and the chain of objects and arrays still open where it stops. It then finds where the tail
resumes that chain: right after the closing quote of the string that was cut (almost always
a giant ``content`` or tool-call ``arguments``). From there every value is complete and every
closing bracket must match the chain, which rejects a wrong guess. The values found are put
back into the open containers; the cut string becomes a :class:`TruncatedText` that knows
its approximate length. If the tail starts inside something the head never opened, only the
object's top-level keys are taken from it (those the last ``}`` closes).

Work is bounded: at most 64 places are tried and 20,000 tokens read, whatever the input.
"""

from __future__ import annotations

import json
import re
from typing import Final

_DECODER: Final = json.JSONDecoder()
_WHITESPACE: Final = re.compile(r"[ \t\r\n]*")
_STRUCTURAL: Final = re.compile(r"[,}\]]")
_MAX_DEPTH: Final = 64  # deeper nesting is not a chat response: stop there
_MAX_TRIES: Final = 64  # places in the tail tried as the resumption point
_MAX_TOKENS: Final = 20_000  # values and punctuation read in the tail, over all tries

JsonContainer = dict[str, object] | list[object]

# Parser states.
_AFTER_VALUE: Final = 0  # expect "," or the close of the innermost container
_KEY: Final = 1  # expect a key (after "," in an object)
_KEY_OR_END: Final = 2  # expect a key or "}" (just after "{")
_COLON: Final = 3
_VALUE: Final = 4
_VALUE_OR_END: Final = 5  # expect a value or "]" (just after "[")


class TruncatedText:
    """Stands for a JSON string cut by the buffer caps; its length is an estimate."""

    __slots__ = ("approx_chars",)

    def __init__(self, approx_chars: int) -> None:
        """Hold the estimated length: the string's byte count on the wire."""
        self.approx_chars = approx_chars

    def __repr__(self) -> str:
        """Show the estimate."""
        return f"TruncatedText({self.approx_chars})"


class _Prefix:
    """How far the head parsed: the root, the open containers and what was cut."""

    __slots__ = ("chain", "root", "slot", "string_at")

    def __init__(self, root: dict[str, object]) -> None:
        self.root = root
        self.chain: list[JsonContainer] = [root]
        self.slot: str | None = None  # key of the cut value in chain[-1] (an object)
        self.string_at: int | None = None  # where the cut string's characters begin


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _put(container: JsonContainer, key: str | None, value: object) -> None:
    if isinstance(container, dict):
        container[key or ""] = value
    else:
        container.append(value)


def _walk_head(text: str) -> _Prefix | None:  # noqa: C901, PLR0911, PLR0912, PLR0915 - one state machine
    """Parse the head as far as it goes (a small state machine: no recursion)."""
    pos = _skip(text, 0)
    if not text.startswith("{", pos):
        return None
    prefix = _Prefix({})
    chain = prefix.chain
    state = _KEY_OR_END
    key: str | None = None
    pos += 1
    end = len(text)
    while True:
        pos = _skip(text, pos)
        if pos >= end:
            return prefix
        char = text[pos]
        top = chain[-1]
        if (
            (state == _AFTER_VALUE and char in "}]")
            or (state == _KEY_OR_END and char == "}")
            or (state == _VALUE_OR_END and char == "]")
        ):
            if char != ("}" if isinstance(top, dict) else "]"):
                return prefix
            chain.pop()
            if not chain:
                return prefix  # the whole object was in the head
            state = _AFTER_VALUE
            pos += 1
        elif state == _AFTER_VALUE:
            if char != ",":
                return prefix
            state = _KEY if isinstance(top, dict) else _VALUE
            pos += 1
        elif state in (_KEY, _KEY_OR_END):
            if char != '"':
                return prefix
            try:
                key, pos = _DECODER.raw_decode(text, pos)
            except ValueError:
                return prefix  # cut inside a key
            state = _COLON
        elif state == _COLON:
            if char != ":":
                return prefix
            state = _VALUE
            pos += 1
        elif char in "{[":
            if len(chain) >= _MAX_DEPTH:
                return prefix
            child: JsonContainer = {} if char == "{" else []
            _put(top, key, child)
            chain.append(child)
            state = _KEY_OR_END if char == "{" else _VALUE_OR_END
            pos += 1
        else:
            try:
                value, stop = _DECODER.raw_decode(text, pos)
            except ValueError:
                if char == '"':
                    prefix.slot = key if isinstance(top, dict) else None
                    prefix.string_at = pos + 1
                return prefix
            if stop >= end:
                return prefix  # a number running into the cut may be short of digits
            _put(top, key, value)
            pos = stop
            state = _AFTER_VALUE


class _TailWalker:
    """Reads a tail from a place that resumes the cut object, value by value."""

    __slots__ = ("_budget", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._budget = _MAX_TOKENS  # over all tries: a hostile tail costs bounded time

    def walk(  # noqa: C901, PLR0911 - one state machine
        self, pos: int, chain: list[JsonContainer] | None
    ) -> tuple[list[tuple[int, str | None, object]], int] | None:
        """Values from ``pos`` (just after a value) to the end of the object.

        With ``chain`` (the head's open containers) every close must match it and levels are
        indexes in it. Without, levels are relative to ``pos`` (closing goes negative) and
        keys are told from array items by their colon. Returns the values as (level, key,
        value) and the level after the last close, or ``None`` if ``pos`` was a wrong guess.
        """
        text = self._text
        level = len(chain) - 1 if chain is not None else 0
        items: list[tuple[int, str | None, object]] = []
        end = len(text)
        after_value = True
        closed_object = False
        try:
            while self._budget > 0:
                self._budget -= 1
                pos = _skip(text, pos)
                if pos >= end:
                    done = chain is None and level < 0 and closed_object
                    return (items, level) if done else None
                char = text[pos]
                if after_value:
                    if char == ",":
                        after_value = False
                        pos += 1
                        continue
                    if char not in "}]":
                        return None
                    if chain is not None and char != (
                        "}" if isinstance(chain[level], dict) else "]"
                    ):
                        return None
                    level -= 1
                    pos += 1
                    closed_object = char == "}"
                    if chain is not None and level < 0:
                        return (items, level) if _skip(text, pos) >= end else None
                    continue
                key: str | None = None
                value, pos = _DECODER.raw_decode(text, pos)
                if char == '"':
                    colon = _skip(text, pos)
                    if text.startswith(":", colon):
                        key = value
                        value, pos = _DECODER.raw_decode(text, _skip(text, colon + 1))
                if chain is not None and isinstance(chain[level], dict) != (key is not None):
                    return None
                items.append((level, key, value))
                after_value = True
        except (ValueError, RecursionError):
            return None
        return None


def _string_ends(text: str) -> list[int]:
    """Positions just after the first unescaped quotes of ``text``."""
    found: list[int] = []
    pos = text.find('"')
    while pos >= 0 and len(found) < _MAX_TRIES:
        backslashes = 0
        while pos - backslashes > 0 and text[pos - backslashes - 1] == "\\":
            backslashes += 1
        # A run of backslashes reaching the start of the text may continue into the cut
        # part, so its parity is unknown there: try that quote too (the walker validates).
        if backslashes % 2 == 0 or pos - backslashes == 0:
            found.append(pos + 1)
        pos = text.find('"', pos + 1)
    return found


def _value_ends(text: str) -> list[int]:
    """Places where a value may have just ended: after a quote, at a comma or a close."""
    found = sorted({*_string_ends(text), *(m.start() for m in _STRUCTURAL.finditer(text))})
    return found[:_MAX_TRIES]


def recover(head: bytes, tail: bytes, size: int) -> dict[str, object] | None:
    """Rebuild what can be known of a JSON object of ``size`` bytes from its two ends.

    Returns ``None`` when the head does not start a JSON object.
    """
    head_text = head.decode("utf-8", "replace")
    prefix = _walk_head(head_text)
    if prefix is None:
        return None
    chain = prefix.chain
    if not chain:
        return prefix.root
    tail_text = tail.decode("utf-8", "replace")
    walker = _TailWalker(tail_text)
    string_at = prefix.string_at
    # Where the tail resumes the head's open containers: right after the cut string.
    starts = _string_ends(tail_text) if string_at is not None else _value_ends(tail_text)
    found = None
    for start in starts:
        found = walker.walk(start, chain)
        if found is not None:
            break
    if string_at is not None:
        # The cut string's size on the wire: all bytes between its two quotes.
        before = len(head_text[:string_at].encode())
        after = len(tail_text[start - 1 :].encode()) if found is not None else 0
        _put(chain[-1], prefix.slot, TruncatedText(max(size - before - after, 0)))
    if found is not None:
        for level, key, value in found[0]:
            _put(chain[level], key, value)
        return prefix.root
    # The tail starts inside something the head never opened: keep the top-level keys.
    for start in _value_ends(tail_text):
        found = walker.walk(start, None)
        if found is not None:
            items, last = found
            prefix.root.update((k, v) for level, k, v in items if level == last + 1 and k)
            break
    return prefix.root
