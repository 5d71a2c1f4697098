"""The cost model: each source in order, cache pricing, unknown models, savings."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing_otel import _semconv as sc
from routing_otel._cost.model import (
    CHARS_PER_TOKEN,
    CostModel,
    CostResult,
    estimate_tokens,
    savings,
    usd_for,
)
from routing_otel._cost.prices import ModelPrice, PriceEntry, PriceTable, load_builtin_table
from routing_otel._wire.observation import Attempt, Observation
from routing_otel.emulator._catalogue import CATALOGUE, catalogue_body
from routing_otel.emulator._usage import Usage

MODEL = CostModel(load_builtin_table())
SONNET = ModelPrice(input=3e-6, output=1.5e-5, cache_read=3e-7, cache_write=3.75e-6)
NO_CACHE_PRICES = ModelPrice(input=2e-6, output=6e-6)


def _obs(**fields: object) -> Observation:
    return Observation(**fields)  # type: ignore[arg-type]


# --- the sources, in order ----------------------------------------------------------------


def test_reported_cost_is_used_as_is() -> None:
    """Eden's ``cost`` wins over every other source, even with usage present."""
    obs = _obs(raw_model="openai/gpt-4o", input_tokens=1000, output_tokens=100, cost=0.0123)
    assert MODEL.cost(obs) == CostResult(0.0123, sc.COST_REPORTED)


def test_reported_zero_for_a_cached_answer_stays_zero() -> None:
    """A cached answer costs 0, reported: not unknown, not re-priced from usage."""
    obs = _obs(raw_model="openai/gpt-4o", input_tokens=1000, output_tokens=100, cost=0.0)
    assert MODEL.cost(obs) == CostResult(0.0, sc.COST_REPORTED)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.01])
def test_reported_garbage_is_not_a_cost(bad: float) -> None:
    """A NaN, infinite or negative ``cost`` is ignored and the next source applies."""
    obs = _obs(raw_model="openai/gpt-4o", input_tokens=1000, output_tokens=0, cost=bad)
    result = MODEL.cost(obs)
    assert result.source == sc.COST_PRICE_TABLE
    assert result.usd == pytest.approx(1000 * 2.5e-6)


def test_price_table_prices_usage_tokens() -> None:
    """Without a reported cost, usage tokens times the served model's prices."""
    obs = _obs(raw_model="openai/gpt-4o", input_tokens=1200, output_tokens=300)
    result = MODEL.cost(obs)
    assert result.source == sc.COST_PRICE_TABLE
    assert result.model == "openai/gpt-4o"
    assert result.usd == pytest.approx(1200 * 2.5e-6 + 300 * 1e-5)


def test_price_table_uses_provider_and_bare_dated_name() -> None:
    """A live fixed-model response (`gpt-4o-mini-2024-07-18` + provider) is priced."""
    obs = _obs(raw_model="gpt-4o-mini-2024-07-18", provider="openai", input_tokens=10)
    obs.output_tokens = 20
    result = MODEL.cost(obs)
    assert (result.source, result.model) == (sc.COST_PRICE_TABLE, "openai/gpt-4o-mini")
    assert result.usd == pytest.approx(10 * 1.5e-7 + 20 * 6e-7)


def test_price_table_uses_the_served_attempt() -> None:
    """After a server-side fallback the model that served is priced, not the first tried."""
    obs = _obs(
        raw_model="openai/gpt-4o",
        attempts=[
            Attempt(provider="openai", model="openai/gpt-4o", status=429),
            Attempt(provider="anthropic", model="anthropic/claude-haiku-4-5", status=200),
        ],
        input_tokens=100,
        output_tokens=10,
    )
    assert MODEL.cost(obs).model == "anthropic/claude-haiku-4-5"


def test_price_table_with_one_count_missing() -> None:
    """Usage with only one count prices the other as 0, still from the price table."""
    result = MODEL.cost(_obs(raw_model="openai/gpt-4o", output_tokens=100))
    assert (result.source, result.model) == (sc.COST_PRICE_TABLE, "openai/gpt-4o")
    assert result.usd == pytest.approx(1e-3)


def test_estimated_without_usage() -> None:
    """No usage at all: tokens from text length (4 chars each), marked estimated."""
    obs = _obs(raw_model="anthropic/claude-sonnet-4-5", content_chars=400)
    result = MODEL.cost(obs, prompt_chars=2000)
    assert result.source == sc.COST_ESTIMATED
    assert result.model == "anthropic/claude-sonnet-4-5"
    assert result.usd == pytest.approx(500 * 3e-6 + 100 * 1.5e-5)


