"""A byte buffer that stays bounded: whole up to a cap, then only its two ends.

The observer must never hold a whole 10 MB line or body. Past the cap it keeps the first
bytes (where a chat response names its id and model) and the last ones (where usage, cost
and provider sit) and counts the rest.
"""

from __future__ import annotations


class Clip:
    """Bytes kept whole up to ``cap``; beyond it, a ``head``, a rolling ``tail`` and a size."""

    __slots__ = ("_buf", "_cap", "_head_cap", "_tail_cap", "head", "size", "tail")

    def __init__(self, cap: int, head_cap: int, tail_cap: int) -> None:
        """Keep up to ``cap`` bytes whole; then ``head_cap`` first and ``tail_cap`` last ones."""
        if head_cap + tail_cap > cap:
            raise ValueError("head and tail must fit in the cap")
        self._cap = cap
        self._head_cap = head_cap
        self._tail_cap = tail_cap
        self._buf: bytearray | None = bytearray()
        self.head = b""
        self.tail = b""
        self.size = 0

    @property
    def clipped(self) -> bool:
        """Whether the bytes outgrew the cap, so that only the two ends are left."""
        return self._buf is None

    @property
    def held(self) -> int:
        """How many bytes this buffer holds in memory."""
        buf = self._buf
        return len(buf) if buf is not None else len(self.head) + len(self.tail)

    def whole(self) -> bytes:
        """All the bytes; only valid while not :attr:`clipped`."""
        assert self._buf is not None
        return bytes(self._buf)

    def add(self, piece: bytes | memoryview) -> None:
        """Append ``piece`` without ever holding more than the cap."""
        count = len(piece)
        if not count:
            return
        buf = self._buf
        tail_cap = self._tail_cap
        if buf is not None:
            if self.size + count <= self._cap:
                buf += piece
                self.size += count
                return
            # Outgrown: the first and last bytes of buf + piece, never joined whole.
            self._buf = None
            head_cap = self._head_cap
            if len(buf) >= head_cap:
                self.head = bytes(buf[:head_cap])
            else:
                self.head = bytes(buf) + bytes(piece[: head_cap - len(buf)])
            if count >= tail_cap:
                self.tail = bytes(piece[count - tail_cap :])
            else:
                self.tail = bytes(buf[len(buf) - (tail_cap - count) :]) + bytes(piece)
        elif count >= tail_cap:
            self.tail = bytes(piece[count - tail_cap :])
        else:
            tail = self.tail + bytes(piece)
            self.tail = tail[len(tail) - tail_cap :]
        self.size += count
