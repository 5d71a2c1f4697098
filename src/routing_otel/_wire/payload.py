"""Copy what matters from one decoded JSON payload into an :class:`Observation`.

A payload is a stream chunk (``chat.completion.chunk``, its choices carry ``delta``), a
whole body (``chat.completion``, choices carry ``message``), an error frame or an error
body. Every value is checked for its type: the wire is not trusted to be well formed.
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, Final

from routing_otel._wire.json_scan import TruncatedText
from routing_otel._wire.observation import Attempt, CapturedToolCall

if TYPE_CHECKING:
    from routing_otel._wire.observation import Observation

_SERVED: Final = re.compile(r"(?:^|[,;\s])served=([^,;\s]+)")
_NOT_A_MODEL: Final = frozenset({"", "none", "null", "-", "n/a"})
_NAME_MAX: Final = 256  # longer names are not interned
MAX_CAPTURED_TOOL_CALLS: Final = 64  # per response, when capturing content


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _name(value: object) -> str | None:
    """A name many responses repeat (a model, provider, region, strategy, finish reason).

    Interned, so the calls in flight share one copy instead of each keeping its own (an
    interned string is still freed once no one uses it).
    """
    if isinstance(value, str) and value:
        # Only an exact str can be interned (JSON gives nothing else; a subclass is kept).
        return sys.intern(value) if type(value) is str and len(value) <= _NAME_MAX else value
    return None


def _code(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value)


def _text_len(value: object) -> int:
    """Characters of a ``content`` value: a string, a cut string or a list of text parts."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, TruncatedText):
        return value.approx_chars
    if isinstance(value, list):
        return sum(_text_len(part.get("text")) for part in value if isinstance(part, dict))
    return 0


