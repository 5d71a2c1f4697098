"""Per-token model prices: tables, the files they load from, and names that resolve.

A :class:`PriceTable` maps canonical model ids (``provider/model``, lower case) to a
:class:`ModelPrice` in USD per token. Tables load from the built-in ``prices.json``, from a
file in Eden AI's ``/v3/models`` format (what ``routing-otel prices pull`` writes), or from
LiteLLM's ``model_prices_and_context_window.json`` format; :meth:`PriceTable.merged` lets a
user's entries replace built-in ones. Loading is the only I/O; everything else is pure.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

PRICES_FILE_ENV: Final = "ROUTING_OTEL_PRICES_FILE"
_INPUT, _OUTPUT = "input_cost_per_token", "output_cost_per_token"
_CACHE_READ, _CACHE_WRITE = "cache_read_input_token_cost", "cache_creation_input_token_cost"
_MAX_ALIAS_HOPS = 8
# Dated snapshots: gpt-4o-2024-08-06, claude-sonnet-4-5-20250929, Vertex's
# claude-sonnet-4-5@20250929 and Google's gemini-2.0-flash-001. Nothing looser: a name that
# is not the family name plus one of these suffixes must not borrow the family's price.
_SNAPSHOT = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-0\d\d)$")
_REGION = re.compile(r"@[a-z][a-z0-9_-]*$")  # Eden's `@eu` routing suffix
_LATENCY = ":latency"
# LiteLLM's provider names where Eden AI's differ (its `gemini/` is Google AI Studio).
_LITELLM_PROVIDERS: Final = {"gemini": "google", "text-completion-openai": "openai"}


class PriceFileError(ValueError):
    """A price file or document that is not a usable price table: which one, and why."""

    def __init__(self, origin: str, problem: str) -> None:
        """Name the file (or URL) and the problem, e.g. ``data[3].pricing is not an object``."""
        super().__init__(f"{origin}: {problem}")
        self.origin = origin
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per token. A cache price of ``None`` means "charged at the input price"."""

    input: float
    output: float
    cache_read: float | None = None
    cache_write: float | None = None

    def __post_init__(self) -> None:
        """Refuse prices that would make costs negative or NaN."""
        for name in ("input", "output", "cache_read", "cache_write"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} price must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """One model of a table: its price, the model it is an alias of, or both."""

    id: str  # canonical: lower case, `provider/model` when the provider is known
    price: ModelPrice | None
    alias_of: str | None = None
    names: tuple[str, ...] = ()  # other spellings, e.g. the upstream's dated name
    origin: str = ""  # the file, URL or built-in table it came from
    note: str = ""  # where the price comes from, when the file says


