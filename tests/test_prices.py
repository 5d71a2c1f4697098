"""Price tables: the built-in table, both file formats, malformed files, names, merging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routing_otel._cost.prices import (
    PRICES_FILE_ENV,
    ModelPrice,
    PriceEntry,
    PriceFileError,
    PriceTable,
    builtin_as_of,
    default_prices_path,
    load_builtin_table,
    load_default_table,
    load_price_file,
    parse_catalogue,
    parse_litellm,
    parse_price_document,
)
from routing_otel.emulator._catalogue import CATALOGUE, catalogue_body

GUIDE_MODELS = [
    "openai/gpt-4o-mini",
    "openai/gpt-4o",
    "google/gemini-2.0-flash",
    "google/gemini-2.5-pro",
    "anthropic/claude-haiku-4-5",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-opus-4-5",
]


def _prices(input_: Any, output: Any) -> dict[str, Any]:
    return {"input_cost_per_token": input_, "output_cost_per_token": output}


def _table(*entries: tuple[str, float, float]) -> PriceTable:
    return PriceTable(PriceEntry(model_id, ModelPrice(i, o)) for model_id, i, o in entries)


def _write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# --- the built-in table -------------------------------------------------------------------


def test_builtin_table_prices_every_guide_model() -> None:
    """Every model the router guides use has input, output and cache-read prices."""
    table = load_builtin_table()
    for model_id in GUIDE_MODELS:
        price = table.entries[model_id].price
        assert price is not None, model_id
        assert price.input > 0
        assert price.output > price.input  # output costs more for all of them
        assert price.cache_read is not None
        assert price.cache_read < price.input


def test_builtin_table_states_its_sources_and_date() -> None:
    """The file carries a table-level source and date, and a source note per model."""
    table = load_builtin_table()
    assert builtin_as_of() == "2026-11-22"
    for entry in table.entries.values():
        assert entry.note, entry.id
        assert entry.origin == "built-in table (as of 2026-11-22)"


def test_builtin_anthropic_models_price_cache_writes() -> None:
    """Anthropic bills cache writes at 1.25x input (5-minute TTL); the table says so."""
    table = load_builtin_table()
    for model_id in GUIDE_MODELS:
        price = table.entries[model_id].price
        assert price is not None
        if model_id.startswith("anthropic/"):
            assert price.cache_write == pytest.approx(price.input * 1.25)
            assert price.cache_read == pytest.approx(price.input * 0.1)
        else:  # OpenAI and Google charge no per-token write premium
            assert price.cache_write is None


def test_builtin_list_prices_agree_with_the_emulator_catalogue() -> None:
    """Input and output list prices match the emulator's catalogue for the guide models."""
    table = load_builtin_table()
    for spec in CATALOGUE:
        if spec.id in GUIDE_MODELS:
            price = table.entries[spec.id].price
            assert price is not None
            assert (price.input, price.output) == (spec.input_cost, spec.output_cost)


# --- the /v3/models format ----------------------------------------------------------------


def test_catalogue_reads_the_emulator_models_view() -> None:
    """The emulator's /v3/models body loads: every entry priced, aliases recorded."""
    table = parse_catalogue(catalogue_body(discount=0.0, view="models"), origin="emulator")
    assert len(table) == len(CATALOGUE)
    latest = table.entries["google/gemini-flash-latest"]
    assert latest.alias_of == "google/gemini-2.5-flash"
    gpt = table.entries["openai/gpt-4o"]
    assert gpt.names == ("gpt-4o-2024-08-06",)
    assert gpt.price == ModelPrice(2.5e-6, 1e-5, 1.25e-6, 0.0)


def test_catalogue_reads_the_endpoints_view_too() -> None:
    """The default view (with endpoints) reads the same prices."""
    models = parse_catalogue(catalogue_body(discount=0.0, view="models"), origin="a")
    endpoints = parse_catalogue(catalogue_body(discount=0.0, view="endpoints"), origin="b")
    assert {k: e.price for k, e in models.entries.items()} == {
        k: e.price for k, e in endpoints.entries.items()
    }