def test_estimated_from_the_answer_alone_without_prompt_chars() -> None:
    """Without the prompt's length the estimate is the answer's cost: a lower bound."""
    obs = _obs(raw_model="openai/gpt-4o", content_chars=41)
    result = MODEL.cost(obs)
    assert result.source == sc.COST_ESTIMATED
    assert result.usd == pytest.approx(11 * 1e-5)


def test_estimated_from_the_prompt_when_the_answer_is_only_tool_calls() -> None:
    """A tool-call answer has no content characters; the prompt still estimates a cost."""
    obs = _obs(raw_model="openai/gpt-4o", tool_calls=1)
    result = MODEL.cost(obs, prompt_chars=4000)
    assert result.source == sc.COST_ESTIMATED
    assert result.usd == pytest.approx(1000 * 2.5e-6)


def test_unknown_model_is_none_not_zero() -> None:
    """A model with no price is unknown with usd None, even with usage: never $0."""
    obs = _obs(raw_model="acme/secret-model", input_tokens=1000, output_tokens=100)
    result = MODEL.cost(obs)
    assert result == CostResult(None, sc.COST_UNKNOWN)
    assert result.usd is None


def test_unknown_without_model_or_text() -> None:
    """No model, or a priced model but nothing to count: unknown."""
    assert MODEL.cost(_obs()) == CostResult(None, sc.COST_UNKNOWN)
    assert MODEL.cost(_obs(raw_model="openai/gpt-4o")) == CostResult(None, sc.COST_UNKNOWN)


def test_error_without_content_is_unknown() -> None:
    """An error response that produced nothing is not estimated from the prompt."""
    obs = _obs(raw_model="openai/gpt-4o", error_code="rate_limit_exceeded")
    assert MODEL.cost(obs, prompt_chars=4000) == CostResult(None, sc.COST_UNKNOWN)


def test_error_after_content_is_estimated() -> None:
    """A stream that failed midway produced tokens: they are estimated."""
    obs = _obs(raw_model="openai/gpt-4o", error_code="provider_error", content_chars=80)
    assert MODEL.cost(obs).source == sc.COST_ESTIMATED


def test_request_model_names_the_model_when_the_response_does_not() -> None:
    """A fixed-model call whose response named no model is priced by the request's model."""
    obs = _obs(input_tokens=100, output_tokens=10)
    result = MODEL.cost(obs, request_model="openai/gpt-4o@eu")
    assert result.model == "openai/gpt-4o"
    assert MODEL.cost(obs, request_model="@edenai") == CostResult(None, sc.COST_UNKNOWN)


def test_request_model_never_overrides_the_served_model() -> None:
    """An unpriced served model stays unknown even if the requested one is priced."""
    obs = _obs(raw_model="acme/other", input_tokens=100, output_tokens=10)
    assert MODEL.cost(obs, request_model="openai/gpt-4o").source == sc.COST_UNKNOWN


# --- cache pricing ------------------------------------------------------------------------


def test_cached_tokens_priced_at_cache_read_not_double_counted() -> None:
    """Cached prompt tokens pay the cache-read price once, and not the input price too."""
    obs = _obs(
        raw_model="anthropic/claude-sonnet-4-5",
        input_tokens=10_000,
        output_tokens=0,
        cached_tokens=8_000,
    )
    usd = MODEL.cost(obs).usd
    assert usd == pytest.approx(2_000 * 3e-6 + 8_000 * 3e-7)
    uncached = MODEL.cost(_obs(raw_model="anthropic/claude-sonnet-4-5", input_tokens=10_000)).usd
    assert uncached is not None
    assert usd is not None
    assert uncached - usd == pytest.approx(8_000 * (3e-6 - 3e-7))


def test_cache_writes_priced_at_cache_write_once() -> None:
    """Written prompt tokens pay the cache-write price instead of (not on top of) input."""
    obs = _obs(
        raw_model="anthropic/claude-sonnet-4-5",
        input_tokens=5_000,
        output_tokens=100,
        cached_tokens=1_000,
        cache_write_tokens=3_000,
    )
    expected = 1_000 * 3e-6 + 1_000 * 3e-7 + 3_000 * 3.75e-6 + 100 * 1.5e-5
    assert MODEL.cost(obs).usd == pytest.approx(expected)


def test_missing_cache_prices_fall_back_to_input() -> None:
    """A model without cache prices charges cached and written tokens the input price."""
    price = usd_for(NO_CACHE_PRICES, input_tokens=1_000, output_tokens=0, cached_tokens=600)
    assert price == pytest.approx(1_000 * 2e-6)
    written = usd_for(
        NO_CACHE_PRICES, input_tokens=1_000, output_tokens=0, cache_write_tokens=1_000
    )
    assert written == pytest.approx(1_000 * 2e-6)