class PriceTable:
    """An immutable set of model prices, looked up by any reasonable spelling of a name."""

    __slots__ = ("_bare", "_entries")

    def __init__(self, entries: Iterable[PriceEntry] = ()) -> None:
        """Index the entries; a later entry with the same id replaces an earlier one."""
        by_id = {entry.id: entry for entry in entries}
        self._entries: Mapping[str, PriceEntry] = MappingProxyType(by_id)
        bare: dict[str, list[str]] = {}
        for entry in by_id.values():
            spellings = [_model_part(entry.id)]
            if entry.alias_of is None:  # an alias's upstream name means the real model
                spellings += entry.names
            for spelling in dict.fromkeys(spellings):
                bare.setdefault(spelling, []).append(entry.id)
        self._bare: Mapping[str, tuple[str, ...]] = {k: tuple(v) for k, v in bare.items()}

    @property
    def entries(self) -> Mapping[str, PriceEntry]:
        """Every entry by canonical id (read-only)."""
        return self._entries

    def __len__(self) -> int:
        """How many entries carry a price of their own."""
        return sum(1 for entry in self._entries.values() if entry.price is not None)

    def __repr__(self) -> str:
        """Show the size, not the contents."""
        return f"<PriceTable {len(self)} priced models, {len(self._entries)} entries>"

    def merged(self, override: PriceTable) -> PriceTable:
        """Return this table with ``override``'s entries replacing those with the same id."""
        return PriceTable([*self._entries.values(), *override.entries.values()])

    def resolve(self, model: str, provider: str | None = None) -> str | None:
        """Return the canonical id of the priced model ``model`` names, else ``None``.

        Case, Eden's ``:latency`` and ``@eu`` suffixes and surrounding spaces are ignored.
        In order, the first hit wins: the exact id (``provider/model`` when ``model`` is bare
        and ``provider`` is given, then ``model`` itself), following ``alias_of``; then the
        bare model name (``gpt-4o``, or an upstream name such as ``gpt-4o-mini-2024-07-18``)
        when it names one priced model, or several with the given provider or one price.
        Only then is a snapshot suffix (``-2024-08-06``, ``-20250929``, ``-001``) dropped and
        the same steps repeated, so a dated name listed in the table keeps its own price.
        Names are never matched by prefix: ``gpt-4o-mini`` does not fall back to ``gpt-4o``.
        """
        name = _normalize(model)
        if not name or name.startswith("@"):  # `@edenai`: routed, names no model
            return None
        hint = _normalize(provider) if provider else None
        for spelling in dict.fromkeys((name, _SNAPSHOT.sub("", name))):
            found = self._resolve_spelling(spelling, hint)
            if found is not None:
                return found
        return None

    def lookup(self, model: str, provider: str | None = None) -> tuple[str, ModelPrice] | None:
        """Return ``(canonical id, price)`` for a model name, else ``None``."""
        model_id = self.resolve(model, provider)
        if model_id is None:
            return None
        price = self._entries[model_id].price
        return None if price is None else (model_id, price)

    def _resolve_spelling(self, name: str, hint: str | None) -> str | None:
        if "/" not in name and hint:
            found = self._follow(f"{hint}/{name}")
            if found is not None:
                return found
        found = self._follow(name)
        if found is not None:
            return found
        if "/" in name:
            hint, name = name.split("/", 1)
        return self._by_bare(name, hint)

    def _follow(self, model_id: str, hops: int = 0) -> str | None:
        """Return the priced id ``model_id`` stands for, through aliases; ``None`` if none."""
        entry = self._entries.get(model_id)
        if entry is None or hops > _MAX_ALIAS_HOPS:  # the bound also ends alias cycles
            return None
        if entry.alias_of is not None:
            target = self._follow(entry.alias_of, hops + 1)
            if target is not None:
                return target
        return model_id if entry.price is not None else None

    def _by_bare(self, bare: str, hint: str | None) -> str | None:
        found = [
            resolved
            for model_id in self._bare.get(bare, ())
            if (resolved := self._follow(model_id)) is not None
        ]
        found = list(dict.fromkeys(found))
        if hint is not None:
            same_provider = [model_id for model_id in found if _provider_part(model_id) == hint]
            if len(same_provider) == 1:
                return same_provider[0]
        if len({self._entries[model_id].price for model_id in found}) == 1:
            return min(found)  # one model, or several at one price: any is right
        return None  # unknown, or ambiguous: never guess


def parse_price_document(document: object, *, origin: str) -> PriceTable:
    """Read a decoded JSON document in either format: ``/v3/models`` if it has ``data``."""
    if isinstance(document, dict) and "data" in document:
        return parse_catalogue(document, origin=origin)
    return parse_litellm(document, origin=origin)


