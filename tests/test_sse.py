"""The response observer, example by example, against the wire doc's variations."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import tracemalloc
import zlib
from typing import TYPE_CHECKING, Any

import pytest

from routing_otel._wire.json_scan import TruncatedText, recover
from routing_otel._wire.observer import SseObserver
from routing_otel._wire.skim import Skimmer
from tests.sse_fixtures import (
    BODY_ROUTED,
    BODY_SUCCESS,
    CASES,
    FIRST,
    HELLO,
    HELLO_CHARS,
    JSON,
    ROUTED_METADATA,
    SSE,
    STOP,
    WireCase,
    chunk,
    eden_usage_chunk,
    frame,
    stream,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from routing_otel._wire.observation import Observation

MiB = 1024 * 1024


def observe(
    pieces: bytes | Iterable[bytes],
    content_type: str | None = SSE,
    content_encoding: str | None = None,
    **kwargs: Any,
) -> Observation:
    observer = SseObserver(content_type=content_type, content_encoding=content_encoding, **kwargs)
    for piece in [pieces] if isinstance(pieces, bytes) else pieces:
        observer.feed(piece)
    return observer.close()


def field_of(obs: Observation, name: str) -> Any:
    if name == "served_model":
        return obs.served_model
    if name == "attempts_models":
        return [a.model for a in obs.attempts]
    if name == "attempts_statuses":
        return [a.status for a in obs.attempts]
    value = getattr(obs, name)
    return list(value) if isinstance(value, tuple) else value  # the fixtures write lists


def untimed(obs: Observation) -> Observation:
    return dataclasses.replace(
        obs, first_byte_ns=None, model_known_ns=None, first_token_ns=None, end_ns=None
    )


class Ticks:
    """A fake clock: 1000, 2000, ... one reading per call, and a count of calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls * 1000