def test_cache_write_price_below_input_is_a_surcharge() -> None:
    """A write price under the input price (Gemini's storage) is added to the input price."""
    gemini = ModelPrice(input=1.5e-6, output=7.5e-6, cache_read=1.5e-7, cache_write=8.33e-8)
    usd = usd_for(gemini, input_tokens=2_000, output_tokens=0, cache_write_tokens=2_000)
    assert usd == pytest.approx(2_000 * (1.5e-6 + 8.33e-8))


def test_cache_write_price_zero_means_no_write_fee() -> None:
    """A write price of 0 (OpenAI's entries in a pulled catalogue) charges writes as input."""
    gpt = ModelPrice(input=2.5e-6, output=1e-5, cache_read=1.25e-6, cache_write=0.0)
    usd = usd_for(gpt, input_tokens=2_000, output_tokens=0, cache_write_tokens=1_500)
    assert usd == pytest.approx(2_000 * 2.5e-6)


def test_inconsistent_cache_counts_are_clamped() -> None:
    """More cached or written tokens than the prompt never make a cost negative."""
    usd = usd_for(SONNET, input_tokens=100, output_tokens=0, cached_tokens=500)
    assert usd == pytest.approx(100 * 3e-7)
    usd = usd_for(
        SONNET, input_tokens=100, output_tokens=0, cached_tokens=60, cache_write_tokens=90
    )
    assert usd == pytest.approx(60 * 3e-7 + 40 * 3.75e-6)


def test_price_table_matches_the_emulators_reported_cost() -> None:
    """For every emulated model, a pulled table re-prices usage to the emulator's ``cost``.

    Without cache writes: the emulator charges a written token the input price plus the
    cache-write price, which for Anthropic (a full write price) counts it twice.
    """
    body = catalogue_body(discount=0.2, view="models")
    table = PriceTable(
        PriceEntry(item["id"], _model_price(item["pricing"])) for item in body["data"]
    )
    model = CostModel(table)
    for spec, item in zip(CATALOGUE, body["data"], strict=True):
        cached = 300 if spec.cache_read_cost is not None else 0
        usage = Usage(prompt_tokens=1_500, completion_tokens=250, cached_tokens=cached)
        obs = _obs(raw_model=spec.id, input_tokens=1_500, output_tokens=250, cached_tokens=cached)
        assert model.cost(obs).usd == pytest.approx(usage.cost(item["pricing"]), rel=1e-9)


def test_gemini_cache_writes_match_the_emulators_reported_cost() -> None:
    """Where the write price is a surcharge (Gemini), writes re-price to the emulator's cost."""
    body = catalogue_body(discount=0.0, view="models")
    for item in body["data"]:
        if not item["id"].startswith("google/"):
            continue
        usage = Usage(3_000, 40, cached_tokens=1_000, cache_write_tokens=1_500)
        usd = usd_for(
            _model_price(item["pricing"]),
            input_tokens=3_000,
            output_tokens=40,
            cached_tokens=1_000,
            cache_write_tokens=1_500,
        )
        assert usd == pytest.approx(usage.cost(item["pricing"]), rel=1e-9)


def _model_price(pricing: dict[str, float]) -> ModelPrice:
    return ModelPrice(
        pricing["input_cost_per_token"],
        pricing["output_cost_per_token"],
        pricing.get("cache_read_input_token_cost"),
        pricing.get("cache_creation_input_token_cost"),
    )


# --- prices for savings -------------------------------------------------------------------


def test_price_of_any_spelling() -> None:
    """``price_of`` prices hypothetical tokens on a model named any way; None if unpriced."""
    assert MODEL.price_of("gpt-4o-2024-08-06", 1_000, 100) == pytest.approx(0.0035)
    assert MODEL.price_of("anthropic/claude-opus-4-5", 1_000, 100, cached_tokens=1_000) == (
        pytest.approx(1_000 * 5e-7 + 100 * 2.5e-5)
    )
    assert MODEL.price_of("acme/unknown", 1_000, 100) is None


def test_most_expensive_candidate_compares_the_same_tokens() -> None:
    """The ``max_candidate`` baseline is the candidate these tokens cost most on."""
    candidates = ["openai/gpt-4o-mini", "anthropic/claude-opus-4-5", "google/gemini-2.0-flash"]
    found = MODEL.most_expensive(candidates, 1_000, 500)
    assert found is not None
    assert found[0] == "anthropic/claude-opus-4-5"
    assert found[1] == pytest.approx(1_000 * 5e-6 + 500 * 2.5e-5)


