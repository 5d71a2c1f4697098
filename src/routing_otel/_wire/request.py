"""Is this HTTP call aimed at the Eden AI chat API, and what did it ask for.

Client adapters (httpx, httpx2, requests) pass plain values in; nothing here imports a client
library, so every adapter classifies requests the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

CHAT_PATH_SUFFIX = "/chat/completions"
_MAX_BODY_TO_PARSE = 8 * 1024 * 1024  # a larger request body is not read for attributes
_MAX_CANDIDATES_RECORDED = 64  # the API's own limit
_MAX_STOP_SEQUENCES = 16  # OpenAI accepts 4; a longer list is not worth recording whole
# ``response_format.type`` to the conventions' well-known ``gen_ai.output.type`` values.
_OUTPUT_TYPES = {
    "json_object": sc.OUTPUT_TYPE_JSON,
    "json_schema": sc.OUTPUT_TYPE_JSON,
    "text": sc.OUTPUT_TYPE_TEXT,
}


@dataclass(slots=True)
class ChatRequest:
    """What a chat-completions request asked for, as far as telemetry needs it."""

    server_address: str
    server_port: int | None
    model: str | None = None
    stream: bool = False
    include_usage: bool = False
    candidates: list[str] | None = None
    fallbacks: tuple[str, ...] = ()
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    choice_count: int | None = None  # ``n``, kept only when it is not 1
    output_type: str | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop_sequences: list[str] | None = None
    session_id: str | None = None
    tools: int = 0
    metadata_requested: bool = False
    prompt_chars: int | None = None
    messages: list[object] | None = None  # kept only when content capture is on
    # The parsed body, so it can be rewritten before sending without a second parse;
    # released once the request is on its way.
    payload: dict[str, object] | None = field(default=None, repr=False, compare=False)

    @property
    def routed(self) -> bool:
        """Whether the router picks the model (``@edenai``, with or without suffixes)."""
        return self.model is not None and self.model.startswith(sc.ROUTED_MODEL)

    @property
    def pool(self) -> str:
        """The pool label: ``fixed``, ``default`` (no candidates) or their stable hash."""
        return pool_of(self.candidates) if self.routed else sc.POOL_FIXED


def pool_of(candidates: Iterable[str] | None) -> str:
    """Name a candidate list by a short stable hash (order does not matter)."""
    if not candidates:
        return sc.POOL_DEFAULT
    digest = hashlib.sha256("\n".join(sorted(set(candidates))).encode()).hexdigest()
    return f"pool-{digest[:8]}"


def is_chat_call(method: str, path: str) -> bool:
    """Whether a method and path name the chat-completions endpoint (either version)."""
    return method.upper() == "POST" and path.rstrip("/").endswith(CHAT_PATH_SUFFIX)


def parse_chat_request(
    *,
    host: str,
    port: int | None,
    headers: Mapping[str, str],
    body: bytes | None,
    keep_messages: bool = False,
) -> ChatRequest:
    """Read what a chat request asked for; tolerate any body (unreadable fields stay unset)."""
    request = ChatRequest(server_address=host, server_port=port)
    request.session_id = headers.get("x-session-id") or None
    request.metadata_requested = headers.get("x-edenai-metadata", "").lower() == "enabled"
    payload = _load_json_object(body)
    if payload is None:
        return request
    request.payload = payload
    model = payload.get("model")
    request.model = model if isinstance(model, str) else None
    request.stream = payload.get("stream") is True
    options = payload.get("stream_options")
    request.include_usage = isinstance(options, dict) and options.get("include_usage") is True
    request.candidates = _strings(payload.get("router_candidates"))
    request.fallbacks = tuple(_strings(payload.get("fallbacks")) or ())
    request.max_tokens = _int(payload.get("max_tokens", payload.get("max_completion_tokens")))
    request.temperature = _float(payload.get("temperature"))
    request.top_p = _float(payload.get("top_p"))
    _sampling(request, payload)
    session = payload.get("session_id")
    if isinstance(session, str) and session:
        request.session_id = session
    tools = payload.get("tools")
    request.tools = len(tools) if isinstance(tools, list) else 0
    messages = payload.get("messages")
    request.prompt_chars = _prompt_chars(messages)
    if keep_messages and isinstance(messages, list):
        request.messages = messages
    return request


def _sampling(request: ChatRequest, payload: dict[str, object]) -> None:
    """The request's other sampling and output settings the conventions name."""
    request.seed = _int(payload.get("seed"))
    choices = _int(payload.get("n"))
    request.choice_count = choices if choices != 1 else None
    response_format = payload.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    request.output_type = _OUTPUT_TYPES.get(kind) if isinstance(kind, str) else None
    request.frequency_penalty = _float(payload.get("frequency_penalty"))
    request.presence_penalty = _float(payload.get("presence_penalty"))
    stop = payload.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    sequences = _strings(stop)
    request.stop_sequences = sequences[:_MAX_STOP_SEQUENCES] if sequences else None


def _prompt_chars(messages: object) -> int | None:
    """Characters of text in the messages (string contents and text parts)."""
    if not isinstance(messages, list):
        return None
    total = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            total += len(content)
        elif isinstance(content, list):
            total += sum(
                len(part["text"])
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
    return total


def _load_json_object(body: bytes | None) -> dict[str, object] | None:
    if not body or len(body) > _MAX_BODY_TO_PARSE:
        return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        return None
    return payload if isinstance(payload, dict) else None


def _strings(value: object) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)][:_MAX_CANDIDATES_RECORDED]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
