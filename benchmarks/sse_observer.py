"""Per-chunk cost of ``SseObserver.feed`` over a realistic Eden AI stream.

The stream: a first chunk with the ``edenai_metadata`` block, ~500 content chunks (short
tokens, some with escapes or non-ASCII), the finish chunk, Eden's usage chunk and
``[DONE]``. It is fed split as a network would: one frame per read (how a server that
flushes every token arrives), reads of 1.5 KiB, 4 KiB and 16 KiB (coalesced frames), odd
7-byte reads, and gzip flushed after every frame. For each: microseconds per SSE chunk and
per ``feed`` call, and the peak memory the observer allocated (tracemalloc).

A reference row parses every frame with ``json.loads`` the simple way (split lines, loads
each data line, walk the dict): what the fast path saves.

    python benchmarks/sse_observer.py            # full run
    python benchmarks/sse_observer.py --smoke    # a few milliseconds, for CI (no thresholds)
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
import zlib
from typing import TYPE_CHECKING, Any

from routing_otel._wire.observer import SseObserver

if TYPE_CHECKING:
    from collections.abc import Callable

_METADATA = {
    "requested": "@edenai",
    "strategy": "auto",
    "region": "global",
    "summary": "available=3, served=openai/gpt-4o",
    "attempt": 1,
    "attempts": [
        {"provider": "openai", "model": "openai/gpt-4o", "status": 200, "region": "global"}
    ],
    "routing": {"auto": {"dropped": []}},
}
_WORDS = [" the", " model", " routing", " latency", " is", " low", ",", " é", "\n", ' "ok"']


def _chunk(delta: dict[str, Any], finish: str | None = None, **top: Any) -> bytes:
    payload = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        **top,
    }
    return b"data: " + json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def build_stream(content_chunks: int) -> list[bytes]:
    """The stream's frames (each with its blank line)."""
    rng = random.Random(7)
    frames = [_chunk({"role": "assistant", "content": ""}, edenai_metadata=_METADATA)]
    frames += [_chunk({"content": rng.choice(_WORDS)}) for _ in range(content_chunks)]
    frames.append(_chunk({}, "stop"))
    usage = {"prompt_tokens": 812, "completion_tokens": content_chunks, "total_tokens": 0}
    frames.append(
        _chunk({"content": None, "role": None}, usage=usage, cost=0.0012, provider="openai")
    )
    frames.append(b"data: [DONE]")
    return [f + b"\n\n" for f in frames]


def _reads(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def _gzip_per_frame(frames: list[bytes]) -> list[bytes]:
    # A server compressing a stream flushes after every event, so each read inflates alone.
    packer = zlib.compressobj(wbits=31)
    reads = [packer.compress(f) + packer.flush(zlib.Z_SYNC_FLUSH) for f in frames]
    reads[-1] += packer.flush()
    return reads


def _giant_line(size: int) -> bytes:
    # One content delta of ``size`` bytes between a normal first chunk and the usage chunk.
    frames = build_stream(0)
    giant = _chunk({"content": "x" * size}) + b"\n\n"
    return b"".join([frames[0], giant, *frames[1:]])


def _giant_body(size: int) -> bytes:
    body = {
        "status": "success",
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "openai/gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "y" * size}}],
        "usage": {"prompt_tokens": 812, "completion_tokens": 9000, "total_tokens": 9812},
        "service_tier": "default",
        "cost": 0.0012,
        "provider": "openai",
        "edenai_metadata": _METADATA,
    }
    return json.dumps(body).encode()


def _observe(
    reads: list[bytes], encoding: str | None, content_type: str = "text/event-stream"
) -> None:
    observer = SseObserver(content_type=content_type, content_encoding=encoding)
    for piece in reads:
        observer.feed(piece)
    observer.close()


def _naive(reads: list[bytes], _encoding: str | None) -> None:
    # Reference: gather lines, json.loads every data line, walk every dict.
    buffer = b""
    content = 0
    for piece in reads:
        buffer += piece
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.startswith(b"data: ") and line != b"data: [DONE]":
                payload = json.loads(line[6:])
                for choice in payload.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    content += len(text) if isinstance(text, str) else 0
                    choice.get("finish_reason")
                for key in ("usage", "cost", "provider", "edenai_metadata", "error"):
                    payload.get(key)


def _time(
    run: Callable[[list[bytes], str | None], None],
    reads: list[bytes],
    encoding: str | None,
    repeat: int,
) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run(reads, encoding)
        best = min(best, time.perf_counter() - start)
    return best


def _peak_memory(
    reads: list[bytes], encoding: str | None, content_type: str = "text/event-stream"
) -> int:
    tracemalloc.start()
    try:
        _observe(reads, encoding, content_type)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny, quick run for CI")
    args = parser.parse_args()
    content_chunks, repeat, giant = (20, 2, 1 << 20) if args.smoke else (500, 30, 10 << 20)

    frames = build_stream(content_chunks)
    body = b"".join(frames)
    chunks = len(frames) - 1  # [DONE] is not a chunk
    scenarios: list[tuple[str, list[bytes], str | None]] = [
        ("one frame per read", frames, None),
        ("1.5 KiB reads", _reads(body, 1536), None),
        ("4 KiB reads", _reads(body, 4096), None),
        ("16 KiB reads", _reads(body, 16384), None),
        ("7-byte reads", _reads(body, 7), None),
        ("gzip, flushed per frame", _gzip_per_frame(frames), "gzip"),
    ]
    print(f"{chunks} chunks, {len(body)} bytes; best of {repeat} runs")
    print(f"{'split':<22}{'feeds':>7}{'us/chunk':>10}{'us/feed':>10}{'peak KiB':>10}")
    for name, reads, encoding in scenarios:
        seconds = _time(_observe, reads, encoding, repeat)
        peak = _peak_memory(reads, encoding)
        per_chunk = seconds / chunks * 1e6
        per_feed = seconds / len(reads) * 1e6
        print(f"{name:<22}{len(reads):>7}{per_chunk:>10.2f}{per_feed:>10.2f}{peak / 1024:>10.1f}")
    seconds = _time(_naive, frames, None, repeat)
    reference = "reference: json.loads every frame, one frame per read"
    print(f"{reference}: {seconds / chunks * 1e6:.2f} us/chunk")

    print(f"\n{giant >> 20} MiB in 64 KiB reads: time and peak memory of the observer")
    for name, data, content_type in [
        ("one giant content line", _giant_line(giant), "text/event-stream"),
        ("one giant JSON body", _giant_body(giant), "application/json"),
    ]:
        reads = _reads(data, 65536)
        start = time.perf_counter()
        _observe(reads, None, content_type)
        milliseconds = (time.perf_counter() - start) * 1e3
        peak = _peak_memory(reads, None, content_type)
        print(f"{name:<24}{milliseconds:>8.1f} ms{peak / 1024:>10.1f} KiB peak")


if __name__ == "__main__":
    main()
