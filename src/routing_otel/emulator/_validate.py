"""Request validation, answering like Eden AI's FastAPI app: a 422 list of every problem.

Only what Eden AI documents is checked strictly (router_candidates, fallbacks, messages);
the rest is validated loosely, by type, so that clients sending extra OpenAI fields work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from routing_otel.emulator import _errors
from routing_otel.emulator._catalogue import split_suffixes

ROUTED_MODEL = "@edenai"
MAX_CANDIDATES = 64
MAX_CANDIDATE_CHARS = 128
MAX_FALLBACKS = 3
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_SORTS = frozenset({"cost", "speed", "latency", "exact"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest:
    """A valid chat completion request, reduced to what the emulator acts on."""

    model: str
    messages: list[dict[str, Any]]
    stream: bool = False
    include_usage: bool = False
    max_tokens: int | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = None
    router_candidates: list[str] | None = None
    fallbacks: list[str] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)
    session_id: str | None = None

    @property
    def routed(self) -> bool:
        """Whether the request asks the smart router (`@edenai`, with any suffix)."""
        return is_routed(self.model)


def is_routed(model: object) -> bool:
    """Whether a `model` value names the smart router (`@edenai`, any suffix)."""
    return isinstance(model, str) and split_suffixes(model)[0] == ROUTED_MODEL


class _Errors:
    """Collects FastAPI-style error entries."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: tuple[str | int, ...], type_: str, msg: str, value: Any) -> None:
        self.items.append({"type": type_, "loc": ["body", *loc], "msg": msg, "input": value})

    def typed(self, body: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
        """Return the field if absent or well typed; else record an error, return None."""
        value = body.get(name)
        if value is None or (isinstance(value, kind) and not _is_bool_for_number(value, kind)):
            return value
        label = kind.__name__ if isinstance(kind, type) else kind[0].__name__
        self.add((name,), f"{label}_type", f"Input should be a valid {label}", value)
        return None


def _is_bool_for_number(value: Any, kind: type | tuple[type, ...]) -> bool:
    # bool is an int subclass; pydantic refuses it where a number is expected.
    return isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))


def parse_body(raw: bytes) -> dict[str, Any]:
    """Decode the JSON body, answering 422 like FastAPI when it is not a JSON object."""
    try:
        body = json.loads(raw)
    except ValueError as exc:
        error = {
            "type": "json_invalid",
            "loc": ["body", getattr(exc, "pos", 0)],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": str(exc).split(":", 1)[0]},
        }
        raise _errors.validation([error]) from None
    if not isinstance(body, dict):
        error = {
            "type": "model_attributes_type",
            "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from",
            "input": body,
        }
        raise _errors.validation([error])
    return body


def validate_chat(body: dict[str, Any], headers: dict[str, str]) -> ChatRequest:
    """Check a chat completion body; raise a 422 listing every problem found."""
    errors = _Errors()
    model = body.get("model")
    if model is None:
        errors.add(("model",), "missing", "Field required", body)
    elif not isinstance(model, str) or not model:
        errors.add(("model",), "string_type", "Input should be a valid string", model)
    messages = _messages(body, errors)
    candidates = _candidates(body, errors, model)
    fallbacks = _fallbacks(body, errors)
    routing = _routing(body, errors)
    stream = errors.typed(body, "stream", bool)
    options = errors.typed(body, "stream_options", dict) or {}
    max_tokens = errors.typed(body, "max_completion_tokens", int)
    if max_tokens is None:
        max_tokens = errors.typed(body, "max_tokens", int)
    if max_tokens is not None and max_tokens < 1:
        errors.add(("max_tokens",), "greater_than_equal", "Input should be >= 1", max_tokens)
    tools = errors.typed(body, "tools", list) or []
    for name in ("temperature", "top_p"):
        errors.typed(body, name, (int, float))
    for name in ("metadata", "routing"):
        errors.typed(body, name, dict)
    errors.typed(body, "tags", (dict, list))
    session_id = errors.typed(body, "session_id", str) or headers.get("x-session-id")
    if errors.items:
        raise _errors.validation(errors.items)
    return ChatRequest(
        model=str(model),
        messages=messages,
        stream=bool(stream),
        include_usage=bool(options.get("include_usage")),
        max_tokens=max_tokens,
        tools=[tool for tool in tools if isinstance(tool, dict)],
        tool_choice=body.get("tool_choice"),
        router_candidates=candidates,
        fallbacks=fallbacks,
        routing=routing,
        session_id=session_id,
    )