def parse_catalogue(document: object, *, origin: str) -> PriceTable:
    """Read Eden AI's ``/v3/models`` format: ``pricing`` (after discount), else ``list_pricing``.

    Entries with neither a price nor ``alias_of`` are skipped; unknown keys are ignored.
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise PriceFileError(origin, "expected a /v3/models object with a 'data' list")
    entries = []
    for index, item in enumerate(document["data"]):
        where = f"data[{index}]"
        if not isinstance(item, dict):
            raise PriceFileError(origin, f"{where} is not an object")
        model_id = _required_text(item.get("id"), origin, f"{where}.id")
        price = _price(item.get("pricing"), origin, f"{where}.pricing") or _price(
            item.get("list_pricing"), origin, f"{where}.list_pricing"
        )
        alias_of = _text(item.get("alias_of"), origin, f"{where}.alias_of")
        model_name = _text(item.get("model_name"), origin, f"{where}.model_name")
        if price is None and alias_of is None:
            continue
        entries.append(
            PriceEntry(
                id=_normalize(model_id),
                price=price,
                alias_of=_normalize(alias_of) if alias_of else None,
                names=(_normalize(model_name),) if model_name else (),
                origin=origin,
                note=item["source"] if isinstance(item.get("source"), str) else "",
            )
        )
    return _non_empty(PriceTable(entries), origin)


def parse_litellm(document: object, *, origin: str) -> PriceTable:
    """Read LiteLLM's format: model name to ``{input_cost_per_token, ..., litellm_provider}``.

    A bare name is given its ``litellm_provider`` (``gpt-4o`` becomes ``openai/gpt-4o``) and
    LiteLLM's ``gemini/`` prefix reads as Eden AI's ``google/``. Entries without both token
    prices (images, audio, LiteLLM's ``sample_spec``) and non-object values are skipped.
    """
    if not isinstance(document, dict):
        raise PriceFileError(origin, "expected a JSON object (Eden AI /v3/models or LiteLLM)")
    entries = []
    for key, item in document.items():
        if key == "sample_spec" or not isinstance(item, dict):
            continue
        price = _price(item, origin, repr(key))
        if price is None:
            continue
        provider = item.get("litellm_provider")
        entries.append(
            PriceEntry(
                id=_litellm_id(_normalize(key), provider if isinstance(provider, str) else None),
                price=price,
                origin=origin,
            )
        )
    return _non_empty(PriceTable(entries), origin)


def load_price_file(path: str | os.PathLike[str]) -> PriceTable:
    """Load a price file in either format; :class:`PriceFileError` says what is wrong."""
    origin = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise PriceFileError(origin, f"cannot read the file: {reason}") from error
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PriceFileError(origin, f"not valid JSON: {error}") from error
    return parse_price_document(document, origin=origin)


@functools.cache
def load_builtin_table() -> PriceTable:
    """Return the table shipped with the library (``routing_otel/_cost/prices.json``)."""
    return parse_catalogue(_builtin_document(), origin=f"built-in table (as of {builtin_as_of()})")


def builtin_as_of() -> str:
    """Return the date the built-in table's prices were compiled (its ``as_of``)."""
    return str(_builtin_document()["as_of"])


@functools.cache
def _builtin_document() -> dict[str, object]:
    text = resources.files("routing_otel._cost").joinpath("prices.json").read_text(encoding="utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def default_prices_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's price file lives: ``$ROUTING_OTEL_PRICES_FILE``, else the XDG path.

    The XDG path is ``$XDG_CONFIG_HOME/routing-otel/prices.json``, with ``XDG_CONFIG_HOME``
    defaulting to ``~/.config``.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(PRICES_FILE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    config_home = env.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config_home) if Path(config_home).is_absolute() else Path.home() / ".config"
    return base / "routing-otel" / "prices.json"


def load_default_table(environ: Mapping[str, str] | None = None) -> PriceTable:
    """Return the built-in table, overridden by the user's price file when there is one.

    A missing file at the XDG path is normal (nothing pulled yet); a missing file named by
    ``$ROUTING_OTEL_PRICES_FILE`` is a :class:`PriceFileError`, as is a malformed one.
    """
    env = os.environ if environ is None else environ
    path = default_prices_path(env)
    builtin = load_builtin_table()
    if not env.get(PRICES_FILE_ENV, "").strip() and not path.is_file():
        return builtin
    return builtin.merged(load_price_file(path))


def _normalize(name: str) -> str:
    name = _REGION.sub("", name.strip().lower())
    name = name.removesuffix(_LATENCY)
    return _REGION.sub("", name)


def _model_part(model_id: str) -> str:
    return model_id.split("/", 1)[1] if "/" in model_id else model_id


def _provider_part(model_id: str) -> str | None:
    return model_id.split("/", 1)[0] if "/" in model_id else None


def _litellm_id(key: str, provider: str | None) -> str:
    if "/" in key:
        prefix, rest = key.split("/", 1)
        return f"{_LITELLM_PROVIDERS.get(prefix, prefix)}/{rest}"
    if not provider:
        return key
    provider = provider.strip().lower()
    if provider.startswith("vertex_ai"):  # vertex_ai-language-models, vertex_ai-anthropic_...
        provider = "vertex_ai"
    return f"{_LITELLM_PROVIDERS.get(provider, provider)}/{key}"


def _price(prices: object, origin: str, where: str) -> ModelPrice | None:
    """Read LiteLLM key names; ``None`` when absent or without both token prices."""
    if prices is None:
        return None
    if not isinstance(prices, dict):
        raise PriceFileError(origin, f"{where} is not an object")
    input_, output, cache_read, cache_write = (
        _number(prices.get(key), origin, f"{where}.{key}")
        for key in (_INPUT, _OUTPUT, _CACHE_READ, _CACHE_WRITE)
    )
    if input_ is None or output is None:
        return None
    return ModelPrice(input_, output, cache_read, cache_write)


def _number(value: object, origin: str, where: str) -> float | None:
    if value is None:
        return None
    # bool is an int to Python, never a price.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PriceFileError(origin, f"{where} must be a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise PriceFileError(origin, f"{where} must be a finite number >= 0, got {value!r}")
    return float(value)


def _text(value: object, origin: str, where: str) -> str | None:
    return None if value is None else _required_text(value, origin, where)


def _required_text(value: object, origin: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PriceFileError(origin, f"{where} must be a non-empty string, got {value!r}")
    return value


def _non_empty(table: PriceTable, origin: str) -> PriceTable:
    if len(table) == 0:
        raise PriceFileError(
            origin,
            "no model prices found (expected Eden AI's /v3/models format, with "
            "data[].pricing, or LiteLLM's, with input_cost_per_token and output_cost_per_token)",
        )
    return table
