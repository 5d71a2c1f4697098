"""Model prices from genai-prices (pydantic/genai-prices), a maintained price library.

Optional: installed with ``routing-otel[prices]`` (it needs Python 3.11+ and pydantic).
Without it, :func:`library_prices` is ``None`` and the other sources price calls. Only the
snapshot bundled with the installed release is read: no network access, ever.

Names are Eden AI's (``provider/model``, or a bare model with a provider hint); a provider
genai-prices spells differently is mapped (:data:`PROVIDERS`). A model priced in tiers by
prompt size (Gemini 2.5 Pro above 200k tokens, for instance) is priced at its base tier.
"""

from __future__ import annotations

import functools
import importlib
import logging
import time
from datetime import datetime, timezone
from decimal import Decimal
from importlib import metadata
from typing import TYPE_CHECKING, Any, Final

from routing_otel._cost.prices import ModelPrice, PriceEntry, _normalize

if TYPE_CHECKING:
    from types import ModuleType

LIBRARY: Final = "genai-prices"
# Eden AI's provider names where genai-prices uses another id.
PROVIDERS: Final = {
    "xai": "x-ai",
    "amazon": "aws",
    "bedrock": "aws",
    "vertex_ai": "google",
    "gemini": "google",
    "mistralai": "mistral",
}
_PER_MILLION: Final = Decimal(1_000_000)
_CACHE_SIZE: Final = 1024
logger = logging.getLogger("routing_otel")


class LibraryPrices:
    """Look models up in genai-prices' bundled snapshot; ``None`` for what it lacks."""

    __slots__ = ("_recent", "_snapshot", "origin")

    def __init__(self, snapshot: Any, version: str) -> None:
        """Wrap a genai-prices ``DataSnapshot`` (see :func:`library_prices`)."""
        self._snapshot = snapshot
        self.origin = f"{LIBRARY} {version}"
        # Prices in force this minute, per name: working out a price with genai-prices costs
        # more than the rest of a call's telemetry, and rates change by the hour at most.
        self._recent: dict[tuple[str, str | None], tuple[int, PriceEntry | None]] = {}

    def find(
        self, model: str, provider: str | None = None, *, at: datetime | None = None
    ) -> PriceEntry | None:
        """The price of ``model`` (``provider/model``, or bare with ``provider``), else ``None``.

        The price in force now: genai-prices knows price changes by date and time of day
        (off-peak rates). Never raises: a name it cannot parse is simply not priced here.
        """
        minute = int(time.time() // 60)
        key = (model, provider)
        if at is None and (cached := self._recent.get(key)) is not None and cached[0] == minute:
            return cached[1]
        try:
            found = self._model(_normalize(model), _normalize(provider) if provider else None)
            when = at or datetime.now(tz=timezone.utc)
            entry = None if found is None else _entry(*found, when, origin=self.origin)
        except Exception:  # a library's bug must not break pricing: the next source applies
            logger.debug("routing-otel: %s failed on %r", LIBRARY, model)
            return None
        if at is None:
            if len(self._recent) >= _CACHE_SIZE:
                self._recent.clear()
            self._recent[key] = (minute, entry)
        return entry

    @functools.lru_cache(maxsize=_CACHE_SIZE)  # noqa: B019  (one instance per process)
    def _model(self, name: str, hint: str | None) -> tuple[str, Any, Any] | None:
        """(our provider name, genai-prices' provider, its model) for a name; cached."""
        if not name or name.startswith("@"):  # `@edenai` names no model
            return None
        provider, bare = name.split("/", 1) if "/" in name else (hint, name)
        try:
            found_provider, info = self._snapshot.find_provider_model(
                bare, None, PROVIDERS.get(provider, provider) if provider else None, None
            )
        except LookupError:
            return None
        return provider or found_provider.id, found_provider, info


def _entry(
    provider: str, found_provider: Any, info: Any, at: datetime, *, origin: str
) -> PriceEntry | None:
    prices = info.get_prices(at)
    price = _model_price(prices)
    if price is None:
        return None
    tiered = any(_is_tiered(getattr(prices, key)) for key in _KEYS)
    return PriceEntry(
        id=f"{provider}/{info.id}".lower(),
        price=price,
        origin=origin,
        note=f"{found_provider.name}, {info.name or info.id}"
        + (" (base tier: larger prompts cost more)" if tiered else ""),
    )


_KEYS: Final = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")


def _model_price(prices: Any) -> ModelPrice | None:
    """Per-token USD from genai-prices' per-million prices (base tier of tiered ones)."""
    input_, output, cache_read, cache_write = (_per_token(getattr(prices, key)) for key in _KEYS)
    if input_ is None or output is None:  # images, audio, per-request prices: not ours
        return None
    return ModelPrice(input_, output, cache_read, cache_write)


def _per_token(value: object) -> float | None:
    if _is_tiered(value):
        value = getattr(value, "base", None)
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return float(Decimal(value) / _PER_MILLION)
    return None


def _is_tiered(value: object) -> bool:
    return value is not None and hasattr(value, "tiers") and hasattr(value, "base")


@functools.cache
def library_prices() -> LibraryPrices | None:
    """The installed genai-prices' bundled prices, or ``None`` when it is not installed."""
    module = _import("genai_prices.data_snapshot")
    if module is None:
        return None
    try:
        return LibraryPrices(module.get_snapshot(), metadata.version(LIBRARY))
    except Exception:  # an incompatible release: price without it
        logger.warning("routing-otel: %s is installed but unusable", LIBRARY, exc_info=True)
        return None


def _import(name: str) -> ModuleType | None:
    """Import an optional module: ``None`` only when genai-prices itself is missing."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and error.name.split(".")[0] == "genai_prices":
            return None
        logger.warning("routing-otel: %s is installed but broken: %s", LIBRARY, error)
        return None