def test_most_expensive_depends_on_the_token_mix() -> None:
    """Input-heavy and output-heavy calls can have different most expensive candidates."""
    table = PriceTable(
        [
            PriceEntry("x/input-heavy", ModelPrice(10e-6, 1e-6)),
            PriceEntry("x/output-heavy", ModelPrice(1e-6, 10e-6)),
        ]
    )
    model = CostModel(table)
    pair = ["x/input-heavy", "x/output-heavy"]
    input_heavy = model.most_expensive(pair, 1_000, 10)
    output_heavy = model.most_expensive(pair, 10, 1_000)
    assert input_heavy is not None
    assert output_heavy is not None
    assert input_heavy[0] == "x/input-heavy"
    assert output_heavy[0] == "x/output-heavy"
    assert input_heavy[1] == output_heavy[1] == pytest.approx(0.01001)


def test_most_expensive_skips_unpriced_and_keeps_spelling() -> None:
    """Unpriced candidates are skipped, ties go to the first, names come back as given."""
    found = MODEL.most_expensive(["acme/x", "gpt-4o@eu", "openai/gpt-4o"], 10, 10)
    assert found is not None
    assert found[0] == "gpt-4o@eu"
    assert MODEL.most_expensive(["acme/x", "@edenai"], 10, 10) is None
    assert MODEL.most_expensive([], 10, 10) is None


def test_savings_positive_when_routing_chose_cheaper() -> None:
    """Routing to a cheaper model saves baseline minus actual."""
    assert savings(actual_usd=0.002, baseline_usd=0.010) == pytest.approx(0.008)


def test_savings_negative_when_routing_chose_pricier() -> None:
    """Routing to a pricier model records negative savings."""
    assert savings(actual_usd=0.010, baseline_usd=0.002) == pytest.approx(-0.008)


def test_estimate_tokens_rounds_up() -> None:
    """Any text is at least one token; none is zero."""
    assert [estimate_tokens(n) for n in (0, 1, 4, 5, -3)] == [0, 1, 1, 2, 0]
    assert CHARS_PER_TOKEN == 4


# --- properties ---------------------------------------------------------------------------

_tokens = st.integers(min_value=0, max_value=10_000_000)
_price = st.floats(min_value=0, max_value=1e-3, allow_nan=False)
_prices = st.builds(
    ModelPrice,
    input=_price,
    output=_price,
    cache_read=st.none() | _price,
    cache_write=st.none() | _price,
)


@given(_prices, _tokens, _tokens, st.integers(-100, 10**7), st.integers(-100, 10**7))
def test_cost_is_never_negative_or_nan(
    price: ModelPrice, prompt: int, completion: int, cached: int, written: int
) -> None:
    """Whatever the counts, a cost is a finite number >= 0."""
    usd = usd_for(
        price,
        input_tokens=prompt,
        output_tokens=completion,
        cached_tokens=cached,
        cache_write_tokens=written,
    )
    assert math.isfinite(usd)
    assert usd >= 0


@given(_prices, st.tuples(_tokens, _tokens, _tokens), st.integers(1, 10_000), st.booleans())
def test_cost_grows_with_tokens(
    price: ModelPrice, counts: tuple[int, int, int], more: int, output: bool
) -> None:
    """More prompt or completion tokens (the cache counts fixed) never cost less."""
    prompt, completion, cached = counts
    before = usd_for(price, input_tokens=prompt, output_tokens=completion, cached_tokens=cached)
    after = usd_for(
        price,
        input_tokens=prompt + (0 if output else more),
        output_tokens=completion + (more if output else 0),
        cached_tokens=cached,
    )
    assert after >= before - 1e-12 * max(before, 1.0)


@given(_tokens, _tokens, _tokens)
def test_cached_tokens_never_cost_more_than_uncached(
    prompt: int, completion: int, cached: int
) -> None:
    """With a cache-read price below input, caching only lowers the cost."""
    plain = usd_for(SONNET, input_tokens=prompt, output_tokens=completion)
    with_cache = usd_for(
        SONNET, input_tokens=prompt, output_tokens=completion, cached_tokens=cached
    )
    assert with_cache <= plain + 1e-12 * max(plain, 1.0)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_savings_is_baseline_minus_actual(actual: float, baseline: float) -> None:
    """Savings and actual always add up to the baseline."""
    assert savings(actual, baseline) + actual == pytest.approx(baseline, abs=1e-6)