def test_catalogue_prefers_pricing_after_discount() -> None:
    """``pricing`` (after the account discount) wins over ``list_pricing``."""
    table = parse_catalogue(catalogue_body(discount=0.25, view="models"), origin="emulator")
    price = table.entries["openai/gpt-4o"].price
    assert price is not None
    assert price.input == pytest.approx(2.5e-6 * 0.75)


def test_catalogue_falls_back_to_list_pricing() -> None:
    """Without ``pricing`` (or an incomplete one) the list price is used."""
    document = {
        "data": [
            {"id": "x/a", "list_pricing": {"input_cost_per_token": 1, "output_cost_per_token": 2}},
            {
                "id": "x/b",
                "pricing": {"input_cost_per_token": 5},
                "list_pricing": {"input_cost_per_token": 3, "output_cost_per_token": 4},
            },
        ]
    }
    table = parse_catalogue(document, origin="f")
    assert table.entries["x/a"].price == ModelPrice(1.0, 2.0)
    assert table.entries["x/b"].price == ModelPrice(3.0, 4.0)


def test_catalogue_tolerates_unknown_keys_and_skips_unpriced_models() -> None:
    """Extra keys anywhere are ignored; a model without any price is left out."""
    document = {
        "object": "list",
        "next_page": None,
        "data": [
            {
                "id": "x/a",
                "pricing": {
                    "input_cost_per_token": 1e-6,
                    "output_cost_per_token": 2e-6,
                    "input_cost_per_audio_token": 9e-6,
                },
                "new_field": {"nested": [1, 2]},
            },
            {"id": "x/free-form", "capabilities": {}},
        ],
    }
    table = parse_catalogue(document, origin="f")
    assert set(table.entries) == {"x/a"}


def test_price_document_detects_the_format() -> None:
    """A document with ``data`` is a catalogue; any other object is LiteLLM's format."""
    catalogue = {"data": [{"id": "x/a", "pricing": _prices(1, 2)}]}
    litellm = {"x/a": _prices(1, 2)}
    assert parse_price_document(catalogue, origin="f").entries["x/a"].price == ModelPrice(1, 2)
    assert parse_price_document(litellm, origin="f").entries["x/a"].price == ModelPrice(1, 2)


# --- LiteLLM's format ---------------------------------------------------------------------


def test_litellm_bare_names_take_their_provider() -> None:
    """``gpt-4o`` with ``litellm_provider: openai`` becomes ``openai/gpt-4o``."""
    document = {
        "gpt-4o": {**_prices(2.5e-6, 1e-5), "litellm_provider": "openai", "mode": "chat"},
        "claude-sonnet-4-5-20250929": {
            **_prices(3e-6, 1.5e-5),
            "cache_read_input_token_cost": 3e-7,
            "cache_creation_input_token_cost": 3.75e-6,
            "litellm_provider": "anthropic",
        },
        "gemini-2.5-pro": {**_prices(1, 2), "litellm_provider": "vertex_ai-language-models"},
        "orphan-model": _prices(1, 2),
    }
    table = parse_litellm(document, origin="litellm.json")
    assert set(table.entries) == {
        "openai/gpt-4o",
        "anthropic/claude-sonnet-4-5-20250929",
        "vertex_ai/gemini-2.5-pro",
        "orphan-model",
    }
    sonnet = table.entries["anthropic/claude-sonnet-4-5-20250929"].price
    assert sonnet == ModelPrice(3e-6, 1.5e-5, 3e-7, 3.75e-6)


def test_litellm_gemini_prefix_reads_as_google() -> None:
    """LiteLLM's ``gemini/`` (Google AI Studio) is Eden AI's ``google/``."""
    table = parse_litellm({"gemini/gemini-2.0-flash": _prices(1, 2)}, origin="f")
    assert table.resolve("google/gemini-2.0-flash") == "google/gemini-2.0-flash"


def test_litellm_skips_what_is_not_a_token_price() -> None:
    """``sample_spec``, image models and non-object values are skipped, not errors."""
    document = {
        "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
        "dall-e-3": {"input_cost_per_pixel": 1e-8, "litellm_provider": "openai"},
        "comment": "generated file",
        "gpt-4o-mini": {**_prices(1.5e-7, 6e-7), "litellm_provider": "openai"},
    }
    table = parse_litellm(document, origin="f")
    assert set(table.entries) == {"openai/gpt-4o-mini"}


