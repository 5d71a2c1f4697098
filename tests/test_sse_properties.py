"""Properties of the response observer: splits change nothing, nothing raises."""

from __future__ import annotations

import dataclasses
import gzip
import json
import zlib
from itertools import pairwise
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing_otel._wire.json_scan import TruncatedText, recover
from routing_otel._wire.observer import SseObserver
from tests.sse_fixtures import CASES, FIRST, HELLO, JSON, SSE, STOP, WireCase, frame

if TYPE_CHECKING:
    from routing_otel._wire.observation import Observation

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def observe(
    pieces: list[bytes], content_type: str | None, content_encoding: str | None = None
) -> Observation:
    observer = SseObserver(
        content_type=content_type, content_encoding=content_encoding, clock=lambda: 0
    )
    for piece in pieces:
        observer.feed(piece)
    return observer.close()


def untimed(obs: Observation, *, bytes_seen: int | None = None) -> Observation:
    return dataclasses.replace(
        obs,
        first_byte_ns=None,
        model_known_ns=None,
        first_token_ns=None,
        end_ns=None,
        bytes_seen=obs.bytes_seen if bytes_seen is None else bytes_seen,
    )


@st.composite
def splits(draw: st.DrawFn, body: bytes) -> list[bytes]:
    """``body`` cut at random places: runs of 1-byte pieces, cuts inside CRLF, anywhere."""
    if len(body) < 2:
        return [body]
    crlf = [i + 1 for i in range(len(body) - 1) if body[i : i + 2] == b"\r\n"]
    cuts = set(draw(st.lists(st.integers(1, len(body) - 1), max_size=40)))
    if crlf:
        cuts |= set(draw(st.lists(st.sampled_from(crlf), max_size=10)))
    start = draw(st.integers(0, len(body) - 1))
    cuts |= set(range(max(start, 1), min(start + draw(st.integers(0, 64)), len(body))))
    bounds = [0, *sorted(cuts), len(body)]
    return [body[a:b] for a, b in pairwise(bounds)]


def _with_crlf(case: WireCase) -> bytes:
    return case.body.replace(b"\n", b"\r\n") if case.content_type == SSE else case.body


@PROPERTY
@given(data=st.data(), case=st.sampled_from(CASES), crlf=st.booleans())
def test_any_split_gives_the_same_observation(
    data: st.DataObject, case: WireCase, crlf: bool
) -> None:
    """Every wire variation, split anywhere, gives what feeding it whole gives."""
    body = _with_crlf(case) if crlf else case.body
    pieces = data.draw(splits(body))
    assert b"".join(pieces) == body
    whole = observe([body], case.content_type)
    assert untimed(observe(pieces, case.content_type)) == untimed(whole)


@PROPERTY
@given(data=st.data(), case=st.sampled_from(CASES), crlf=st.booleans())
def test_oversized_lines_split_anywhere_give_the_same_observation(
    data: st.DataObject, case: WireCase, crlf: bool
) -> None:
    """With 256-byte caps (most lines oversized), splits still change nothing."""
    body = _with_crlf(case) if crlf else case.body
    pieces = data.draw(splits(body))

    def run(parts: list[bytes]) -> Observation:
        observer = SseObserver(
            content_type=case.content_type, max_line_bytes=256, max_body_bytes=256
        )
        for part in parts:
            observer.feed(part)
        return untimed(observer.close())

    assert run(pieces) == run([body])


@PROPERTY
@given(
    data=st.data(),
    case=st.sampled_from(CASES),
    encoding=st.sampled_from(["gzip", "deflate", "raw deflate"]),
)
def test_compressed_split_anywhere_decodes_the_same(
    data: st.DataObject, case: WireCase, encoding: str
) -> None:
    """gzip and deflate bodies split anywhere give the plain body's observation."""
    if encoding == "gzip":
        packed = gzip.compress(case.body)
    elif encoding == "deflate":
        packed = zlib.compress(case.body)
    else:
        packed = zlib.compress(case.body)[2:-4]
    pieces = data.draw(splits(packed))
    plain = untimed(observe([case.body], case.content_type))
    got = observe(pieces, case.content_type, encoding.removeprefix("raw "))
    assert untimed(got, bytes_seen=plain.bytes_seen) == plain
    assert got.bytes_seen == len(packed)


@PROPERTY
@given(data=st.data(), stream=st.lists(st.sampled_from([FIRST, *HELLO, STOP]), max_size=8))
def test_gzip_flushed_per_frame_split_anywhere(
    data: st.DataObject, stream: list[dict[str, object]]
) -> None:
    """A gzip stream flushed after each frame, split anywhere, decodes the same."""
    plain = b"".join(frame(f) for f in stream) + b"data: [DONE]\n\n"
    packer = zlib.compressobj(wbits=31)
    packed = b"".join(packer.compress(frame(f)) + packer.flush(zlib.Z_SYNC_FLUSH) for f in stream)
    packed += packer.compress(b"data: [DONE]\n\n") + packer.flush()
    expected = untimed(observe([plain], SSE))
    got = observe(data.draw(splits(packed)), SSE, "gzip")
    assert untimed(got, bytes_seen=expected.bytes_seen) == expected