# Every variation of the wire doc.


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_wire_case_gives_expected_fields(case: WireCase) -> None:
    """Each wire variation, fed whole, fills the fields the wire doc implies."""
    obs = observe(case.body, case.content_type)
    for name, value in case.expected.items():
        assert field_of(obs, name) == value, name
    assert obs.bytes_seen == len(case.body)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_wire_case_one_byte_at_a_time(case: WireCase) -> None:
    """Feeding one byte at a time gives the same observation as feeding the body whole."""
    whole = observe(case.body, case.content_type)
    pieces = [case.body[i : i + 1] for i in range(len(case.body))]
    assert untimed(observe(pieces, case.content_type)) == untimed(whole)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_fast_path_agrees_with_full_parse(case: WireCase, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skimming content chunks gives exactly what parsing every chunk gives."""
    skimmed = observe(case.body, case.content_type)
    monkeypatch.setattr(Skimmer, "count", lambda _self, _payload: None)
    parsed = observe(case.body, case.content_type)
    assert untimed(skimmed) == untimed(parsed)


# Served model resolution.


@pytest.mark.parametrize(
    ("top", "metadata", "served"),
    [
        pytest.param(
            {"model": "gpt-4o", "provider": "openai"},
            {"attempts": [{"provider": "azure", "model": "azure/gpt-4o", "status": 200}]},
            "azure/gpt-4o",
            id="metadata attempt first",
        ),
        pytest.param(
            {"model": "gpt-4o", "provider": "openai"},
            {"summary": "available=3, served=mistral/mistral-large"},
            "mistral/mistral-large",
            id="then the summary",
        ),
        pytest.param({"model": "openai/gpt-4o"}, None, "openai/gpt-4o", id="then model with /"),
        pytest.param(
            {"model": "gpt-4o-2024-08-06", "provider": "openai"},
            None,
            "openai/gpt-4o-2024-08-06",
            id="then provider/model",
        ),
        pytest.param({"model": "gpt-4o"}, None, "gpt-4o", id="then the raw model"),
        pytest.param(
            {"model": "gpt-4o"},
            {"summary": "available=2, served=none", "attempts": []},
            "gpt-4o",
            id="no served model in metadata",
        ),
    ],
)
def test_served_model_resolution_order(
    top: dict[str, Any], metadata: dict[str, Any] | None, served: str
) -> None:
    """The served model comes from metadata, then the summary, then model and provider."""
    body = dict(BODY_SUCCESS)
    del body["provider"]
    body.update(top)
    if metadata is not None:
        body["edenai_metadata"] = metadata
    assert observe(json.dumps(body).encode(), JSON).served_model == served


def test_first_model_is_kept() -> None:
    """A later chunk naming another model does not overwrite the first chunk's."""
    obs = observe(stream(FIRST, chunk({"content": "a"}, model="gpt-4o-2024-08-06"), STOP))
    assert obs.raw_model == "openai/gpt-4o"


def test_metadata_block_is_read() -> None:
    """The metadata block on the first chunk gives strategy, attempts and dropped models."""
    first = chunk({"role": "assistant", "content": ""}, edenai_metadata=ROUTED_METADATA)
    obs = observe(stream(first, *HELLO, STOP))
    assert obs.metadata_seen
    assert obs.strategy == "auto"
    assert obs.attempt == 2
    assert [(a.provider, a.status, a.region) for a in obs.attempts] == [
        ("azure", 429, "global"),
        ("openai", 200, "global"),
    ]
    assert [(a.model, b.model) for a, b in obs.server_fallbacks] == [
        ("azure/gpt-4o", "openai/gpt-4o")
    ]
    assert obs.dropped_candidates == ("acme/unknown-1", "acme/unknown-2")
    assert obs.summary_served == "openai/gpt-4o"


def test_garbage_metadata_values_are_ignored() -> None:
    """Metadata values of the wrong type are dropped, not trusted."""
    metadata = {
        "strategy": 5,
        "attempt": "two",
        "attempts": [{"provider": 1, "model": None, "status": "503"}, "junk"],
        "routing": {"auto": {"dropped": ["ok/model", 7, None]}},
        "summary": ["served=x"],
    }
    obs = observe(stream(chunk({"content": ""}, edenai_metadata=metadata)))
    assert obs.metadata_seen
    assert obs.strategy is None
    assert obs.attempt is None
    assert len(obs.attempts) == 1
    assert obs.attempts[0].status == 503
    assert obs.attempts[0].provider is None
    assert obs.dropped_candidates == ("ok/model",)
    assert obs.summary_served is None


# Tool calls and finish reasons.


def tool(index: int | None = None, call_id: str | None = None, args: str = "") -> dict[str, Any]:
    fragment: dict[str, Any] = {"function": {"arguments": args}}
    if index is not None:
        fragment["index"] = index
    if call_id is not None:
        fragment["id"] = call_id
        fragment["type"] = "function"
        fragment["function"]["name"] = "f"
    return fragment


@pytest.mark.parametrize(
    ("fragments", "count"),
    [
        pytest.param(
            [[tool(0, "a")], [tool(0, args="{}")], [tool(1, "b")], [tool(1, args="{}")]],
            2,
            id="OpenAI: id on the first fragment",
        ),
        pytest.param([[tool(0, "a")], [tool(0, "b")], [tool(0, "c")]], 3, id="index 0 reused"),
        pytest.param([[tool(0, "a")], [tool(0, "a", "{}")]], 1, id="id repeated"),
        pytest.param([[tool(None, "a"), tool(None, "b")]], 2, id="no index, two ids"),
        pytest.param([[tool(0)], [tool(0, args="x")], [tool(1)]], 2, id="no ids"),
        pytest.param([[tool(0)], [tool(0, "a")]], 1, id="id arrives late"),
    ],
)
def test_tool_call_fragments_are_counted_once(
    fragments: list[list[dict[str, Any]]], count: int
) -> None:
    """Distinct tool calls are counted, not fragments."""
    frames = [chunk({"tool_calls": f}) for f in fragments]
    obs = observe(stream(FIRST, *frames, chunk({}, finish="tool_calls")))
    assert obs.tool_calls == count
    assert obs.finish_reasons == ("tool_calls",)


def test_tool_call_sets_first_token_time() -> None:
    """A tool-call delta counts as the first token."""
    clock = Ticks()
    observer = SseObserver(content_type=SSE, clock=clock)
    observer.feed(frame(FIRST))
    observer.feed(frame(chunk({"tool_calls": [tool(0, "a")]})))
    assert observer.observation.first_token_ns == 2000


@pytest.mark.parametrize("reason", ["stop", "length", "tool_calls", "content_filter"])
def test_finish_reasons(reason: str) -> None:
    """Each finish reason is recorded once, even if repeated on the usage chunk."""
    usage = eden_usage_chunk()
    usage["choices"][0]["finish_reason"] = reason
    obs = observe(stream(FIRST, chunk({"content": "x"}), chunk({}, finish=reason), usage))
    assert obs.finish_reasons == (reason,)


# Usage and cost.


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        (0.0002349, 0.0002349),
        (0, 0.0),
        ("0.5", 0.5),
        (True, None),
        (None, None),
        (-1, None),
        ("NaN", None),
        ("free", None),
        ([1], None),
    ],
)
def test_cost_values(cost: Any, expected: float | None) -> None:
    """Cost is a non-negative number, or a numeric string; other values are ignored."""
    obs = observe(stream(FIRST, STOP, eden_usage_chunk(cost=cost)))
    assert obs.cost == expected


