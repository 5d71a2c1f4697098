"""Deterministic answers: word-ish tokens and tool calls, from the seed and the request."""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from typing import Any

_PROSE = (
    "the a of to and in is that for it as with on be by this are from at or an which can "
    "model router request latency cost token answer stream provider quality candidate route "
    "fast cheap balanced premium data system user value result example case simple clear "
    "first next then also however because therefore usually often typically each every "
    "choose measure compare observe trace span metric budget price response context prompt "
    "good better best small large short long direct careful useful robust reliable steady "
    "approach method pattern option detail step reason check note idea point way part time"
)
_WORDS = tuple(_PROSE.split())
_TOPIC = re.compile(r"[A-Za-z][A-Za-z-]{4,}")
_CITIES = ("Paris", "Berlin", "Lisbon", "Madrid", "Rome", "Vienna")


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One generated function call; `fragments` are the argument pieces a stream sends."""

    id: str
    name: str
    arguments: str
    fragments: tuple[str, ...]


def rng_for(*parts: object) -> random.Random:
    """Return a random generator seeded from the parts (stable across processes)."""
    return random.Random("\x1f".join(map(str, parts)))  # noqa: S311  (not cryptography)


def text_tokens(rng: random.Random, count: int, topic_source: str) -> list[str]:
    """`count` word tokens forming sentences; joined they make the answer's text."""
    topics = _TOPIC.findall(topic_source)[:8] or ["routing"]
    tokens: list[str] = []
    sentence_left = 0
    for index in range(count):
        if sentence_left == 0:
            sentence_left = rng.randint(6, 14)
            word = (topics[0] if index == 0 else rng.choice(_WORDS)).capitalize()
        else:
            word = rng.choice(topics) if rng.random() < 0.08 else rng.choice(_WORDS)
        sentence_left -= 1
        if sentence_left == 0 or index == count - 1:
            word += "."
        tokens.append(word if index == 0 else " " + word)
    return tokens


def pick_tool(
    rng: random.Random, tools: list[dict[str, Any]], tool_choice: Any, last_text: str
) -> dict[str, Any] | None:
    """Pick the function a model would call now, or None when it should answer in text.

    `tool_choice` "none" never calls; "required" or a named function always does; "auto"
    (the default) calls unless the conversation just received a tool result.
    """
    functions = [t["function"] for t in tools if isinstance(t.get("function"), dict)]
    functions = [f for f in functions if isinstance(f.get("name"), str)]
    if not functions or tool_choice == "none":
        return None
    if isinstance(tool_choice, dict):
        wanted = (tool_choice.get("function") or {}).get("name")
        named: dict[str, Any] = next((f for f in functions if f["name"] == wanted), functions[0])
        return named
    lowered = last_text.lower()
    for function in functions:  # a tool whose name's words appear in the question wins
        words = str(function["name"]).lower().replace("-", "_").split("_")
        if any(len(word) > 3 and word in lowered for word in words):
            return dict(function)
    return dict(rng.choice(functions))


def tool_call(rng: random.Random, function: dict[str, Any], last_text: str) -> ToolCall:
    """Make a call of `function` with arguments that follow its JSON schema."""
    schema = function.get("parameters") or {}
    properties = schema.get("properties") or {}
    arguments = {
        name: _value(rng, prop if isinstance(prop, dict) else {}, name, last_text)
        for name, prop in properties.items()
    }
    text = json.dumps(arguments, separators=(",", ":"))
    cuts = sorted({0, len(text), *(rng.randint(1, max(1, len(text) - 1)) for _ in range(3))})
    fragments = tuple(text[a:b] for a, b in itertools.pairwise(cuts) if b > a) or ("{}",)
    call_id = "call_" + "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789") for _ in range(24)
    )
    return ToolCall(call_id, str(function["name"]), text, fragments)


_EMPTY: dict[str, Any] = {"array": [], "object": {}}


def _value(rng: random.Random, prop: dict[str, Any], name: str, text: str) -> Any:
    """Return a plausible value for one property, from the question when it has one."""
    kind = prop.get("type", "string")
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        value: Any = rng.choice(prop["enum"])
    elif kind in {"integer", "number"}:
        numbers = re.findall(r"-?\d+(?:\.\d+)?", text)
        value = float(numbers[0]) if numbers else float(rng.randint(1, 100))
        value = int(value) if kind == "integer" else value
    elif kind == "boolean":
        value = rng.random() < 0.5
    elif kind in _EMPTY:
        value = type(_EMPTY[kind])()
    else:
        value = _string(rng, name, text)
    return value


def _string(rng: random.Random, name: str, text: str) -> str:
    if any(key in name.lower() for key in ("location", "city", "place")):
        capitalised = re.findall(r"\b[A-Z][a-z]{2,}\b", text)[1:]  # skip the sentence start
        return str(capitalised[0]) if capitalised else rng.choice(_CITIES)
    if "expression" in name.lower():
        found = re.search(r"[\d(][\d\s+\-*/().]*[\d)]", text)
        return found.group(0).strip() if found else "2 + 2"
    return rng.choice(_WORDS)