# Bytes that look enough like the wire to reach deep into the observer.
_TOKENS = [
    b"data: ",
    b"data:",
    b"data",
    b": c",
    b"event: x",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\",
    b",",
    b":",
    b"[DONE]",
    b'"content":"',
    b'"usage":{"prompt_tokens":1}',
    b'"finish_reason":"stop"',
    b'"choices":[{"delta":',
    b'"edenai_metadata":{"attempts":[{"status":200,"model":"a/b"}]}',
    b'"error":{"code":1}',
    b'"cost":"1e309"',
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc3",
    b"0",
    b"null",
    frame(FIRST),
    frame(HELLO[0]),
    frame(STOP),
]
wire_like = st.lists(st.one_of(st.sampled_from(_TOKENS), st.binary(max_size=8)), max_size=60).map(
    b"".join
)
content_types = st.sampled_from([SSE, JSON, None, "text/html"])


@PROPERTY
@given(body=st.one_of(st.binary(max_size=400), wire_like), content_type=content_types)
def test_garbage_never_raises_and_splits_change_nothing(
    body: bytes, content_type: str | None
) -> None:
    """Any bytes are taken without raising, and how they are split does not matter."""
    whole = observe([body], content_type)
    pieces = [body[i : i + 3] for i in range(0, len(body), 3)]
    assert untimed(observe(pieces, content_type)) == untimed(whole)
    assert whole.bytes_seen == len(body)


@PROPERTY
@given(
    body=st.one_of(st.binary(max_size=300), wire_like),
    content_type=content_types,
    encoding=st.sampled_from(["gzip", "deflate", "br", "identity", "gzip, gzip"]),
    small_caps=st.booleans(),
)
def test_garbage_never_raises_whatever_the_encoding(
    body: bytes, content_type: str | None, encoding: str, small_caps: bool
) -> None:
    """Garbage declared as any encoding, with any caps, never raises."""
    caps = 256 if small_caps else 64 * 1024
    observer = SseObserver(
        content_type=content_type,
        content_encoding=encoding,
        max_line_bytes=caps,
        max_body_bytes=caps,
    )
    for i in range(0, len(body), 7):
        observer.feed(body[i : i + 7])
    obs = observer.close()
    assert obs.bytes_seen == len(body)
    assert observer.buffered_bytes == 0


@PROPERTY
@given(body=wire_like, content_type=content_types)
def test_small_caps_bound_the_buffers(body: bytes, content_type: str | None) -> None:
    """With 256-byte caps, the observer never holds much more than its caps."""
    observer = SseObserver(content_type=content_type, max_line_bytes=256, max_body_bytes=256)
    for i in range(0, len(body), 5):
        observer.feed(body[i : i + 5] * 20)
        assert observer.buffered_bytes <= 2 * 256
    observer.close()


@PROPERTY
@given(data=st.data(), case=st.sampled_from(CASES))
def test_observer_never_mutates_what_it_is_shown(data: st.DataObject, case: WireCase) -> None:
    """The pieces fed are left exactly as they were (bytearray and memoryview included)."""
    pieces = [bytearray(p) for p in data.draw(splits(case.body))]
    before = [bytes(p) for p in pieces]
    observer = SseObserver(content_type=case.content_type)
    for i, piece in enumerate(pieces):
        observer.feed(piece if i % 2 else memoryview(piece))  # type: ignore[arg-type]
    observer.close()
    assert [bytes(p) for p in pieces] == before


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)
json_objects = st.dictionaries(st.text(max_size=6), json_values, max_size=4)


@PROPERTY
@given(
    data=st.data(),
    before=json_objects,
    after=json_objects,
    big=st.text(min_size=20, max_size=200),
    ascii_only=st.booleans(),
)
def test_recover_puts_back_both_ends(
    data: st.DataObject,
    before: dict[str, object],
    after: dict[str, object],
    big: str,
    ascii_only: bool,
) -> None:
    """Cut inside one long string, an object's values on both sides come back exactly."""
    after = {k: v for k, v in after.items() if k not in before and k != "big"}
    before.pop("big", None)
    raw = json.dumps({**before, "big": big, **after}, ensure_ascii=ascii_only).encode()
    start = raw.index(b'"big": "') + len(b'"big": "')
    end = start + len(json.dumps(big, ensure_ascii=ascii_only).encode()) - 2
    head_end = data.draw(st.integers(start, end - 1))
    tail_start = data.draw(st.integers(head_end + 1, end))
    recovered = recover(raw[:head_end], raw[tail_start:], len(raw))
    assert recovered is not None
    cut = recovered.pop("big")
    assert isinstance(cut, TruncatedText)
    assert cut.approx_chars == end - start
    assert recovered == {**before, **after}


@PROPERTY
@given(
    raw=st.one_of(json_objects.map(lambda o: json.dumps(o).encode()), st.binary(max_size=200)),
    data=st.data(),
)
def test_recover_never_raises(raw: bytes, data: st.DataObject) -> None:
    """Any two ends of anything give an object or None, never an exception."""
    head_end = data.draw(st.integers(0, len(raw)))
    tail_start = data.draw(st.integers(head_end, len(raw)))
    recovered = recover(raw[:head_end], raw[tail_start:], len(raw) + 1000)
    assert recovered is None or isinstance(recovered, dict)