def test_litellm_zero_prices_are_prices() -> None:
    """A free model (price 0) is priced at 0, not unknown."""
    table = parse_litellm({"ollama/llama3": _prices(0, 0)}, origin="f")
    assert table.lookup("ollama/llama3") == ("ollama/llama3", ModelPrice(0.0, 0.0))


# --- malformed files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([1, 2], "expected a JSON object"),
        ({"data": {"id": "x"}}, "expected a /v3/models object with a 'data' list"),
        ({"data": ["x"]}, "data[0] is not an object"),
        ({"data": [{"pricing": _prices(1, 2)}]}, "data[0].id must be a non-empty string"),
        ({"data": [{"id": "a/b", "pricing": "cheap"}]}, "data[0].pricing is not an object"),
        (
            {"data": [{"id": "a/b", "pricing": _prices("1", 2)}]},
            "data[0].pricing.input_cost_per_token must be a number, got '1'",
        ),
        (
            {"data": [{"id": "a/b", "pricing": _prices(True, 2)}]},
            "data[0].pricing.input_cost_per_token must be a number, got True",
        ),
        (
            {"data": [{"id": "a/b", "pricing": _prices(1, -2)}]},
            "data[0].pricing.output_cost_per_token must be a finite number >= 0",
        ),
        ({"data": [{"id": "a/b", "alias_of": 3}]}, "data[0].alias_of must be a non-empty string"),
        ({"data": []}, "no model prices found"),
        ({"gpt-4o": {"input_cost_per_token": "x", "output_cost_per_token": 1}}, "'gpt-4o'"),
        ({"gpt-4o": {"input_cost_per_tokens": 1}}, "no model prices found"),
    ],
)
def test_malformed_documents_say_what_is_wrong(document: object, problem: str) -> None:
    """Each malformed document raises PriceFileError naming the origin and the problem."""
    with pytest.raises(PriceFileError) as caught:
        parse_price_document(document, origin="my-prices.json")
    assert str(caught.value).startswith("my-prices.json: ")
    assert problem in str(caught.value)


def test_malformed_json_file_names_the_file(tmp_path: Path) -> None:
    """A file that is not JSON fails with its path and the parse error's position."""
    path = tmp_path / "prices.json"
    path.write_text('{"data": [', encoding="utf-8")
    with pytest.raises(PriceFileError, match=r"prices\.json: not valid JSON: .*line 1"):
        load_price_file(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    """A missing file fails with its path and the reason."""
    with pytest.raises(PriceFileError, match=r"nope\.json: cannot read the file"):
        load_price_file(tmp_path / "nope.json")


def test_model_price_refuses_negative_and_nan() -> None:
    """A price can never be negative or NaN."""
    with pytest.raises(ValueError, match="finite"):
        ModelPrice(-1.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        ModelPrice(1.0, 1.0, cache_read=float("nan"))


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "provider", "expected"),
    [
        ("openai/gpt-4o", None, "openai/gpt-4o"),
        ("gpt-4o", None, "openai/gpt-4o"),
        ("GPT-4o", None, "openai/gpt-4o"),
        ("  openai/gpt-4o ", None, "openai/gpt-4o"),
        ("gpt-4o-2024-08-06", None, "openai/gpt-4o"),
        ("openai/gpt-4o-2024-11-20", None, "openai/gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "openai", "openai/gpt-4o-mini"),
        ("gpt-4o-mini", "openai", "openai/gpt-4o-mini"),
        ("claude-sonnet-4-5-20250929", None, "anthropic/claude-sonnet-4-5"),
        ("claude-sonnet-4-5-20250929", "anthropic", "anthropic/claude-sonnet-4-5"),
        ("claude-haiku-4-5-20251001", None, "anthropic/claude-haiku-4-5"),
        ("vertex_ai/claude-opus-4-5@20251101", None, "anthropic/claude-opus-4-5"),
        ("gemini-2.0-flash-001", "google", "google/gemini-2.0-flash"),
        ("google/gemini-2.0-flash-001", None, "google/gemini-2.0-flash"),
        ("gemini-2.5-pro", None, "google/gemini-2.5-pro"),
        ("openai/gpt-4o:latency", None, "openai/gpt-4o"),
        ("openai/gpt-4o@eu", None, "openai/gpt-4o"),
        ("openai/gpt-4o:latency@eu", None, "openai/gpt-4o"),
        ("azure/gpt-4o", None, "openai/gpt-4o"),  # the same model, served by another host
        ("gpt-4o", "azure", "openai/gpt-4o"),
        # A snapshot listed under its own name keeps its own price.
        ("gpt-4o-2024-05-13", None, "openai/gpt-4o-2024-05-13"),
        ("gpt-4o-2024-05-13", "openai", "openai/gpt-4o-2024-05-13"),
    ],
)
def test_spellings_resolve(model: str, provider: str | None, expected: str) -> None:
    """Every spelling Eden AI and its upstreams use resolves to the canonical id."""
    assert load_builtin_table().resolve(model, provider) == expected


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o-mini-tts",  # a different model: never a prefix match
        "gpt-4",
        "gpt-4o-mini-2024",  # not a snapshot suffix
        "claude-sonnet-4",
        "claude-sonnet-4-5-thinking",
        "gemini-2.0-flash-lite",
        "gemini-2.0-flash-lite-001",
        "openai/gpt-4o-realtime-preview",
        "@edenai",
        "",
        "   ",
        "/",
    ],
)
def test_near_misses_stay_unknown(model: str) -> None:
    """Names that only look like a priced model resolve to nothing."""
    assert load_builtin_table().resolve(model) is None
    assert load_builtin_table().lookup(model) is None


