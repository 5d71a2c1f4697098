"""Eden AI V3 response bodies, written by hand from /work/shared/edenai-v3-wire.md.

Each :class:`WireCase` is one variation the wire doc lists, with the observation fields it
must produce. The emulator is not used on purpose: these pin the doc, not an implementation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SSE = "text/event-stream"
JSON = "application/json"

ROUTED_METADATA: dict[str, Any] = {
    "requested": "@edenai",
    "strategy": "auto",
    "region": "global",
    "summary": "available=2, served=openai/gpt-4o",
    "attempt": 2,
    "is_byok": False,
    "endpoints": {"openai/gpt-4o": {"region": "global"}},
    "attempts": [
        {"provider": "azure", "model": "azure/gpt-4o", "status": 429, "region": "global"},
        {"provider": "openai", "model": "openai/gpt-4o", "status": 200, "region": "global"},
    ],
    "routing": {"auto": {"dropped": ["acme/unknown-1", "acme/unknown-2"]}},
}

# The block an error frame carries when the stream failed midway: the serving attempt is
# now known to have failed, and the summary no longer names a served model.
CORRECTED_METADATA: dict[str, Any] = {
    "requested": "@edenai",
    "strategy": "auto",
    "region": "global",
    "summary": "available=2, served=none",
    "attempt": 2,
    "attempts": [
        {"provider": "azure", "model": "azure/gpt-4o", "status": 429, "region": "global"},
        {"provider": "openai", "model": "openai/gpt-4o", "status": 502, "region": "global"},
    ],
    "routing": {"auto": {"dropped": ["acme/unknown-1"]}},
}

USAGE: dict[str, Any] = {
    "prompt_tokens": 42,
    "completion_tokens": 7,
    "total_tokens": 49,
    "prompt_tokens_details": {"cached_tokens": 10, "cache_write_tokens": 3},
    "completion_tokens_details": {"reasoning_tokens": 2},
}


def chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish: str | None = None,
    model: str = "openai/gpt-4o",
    index: int = 0,
    **top: Any,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` with a single choice."""
    return {
        "id": "chatcmpl-7f3a",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": model,
        "choices": [
            {"index": index, "delta": delta or {}, "finish_reason": finish, "logprobs": None}
        ],
        **top,
    }


def eden_usage_chunk(
    *, model: str = "openai/gpt-4o", cost: Any = 0.0002349, **top: Any
) -> dict[str, Any]:
    """Eden's usage chunk: one empty choice, usage and the top-level cost."""
    return chunk({"content": None, "role": None}, model=model, usage=USAGE, cost=cost, **top)


def openai_usage_chunk(*, model: str = "openai/gpt-4o", cost: Any = 0.0002349) -> dict[str, Any]:
    """OpenAI's usage chunk shape: ``"choices": []``."""
    return {
        "id": "chatcmpl-7f3a",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": model,
        "choices": [],
        "usage": USAGE,
        "cost": cost,
    }


def frame(payload: dict[str, Any] | str, *, compact: bool = True) -> bytes:
    """``data: <json>`` and the blank line; a string payload is sent as is."""
    if isinstance(payload, str):
        text = payload
    elif compact:
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    else:
        text = json.dumps(payload)
    return b"data: " + text.encode() + b"\n\n"


def stream(*payloads: dict[str, Any] | str, compact: bool = True, done: bool = True) -> bytes:
    """An SSE body of these frames, ending with ``data: [DONE]``."""
    body = b"".join(frame(p, compact=compact) for p in payloads)
    return body + (b"data: [DONE]\n\n" if done else b"")


FIRST = chunk({"role": "assistant", "content": ""})
HELLO = [chunk({"content": "Hello"}), chunk({"content": ", wörld"}), chunk({"content": "!\n"})]
HELLO_CHARS = len("Hello") + len(", wörld") + len("!\n")
STOP = chunk({}, finish="stop")


@dataclass(frozen=True)
class WireCase:
    """A response body and what observing it must give."""

    name: str
    body: bytes
    content_type: str | None
    expected: dict[str, Any] = field(default_factory=dict)


