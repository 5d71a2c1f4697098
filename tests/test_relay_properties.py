"""The relay's promise, for any bytes: the app reads what it would read without us.

Whatever the response (any frames, line ends, content type, usage-frame shape), split
anywhere into network reads: without our request rewrite the app gets every byte unchanged;
with it (we asked for usage the app did not ask for) it gets the same bytes less exactly the
usage frame, and the observer still reads the usage.
"""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

from hypothesis import given, settings
from hypothesis import strategies as st

from routing_otel._calls.lifecycle import CallLifecycle, Carried
from routing_otel._context.fallback import FallbackTracker
from routing_otel._telemetry.recorder import Recorder
from routing_otel._telemetry.result import CallRecord
from routing_otel._wire.request import ChatRequest
from routing_otel._wire.usage import HOLD_MAX

if TYPE_CHECKING:
    from routing_otel._calls.lifecycle import ResponseRelay
    from routing_otel._telemetry.result import CallResult, Outcome
    from routing_otel._wire.observation import Observation

CONTENT_TYPES = [
    "text/event-stream",
    "text/event-stream; charset=utf-8",
    None,
    "application/octet-stream",
]
USAGE = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
USAGE_CHUNKS: list[dict[str, Any]] = [
    {"id": "x", "object": "chat.completion.chunk", "choices": [], "usage": USAGE, "cost": 0.01},
    {
        "id": "x",
        "choices": [{"index": 0, "delta": {"content": None, "role": None}, "finish_reason": None}],
        "usage": USAGE,
        "cost": 0.01,
    },
    {"id": "x", "usage": USAGE, "cost": 0.01},
    {"id": "x", "choices": None, "usage": USAGE, "cost": 0.01},
]


def _chunk(text: str, finish: str | None = None) -> dict[str, Any]:
    delta = {"content": text} if finish is None else {}
    return {
        "id": "x",
        "object": "chat.completion.chunk",
        "model": "openai/gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _frame(chunk: dict[str, Any] | str, eol: bytes, extra_lines: list[bytes]) -> bytes:
    data = chunk if isinstance(chunk, str) else json.dumps(chunk)
    return b"".join(line + eol for line in extra_lines) + b"data: " + data.encode() + eol + eol


@st.composite
def streams(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """(the stream the server sends after our rewrite, what the app would get without it)."""
    eol = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    texts = draw(st.lists(st.text(max_size=40), min_size=0, max_size=8))
    comment = draw(st.sampled_from([[], [b": keep-alive"], [b"event: message"]]))
    frames = [
        _frame({**_chunk(""), "choices": [{"index": 0, "delta": {"role": "assistant"}}]}, eol, [])
    ]
    frames += [_frame(_chunk(text), eol, comment) for text in texts]
    frames.append(_frame(_chunk("", finish="stop"), eol, []))
    usage = _frame(draw(st.sampled_from(USAGE_CHUNKS)), eol, comment)
    done = _frame("[DONE]", eol, [])
    tail = draw(st.sampled_from([b"", eol]))
    without = b"".join(frames) + done + tail
    return b"".join(frames) + usage + done + tail, without


class _Keeping(Recorder):
    """A recorder on the global no-op providers that keeps the last observation it got."""

    observation: Observation | None = None

    def finish(
        self, record: CallRecord, observation: Observation | None, outcome: Outcome
    ) -> CallResult:
        """Keep ``observation``, then record as usual (into no-op providers)."""
        self.observation = observation
        return super().finish(record, observation, outcome)


def _relay(
    content_type: str | None, *, hides_usage: bool, recorder: Recorder | None = None
) -> ResponseRelay:
    recorder = recorder or Recorder()  # the global no-op providers: nothing is exported
    record = CallRecord.of(ChatRequest("h", None, "@edenai", stream=True), 0, None, None, None)
    carried = Carried(record.request, hides_usage=hides_usage)
    call = CallLifecycle(recorder, FallbackTracker(), record, carried)
    headers = {"content-type": content_type} if content_type else {}
    return call.response(200, headers).observe()


def _split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    return [body[a:b] for a, b in itertools.pairwise(points)]


def _app_reads(relay: ResponseRelay, pieces: list[bytes]) -> bytes:
    out = []
    for piece in pieces:
        got = relay.relay(piece)
        if got is not None:
            out.append(got)
    out.append(relay.body_ended())
    return b"".join(out)


@settings(max_examples=300, deadline=None)
@given(
    stream=streams(),
    cuts=st.lists(st.integers(min_value=0, max_value=4096), max_size=40),
    content_type=st.sampled_from(CONTENT_TYPES),
)
def test_app_bytes_equal_the_uninstrumented_clients(
    stream: tuple[bytes, bytes], cuts: list[int], content_type: str | None
) -> None:
    """With our rewrite the app reads the stream less the usage frame; without, unchanged."""
    sent, without_usage = stream
    relay = _relay(content_type, hides_usage=True)
    assert _app_reads(relay, _split(sent, cuts)) == without_usage
    untouched = _relay(content_type, hides_usage=False)
    assert _app_reads(untouched, _split(sent, cuts)) == sent


@settings(max_examples=100, deadline=None)
@given(stream=streams(), cuts=st.lists(st.integers(min_value=0, max_value=4096), max_size=40))
def test_hidden_usage_is_still_observed(stream: tuple[bytes, bytes], cuts: list[int]) -> None:
    """The usage frame the app does not see is the one the observer reads usage from."""
    sent, _ = stream
    recorder = _Keeping()
    relay = _relay("text/event-stream", hides_usage=True, recorder=recorder)
    _app_reads(relay, _split(sent, cuts))
    observation = recorder.observation  # what the call ended with
    assert observation is not None
    assert observation.input_tokens == 12
    assert observation.output_tokens == 7
    assert observation.cost == 0.01
    assert observation.done


@given(piece=st.sampled_from([1024, 65536, 1 << 20]))
@settings(max_examples=3, deadline=None)
def test_an_oversized_frame_is_passed_on_not_held(piece: int) -> None:
    """A 10 MB content line is relayed as it comes: at most a small prefix is ever held."""
    line = b'data: {"choices":[{"delta":{"content":"' + b"a" * (10 << 20) + b'"}}]}\n\n'
    relay = _relay("text/event-stream", hides_usage=True)
    hider = relay._hider
    assert hider is not None
    received = 0
    for start in range(0, len(line), piece):
        got = relay.relay(line[start : start + piece])
        received += len(got or b"")
        assert hider.held <= HOLD_MAX
    received += len(relay.body_ended())
    assert received == len(line)


def test_a_content_frame_cut_mid_line_is_passed_on_at_once() -> None:
    """A frame that already shows text is not held back waiting for its end."""
    relay = _relay("text/event-stream", hides_usage=True)
    head = b'data: {"choices":[{"delta":{"content":"Hel'
    assert relay.relay(head) == head


def test_every_single_split_of_a_crlf_stream() -> None:
    """Exhaustively: one network split at every byte (a CR LF split in two included)."""
    for usage in USAGE_CHUNKS:
        frames = [_frame(_chunk(text), b"\r\n", []) for text in ("Hel", "lo")]
        usage_frame = _frame(usage, b"\r\n", [])
        done = _frame("[DONE]", b"\r\n", [])
        sent = b"".join(frames) + usage_frame + done
        for at in range(len(sent) + 1):
            relay = _relay("text/event-stream", hides_usage=True)
            assert _app_reads(relay, [sent[:at], sent[at:]]) == b"".join(frames) + done, at
