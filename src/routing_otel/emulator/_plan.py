"""Everything a response will say and when, decided before the first byte is sent.

Planning is pure apart from the prompt cache: the model that serves, the attempts, the
`edenai_metadata` block, the generated output, usage, cost, timings and where a stream fails.
`_respond.py` then only has to put it on the wire.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from routing_otel.emulator import _generate
from routing_otel.emulator._config import Fault
from routing_otel.emulator._routing import last_user_text, stable_hash
from routing_otel.emulator._usage import Usage, prompt_tokens

if TYPE_CHECKING:
    import random

    from routing_otel.emulator._catalogue import ModelSpec
    from routing_otel.emulator._config import EmulatorConfig
    from routing_otel.emulator._routing import Selection
    from routing_otel.emulator._usage import PromptCache
    from routing_otel.emulator._validate import ChatRequest

_FAILED_STATUSES = (429, 500, 503)  # what failed upstream attempts report, in turn
_DEFAULT_FAULT_CHUNKS = 3
_SLOW_ROUTING_CANDIDATES = 20  # the guides: "20+ candidates slows routing"


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """One planned chat completion."""

    response_id: str
    created: int
    served: ModelSpec
    attempts: list[dict[str, Any]]
    metadata: dict[str, Any] | None  # None: not asked for, or a cached answer
    # What is generated: text tokens, or one tool call sent as argument fragments.
    tokens: list[str] = field(default_factory=list)
    tool_call: _generate.ToolCall | None = None
    finish_reason: str = "stop"
    include_usage: bool = False  # streams only: send the usage chunk
    usage: Usage
    cost: float
    # When: seconds after the request arrived, and between content chunks.
    first_chunk_s: float  # routing delay plus failed attempts: the model is known then
    ttft_s: float  # after the first chunk, until the first content chunk
    interval_s: float
    # How a stream fails, if it does: (Fault.STREAM_ERROR or CONNECTION_RESET, after chunks)
    stream_fault: tuple[Fault, int] | None = None

    @property
    def pieces(self) -> tuple[str, ...]:
        """The content chunks (text tokens, or tool-call argument fragments)."""
        if self.tool_call is None:
            return tuple(self.tokens)
        return ("", *self.tool_call.fragments)  # the first piece only names the function

    def failed_metadata(self) -> dict[str, Any] | None:
        """Return the corrected block an error frame carries: the served attempt failed."""
        if self.metadata is None:
            return None
        attempts = [dict(attempt) for attempt in self.attempts]
        attempts[-1]["status"] = 502
        summary = f"available={self.metadata['endpoints']['available']}, failed={self.served.id}"
        return {**self.metadata, "attempts": attempts, "summary": summary}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanInput:
    """What a plan is made from."""

    request: ChatRequest
    selection: Selection
    fallbacks: list[ModelSpec]
    faults: dict[Fault, float | None]
    metadata_requested: bool
    cache_scope: str
    response_id: str
    created: int


def make_plan(given: PlanInput, config: EmulatorConfig, cache: PromptCache) -> Plan:
    """Decide the whole response."""
    request, selection, faults = given.request, given.selection, given.faults
    served, attempts, failover_s = _attempts(given, config)
    messages_key = json.dumps(request.messages, sort_keys=True)
    rng = _generate.rng_for(config.seed, served.id, messages_key, json.dumps(request.tools))
    last_text = last_user_text(request.messages)
    finish, tokens, call = _output(given, config, rng, last_text)
    cumulative = prompt_tokens(request.messages, request.tools)
    if Fault.CACHE_HIT in faults:
        prefix = cumulative[-2] if len(cumulative) > 1 else cumulative[-1] // 2
        cached, written = prefix, 0
    else:
        cached, written = cache.use(given.cache_scope, served, request.messages, cumulative)
    visible = len(tokens) if call is None else len(call.arguments) // 4 + 8
    reasoning = rng.randint(16, 96) if served.reasoning else 0
    usage = Usage(cumulative[-1], visible + reasoning, cached, written, reasoning)
    cached_answer = Fault.CACHED_ANSWER in faults
    cost = 0.0 if cached_answer else usage.cost(served.pricing(config.discount))
    metadata = None
    if given.metadata_requested and not cached_answer:
        metadata = _metadata(selection, served, attempts)
    return Plan(
        response_id=given.response_id,
        created=given.created,
        served=served,
        attempts=attempts,
        metadata=metadata,
        tokens=tokens,
        tool_call=call,
        finish_reason=finish,
        include_usage=request.include_usage,
        usage=usage,
        cost=cost,
        first_chunk_s=_routing_delay(given, config) + failover_s,
        ttft_s=_ttft(served, config) + _slow_extra(faults, config),
        interval_s=_interval(served, config),
        stream_fault=_stream_fault(faults, len(call.fragments) + 1 if call else len(tokens)),
    )


def _attempts(
    given: PlanInput, config: EmulatorConfig
) -> tuple[ModelSpec, list[dict[str, Any]], float]:
    """Return the served model, the attempts and the time failed attempts took."""
    served, region = given.selection.spec, given.selection.region
    failures = 0
    if Fault.PROVIDER_FALLBACK in given.faults:
        failures = max(1, int(given.faults[Fault.PROVIDER_FALLBACK] or 1))
    # (provider, model) pairs tried in order; the last one serves.
    chain: list[tuple[str, ModelSpec]]
    if given.fallbacks:
        # The request's fallbacks: the primary model fails, the next model serves.
        models = [served, *given.fallbacks][: failures + 1]
        chain = [(spec.provider, spec) for spec in models]
    else:
        # The same model elsewhere: other endpoints fail, the primary endpoint serves.
        others = served.serving_endpoints[1:] or (served.provider,)
        failed = [(others[i % len(others)], served) for i in range(failures)]
        chain = [*failed, (served.provider, served)]
    attempts = [
        {
            "provider": provider,
            "model": f"{provider}/{spec.name}",
            "status": _FAILED_STATUSES[i % len(_FAILED_STATUSES)],
            "region": region,
        }
        for i, (provider, spec) in enumerate(chain)
    ]
    attempts[-1]["status"] = 200
    failover_s = sum(0.5 * _ttft(spec, config) for _, spec in chain[:-1])
    return chain[-1][1], attempts, failover_s


def _metadata(
    selection: Selection, served: ModelSpec, attempts: list[dict[str, Any]]
) -> dict[str, Any]:
    endpoints = served.serving_endpoints
    metadata: dict[str, Any] = {
        "requested": selection.requested,
        "strategy": selection.strategy,
        "region": selection.region,
        "summary": f"available={len(endpoints)}, served={served.id}",
        "attempt": len(attempts),
        "is_byok": False,
        "endpoints": {"available": len(endpoints), "providers": list(endpoints)},
        "attempts": attempts,
    }
    if selection.strategy == "auto":
        metadata["routing"] = {
            "auto": {
                "candidates": list(selection.candidates),
                "dropped": list(selection.dropped),
                "selected": selection.spec.id,
            }
        }
    return metadata


def _output(
    given: PlanInput, config: EmulatorConfig, rng: random.Random, last_text: str
) -> tuple[str, list[str], _generate.ToolCall | None]:
    """(finish_reason, text tokens, tool call)."""
    request = given.request
    last_role = request.messages[-1].get("role") if request.messages else None
    choice = request.tool_choice
    if request.tools and (last_role not in {"tool", "function"} or choice == "required"):
        function = _generate.pick_tool(rng, request.tools, choice, last_text)
        if function is not None:
            return "tool_calls", [], _generate.tool_call(rng, function, last_text)
    count = rng.randint(*config.response_tokens)
    finish = "stop"
    if request.max_tokens is not None and request.max_tokens < count:
        count, finish = request.max_tokens, "length"
    if Fault.CONTENT_FILTER in given.faults:
        cut = int(given.faults[Fault.CONTENT_FILTER] or _DEFAULT_FAULT_CHUNKS)
        count, finish = max(1, min(count, cut)), "content_filter"
    return finish, _generate.text_tokens(rng, count, last_text), None


def _stream_fault(faults: dict[Fault, float | None], pieces: int) -> tuple[Fault, int] | None:
    for fault in (Fault.CONNECTION_RESET, Fault.STREAM_ERROR):
        if fault in faults:
            after = int(faults[fault] or _DEFAULT_FAULT_CHUNKS)
            return fault, max(0, min(after, pieces - 1))  # always before the finish chunk
    return None


def _routing_delay(given: PlanInput, config: EmulatorConfig) -> float:
    if given.selection.strategy != "auto":
        return 0.0
    low, high = config.routing_delay_s
    rng = _generate.rng_for(config.seed, "routing", given.response_id)
    delay = rng.uniform(low, high)
    extra = len(given.selection.candidates) - _SLOW_ROUTING_CANDIDATES
    return delay * (1 + extra / 40) if extra > 0 else delay


def _ttft(spec: ModelSpec, config: EmulatorConfig) -> float:
    return config.ttft_s if config.ttft_s is not None else spec.ttft_s * config.timing_scale


def _interval(spec: ModelSpec, config: EmulatorConfig) -> float:
    rate = config.tokens_per_s
    return 1.0 / rate if rate is not None else config.timing_scale / spec.tokens_per_s


def _slow_extra(faults: dict[Fault, float | None], config: EmulatorConfig) -> float:
    if Fault.SLOW_FIRST_TOKEN not in faults:
        return 0.0
    value = faults[Fault.SLOW_FIRST_TOKEN]
    return config.slow_first_token_s if value is None else value


def response_id(seed: int, counter: int) -> str:
    """Return a chat completion id: unique per response, reproducible for a seed."""
    return f"chatcmpl-{stable_hash(seed, counter):016x}"