def _stream_cases() -> list[WireCase]:
    tool_fragments = [
        chunk({"role": "assistant", "content": None}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": "{}"},
                    }
                ]
            }
        ),
        chunk({}, finish="tool_calls"),
        eden_usage_chunk(),
    ]
    return [
        WireCase(
            "routed stream, metadata, Eden usage chunk",
            stream(
                chunk({"role": "assistant", "content": ""}, edenai_metadata=ROUTED_METADATA),
                *HELLO,
                STOP,
                eden_usage_chunk(),
            ),
            SSE,
            {
                "streamed": True,
                "raw_model": "openai/gpt-4o",
                "served_model": "openai/gpt-4o",
                "response_id": "chatcmpl-7f3a",
                "finish_reasons": ["stop"],
                "content_chars": HELLO_CHARS,
                "input_tokens": 42,
                "output_tokens": 7,
                "cached_tokens": 10,
                "cache_write_tokens": 3,
                "reasoning_tokens": 2,
                "cost": 0.0002349,
                "metadata_seen": True,
                "strategy": "auto",
                "attempt": 2,
                "attempts_models": ["azure/gpt-4o", "openai/gpt-4o"],
                "dropped_candidates": ["acme/unknown-1", "acme/unknown-2"],
                "summary_served": "openai/gpt-4o",
                "done": True,
                "chunks": 6,
                "parse_errors": 0,
                "truncated": False,
            },
        ),
        WireCase(
            "OpenAI usage chunk (choices: [])",
            stream(FIRST, *HELLO, STOP, openai_usage_chunk()),
            SSE,
            {
                "finish_reasons": ["stop"],
                "content_chars": HELLO_CHARS,
                "input_tokens": 42,
                "output_tokens": 7,
                "cost": 0.0002349,
                "metadata_seen": False,
                "chunks": 6,
                "done": True,
            },
        ),
        WireCase(
            "bare dated model next to provider",
            stream(
                chunk({"role": "assistant", "content": ""}, model="gpt-4o-mini-2024-07-18"),
                chunk({"content": "Hi"}, model="gpt-4o-mini-2024-07-18"),
                chunk({}, finish="stop", model="gpt-4o-mini-2024-07-18"),
                eden_usage_chunk(model="gpt-4o-mini-2024-07-18", provider="openai"),
            ),
            SSE,
            {
                "raw_model": "gpt-4o-mini-2024-07-18",
                "provider": "openai",
                "served_model": "openai/gpt-4o-mini-2024-07-18",
                "content_chars": 2,
                "chunks": 4,
            },
        ),
        WireCase(
            "no include_usage: no usage, no cost",
            stream(FIRST, *HELLO, STOP),
            SSE,
            {
                "input_tokens": None,
                "output_tokens": None,
                "cost": None,
                "content_chars": HELLO_CHARS,
                "done": True,
            },
        ),
        WireCase(
            "tool-call fragments",
            stream(*tool_fragments),
            SSE,
            {"tool_calls": 2, "finish_reasons": ["tool_calls"], "content_chars": 0},
        ),
        WireCase(
            "finish reason length",
            stream(FIRST, chunk({"content": "cut"}), chunk({}, finish="length")),
            SSE,
            {"finish_reasons": ["length"], "content_chars": 3},
        ),
        WireCase(
            "finish reason content_filter",
            stream(FIRST, chunk({}, finish="content_filter")),
            SSE,
            {"finish_reasons": ["content_filter"], "content_chars": 0},
        ),
        WireCase(
            "error frame with corrected metadata",
            stream(
                chunk({"role": "assistant", "content": ""}, edenai_metadata=ROUTED_METADATA),
                chunk({"content": "Par"}),
                {
                    "error": {
                        "message": "Upstream provider error",
                        "type": "provider_error",
                        "code": "upstream_error",
                    },
                    "edenai_metadata": CORRECTED_METADATA,
                },
                done=False,
            ),
            SSE,
            {
                "error_code": "upstream_error",
                "error_message": "Upstream provider error",
                "attempts_models": ["azure/gpt-4o", "openai/gpt-4o"],
                "attempts_statuses": [429, 502],
                "summary_served": None,
                "dropped_candidates": ["acme/unknown-1"],
                "served_model": "openai/gpt-4o",  # falls back to the raw model
                "content_chars": 3,
                "done": False,
                "chunks": 3,
            },
        ),
        WireCase(
            "cached answer: no metadata, cost 0",
            stream(FIRST, *HELLO, STOP, eden_usage_chunk(cost=0)),
            SSE,
            {"cost": 0.0, "metadata_seen": False, "served_model": "openai/gpt-4o"},
        ),
        WireCase(
            "json.dumps default spacing",
            stream(FIRST, *HELLO, STOP, eden_usage_chunk(), compact=False),
            SSE,
            {
                "content_chars": HELLO_CHARS,
                "finish_reasons": ["stop"],
                "input_tokens": 42,
                "chunks": 6,
            },
        ),
        WireCase(
            "escapes and non-ASCII content",
            stream(
                FIRST,
                chunk({"content": 'say "hi"\n\t\\'}),
                chunk({"content": "é😀"}),
                '{"id":"chatcmpl-7f3a","object":"chat.completion.chunk","model":"openai/gpt-4o",'
                '"choices":[{"index":0,"delta":{"content":"\\u00e9\\ud83d\\ude00"},'
                '"finish_reason":null}]}',
                STOP,
            ),
            SSE,
            {"content_chars": len('say "hi"\n\t\\') + 2 + 2, "chunks": 5},
        ),
        WireCase(
            "numeric string cost",
            stream(FIRST, STOP, eden_usage_chunk(cost="0.0042")),
            SSE,
            {"cost": 0.0042},
        ),
        WireCase(
            "garbage costs are ignored",
            stream(
                FIRST,
                eden_usage_chunk(cost=True),
                eden_usage_chunk(cost=None),
                eden_usage_chunk(cost=-1),
                eden_usage_chunk(cost="free"),
            ),
            SSE,
            {"cost": None},
        ),
        WireCase(
            "two choices",
            stream(
                FIRST,
                chunk({"content": "ab"}, index=0),
                chunk({"content": "cde"}, index=1),
                chunk({}, finish="stop", index=0),
                chunk({}, finish="length", index=1),
                chunk({}, finish="stop", index=0),  # repeated: not counted twice
            ),
            SSE,
            {"content_chars": 5, "finish_reasons": ["stop", "length"]},
        ),
    ]


