"""Where a model's price comes from: the user's price file, genai-prices, the built-in table.

In that order, the first that prices a name wins. The user's file (``routing-otel prices
pull``, ``$ROUTING_OTEL_PRICES_FILE`` or ``prices_file=``) says what the account really pays;
genai-prices is maintained and covers hundreds of models; the built-in table is kept for
what genai-prices lacks (and for Python 3.10, which genai-prices does not support). Every
one of them yields ``llm.router.cost.source="price_table"``: ``prices show MODEL`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from routing_otel._cost.library import LibraryPrices, library_prices
from routing_otel._cost.prices import (
    load_builtin_table,
    load_default_table,
    load_price_file,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from routing_otel._cost.prices import ModelPrice, PriceEntry, PriceTable

PRICE_FILE: Final = "price file"
LIBRARY: Final = "genai-prices"
BUILTIN: Final = "built-in table"


class Prices(Protocol):
    """What the cost model needs of its prices."""

    def lookup(self, model: str, provider: str | None = None) -> tuple[str, ModelPrice] | None:
        """``(canonical id, price)`` of a model name, else ``None``."""

    def resolve(self, model: str, provider: str | None = None) -> str | None:
        """The canonical id of the priced model a name means, else ``None``."""


@dataclass(frozen=True, slots=True)
class Priced:
    """A price found, and which of the sources gave it (:data:`PRICE_FILE`, ...)."""

    source: str
    entry: PriceEntry


class PriceSources:
    """The price file, genai-prices and the built-in table, asked in that order."""

    __slots__ = ("_builtin_origin", "_library", "_table")

    def __init__(self, table: PriceTable, library: LibraryPrices | None) -> None:
        """``table``: the built-in table merged with the user's file (if any)."""
        self._table = table
        self._library = library
        self._builtin_origin = next(iter(load_builtin_table().entries.values())).origin

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> PriceSources:
        """The user's default price file (if any), genai-prices (if installed), built-in."""
        return cls(load_default_table(environ), library_prices())

    @classmethod
    def with_file(cls, path: str | os.PathLike[str]) -> PriceSources:
        """A given price file, genai-prices (if installed), built-in; PriceFileError if bad."""
        return cls(load_builtin_table().merged(load_price_file(path)), library_prices())

    @classmethod
    def for_file(cls, path: str | os.PathLike[str] | None) -> PriceSources:
        """:meth:`with_file` when a path is given, else :meth:`default`."""
        return cls.default() if path is None else cls.with_file(path)

    @property
    def table(self) -> PriceTable:
        """The built-in table merged with the user's file."""
        return self._table

    @property
    def library(self) -> LibraryPrices | None:
        """genai-prices' bundled prices, when installed."""
        return self._library

    def find(self, model: str, provider: str | None = None) -> Priced | None:
        """The first source pricing ``model``, and its entry; ``None`` when none does."""
        model_id = self._table.resolve(model, provider)
        entry = self._table.entries[model_id] if model_id is not None else None
        if entry is not None and entry.origin != self._builtin_origin:
            return Priced(PRICE_FILE, entry)
        if self._library is not None:
            found = self._library.find(model, provider)
            if found is not None:
                return Priced(LIBRARY, found)
        return Priced(BUILTIN, entry) if entry is not None else None

    def lookup(self, model: str, provider: str | None = None) -> tuple[str, ModelPrice] | None:
        """``(canonical id, price)`` from the first source that prices ``model``."""
        found = self.find(model, provider)
        if found is None or found.entry.price is None:
            return None
        return found.entry.id, found.entry.price

    def resolve(self, model: str, provider: str | None = None) -> str | None:
        """The canonical id the first pricing source gives ``model``."""
        found = self.lookup(model, provider)
        return None if found is None else found[0]
