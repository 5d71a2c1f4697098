"""Which model serves a request: fixed-model resolution and the `@edenai` router.

The router is deterministic: the same seed, last user message, candidates and routing
options always pick the same model. Its heuristic has a quality/cost flavour (harder-looking
prompts favour better models, `routing.quality_cost` trades quality for price) plus a
seeded jitter, so different prompts spread over the pool like a real router's choices.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from routing_otel.emulator import _catalogue, _errors
from routing_otel.emulator._validate import ROUTED_MODEL

if TYPE_CHECKING:
    from routing_otel.emulator._catalogue import ModelSpec
    from routing_otel.emulator._config import EmulatorConfig
    from routing_otel.emulator._validate import ChatRequest

SILENT_FAILURE_MODEL = "openai/gpt-4o"
_HARD = re.compile(
    r"\b(code|debug|prove|proof|analy[sz]e|architecture|algorithm|optimi[sz]e|legal|"
    r"math|reason|step by step|complex|research|refactor)\w*",
    re.IGNORECASE,
)
_EASY = re.compile(r"\b(hi|hello|thanks|translate|summari[sz]e|list|short|quick)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Selection:
    """What resolution decided, before any failure is simulated."""

    requested: str  # the `model` as sent
    spec: ModelSpec  # the model that serves (aliases resolved)
    strategy: str  # direct | alias | routed | auto
    region: str  # global | eu
    candidates: tuple[str, ...] = ()  # the ranked candidates (auto only)
    dropped: tuple[str, ...] = ()  # candidates the router could not rank (auto only)


def stable_hash(*parts: object) -> int:
    """Hash to 64 bits, the same in every process (unlike hash())."""
    data = "\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")  # any JSON string
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def last_user_text(messages: list[dict[str, Any]]) -> str:
    """Return the text of the last user message ("" when there is none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def message_text(message: dict[str, Any]) -> str:
    """Return a message's text content, its parts joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def select(
    request: ChatRequest, config: EmulatorConfig, *, region: str, router_fails: bool = False
) -> Selection:
    """Resolve the requested model, routing `@edenai` requests among their candidates."""
    name, suffix_region, latency = _catalogue.split_suffixes(request.model)
    region = suffix_region or region
    if name == ROUTED_MODEL:
        return _route(
            request, config.seed, region, config.default_candidates, router_fails=router_fails
        )
    spec = _catalogue.find(name)
    if spec is None:
        raise _errors.model_not_found([request.model], status=config.unknown_model_status)
    if spec.alias_of is not None:
        strategy = "alias"
    elif latency or "/" not in name:
        strategy = "routed"  # Eden picks the provider endpoint itself
    else:
        strategy = "direct"
    return Selection(request.model, _catalogue.target(spec), strategy, region)


def check_fallbacks(request: ChatRequest, unknown_status: int) -> list[ModelSpec]:
    """Return the fallback models, all of which must exist."""
    found = [
        (name, _catalogue.find(_catalogue.split_suffixes(name)[0])) for name in request.fallbacks
    ]
    missing = [name for name, spec in found if spec is None]
    if missing:
        raise _errors.model_not_found(missing, status=unknown_status)
    return [_catalogue.target(spec) for _, spec in found if spec is not None]


def _route(
    request: ChatRequest,
    seed: int,
    region: str,
    default_candidates: tuple[str, ...],
    *,
    router_fails: bool,
) -> Selection:
    given = request.router_candidates
    names = list(default_candidates if given is None else given)
    allowed = request.routing.get("allowed_providers")
    ranked: list[tuple[str, ModelSpec]] = []
    dropped: list[str] = []
    for name in names:
        spec = _catalogue.find(name)
        if (
            spec is None
            or (allowed and spec.provider not in allowed)
            or region not in _catalogue.target(spec).regions  # the EU host only routes in the EU
        ):
            dropped.append(name)
        else:
            ranked.append((name, _catalogue.target(spec)))
    if not ranked:
        raise _errors.no_candidates()
    if router_fails:
        # The router failed and Eden quietly serves a default: nothing says so.
        fallback = ranked[0][1] if given else _catalogue.find(SILENT_FAILURE_MODEL)
        assert fallback is not None
        chosen = fallback
    else:
        chosen = _best(request, seed, [spec for _, spec in ranked])
    candidates = tuple(name for name, _ in ranked)
    return Selection(request.model, chosen, "auto", region, candidates, tuple(dropped))


def _best(request: ChatRequest, seed: int, specs: list[ModelSpec]) -> ModelSpec:
    sort = request.routing.get("sort")
    if sort == "cost":
        return min(specs, key=_blended_price)
    if sort == "speed":
        return max(specs, key=lambda spec: spec.tokens_per_s)
    if sort == "latency":
        return min(specs, key=lambda spec: spec.ttft_s)
    text = last_user_text(request.messages)
    difficulty = _difficulty(text)
    # quality_cost 10 means quality only, 0 cost only; the default sits in the middle.
    quality_weight = float(request.routing.get("quality_cost", 5)) / 10
    prices = [math.log10(_blended_price(spec)) for spec in specs]
    cheapest, dearest = min(prices), max(prices)
    spread = (dearest - cheapest) or 1.0
    key = (seed, text, ",".join(spec.id for spec in specs))

    def score(index: int) -> float:
        spec = specs[index]
        price = (prices[index] - cheapest) / spread  # 0 cheapest .. 1 dearest
        jitter = stable_hash(*key, spec.id) / 2**64  # 0..1, seeded
        value = quality_weight * spec.quality * (0.5 + difficulty)
        return value - 0.4 * (1 - quality_weight) * price * (1.2 - difficulty) + 0.35 * jitter

    return specs[max(range(len(specs)), key=score)]


def _difficulty(text: str) -> float:
    """0 (a greeting) to 1 (a long, technical question): the heuristic's prompt feature."""
    value = 0.3 + min(len(text), 2000) / 4000
    value += 0.15 * min(len(_HARD.findall(text)), 3)
    value -= 0.15 * min(len(_EASY.findall(text)), 2)
    return min(1.0, max(0.0, value))


def _blended_price(spec: ModelSpec) -> float:
    return 0.75 * spec.input_cost + 0.25 * spec.output_cost
