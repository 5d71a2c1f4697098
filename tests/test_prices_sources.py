"""Where prices come from: the user's file, then genai-prices, then the built-in table."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from routing_otel import _semconv as sc
from routing_otel._cost import sources
from routing_otel._cost.economics import _load_table
from routing_otel._cost.library import library_prices
from routing_otel._cost.model import CostModel
from routing_otel._cost.prices import PRICES_FILE_ENV, load_builtin_table
from routing_otel._cost.sources import PriceSources
from routing_otel._wire.observation import Observation
from routing_otel.cli.prices import main

if TYPE_CHECKING:
    from pathlib import Path

# A dozen current models by the names Eden AI serves them under, across providers.
CURRENT = [
    "openai/gpt-4.1",
    "openai/gpt-5",
    "openai/gpt-5-mini",
    "openai/o4-mini",
    "anthropic/claude-opus-4-1",
    "anthropic/claude-haiku-4-5",
    "google/gemini-2.5-flash",
    "google/gemini-2.5-flash-lite",
    "mistral/mistral-large-latest",
    "mistral/mistral-small-latest",
    "deepseek/deepseek-chat",
    "xai/grok-4",
    "cohere/command-a-03-2025",
    "groq/llama-3.3-70b-versatile",
]


@pytest.fixture(autouse=True)
def _no_user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the real user's price file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(PRICES_FILE_ENV, raising=False)


def _user_file(tmp_path: Path, model: str, input_: float, output: float) -> Path:
    path = tmp_path / "prices.json"
    prices = {"input_cost_per_token": input_, "output_cost_per_token": output}
    path.write_text(json.dumps({model: prices}), encoding="utf-8")
    return path


def test_genai_prices_is_installed_in_the_test_environment() -> None:
    """The suite runs with the price library (the ``prices`` extra), so it is tested."""
    assert library_prices() is not None


def test_a_dozen_current_models_are_priced_by_genai_prices() -> None:
    """Every model of the list gets a price from genai-prices, from any provider."""
    prices = PriceSources.default()
    for model in CURRENT:
        found = prices.find(model)
        assert found is not None, model
        assert found.source == sources.LIBRARY, model
        assert found.entry.price is not None
        assert found.entry.price.input > 0, model
        assert found.entry.price.output > 0, model
        assert found.entry.id.split("/")[0] == model.split("/")[0], (model, found.entry.id)


def test_the_built_in_table_alone_priced_almost_none_of_them() -> None:
    """Before genai-prices, the same dozen fell to estimated or unknown but one."""
    builtin = load_builtin_table()
    priced = [model for model in CURRENT if builtin.lookup(model) is not None]
    assert priced == ["anthropic/claude-haiku-4-5"]


def test_without_genai_prices_the_built_in_table_still_prices() -> None:
    """Python 3.10 or no ``prices`` extra: the built-in table prices what it knows."""
    prices = PriceSources(load_builtin_table(), library=None)
    found = prices.find("gpt-4o-2024-08-06", "openai")
    assert found is not None
    assert found.source == sources.BUILTIN
    assert found.entry.id == "openai/gpt-4o"
    assert prices.find("xai/grok-4") is None


def test_the_users_price_file_comes_first(tmp_path: Path) -> None:
    """A model in the user's file is priced from it, though genai-prices knows it too."""
    path = _user_file(tmp_path, "openai/gpt-5", 1e-6, 2e-6)
    found = PriceSources.with_file(path).find("openai/gpt-5")
    assert found is not None
    assert found.source == sources.PRICE_FILE
    assert found.entry.origin == str(path)
    assert found.entry.price is not None
    assert found.entry.price.input == pytest.approx(1e-6)
    # A model the file lacks still goes to genai-prices, not the built-in table.
    other = PriceSources.with_file(path).find("openai/gpt-4o")
    assert other is not None
    assert other.source == sources.LIBRARY


def test_a_call_without_a_reported_cost_is_priced_from_genai_prices() -> None:
    """A served model only genai-prices knows costs tokens x its price (source price_table)."""
    model = CostModel(PriceSources.default())
    obs = Observation(raw_model="xai/grok-4", input_tokens=1000, output_tokens=500)
    result = model.cost(obs)
    price = PriceSources.default().lookup("xai/grok-4")
    assert price is not None
    assert result.source == sc.COST_PRICE_TABLE
    assert result.model == price[0]
    assert result.usd == pytest.approx(1000 * price[1].input + 500 * price[1].output)


def test_the_library_reads_edens_spellings() -> None:
    """Bare names with a provider, ``:latency`` and ``@eu`` suffixes resolve like the tables."""
    prices = PriceSources.default()
    assert prices.resolve("grok-4", "xai") == prices.resolve("xai/grok-4")
    assert prices.resolve("openai/gpt-5:latency") == "openai/gpt-5"
    assert prices.resolve("openai/gpt-5@eu") == "openai/gpt-5"


@pytest.mark.parametrize("name", ["", "@edenai", "/", "a/b/c", "openai/", "x" * 5000, " "])
def test_names_the_library_cannot_price_are_unpriced_not_errors(name: str) -> None:
    """Nothing a response or a caller names makes the price lookup raise."""
    library = library_prices()
    assert library is not None
    assert library.find(name) is None
    assert PriceSources.default().lookup(name) is None


def test_prices_are_the_ones_in_force_at_call_time() -> None:
    """A model with off-peak rates (DeepSeek) is priced at the rate of the moment, not cached."""
    library = library_prices()
    assert library is not None
    peak = library.find("deepseek/deepseek-chat", at=datetime(2026, 12, 7, 12, tzinfo=timezone.utc))
    off_peak = library.find(
        "deepseek/deepseek-chat", at=datetime(2026, 12, 7, 18, tzinfo=timezone.utc)
    )
    assert peak is not None
    assert off_peak is not None
    assert peak.price is not None
    assert off_peak.price is not None
    assert off_peak.price.input < peak.price.input


def test_tiered_prices_say_they_are_the_base_tier() -> None:
    """A model whose price rises with prompt size says the base tier is used."""
    found = PriceSources.default().find("google/gemini-2.5-pro")
    assert found is not None
    assert "base tier" in found.entry.note


def test_a_broken_price_file_still_prices_with_the_library(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A malformed price file is logged and skipped; genai-prices and the table still apply."""
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="routing_otel"):
        model = _load_table(str(path))
    assert "not valid JSON" in caplog.text
    assert model.table.resolve("xai/grok-4") is not None


@pytest.mark.parametrize(
    ("model", "source"),
    [
        ("xai/grok-4", "genai-prices"),
        ("claude-haiku-4-5-20251001", "genai-prices"),
    ],
)
def test_show_says_which_source_priced_a_model(
    model: str, source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``routing-otel prices show MODEL`` names the source of the price."""
    assert main(["show", model]) == 0
    assert f"  priced by    {source}\n" in capsys.readouterr().out


def test_show_says_when_the_users_file_priced_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--file``, a model of that file is shown as priced by the price file."""
    path = _user_file(tmp_path, "openai/gpt-5", 1e-6, 2e-6)
    assert main(["show", "openai/gpt-5", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  priced by    price file\n" in out
    assert "input        $1.00 per 1M tokens" in out