def test_gpt_4o_mini_never_resolves_to_gpt_4o() -> None:
    """Without gpt-4o-mini in the table, its names are unknown, not gpt-4o."""
    table = _table(("openai/gpt-4o", 2.5e-6, 1e-5))
    for name in ("gpt-4o-mini", "openai/gpt-4o-mini", "gpt-4o-mini-2024-07-18"):
        assert table.resolve(name, "openai") is None


def test_alias_resolves_to_its_target() -> None:
    """An ``alias_of`` entry resolves to the target's price, by id or bare name."""
    table = parse_catalogue(catalogue_body(discount=0.0, view="models"), origin="emulator")
    assert table.resolve("google/gemini-flash-latest") == "google/gemini-2.5-flash"
    assert table.resolve("gemini-flash-latest") == "google/gemini-2.5-flash"
    # The alias's upstream name means the real model, which has it too.
    assert table.resolve("gemini-2.5-flash") == "google/gemini-2.5-flash"


def test_alias_without_a_priced_target_uses_its_own_price() -> None:
    """An alias whose target is not in the table falls back to the alias's own price."""
    document = {"data": [{"id": "x/latest", "alias_of": "x/v9", "pricing": _prices(1, 2)}]}
    table = parse_catalogue(document, origin="f")
    assert table.lookup("x/latest") == ("x/latest", ModelPrice(1.0, 2.0))


def test_alias_cycles_end() -> None:
    """Aliases pointing at each other do not loop; an unpriced cycle is unknown."""
    document = {
        "data": [
            {"id": "x/a", "alias_of": "x/b"},
            {"id": "x/b", "alias_of": "x/a"},
            {"id": "x/c", "pricing": _prices(1, 2)},
        ]
    }
    table = parse_catalogue(document, origin="f")
    assert table.resolve("x/a") is None
    assert table.resolve("x/c") == "x/c"


def test_ambiguous_bare_name_needs_the_provider() -> None:
    """A bare name two providers price differently resolves only with the provider."""
    table = _table(("openai/gpt-oss-120b", 1e-7, 5e-7), ("groq/gpt-oss-120b", 1.5e-7, 7.5e-7))
    assert table.resolve("gpt-oss-120b") is None
    assert table.resolve("gpt-oss-120b", "groq") == "groq/gpt-oss-120b"
    assert table.resolve("gpt-oss-120b", "OpenAI") == "openai/gpt-oss-120b"