def _framing_cases() -> list[WireCase]:
    crlf = stream(FIRST, *HELLO, STOP, eden_usage_chunk()).replace(b"\n", b"\r\n")
    cr = stream(FIRST, *HELLO, STOP, eden_usage_chunk()).replace(b"\n", b"\r")
    first = json.dumps(FIRST, separators=(",", ":")).encode()
    hello = json.dumps(HELLO[0], separators=(",", ":")).encode()
    usage = json.dumps(eden_usage_chunk(), separators=(",", ":")).encode()
    extras = (
        b": keep-alive\n\n"
        b"retry: 3000\n"
        b"event: message\n"
        b"id: 1\n"
        b"data:" + first + b"\n\n"  # no space after the colon
        b"id: 2\n"
        b"event: message\n"
        b"data: " + hello + b"\n\n"
        b": comment between events\n"
        b"data: [DONE]\n\n"
    )
    # One event's data spread over several data: lines, joined with "\n" by the SSE spec.
    split_json = json.dumps(eden_usage_chunk(), indent=1).encode().split(b"\n")
    multi = (
        b"data: "
        + first
        + b"\n\n"
        + b"".join(b"data: " + part + b"\n" for part in split_json)
        + b"\n"
        + b"data: [DONE]\n\n"
    )
    return [
        WireCase("CRLF line ends", crlf, SSE, {"content_chars": HELLO_CHARS, "input_tokens": 42}),
        WireCase("CR line ends", cr, SSE, {"content_chars": HELLO_CHARS, "input_tokens": 42}),
        WireCase(
            "event:, id:, retry: and comment lines; data: without a space",
            extras,
            SSE,
            {"content_chars": 5, "chunks": 2, "done": True, "parse_errors": 0},
        ),
        WireCase(
            "multi-line data",
            multi,
            SSE,
            {"input_tokens": 42, "cost": 0.0002349, "chunks": 2, "parse_errors": 0},
        ),
        WireCase(
            "no blank lines between frames, last line without newline",
            b"data: " + first + b"\ndata: " + hello + b"\ndata: " + usage + b"\ndata: [DONE]",
            SSE,
            {"content_chars": 5, "input_tokens": 42, "done": True, "chunks": 3},
        ),
        WireCase(
            "stream sniffed without a content type",
            stream(FIRST, *HELLO, STOP),
            None,
            {"streamed": True, "content_chars": HELLO_CHARS, "done": True},
        ),
    ]


BODY_SUCCESS: dict[str, Any] = {
    "status": "success",
    "id": "chatcmpl-9b1c",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Bonjour à tous", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": USAGE,
    "service_tier": "default",
    "cost": 0.0002349,
    "provider": "openai",
}

BODY_ROUTED: dict[str, Any] = {
    **BODY_SUCCESS,
    "model": "openai/gpt-4o",
    "edenai_metadata": ROUTED_METADATA,
}

BODY_TOOLS: dict[str, Any] = {
    **BODY_SUCCESS,
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    },
                    {
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": "{}"},
                    },
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
}

