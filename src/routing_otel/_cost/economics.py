"""What a call cost and what routing saved: the cost model applied to one finished call.

Cost comes from, in order: Eden's reported ``cost``; usage tokens times the prices
(the user's price file, genai-prices, the built-in table);
an estimate from text length; else unknown (never $0). Savings compare a routed call's
cost with what the same tokens would have cost on a baseline model: a fixed model, or
``max_candidate``, the most expensive candidate of the request's pool. Calls without
candidates go to Eden's default pool, which the client cannot see; their baseline is
``openai/gpt-4o``, the model the router itself falls back to without candidates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc
from routing_otel._cost.library import library_prices
from routing_otel._cost.model import CostModel, CostResult
from routing_otel._cost.prices import PriceFileError, load_builtin_table
from routing_otel._cost.sources import PriceSources
from routing_otel._safety import guarded

if TYPE_CHECKING:
    from routing_otel._options import Options
    from routing_otel._wire.observation import Observation
    from routing_otel._wire.request import ChatRequest

MAX_CANDIDATE = "max_candidate"
DEFAULT_POOL_BASELINE = "openai/gpt-4o"
logger = logging.getLogger("routing_otel")


@dataclass(frozen=True, slots=True)
class Assessment:
    """The economics of one call."""

    cost: CostResult
    savings_usd: float | None = None
    baseline_model: str | None = None


_UNKNOWN = Assessment(CostResult(None, sc.COST_UNKNOWN))


def _load_table(prices_file: str | None) -> CostModel:
    try:
        return CostModel(PriceSources.for_file(Path(prices_file) if prices_file else None))
    except (PriceFileError, OSError) as exc:
        # A broken price file must not break the app: price without it.
        logger.warning("routing-otel: %s; using the built-in prices", exc)
        return CostModel(PriceSources(load_builtin_table(), library_prices()))


class Economics:
    """Prices calls with one cost model and one savings baseline."""

    __slots__ = ("_baseline", "_model")

    def __init__(self, options: Options) -> None:
        """Load the price table named by ``options`` (or the default one) once."""
        self._model = _load_table(options.prices_file)
        self._baseline = options.savings_baseline

    @guarded(default=_UNKNOWN)
    def assess(self, request: ChatRequest, observation: Observation | None) -> Assessment:
        """The cost of a finished call and, for routed calls, its savings."""
        if observation is None:
            return _UNKNOWN
        cost = self._model.cost(
            observation, request_model=request.model, prompt_chars=request.prompt_chars
        )
        if not request.routed or cost.usd is None:
            return Assessment(cost)
        baseline = self._baseline_cost(request, observation)
        if baseline is None:
            return Assessment(cost)
        model, usd = baseline
        if cost.model is not None and self._model.table.resolve(model) == cost.model:
            # The router chose the baseline itself: nothing saved or lost, by definition
            # (a reported cost and a table price differ by rounding, not by routing).
            return Assessment(cost, savings_usd=0.0, baseline_model=model)
        return Assessment(cost, savings_usd=usd - cost.usd, baseline_model=model)

    def _baseline_cost(
        self, request: ChatRequest, observation: Observation
    ) -> tuple[str, float] | None:
        tokens_in = observation.input_tokens
        tokens_out = observation.output_tokens
        if tokens_in is None or tokens_out is None:
            return None
        if self._baseline == MAX_CANDIDATE:
            candidates = request.candidates or [DEFAULT_POOL_BASELINE]
            return self._model.most_expensive(candidates, tokens_in, tokens_out)
        usd = self._model.price_of(
            self._baseline,
            tokens_in,
            tokens_out,
            cached_tokens=observation.cached_tokens or 0,
            cache_write_tokens=observation.cache_write_tokens or 0,
        )
        return None if usd is None else (self._baseline, usd)
