"""Properties of the pure parts: validation, fault headers, generation, cost."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from routing_otel.emulator import CATALOGUE, Fault
from routing_otel.emulator._errors import ApiError
from routing_otel.emulator._generate import rng_for, text_tokens, tool_call
from routing_otel.emulator._scenario import parse_fault_header
from routing_otel.emulator._usage import Usage
from routing_otel.emulator._validate import validate_chat

# A fixed alphabet spares Hypothesis building its Unicode tables (a second on a cold run).
_text = st.text(alphabet=string.ascii_letters + string.digits + " /@:-_.é", max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)
_fields = st.sampled_from(
    ["model", "messages", "stream", "stream_options", "max_tokens", "tools", "router_candidates",
     "fallbacks", "routing", "session_id", "tags", "metadata", "temperature", "tool_choice"]
)  # fmt: skip


@given(st.dictionaries(_fields, _json, max_size=8))
def test_validation_only_ever_answers_422(body: dict[str, Any]) -> None:
    """Any JSON object is either accepted or refused with a 422 list, never a crash."""
    error = _refusal(body)
    if error is not None:
        assert error.status == 422
        assert all(item["loc"][0] == "body" for item in error.body["detail"])


def _refusal(body: dict[str, Any]) -> ApiError | None:
    try:
        validate_chat(body, {})
    except ApiError as error:
        return error
    return None


@given(
    st.dictionaries(st.sampled_from(list(Fault)), st.none() | st.floats(0, 1000, allow_nan=False))
)
def test_fault_header_round_trip(faults: dict[Fault, float | None]) -> None:
    """A header written from faults and values parses back to them."""
    header = ", ".join(
        f.value if v is None else f"{f.value.upper()}={v!r}" for f, v in faults.items()
    )
    assert parse_fault_header(header) == faults


@given(st.integers(1, 300), _text, st.integers())
def test_text_tokens_count(count: int, prompt: str, seed: int) -> None:
    """Exactly `count` tokens, each a word, joined into sentences ending with a period."""
    tokens = text_tokens(rng_for(seed), count, prompt)
    assert len(tokens) == count
    text = "".join(tokens)
    assert len(text.split()) == count
    assert text.endswith(".")


@given(st.integers(), _text)
def test_tool_call_fragments_join_into_the_arguments(seed: int, question: str) -> None:
    """Streamed argument fragments always join into the call's valid JSON arguments."""
    function = {
        "name": "calculate",
        "parameters": {
            "type": "object",
            "properties": {
                "expression": {"type": "string"},
                "precision": {"type": "integer"},
                "exact": {"type": "boolean"},
                "tags": {"type": "array"},
            },
        },
    }
    call = tool_call(rng_for(seed), function, question)
    assert "".join(call.fragments) == call.arguments
    assert set(json.loads(call.arguments)) == {"expression", "precision", "exact", "tags"}


@given(
    st.sampled_from([spec for spec in CATALOGUE if spec.cache_read_cost is not None]),
    st.integers(0, 100_000),
    st.integers(0, 10_000),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_cost_formula(
    spec: Any, prompt: int, completion: int, cached_pct: int, write_pct: int
) -> None:
    """Cost is the wire spec's price-table formula over the four token counts."""
    cached, written = prompt * cached_pct // 100, prompt * write_pct // 100
    usage = Usage(prompt, completion, cached, written)
    pricing = spec.pricing(0.0)
    expected = (
        (prompt - cached) * spec.input_cost
        + cached * spec.cache_read_cost
        + written * spec.cache_write_cost
        + completion * spec.output_cost
    )
    assert abs(usage.cost(pricing) - expected) <= 1e-9 * max(1.0, expected)
    assert usage.as_json()["total_tokens"] == prompt + completion
