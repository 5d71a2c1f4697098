"""The relay loops: a response body's pieces through its ``ResponseRelay`` to the app.

``relayed`` serves every synchronous body reader; :class:`AsyncRelayed` is the same loop for
async bodies, as a plain iterator. An async generator would do it in fewer lines, but each
one costs an in-flight stream about 300 bytes more (its frame, and its entry in the event
loop's set of live async generators, which it joins on its first step), and a call the time
to join and leave that set. This object is one small slot-only instance per response body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from routing_otel._calls.lifecycle import ResponseRelay


def relayed(relay: ResponseRelay, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Pass ``chunks`` on through ``relay`` (every synchronous body reader uses this loop)."""
    with relay:
        for chunk in chunks:
            if (out := relay.relay(chunk)) is not None:
                yield out
        if tail := relay.body_ended():
            yield tail


class AsyncRelayed:
    """Passes an async body's pieces through ``relay``, like ``relayed`` does a sync one.

    A failure or cancellation of the inner body ends the call with it (and reaches the app
    unchanged); a consumer that stops early does not end it: closing the response does.
    """

    __slots__ = ("_chunks", "_relay")

    def __init__(self, relay: ResponseRelay, chunks: AsyncIterator[bytes]) -> None:
        """Relay ``chunks``, an async iterator, through ``relay``."""
        self._relay = relay
        self._chunks: AsyncIterator[bytes] | None = chunks

    def __aiter__(self) -> AsyncRelayed:
        """This iterator."""
        return self

    async def __anext__(self) -> bytes:
        """The next piece due to the app; at the inner body's end, what is still due."""
        chunks = self._chunks
        if chunks is None:
            raise StopAsyncIteration
        relay = self._relay
        try:
            async for chunk in chunks:
                if (out := relay.relay(chunk)) is not None:
                    return out
        except BaseException as exc:
            self._chunks = None
            relay.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._chunks = None
        if tail := relay.body_ended():
            return tail
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Stop relaying (what an async generator's ``aclose`` does: the call goes on)."""
        self._chunks = None