def test_usage_chunk_null_content_is_not_content() -> None:
    """Eden's usage chunk (content null) adds no characters and is not a first token."""
    obs = observe(stream(FIRST, eden_usage_chunk()), clock=Ticks())
    assert obs.content_chars == 0
    assert obs.first_token_ns is None
    assert obs.input_tokens == 42


# Framing.


def test_crlf_split_between_cr_and_lf() -> None:
    """A CRLF split across two feeds is one line end, not two."""
    body = stream(FIRST, *HELLO, STOP).replace(b"\n", b"\r\n")
    cuts = [i + 1 for i in range(len(body)) if body[i : i + 1] == b"\r"]
    pieces = [body[a:b] for a, b in itertools.pairwise([0, *cuts, len(body)])]
    assert untimed(observe(pieces)) == untimed(observe(body))
    assert observe(pieces).content_chars == HELLO_CHARS


def test_multi_line_data_is_joined() -> None:
    """Several data: lines of one event are joined with newlines before parsing."""
    body = b'data: {"model": "a/b",\ndata: "choices": [{"delta": {"content": "xy"}}]}\n\n'
    obs = observe(body)
    assert obs.raw_model == "a/b"
    assert obs.content_chars == 2
    assert obs.parse_errors == 0


def test_final_line_without_newline_is_read_at_close() -> None:
    """A last frame with no line end at all is read when the body closes."""
    clock = Ticks()
    observer = SseObserver(content_type=SSE, clock=clock)
    observer.feed(frame(FIRST) + b'data: {"choices":[{"delta":{"content":"abc"}}]}')
    assert observer.observation.content_chars == 0
    obs = observer.close()
    assert obs.content_chars == 3
    assert obs.first_token_ns == obs.end_ns == 2000


def test_frame_read_when_its_line_completes() -> None:
    """A frame is read as soon as its data line ends, before the blank line arrives."""
    clock = Ticks()
    observer = SseObserver(content_type=SSE, clock=clock)
    observer.feed(frame(FIRST))
    observer.feed(b'data: {"choices":[{"delta":{"content":"abc"}}]}\n')
    assert observer.observation.first_token_ns == 2000
    observer.feed(b"\n")
    assert observer.observation.chunks == 2


def test_bom_and_leading_blank_lines() -> None:
    """A byte-order mark and blank lines before the first frame are skipped."""
    obs = observe(b"\xef\xbb\xbf\n" + stream(FIRST, *HELLO), None)
    assert obs.streamed
    assert obs.content_chars == HELLO_CHARS


# Timestamps.


def test_clock_readings_land_in_their_fields() -> None:
    """Each time is a reading taken in the feed that completed its frame, only when needed."""
    clock = Ticks()
    observer = SseObserver(content_type=SSE, clock=clock)
    first = frame(chunk({"role": "assistant", "content": ""}, edenai_metadata=ROUTED_METADATA))
    observer.feed(first)  # reading 1000: first byte, and the model is known
    observer.feed(b"")  # no bytes
    observer.feed(frame(HELLO[0])[:20])  # nothing completes: no reading
    observer.feed(frame(HELLO[0])[20:])  # reading 2000: the first token completes
    observer.feed(frame(HELLO[1]) + frame(STOP))  # nothing new to time
    observer.feed(b"data: [DONE]")  # the line is not complete yet
    observer.feed(b"\n\n")  # reading 3000: the end
    obs = observer.close()  # no reading: the end is known
    assert (obs.first_byte_ns, obs.model_known_ns) == (1000, 1000)
    assert obs.first_token_ns == 2000
    assert obs.end_ns == 3000
    assert clock.calls == 3