# The wire doc's error table: status, body, expected (error_code, error_message).
ERROR_BODIES: list[tuple[int, str, str | None, str | None]] = [
    (
        400,
        (
            '{"error":{"message":"Model(s) not found or inactive: x",'
            '"type":"invalid_request_error","param":null,"code":"invalid_parameter"}}'
        ),
        "invalid_parameter",
        "Model(s) not found or inactive: x",
    ),
    (401, '{"detail":"Invalid token"}', None, "Invalid token"),
    (403, '{"detail":"Not authenticated"}', None, "Not authenticated"),
    (402, '{"error":"Insufficient credits"}', None, "Insufficient credits"),
    (
        402,
        '{"detail":"Your credit is insufficient","error_code":"INSUFFICIENT_CREDIT"}',
        "INSUFFICIENT_CREDIT",
        "Your credit is insufficient",
    ),
    (404, '{"detail":"Not Found"}', None, "Not Found"),
    (
        404,
        (
            '{"error":{"message":"Unknown model: acme/x","type":"invalid_request_error",'
            '"code":"model_not_found"}}'
        ),
        "model_not_found",
        "Unknown model: acme/x",
    ),
    (
        422,
        (
            '{"detail":[{"loc":["body","router_candidates"],'
            '"msg":"List should have at most 64 items","type":"too_long"},'
            '{"loc":["body","fallbacks"],"msg":"second","type":"too_long"}]}'
        ),
        None,
        "List should have at most 64 items",
    ),
    (
        429,
        (
            '{"error":{"message":"Rate limit exceeded","type":"rate_limit_error",'
            '"code":"rate_limit_exceeded"}}'
        ),
        "rate_limit_exceeded",
        "Rate limit exceeded",
    ),
    (
        429,
        '{"error":{"message":"Rate limit exceeded","type":"rate_limit_error","code":null}}',
        "rate_limit_error",
        "Rate limit exceeded",
    ),
    (
        451,
        (
            '{"error":{"message":"Model not allowed in region eu","type":"invalid_request_error",'
            '"code":"region_not_allowed"}}'
        ),
        "region_not_allowed",
        "Model not allowed in region eu",
    ),
    (
        500,
        '{"error":{"message":"Provider error","type":"provider_error","code":"provider_error"}}',
        "provider_error",
        "Provider error",
    ),
    (502, '{"detail":"Bad gateway"}', None, "Bad gateway"),
    (
        503,
        '{"error":{"message":"Router temporarily unavailable","type":"service_unavailable"}}',
        "service_unavailable",
        "Router temporarily unavailable",
    ),
]


def _body_cases() -> list[WireCase]:
    cases = [
        WireCase(
            "non-streaming success, bare model and provider",
            json.dumps(BODY_SUCCESS).encode(),
            JSON,
            {
                "streamed": False,
                "raw_model": "gpt-4o-mini-2024-07-18",
                "provider": "openai",
                "served_model": "openai/gpt-4o-mini-2024-07-18",
                "response_id": "chatcmpl-9b1c",
                "content_chars": len("Bonjour à tous"),
                "finish_reasons": ["stop"],
                "input_tokens": 42,
                "output_tokens": 7,
                "cached_tokens": 10,
                "cache_write_tokens": 3,
                "reasoning_tokens": 2,
                "cost": 0.0002349,
                "done": True,
                "chunks": 0,
                "parse_errors": 0,
            },
        ),
        WireCase(
            "non-streaming routed, with metadata",
            json.dumps(BODY_ROUTED, separators=(",", ":")).encode(),
            JSON,
            {
                "served_model": "openai/gpt-4o",
                "metadata_seen": True,
                "strategy": "auto",
                "attempt": 2,
                "summary_served": "openai/gpt-4o",
                "dropped_candidates": ["acme/unknown-1", "acme/unknown-2"],
            },
        ),
        WireCase(
            "non-streaming tool calls",
            json.dumps(BODY_TOOLS).encode(),
            JSON,
            {"tool_calls": 2, "finish_reasons": ["tool_calls"], "content_chars": 0},
        ),
        WireCase(
            "non-streaming body sniffed without a content type",
            b"\n  " + json.dumps(BODY_SUCCESS).encode() + b"\n",
            None,
            {"streamed": False, "done": True, "input_tokens": 42},
        ),
    ]
    cases += [
        WireCase(
            f"error body {status}: {body[:40]}",
            body.encode(),
            JSON,
            {"error_code": code, "error_message": message, "done": True, "parse_errors": 0},
        )
        for status, body, code, message in ERROR_BODIES
    ]
    return cases


CASES: list[WireCase] = _stream_cases() + _framing_cases() + _body_cases()