def parse_cost(value: object) -> float | None:
    """Read a cost in USD: a JSON number or a numeric string, finite and not negative."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def served_from_summary(summary: str) -> str | None:
    """Find the ``served=`` model in a summary like ``available=2, served=openai/gpt-4o``."""
    match = _SERVED.search(summary)
    if match is None or match.group(1).lower() in _NOT_A_MODEL:
        return None
    return _name(match.group(1))


class PayloadReader:
    """Reads payloads into one Observation, remembering what must not be counted twice."""

    __slots__ = (
        "_capture_left",
        "_captured_calls",
        "_finish_seen",
        "_obs",
        "_tool_ids",
        "_tool_slots",
    )

    def __init__(self, observation: Observation, *, capture_chars: int | None = None) -> None:
        """Fill ``observation``; keep up to ``capture_chars`` of the answer's text if given."""
        self._obs = observation
        self._capture_left = capture_chars
        if capture_chars is not None:
            observation.content = []
            observation.captured_tool_calls = []
        # Made on first use: most answers need none of them (memory per stream).
        # (choice, tool-call index) -> the call captured there (capture on only).
        self._captured_calls: dict[tuple[int, int], CapturedToolCall] | None = None
        self._finish_seen: set[tuple[int, str]] | None = None
        self._tool_ids: set[tuple[int, str]] | None = None
        # (choice, tool-call index) -> the id seen there, "" while none.
        self._tool_slots: dict[tuple[int, int], str] | None = None

    def read(self, payload: dict[str, object], *, part: str) -> bool:
        """Read a payload whose choices carry ``part`` (``delta`` or ``message``).

        Returns whether it carried a token: non-empty content or a tool call.
        """
        obs = self._obs
        if "error" in payload or "detail" in payload or "error_code" in payload:
            self._error(payload)
        metadata = payload.get("edenai_metadata")
        if isinstance(metadata, dict):
            self._metadata(metadata)
        self._names(payload)
        token = False
        choices = payload.get("choices")
        if isinstance(choices, list):
            for position, choice in enumerate(choices):
                if isinstance(choice, dict) and self._choice(choice, position, part):
                    token = True
        usage = payload.get("usage")
        if isinstance(usage, dict):
            self._usage(usage)
        cost = parse_cost(payload.get("cost"))
        if cost is not None:
            obs.cost = cost
        return token

    def _names(self, payload: dict[str, object]) -> None:
        # The first value seen stays: later chunks repeat them, or name the upstream model.
        obs = self._obs
        if obs.raw_model is None:
            obs.raw_model = _name(payload.get("model"))
        if obs.provider is None:
            obs.provider = _name(payload.get("provider"))
        if obs.response_id is None:
            obs.response_id = _text(payload.get("id"))

    def _choice(self, choice: dict[str, object], position: int, part: str) -> bool:
        index = _int(choice.get("index"))
        if index is None:
            index = position
        token = False
        body = choice.get(part)
        if not isinstance(body, dict):
            body = choice.get("message" if part == "delta" else "delta")
        if isinstance(body, dict):
            chars = _text_len(body.get("content"))
            if chars:
                self._obs.content_chars += chars
                token = True
                if self._capture_left is not None:
                    self._capture(body.get("content"))
            calls = body.get("tool_calls")
            if isinstance(calls, list) and calls:
                token = True
                self._tool_calls(index, calls)
        reason = _name(choice.get("finish_reason"))
        if reason is not None:
            seen = self._finish_seen
            if seen is None:
                seen = self._finish_seen = set()
            if (index, reason) not in seen:
                seen.add((index, reason))
                self._obs.finish_reasons += (reason,)
        return token

    @property
    def capturing(self) -> bool:
        """Whether the answer's text is kept (every chunk must then be parsed)."""
        return self._capture_left is not None

    def _capture(self, content: object) -> None:
        text = content if isinstance(content, str) else ""
        if isinstance(content, list):
            text = "".join(
                part["text"]
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
        left = self._capture_left or 0
        obs = self._obs
        if obs.content is None or not text:
            return
        if len(text) > left:
            text = text[:left]
            obs.content_truncated = True
        if text:
            obs.content.append(text)
        self._capture_left = left - len(text)

    def _tool_calls(self, choice: int, calls: list[object]) -> None:
        # A call is new when it brings an id not seen before, or, without an id, when its
        # (choice, index) slot is new: OpenAI sends the id on a call's first fragment only,
        # some providers reuse index 0 for every call but give each its own id.
        if self._tool_slots is None or self._tool_ids is None:
            self._tool_slots, self._tool_ids = {}, set()
        slots, ids = self._tool_slots, self._tool_ids
        for position, call in enumerate(calls):
            if not isinstance(call, dict):
                continue
            index = _int(call.get("index"))
            slot = (choice, position if index is None else index)
            seen_at_slot = slots.get(slot)
            call_id = _text(call.get("id"))
            if call_id is None:
                new = seen_at_slot is None
                if new:
                    slots[slot] = ""
            else:
                new = (choice, call_id) not in ids and seen_at_slot != ""
                ids.add((choice, call_id))
                slots[slot] = call_id
            if new:
                self._obs.tool_calls += 1
            if self._capture_left is not None:
                self._capture_tool_call(slot, call, call_id, new=new)

    def _capture_tool_call(
        self, slot: tuple[int, int], call: dict[str, object], call_id: str | None, *, new: bool
    ) -> None:
        # Names and arguments arrive in fragments; they share the answer's character budget.
        captured = self._obs.captured_tool_calls
        if captured is None:
            return
        calls = self._captured_calls = self._captured_calls or {}
        entry = calls.get(slot)
        if new or entry is None:
            if len(captured) >= MAX_CAPTURED_TOOL_CALLS:
                calls.pop(slot, None)
                return
            entry = CapturedToolCall(id=call_id)
            captured.append(entry)
            calls[slot] = entry
        if entry.id is None:
            entry.id = call_id
        function = call.get("function")
        if not isinstance(function, dict):
            return
        name = _text(function.get("name"))
        if name is not None and entry.name is None:
            entry.name = name[: self._capture_left or 0] or None
        fragment = function.get("arguments")
        if isinstance(fragment, str) and fragment:
            left = self._capture_left or 0
            if len(fragment) > left:
                fragment = fragment[:left]
                entry.truncated = True
            if fragment:
                entry.arguments.append(fragment)
            self._capture_left = left - len(fragment)

    def _usage(self, usage: dict[str, object]) -> None:
        obs = self._obs
        prompt = _int(usage.get("prompt_tokens"))
        if prompt is None:
            prompt = _int(usage.get("input_tokens"))
        if prompt is not None:
            obs.input_tokens = prompt
        completion = _int(usage.get("completion_tokens"))
        if completion is None:
            completion = _int(usage.get("output_tokens"))
        if completion is not None:
            obs.output_tokens = completion
        # ``input_tokens``/``output_tokens`` usage carries its details under those names.
        details = usage.get("prompt_tokens_details", usage.get("input_tokens_details"))
        if isinstance(details, dict):
            cached = _int(details.get("cached_tokens"))
            if cached is not None:
                obs.cached_tokens = cached
            written = _int(details.get("cache_write_tokens"))
            if written is not None:
                obs.cache_write_tokens = written
        details = usage.get("completion_tokens_details", usage.get("output_tokens_details"))
        if isinstance(details, dict):
            reasoning = _int(details.get("reasoning_tokens"))
            if reasoning is not None:
                obs.reasoning_tokens = reasoning

    def _metadata(self, metadata: dict[str, object]) -> None:
        # A later block (an error frame's correction) wins for every key it carries.
        obs = self._obs
        obs.metadata_seen = True
        if "strategy" in metadata:
            obs.strategy = _name(metadata["strategy"])
        if "attempt" in metadata:
            obs.attempt = _int(metadata["attempt"])
        attempts = metadata.get("attempts")
        if isinstance(attempts, list):
            obs.attempts = tuple(_attempt(a) for a in attempts if isinstance(a, dict))
        routing = metadata.get("routing")
        auto = routing.get("auto") if isinstance(routing, dict) else None
        dropped = auto.get("dropped") if isinstance(auto, dict) else None
        if isinstance(dropped, list):
            obs.dropped_candidates = tuple(_name(d) or d for d in dropped if isinstance(d, str))
        if "summary" in metadata:
            summary = metadata["summary"]
            obs.summary_served = served_from_summary(summary) if isinstance(summary, str) else None

    def _error(self, payload: dict[str, object]) -> None:
        error = payload.get("error")
        code: str | None = None
        message: str | None = None
        if isinstance(error, dict):
            code = _code(error.get("code")) or _code(error.get("type"))
            message = _text(error.get("message"))
        elif isinstance(error, str):
            message = _text(error)
        if code is None:
            code = _code(payload.get("error_code"))
        if message is None:
            detail = payload.get("detail")
            if isinstance(detail, str):
                message = _text(detail)
            elif isinstance(detail, list):  # FastAPI's 422: [{"loc", "msg", "type"}, ...]
                for item in detail:
                    message = _text(item.get("msg")) if isinstance(item, dict) else None
                    if message is not None:
                        break
        if code is not None or message is not None:
            self._obs.error_code = code
            self._obs.error_message = message


def _attempt(entry: dict[str, object]) -> Attempt:
    status = entry.get("status")
    if isinstance(status, str) and status.isascii() and status.isdigit():
        status = int(status)
    return Attempt(
        provider=_name(entry.get("provider")),
        model=_name(entry.get("model")),
        status=_int(status),
        region=_name(entry.get("region")),
    )