def test_one_reading_per_feed() -> None:
    """Everything completed by one feed shares that feed's single reading."""
    clock = Ticks()
    obs = observe([stream(FIRST, *HELLO, STOP)], clock=clock)
    assert obs.first_byte_ns == obs.model_known_ns == obs.first_token_ns == obs.end_ns == 1000
    assert clock.calls == 1


def test_close_time_when_stream_is_cut() -> None:
    """Without [DONE] the end is the reading taken at close."""
    clock = Ticks()
    observer = SseObserver(content_type=SSE, clock=clock)
    observer.feed(frame(FIRST))
    obs = observer.close()
    assert obs.end_ns == 2000
    assert not obs.done


def test_body_model_known_when_last_byte_arrives() -> None:
    """A JSON body is read in the feed that brings its last byte, not at close."""
    body = json.dumps(BODY_SUCCESS).encode()
    clock = Ticks()
    observer = SseObserver(content_type=JSON, clock=clock)
    observer.feed(body[:100])
    before = observer.observation.model_known_ns
    observer.feed(body[100:])
    assert before is None
    assert observer.observation.done
    assert observer.observation.model_known_ns == 2000
    assert observer.close().end_ns == 2000


def test_body_with_braces_in_strings_is_read_at_close() -> None:
    """Unbalanced braces inside strings only delay reading the body until close."""
    body = dict(BODY_SUCCESS)
    body["choices"] = [{"index": 0, "message": {"content": "}}} {"}, "finish_reason": "stop"}]
    clock = Ticks()
    obs = observe([json.dumps(body).encode()], JSON, clock=clock)
    assert obs.content_chars == 5
    assert obs.done


# Non-streaming bodies.


def test_json_body_with_metadata() -> None:
    """A routed non-streaming body gives the metadata block and cost."""
    obs = observe(json.dumps(BODY_ROUTED).encode(), JSON)
    assert obs.served_model == "openai/gpt-4o"
    assert obs.strategy == "auto"
    assert obs.cost == 0.0002349
    assert not obs.streamed


def test_json_body_with_trailing_junk() -> None:
    """Junk after the body's object is one parse error; the object is still read."""
    raw = json.dumps(BODY_SUCCESS).encode()
    whole = observe(raw + b" }junk", JSON)
    split = observe([raw, b" }junk"], JSON)
    for obs in (whole, split):
        assert obs.input_tokens == 42
        assert obs.parse_errors == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html><body>502 Bad Gateway</body></html>"),
        (None, b"Service Unavailable"),
        (JSON, b""),
        (JSON, b"  \n"),
        (SSE, b""),
    ],
)
def test_other_bodies_are_ignored_quietly(content_type: str | None, body: bytes) -> None:
    """HTML pages, plain text and empty bodies record bytes and times, and no error."""
    obs = observe(body, content_type)
    assert obs.parse_errors == 0
    assert obs.bytes_seen == len(body)
    assert obs.end_ns is not None


def test_malformed_json_body_is_a_parse_error() -> None:
    """A body declared JSON that does not parse is counted, not raised."""
    obs = observe(b'{"id": "x", "choices": [', JSON)
    assert obs.parse_errors == 1
    assert not obs.done


# Content encodings.


def _frames_gzipped_per_frame(frames: list[bytes]) -> list[bytes]:
    packer = zlib.compressobj(wbits=31)
    reads = [packer.compress(f) + packer.flush(zlib.Z_SYNC_FLUSH) for f in frames]
    reads.append(packer.flush())
    return reads


