"""Content-Encoding for the observer: gzip and deflate, incremental and bounded.

The transport sees the body as it travels, still compressed; the observer inflates its own
view of it. Output comes in steps of at most ``step`` bytes (``max_length`` and
``unconsumed_tail``), each handed on before the next is made, and one feed may inflate to
at most ``budget`` bytes, so a decompression bomb costs neither memory nor much time.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

Coding = Literal["gzip", "deflate"]

_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS  # header auto-detected: gzip or zlib
_ZLIB = zlib.MAX_WBITS
_RAW = -zlib.MAX_WBITS
_PROBE_MAX = 64 * 1024


class DecodeError(Exception):
    """The body cannot be decoded: unknown coding, corrupt data or a decompression bomb."""


def parse_content_encoding(value: str | None) -> Coding | None:
    """Return the coding to undo for a ``Content-Encoding`` value; ``None`` for identity.

    Raises :class:`DecodeError` for codings the observer does not decode (br, zstd, stacked
    codings).
    """
    if not value:
        return None
    codings = [c.strip().lower() for c in value.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) == 1:
        if codings[0] in {"gzip", "x-gzip"}:
            return "gzip"
        if codings[0] == "deflate":
            return "deflate"
    raise DecodeError(f"unsupported content encoding {value!r}")


def _is_zlib_header(first: int, second: int) -> bool:
    # RFC 1950: CM = 8 (deflate) and the 16-bit header is a multiple of 31.
    return first & 0x0F == 8 and ((first << 8) | second) % 31 == 0


class Decoder:
    """Undoes gzip or deflate (zlib-wrapped or raw, as servers differ) piece by piece."""

    __slots__ = ("_budget", "_coding", "_inflater", "_probe", "_step", "_undecided")

    def __init__(self, coding: Coding, *, step: int, budget: int) -> None:
        """Inflate ``coding`` in ``step``-byte pieces, at most ``budget`` bytes per feed."""
        self._coding = coding
        self._step = step
        self._budget = budget
        self._inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
        # Deflate: zlib-wrapped or raw is guessed from the first two bytes (until they came,
        # undecided), and the input is kept until it has produced output, so that a wrong
        # guess can be retried the other way (bounded by _PROBE_MAX).
        self._undecided = coding == "deflate"
        self._probe: bytes | None = b"" if coding == "deflate" else None

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield the decoded bytes of ``data`` in pieces of at most ``step`` bytes."""
        probe = self._probe
        if probe is None:
            yield from self._inflate(data)
            return
        probe += data
        if len(probe) < 2:
            self._probe = probe
            return
        if self._undecided:
            self._undecided = False
            wrapped = _is_zlib_header(probe[0], probe[1])
            self._inflater = zlib.decompressobj(_ZLIB if wrapped else _RAW)
            data = probe  # the first byte may have been held back alone
        self._probe = probe if len(probe) <= _PROBE_MAX else None
        pieces = self._inflate(data)
        try:
            first = next(pieces, None)
        except DecodeError:
            if self._probe is None:
                raise
            self._probe = None
            guessed_wrapped = _is_zlib_header(probe[0], probe[1])
            self._inflater = zlib.decompressobj(_RAW if guessed_wrapped else _ZLIB)
            yield from self._inflate(probe)
            return
        if first is None:
            return
        self._probe = None
        yield first
        yield from pieces

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        budget = self._budget
        step = self._step
        pending = data
        while True:
            if inflater.eof:
                # A gzip body may hold several members; anything after deflate's end is junk.
                rest = inflater.unused_data + pending
                if not rest or self._coding != "gzip":
                    return
                inflater = self._inflater = zlib.decompressobj(_GZIP_OR_ZLIB)
                pending = rest
            try:
                out = inflater.decompress(pending, step)
            except zlib.error as exc:
                raise DecodeError(str(exc)) from exc
            if out:
                budget -= len(out)
                if budget < 0:
                    raise DecodeError("decompression budget exceeded")
                yield out
            pending = inflater.unconsumed_tail
            # Output that filled the step may have more behind it even with no input left.
            if not pending and len(out) < step and not (inflater.eof and inflater.unused_data):
                return

    def flush(self) -> bytes:
        """Return what the inflater still holds at the end of the body."""
        inflater = self._inflater
        if self._undecided or inflater.eof:
            return b""
        try:
            return inflater.flush()
        except zlib.error as exc:
            raise DecodeError(str(exc)) from exc