def test_bare_name_several_providers_one_price_resolves() -> None:
    """A bare name priced the same by every provider is not ambiguous."""
    table = _table(("openai/gpt-4o", 2.5e-6, 1e-5), ("azure/gpt-4o", 2.5e-6, 1e-5))
    assert table.lookup("gpt-4o") is not None


# --- merging and the default table --------------------------------------------------------


def test_merge_user_entries_override_builtin() -> None:
    """The override's entry replaces the base's with the same id; others are kept."""
    user = _table(("openai/gpt-4o", 1e-6, 2e-6), ("acme/house-model", 3e-6, 4e-6))
    merged = load_builtin_table().merged(user)
    assert merged.lookup("gpt-4o-2024-08-06") == ("openai/gpt-4o", ModelPrice(1e-6, 2e-6))
    assert merged.resolve("house-model") == "acme/house-model"
    assert merged.resolve("claude-opus-4-5") == "anthropic/claude-opus-4-5"
    assert load_builtin_table().entries["openai/gpt-4o"].price != ModelPrice(1e-6, 2e-6)


def test_merge_litellm_gemini_overrides_builtin_google() -> None:
    """A LiteLLM ``gemini/`` entry overrides the built-in ``google/`` one."""
    user = parse_litellm({"gemini/gemini-2.5-pro": _prices(9e-6, 9e-5)}, origin="f")
    merged = load_builtin_table().merged(user)
    found = merged.lookup("gemini-2.5-pro", "google")
    assert found is not None
    assert found[1].input == 9e-6


def test_table_is_immutable() -> None:
    """Entries cannot be changed in place."""
    table = load_builtin_table()
    with pytest.raises(TypeError):
        table.entries["x/y"] = table.entries["openai/gpt-4o"]  # type: ignore[index]


def test_default_path_follows_env_then_xdg(tmp_path: Path) -> None:
    """$ROUTING_OTEL_PRICES_FILE wins, then $XDG_CONFIG_HOME, then ~/.config."""
    xdg = str(tmp_path / "cfg")
    explicit = default_prices_path({PRICES_FILE_ENV: "/x/p.json", "XDG_CONFIG_HOME": xdg})
    assert explicit == Path("/x/p.json")
    assert (
        default_prices_path({"XDG_CONFIG_HOME": xdg}) == tmp_path / "cfg/routing-otel/prices.json"
    )
    relative = default_prices_path({"XDG_CONFIG_HOME": "relative"})  # ignored, as XDG says
    assert relative.parts[-3:] == (".config", "routing-otel", "prices.json")


def test_default_table_is_builtin_without_a_user_file(tmp_path: Path) -> None:
    """Nothing pulled yet: the built-in table."""
    table = load_default_table({"XDG_CONFIG_HOME": str(tmp_path)})
    assert table is load_builtin_table()


def test_default_table_merges_the_user_file(tmp_path: Path) -> None:
    """A file at the XDG path overrides the built-in table."""
    path = tmp_path / "routing-otel" / "prices.json"
    path.parent.mkdir()
    _write(path, {"data": [{"id": "openai/gpt-4o", "pricing": _prices(1e-6, 2e-6)}]})
    table = load_default_table({"XDG_CONFIG_HOME": str(tmp_path)})
    assert table.lookup("gpt-4o") == ("openai/gpt-4o", ModelPrice(1e-6, 2e-6))
    assert table.entries["openai/gpt-4o"].origin == str(path)
    assert table.resolve("claude-haiku-4-5") == "anthropic/claude-haiku-4-5"


def test_default_table_reads_the_env_file(tmp_path: Path) -> None:
    """$ROUTING_OTEL_PRICES_FILE may name a LiteLLM file."""
    path = _write(tmp_path / "litellm.json", {"acme/m": _prices(1, 2)})
    table = load_default_table({PRICES_FILE_ENV: str(path)})
    assert table.resolve("acme/m") == "acme/m"


def test_default_table_refuses_a_missing_env_file(tmp_path: Path) -> None:
    """A file named explicitly must exist: a typo is reported, not silently ignored."""
    with pytest.raises(PriceFileError, match="cannot read"):
        load_default_table({PRICES_FILE_ENV: str(tmp_path / "typo.json")})