def _messages(body: dict[str, Any], errors: _Errors) -> list[dict[str, Any]]:
    messages = body.get("messages")
    if messages is None:
        errors.add(("messages",), "missing", "Field required", body)
        return []
    if not isinstance(messages, list):
        errors.add(("messages",), "list_type", "Input should be a valid list", messages)
        return []
    if not messages:
        msg = "List should have at least 1 item after validation, not 0"
        errors.add(("messages",), "too_short", msg, messages)
    for index, message in enumerate(messages):
        loc: tuple[str | int, ...] = ("messages", index)
        if not isinstance(message, dict):
            errors.add(loc, "model_type", "Input should be a valid dictionary", message)
            continue
        role = message.get("role")
        if role not in _ROLES:
            expected = "'" + "', '".join(sorted(_ROLES)) + "'"
            errors.add((*loc, "role"), "literal_error", f"Input should be {expected}", role)
        content = message.get("content")
        if content is None and role not in {"assistant", "tool", "function"}:
            errors.add((*loc, "content"), "missing", "Field required", message)
        elif content is not None and not isinstance(content, (str, list)):
            msg = "Input should be a valid string or a list of content parts"
            errors.add((*loc, "content"), "string_type", msg, content)
    return messages


def _candidates(body: dict[str, Any], errors: _Errors, model: Any) -> list[str] | None:
    candidates = body.get("router_candidates")
    if candidates is None:
        return None
    loc: tuple[str | int, ...] = ("router_candidates",)
    if not isinstance(candidates, list):
        errors.add(loc, "list_type", "Input should be a valid list", candidates)
        return None
    if len(candidates) > MAX_CANDIDATES:
        msg = f"List should have at most {MAX_CANDIDATES} items after validation, not "
        errors.add(loc, "too_long", msg + str(len(candidates)), candidates)
    for index, candidate in enumerate(candidates):
        if not isinstance(candidate, str):
            errors.add((*loc, index), "string_type", "Input should be a valid string", candidate)
        elif len(candidate) > MAX_CANDIDATE_CHARS:
            msg = f"String should have at most {MAX_CANDIDATE_CHARS} characters"
            errors.add((*loc, index), "string_too_long", msg, candidate)
    if isinstance(model, str) and not is_routed(model):
        msg = f"Value error, router_candidates can only be used with model '{ROUTED_MODEL}'"
        errors.add(loc, "value_error", msg, candidates)
    return [c for c in candidates if isinstance(c, str)]


def _fallbacks(body: dict[str, Any], errors: _Errors) -> list[str]:
    fallbacks = body.get("fallbacks")
    if fallbacks is None:
        return []
    if not isinstance(fallbacks, list) or not all(isinstance(f, str) for f in fallbacks):
        errors.add(
            ("fallbacks",), "list_type", "Input should be a valid list of strings", fallbacks
        )
        return []
    if len(fallbacks) > MAX_FALLBACKS:
        msg = f"List should have at most {MAX_FALLBACKS} items after validation, not "
        errors.add(("fallbacks",), "too_long", msg + str(len(fallbacks)), fallbacks)
    return fallbacks


def _routing(body: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    routing = body.get("routing")
    if not isinstance(routing, dict):
        return {}  # a wrong type is reported by the generic type checks
    sort = routing.get("sort")
    if sort is not None and sort not in _SORTS:
        msg = "Input should be 'cost', 'speed', 'latency' or 'exact'"
        errors.add(("routing", "sort"), "enum", msg, sort)
    quality_cost = routing.get("quality_cost")
    if quality_cost is not None and (
        isinstance(quality_cost, bool)
        or not isinstance(quality_cost, (int, float))
        or not 0 <= quality_cost <= 10
    ):
        msg = "Input should be a number between 0 and 10"
        errors.add(("routing", "quality_cost"), "value_error", msg, quality_cost)
    allowed = routing.get("allowed_providers")
    if allowed is not None and not (
        isinstance(allowed, list) and all(isinstance(p, str) for p in allowed)
    ):
        msg = "Input should be a valid list of strings"
        errors.add(("routing", "allowed_providers"), "list_type", msg, allowed)
    return routing
