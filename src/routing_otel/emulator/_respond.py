"""A plan on the wire: SSE chunks paced like a real stream, or one JSON body."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from routing_otel.emulator import _errors
from routing_otel.emulator._config import Fault
from routing_otel.emulator._http import json_bytes
from routing_otel.emulator._sse import SseWriter

if TYPE_CHECKING:
    from routing_otel.emulator._catalogue import ModelSpec
    from routing_otel.emulator._config import ModelSpelling, SseQuirk, UsageShape
    from routing_otel.emulator._http import ResponseChannel
    from routing_otel.emulator._plan import Plan


def model_fields(spec: ModelSpec, spelling: ModelSpelling) -> dict[str, str]:
    """`model` in the chosen spelling, and `provider` where that spelling needs it."""
    if spelling == "provider/model":
        return {"model": spec.id}
    if spelling == "bare":
        return {"model": spec.upstream, "provider": spec.provider}
    return {"model": spec.upstream}


async def _sleep_until(deadline: float) -> None:
    delay = deadline - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


def stream_error() -> _errors.ApiError:
    """Return what a non-streamed request gets where a stream would break midway."""
    return _errors.openai_error(
        502,
        "Provider error: the upstream stream was interrupted",
        type_="server_error",
        code="provider_error",
    )


async def send_completion(
    channel: ResponseChannel, plan: Plan, *, spelling: ModelSpelling, started: float
) -> None:
    """Wait as long as the whole generation would take, then send one `chat.completion`."""
    pieces = len(plan.pieces)
    await _sleep_until(started + plan.first_chunk_s)
    if plan.stream_fault is not None and plan.stream_fault[0] is Fault.CONNECTION_RESET:
        channel.reset()
        return
    await _sleep_until(started + plan.first_chunk_s + plan.ttft_s + pieces * plan.interval_s)
    if plan.stream_fault is not None:  # a broken upstream stream: the whole request fails
        error = stream_error()
        failed = plan.failed_metadata()
        extra = {"edenai_metadata": failed} if failed is not None else {}
        await channel.send(error.status, json_bytes({**error.body, **extra}))
        return
    message: dict[str, Any] = {"role": "assistant", "content": "".join(plan.tokens)}
    if plan.tool_call is not None:
        call = plan.tool_call
        message["content"] = None
        function = {"name": call.name, "arguments": call.arguments}
        message["tool_calls"] = [{"id": call.id, "type": "function", "function": function}]
    message["refusal"] = None
    body: dict[str, Any] = {
        "status": "success",
        "id": plan.response_id,
        "object": "chat.completion",
        "created": plan.created,
        **model_fields(plan.served, spelling),
        "choices": [
            {"index": 0, "message": message, "finish_reason": plan.finish_reason, "logprobs": None}
        ],
        "usage": plan.usage.as_json(),
        "service_tier": "default",
        "cost": plan.cost,
    }
    if spelling != "bare-only":
        body["provider"] = plan.served.provider
    if plan.metadata is not None:
        body["edenai_metadata"] = plan.metadata
    await channel.send(200, json_bytes(body))


@dataclass(frozen=True, slots=True)
class WireStyle:
    """How a response is dressed: model spellings, usage-chunk shape, SSE quirks."""

    spelling: ModelSpelling  # non-streamed bodies
    stream_spelling: ModelSpelling
    usage_shape: UsageShape
    sse_quirks: frozenset[SseQuirk]


class _Chunks:
    """Builds the JSON of `chat.completion.chunk` events for one stream."""

    def __init__(self, plan: Plan, spelling: ModelSpelling) -> None:
        self._head = {
            "id": plan.response_id,
            "object": "chat.completion.chunk",
            "created": plan.created,
            **model_fields(plan.served, spelling),
        }

    def chunk(
        self, delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None
    ) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return json_bytes({**self._head, "choices": [choice], **(extra or {})})

    def usage(self, plan: Plan, shape: UsageShape) -> bytes:
        usage = {"usage": plan.usage.as_json(), "cost": plan.cost}
        if shape == "openai":
            return json_bytes({**self._head, "choices": [], **usage})
        return self.chunk({"content": None, "role": None}, None, usage)


async def send_stream(
    channel: ResponseChannel, plan: Plan, *, style: WireStyle, started: float
) -> None:
    """Stream the plan: role chunk (model known), content at the model's pace, usage, DONE."""
    chunks = _Chunks(plan, style.stream_spelling)
    sse = SseWriter(channel, style.sse_quirks, plan.response_id)
    await _sleep_until(started + plan.first_chunk_s)
    channel.open_stream(200)
    sse.comment()
    first = {"role": "assistant", "content": ""}
    extra = {"edenai_metadata": plan.metadata} if plan.metadata is not None else {}
    await sse.event(chunks.chunk(first, None, extra))
    sse.comment()
    clock = asyncio.get_running_loop().time
    content_start = clock() + plan.ttft_s
    pieces = plan.pieces
    for index, piece in enumerate(pieces):
        deadline = content_start + index * plan.interval_s
        if deadline > clock():  # a pause: send what is due first (no pause, no syscall)
            await channel.flush()
            await _sleep_until(deadline)
        if plan.stream_fault is not None and plan.stream_fault[1] == index:
            await _break_stream(channel, sse, plan, plan.stream_fault[0])
            return
        finish = plan.finish_reason if index == len(pieces) - 1 else None
        await sse.event(chunks.chunk(_delta(plan, index, piece), finish))
    if plan.include_usage:
        await sse.event(chunks.usage(plan, style.usage_shape))
    await sse.event(b"[DONE]")
    await channel.close_stream()


def _delta(plan: Plan, index: int, piece: str) -> dict[str, Any]:
    call = plan.tool_call
    if call is None:
        return {"content": piece}
    fragment: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
    if index == 0:  # the first fragment names the call
        fragment = {"index": 0, "id": call.id, "type": "function"}
        fragment["function"] = {"name": call.name, "arguments": piece}
    return {"tool_calls": [fragment]}


async def _break_stream(channel: ResponseChannel, sse: SseWriter, plan: Plan, fault: Fault) -> None:
    if fault is Fault.CONNECTION_RESET:
        await channel.flush()
        await asyncio.sleep(0.005)  # let the client read what was sent before the reset
        channel.reset()
        return
    error = dict(stream_error().body["error"], status=502)
    frame: dict[str, Any] = {"error": error}
    failed = plan.failed_metadata()
    if failed is not None:
        frame["edenai_metadata"] = failed
    await sse.event(json_bytes(frame))
    await channel.close_stream()  # the stream ends here, without [DONE]