def test_gzip_stream_flushed_per_frame() -> None:
    """A gzip stream flushed after every frame is read frame by frame."""
    frames = [frame(FIRST), *(frame(h) for h in HELLO), frame(STOP), b"data: [DONE]\n\n"]
    clock = Ticks()
    observer = SseObserver(content_type=SSE, content_encoding="gzip", clock=clock)
    reads = _frames_gzipped_per_frame(frames)
    observer.feed(reads[0])
    observer.feed(reads[1])
    assert observer.observation.first_token_ns == 2000
    for piece in reads[2:]:
        observer.feed(piece)
    obs = observer.close()
    assert obs.content_chars == HELLO_CHARS
    assert obs.done
    assert obs.bytes_seen == sum(map(len, reads))
    assert untimed(obs) == dataclasses.replace(
        untimed(observe(b"".join(frames))), bytes_seen=obs.bytes_seen
    )


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("GZIP, identity", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw, as some servers send
        ("gzip", lambda b: gzip.compress(b[:100]) + gzip.compress(b[100:])),  # two members
    ],
)
@pytest.mark.parametrize("content_type", [SSE, JSON])
def test_compressed_bodies(encoding: str, pack: Any, content_type: str) -> None:
    """gzip and deflate (both flavours) bodies decode to the same observation."""
    plain = stream(FIRST, *HELLO, STOP) if content_type == SSE else json.dumps(BODY_ROUTED).encode()
    packed = pack(plain)
    expected = untimed(observe(plain, content_type))
    for size in (1, 7, len(packed)):
        pieces = [packed[i : i + size] for i in range(0, len(packed), size)]
        obs = untimed(observe(pieces, content_type, encoding))
        assert dataclasses.replace(obs, bytes_seen=expected.bytes_seen) == expected


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, br", "compress"])
def test_unknown_encoding_stops_quietly(encoding: str) -> None:
    """An encoding the observer cannot undo is one parse error, then nothing more."""
    body = stream(FIRST, *HELLO)
    obs = observe([body[:10], body[10:]], SSE, encoding)
    assert obs.parse_errors == 1
    assert obs.bytes_seen == len(body)
    assert obs.chunks == 0
    assert obs.first_byte_ns is not None


def test_unknown_encoding_without_body_is_no_error() -> None:
    """An undecodable encoding with an empty body counts no error."""
    assert observe(b"", SSE, "br").parse_errors == 0


def test_corrupt_gzip_stops_quietly() -> None:
    """A corrupt gzip stream is one parse error; what was read before stays."""
    packed = gzip.compress(stream(FIRST, *HELLO))
    corrupt = packed[:-30] + bytes(b ^ 0x5A for b in packed[-30:-8]) + packed[-8:]
    obs = observe([packed[:10], b"\x00garbage-not-gzip" * 3], SSE, "gzip")
    assert obs.parse_errors == 1
    assert observe(corrupt, SSE, "gzip").parse_errors >= 1


