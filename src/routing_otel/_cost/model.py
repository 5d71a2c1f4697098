"""What a call cost, where that figure came from, and what routing saved.

:class:`CostModel` turns an :class:`~routing_otel._wire.observation.Observation` into a
:class:`CostResult` from the first source that applies: the cost Eden AI ``reported``, the
usage tokens times the prices (``price_table``: the user's price file, genai-prices, then the
built-in table; see ``_cost/sources.py``), an ``estimated`` token count from text length, or
``unknown``. Unknown is ``None``, never ``$0``: a zero would hide spend on dashboards.
Pure: no I/O, no OpenTelemetry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from routing_otel._semconv import (
    COST_ESTIMATED,
    COST_PRICE_TABLE,
    COST_REPORTED,
    COST_UNKNOWN,
    ROUTED_MODEL,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from routing_otel._cost.prices import ModelPrice
    from routing_otel._cost.sources import Prices
    from routing_otel._wire.observation import Observation

CHARS_PER_TOKEN: Final = 4  # the usual rule of thumb for English text with GPT-style tokenizers


@dataclass(frozen=True, slots=True)
class CostResult:
    """A call's cost in USD (``None`` when unknown) and its source (``llm.router.cost.source``).

    ``model`` is the canonical id whose prices were used (``None`` for reported and unknown).
    """

    usd: float | None
    source: str
    model: str | None = None


class CostModel:
    """Costs of observed calls and of hypothetical ones (for savings), from one price table."""

    __slots__ = ("_table",)

    def __init__(self, table: Prices) -> None:
        """Price with ``table``: usually ``PriceSources.default()``, or one ``PriceTable``."""
        self._table = table

    @property
    def table(self) -> Prices:
        """The prices in use."""
        return self._table

    def cost(
        self,
        observation: Observation,
        *,
        request_model: str | None = None,
        prompt_chars: int | None = None,
    ) -> CostResult:
        """Return the call's cost from the first source that applies.

        1. ``reported``: Eden AI's ``cost``, as is (0 for a cached answer). A negative or
           non-finite figure is not a cost and is ignored.
        2. ``price_table``: usage tokens (either count seen) priced with the served model's
           prices (see :func:`usd_for`). The served model is the observation's; when the
           response named none, ``request_model`` (unless it is ``@edenai``).
        3. ``estimated``: no usage at all, but a priced model: tokens are estimated at
           :data:`CHARS_PER_TOKEN` characters each from ``prompt_chars`` (the request's
           message text, when the caller counted it) and the answer's content characters.
           Without ``prompt_chars`` that is the answer alone: a lower bound.
        4. ``unknown`` (``usd`` is ``None``): no reported cost and an unpriced or unnamed
           model; or no text to estimate from (an error response that produced no content
           is unknown too: Eden AI does not charge failed attempts, but nothing says whether
           this one was charged).
        """
        reported = observation.cost
        if reported is not None and math.isfinite(reported) and reported >= 0:
            return CostResult(float(reported), COST_REPORTED)
        model = observation.served_model
        if model is None and request_model and request_model.strip() != ROUTED_MODEL:
            model = request_model
        found = self._table.lookup(model, observation.provider) if model else None
        if found is None:
            return CostResult(None, COST_UNKNOWN)
        model_id, price = found
        if observation.input_tokens is not None or observation.output_tokens is not None:
            usd = usd_for(
                price,
                input_tokens=observation.input_tokens or 0,
                output_tokens=observation.output_tokens or 0,
                cached_tokens=observation.cached_tokens or 0,
                cache_write_tokens=observation.cache_write_tokens or 0,
            )
            return CostResult(usd, COST_PRICE_TABLE, model_id)
        if observation.error_code is not None and observation.content_chars == 0:
            return CostResult(None, COST_UNKNOWN)
        input_tokens = estimate_tokens(prompt_chars or 0)
        output_tokens = estimate_tokens(observation.content_chars)
        if input_tokens == 0 and output_tokens == 0:
            return CostResult(None, COST_UNKNOWN)
        usd = usd_for(price, input_tokens=input_tokens, output_tokens=output_tokens)
        return CostResult(usd, COST_ESTIMATED, model_id)

    def price_of(
        self,
        model: str,
        input_tokens: int,
        output_tokens: int,
        cached_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> float | None:
        """Return what these tokens cost on ``model`` (any spelling); ``None`` if unpriced."""
        found = self._table.lookup(model)
        if found is None:
            return None
        return usd_for(
            found[1],
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cached_tokens=cached_tokens,
            cache_write_tokens=cache_write_tokens,
        )

    def most_expensive(
        self, candidates: Iterable[str], input_tokens: int, output_tokens: int
    ) -> tuple[str, float] | None:
        """Return the candidate (as spelled) on which these tokens cost most, and that cost.

        Unpriced candidates are skipped (``None`` if none is priced); on a tie the first
        wins. This is the ``max_candidate`` savings baseline.
        """
        best: tuple[str, float] | None = None
        for candidate in candidates:
            usd = self.price_of(candidate, input_tokens, output_tokens)
            if usd is not None and (best is None or usd > best[1]):
                best = (candidate, usd)
        return best


def usd_for(
    price: ModelPrice,
    *,
    input_tokens: int,
    output_tokens: int,
    cached_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> float:
    """USD for a usage object's tokens.

    ``(prompt - cached - cache_write) x input + cached x cache_read + cache_write x
    write_price + completion x output``. Cached and cache-write tokens are part of the prompt
    count (OpenAI's ``prompt_tokens_details`` convention; the emulator counts them so too),
    so each prompt token is charged once, at its own rate: a cache hit at the cache-read
    price, a cache write at the write price, the rest at the input price. (Charging the whole
    prompt at the input price and writes on top charges a written token twice: the double
    count LiteLLM shipped, BerriAI/litellm#9812.)

    Fallbacks: a model without a cache-read price charges cache hits the input price (no
    discount). The write price is the input price when the model has no cache-write price
    (OpenAI: no write fee); the cache-write price when it is at least the input price (a full
    price, LiteLLM's meaning: Anthropic's 1.25x input); and the input price plus the
    cache-write price when that is lower (no provider sells a write for less than reading the
    token, so a lower figure is a surcharge, such as Eden AI's Gemini entries, which price
    cache storage; a 0 means no surcharge).

    Counts are clamped to be consistent (cached and written tokens never exceed the prompt;
    negatives count as 0), so the result is never negative.
    """
    prompt = max(input_tokens, 0)
    cached = min(max(cached_tokens, 0), prompt)
    written = min(max(cache_write_tokens, 0), prompt - cached)
    read_price = price.input if price.cache_read is None else price.cache_read
    return (
        (prompt - cached - written) * price.input
        + cached * read_price
        + written * _write_price(price)
        + max(output_tokens, 0) * price.output
    )


def _write_price(price: ModelPrice) -> float:
    if price.cache_write is None:
        return price.input
    if price.cache_write >= price.input:
        return price.cache_write
    return price.input + price.cache_write


def estimate_tokens(chars: int) -> int:
    """Tokens in ``chars`` characters of text, rounded up (0 for none)."""
    return -(-max(chars, 0) // CHARS_PER_TOKEN)


def savings(actual_usd: float, baseline_usd: float) -> float:
    """Return what routing saved: ``baseline - actual``, negative when it cost more."""
    return baseline_usd - actual_usd