@pytest.mark.parametrize("filler", [b"\n", b"x", b"a\n"])
def test_decompression_bomb_is_bounded(filler: bytes) -> None:
    """A small gzip body that inflates to 64 MiB stops the observer, in bounded memory."""
    bomb = gzip.compress(filler * (64 * MiB // len(filler)), compresslevel=9)
    assert len(bomb) < MiB
    observer = SseObserver(content_type=SSE, content_encoding="gzip", max_body_bytes=256 * 1024)
    tracemalloc.start()
    try:
        observer.feed(bomb)  # may inflate to 4 x max_body_bytes, then gives up
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    obs = observer.close()
    assert obs.parse_errors == 1
    assert peak < 2 * MiB


def test_bomb_fed_in_small_pieces_stays_bounded() -> None:
    """Fed piece by piece, a bomb is inflated in bounded steps."""
    bomb = gzip.compress(b"x" * (64 * MiB), compresslevel=9)
    observer = SseObserver(content_type=SSE, content_encoding="gzip")
    tracemalloc.start()
    try:
        for i in range(0, len(bomb), 1024):
            observer.feed(bomb[i : i + 1024])
            assert observer.buffered_bytes <= 64 * 1024
        observer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB


# Bounded memory.


def test_ten_megabyte_line_stays_bounded() -> None:
    """A 10 MB content delta is kept as its two ends and still read."""
    big = "x" * (10 * MiB)
    usage = eden_usage_chunk(provider="openai")
    body = stream(FIRST, chunk({"content": big}, finish="length", cost=0.5), usage)
    observer = SseObserver(content_type=SSE)
    tracemalloc.start()
    try:
        for i in range(0, len(body), 65536):
            observer.feed(body[i : i + 65536])
            assert observer.buffered_bytes <= 64 * 1024
        obs = observer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MiB
    assert obs.truncated
    assert obs.content_chars == len(big)  # ASCII: bytes and characters agree
    assert obs.finish_reasons == ("length",)
    assert obs.chunks == 3
    assert obs.input_tokens == 42
    assert obs.provider == "openai"
    assert obs.parse_errors == 0


def test_ten_megabyte_line_in_one_piece() -> None:
    """A 10 MB line fed in a single piece is not copied whole."""
    body = frame(FIRST) + frame(chunk({"content": "é" * (5 * MiB)}, cost=1.25))
    tracemalloc.start()
    try:
        obs = observe(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MiB
    assert obs.truncated
    assert obs.content_chars == 10 * MiB  # estimated as bytes: é is two
    assert obs.cost == 1.25
    assert obs.first_token_ns is not None


def test_ten_megabyte_tool_arguments() -> None:
    """Giant tool-call arguments count a tool call, not content."""
    call = tool(0, "call_big", "a" * (10 * MiB))
    obs = observe(stream(FIRST, chunk({"tool_calls": [call]}), chunk({}, finish="tool_calls")))
    assert obs.truncated
    assert obs.tool_calls == 1
    assert obs.content_chars == 0
    assert obs.finish_reasons == ("tool_calls",)


def test_ten_megabyte_body_stays_bounded() -> None:
    """A 10 MB JSON body keeps its cap and its ends, and every field is recovered."""
    body = dict(BODY_ROUTED)
    body["choices"] = [
        {"index": 0, "message": {"role": "assistant", "content": "y" * (10 * MiB)}}
        | {"finish_reason": "length"}
    ]
    raw = json.dumps(body).encode()
    observer = SseObserver(content_type=JSON)
    tracemalloc.start()
    try:
        for i in range(0, len(raw), 65536):
            observer.feed(raw[i : i + 65536])
            assert observer.buffered_bytes <= MiB
        obs = observer.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MiB
    assert obs.truncated
    assert obs.done
    assert obs.content_chars == 10 * MiB
    assert obs.finish_reasons == ("length",)
    assert (obs.raw_model, obs.provider, obs.response_id) == (
        "openai/gpt-4o",
        "openai",
        "chatcmpl-9b1c",
    )
    assert (obs.input_tokens, obs.output_tokens, obs.cost) == (42, 7, 0.0002349)
    assert obs.summary_served == "openai/gpt-4o"
    assert obs.parse_errors == 0


def test_many_data_lines_in_one_event_stay_bounded() -> None:
    """An event of endless data: lines is capped like a long line."""
    body = b"data: {\n" + b'data: "k": "v",\n' * 200_000 + b'data: "cost": 1}\n\n'
    observer = SseObserver(content_type=SSE, max_line_bytes=4096)
    for i in range(0, len(body), 4096):
        observer.feed(body[i : i + 4096])
        assert observer.buffered_bytes <= 2 * 4096
    obs = observer.close()
    assert obs.truncated
    assert obs.cost == 1.0


def test_giant_comment_line_is_skipped() -> None:
    """An oversized comment line is dropped without an error."""
    body = b": " + b"z" * MiB + b"\n\n" + stream(FIRST, *HELLO)
    obs = observe(body, SSE, max_line_bytes=1024)
    assert obs.content_chars == HELLO_CHARS
    assert obs.parse_errors == 0
    assert not obs.truncated


def test_caps_must_be_sane() -> None:
    """Caps below 256 bytes are refused at construction."""
    with pytest.raises(ValueError, match="at least"):
        SseObserver(max_line_bytes=10)


# Garbage in, no exception out.


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff\xfe" * 1000,
        b"data: \xff\xfe{}\n\n",
        b"data: {\n\n",
        b"data: " + b"[" * 100_000 + b"}\n\n",
        b"data: {" + b'"a":{' * 5000 + b"}\n\n",
        b"data: [DONE",
        b'data: 12}\n\ndata: null\n\ndata: []\n\ndata: "}"\n\n',
        b'data: {"choices": "no", "usage": 5, "edenai_metadata": [], "error": 3}\n\n',
        b'data: {"choices": [null, 1, {"delta": 5}], "model": 7}\n\n',
        b"\r\r\n\n\r" * 100,
        b"data:" * 10_000,
        b"{" * 100_000,
        b'{"a":' * 100_000,
    ],
)
@pytest.mark.parametrize("content_type", [SSE, JSON, None])
def test_garbage_never_raises(body: bytes, content_type: str | None) -> None:
    """Malformed input is counted in parse_errors, never raised."""
    obs = observe([body[:3], body[3:]], content_type)
    assert obs.bytes_seen == len(body)


def test_malformed_frames_are_counted() -> None:
    """Each frame that is not a JSON object is one parse error."""
    obs = observe(b"data: {oops}\n\ndata: 12}\n\ndata: [1]\n\n" + stream(FIRST))
    assert obs.parse_errors == 3
    assert obs.chunks == 1


def test_odd_inputs_and_lifecycle() -> None:
    """bytearray and memoryview pieces, feed after close and double close are fine."""
    body = stream(FIRST, *HELLO, done=False)
    piece = bytearray(body[:50])
    observer = SseObserver(content_type=SSE)
    observer.feed(piece)  # type: ignore[arg-type]
    observer.feed(memoryview(body)[50:])  # type: ignore[arg-type]
    observer.feed(b"")
    first = observer.close()
    observer.feed(b"data: [DONE]\n\n")
    assert observer.close() is first
    assert piece == body[:50]
    assert first.content_chars == HELLO_CHARS
    assert not first.done


def test_not_bytes_is_counted_not_raised() -> None:
    """A piece that is not bytes-like is one parse error."""
    observer = SseObserver(content_type=SSE)
    observer.feed(
        "data: text"  # type: ignore[arg-type]
    )
    assert observer.close().parse_errors == 1


# Recovering an object from its two ends.


def test_recover_from_both_ends_of_a_cut_string() -> None:
    """Values on both sides of a cut string are put back, and its length is estimated."""
    raw = json.dumps(BODY_ROUTED | {"choices": [{"message": {"content": "z" * 5000}}]}).encode()
    recovered = recover(raw[:300], raw[-2000:], len(raw))
    assert recovered is not None
    assert recovered["model"] == "openai/gpt-4o"
    assert recovered["cost"] == 0.0002349
    assert recovered["provider"] == "openai"
    assert recovered["edenai_metadata"] == ROUTED_METADATA
    content = recovered["choices"][0]["message"]["content"]  # type: ignore[index]
    assert isinstance(content, TruncatedText)
    assert content.approx_chars == 5000


def test_recover_when_the_tail_starts_deeper() -> None:
    """A tail that starts inside an object the head never opened still gives top-level keys."""
    raw = b'{"id": "x", "a": "' + b"q" * 100 + b'", "usage": {"n": {"m": 1}, "k": 2}, "cost": 3}'
    tail = raw[raw.index(b'"m"') :]
    recovered = recover(raw[:30], tail, len(raw))
    assert recovered is not None
    assert recovered["id"] == "x"
    assert recovered["cost"] == 3


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        (b"[1, 2", b"3]"),
        (b"", b"}"),
        (b"not json", b"at all"),
    ],
)
def test_recover_needs_an_object(head: bytes, tail: bytes) -> None:
    """Without the start of a JSON object there is nothing to recover."""
    assert recover(head, tail, 10_000) is None


def test_recover_from_hostile_ends_is_bounded() -> None:
    """Deep nesting and endless punctuation in the ends cost bounded time and never raise."""
    head = b'{"a": ' + b"[" * 10_000
    tail = b",".join([b"[1"] * 10_000) + b"]" * 10_000 + b"}"
    recovered = recover(head, tail, 10 * MiB)
    assert recovered is not None
    head = b'{"a": "' + b"x" * 100
    tail = b'"' * 20_000 + b"}"
    assert recover(head, tail, 10 * MiB) is not None


def test_recover_when_the_cut_splits_an_escaped_backslash() -> None:
    """A tail starting inside ``\\\\`` still finds the string's closing quote."""
    raw = json.dumps({"big": "0123456789" * 3 + "\\"}).encode()  # ends in an escaped backslash
    start = raw.index(b'"big": "') + len(b'"big": "')
    end = len(raw) - 2  # the closing quote and brace follow the string's bytes
    recovered = recover(raw[: start + 5], raw[end - 1 :], len(raw))  # tail: \"}
    assert recovered is not None
    cut = recovered["big"]
    assert isinstance(cut, TruncatedText)
    assert cut.approx_chars == end - start
