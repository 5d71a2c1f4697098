"""The public model catalogue: /v3/models and /v3/llm/models."""

from __future__ import annotations

import httpx
import pytest

from routing_otel.emulator import CATALOGUE, Emulator, EmulatorConfig, find_model

GUIDE_MODELS = [
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "google/gemini-2.0-flash",
    "google/gemini-2.5-pro",
    "anthropic/claude-haiku-4-5",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-opus-4-5",
]


@pytest.mark.parametrize("path", ["/v3/models", "/v3/llm/models"])
def test_catalogue_is_public(emu: Emulator, path: str) -> None:
    """Both model paths answer without a key with the list shape."""
    response = httpx.get(emu.url + path)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert {"openai/gpt-4o", "google/gemini-flash-latest"} <= {m["id"] for m in body["data"]}


def test_guide_models_are_listed_with_prices(emu: Emulator) -> None:
    """Every model the guides use is listed with per-token prices and a dated upstream name."""
    entries = {m["id"]: m for m in httpx.get(emu.base_url + "/models").json()["data"]}
    for model in GUIDE_MODELS:
        entry = entries[model]
        assert entry["object"] == "model"
        assert entry["owned_by"] == model.split("/")[0]
        assert entry["pricing"]["input_cost_per_token"] > 0
        assert entry["pricing"]["output_cost_per_token"] > entry["pricing"]["input_cost_per_token"]
        assert entry["pricing"] == entry["list_pricing"]
        assert entry["discount"] == 0.0
        assert entry["capabilities"]["supports_function_calling"] is True
        assert entry["context_length"] > 0
        assert {"code": "global", "name": "Global"} in entry["regions"]
        assert entry["model_name"]


def test_known_list_prices(emu: Emulator) -> None:
    """A few public list prices, in USD per token."""
    entries = {m["id"]: m for m in httpx.get(emu.base_url + "/models").json()["data"]}
    assert entries["openai/gpt-4o"]["pricing"]["input_cost_per_token"] == 2.5e-6
    assert entries["openai/gpt-4o"]["pricing"]["output_cost_per_token"] == 1e-5
    assert entries["anthropic/claude-sonnet-4-5"]["pricing"]["cache_read_input_token_cost"] == 3e-7
    assert (
        entries["anthropic/claude-sonnet-4-5"]["pricing"]["cache_creation_input_token_cost"]
        == 3.75e-6
    )
    assert entries["openai/gpt-4o-mini"]["model_name"] == "gpt-4o-mini-2024-07-18"


def test_alias_entry(emu: Emulator) -> None:
    """An alias names its target in alias_of."""
    entries = {m["id"]: m for m in httpx.get(emu.base_url + "/models").json()["data"]}
    assert entries["google/gemini-flash-latest"]["alias_of"] == "google/gemini-2.5-flash"
    assert "alias_of" not in entries["google/gemini-2.5-flash"]


def test_views(emu: Emulator) -> None:
    """view=endpoints (the default) lists each model's endpoints; view=models does not."""
    default = httpx.get(emu.base_url + "/models").json()["data"][0]
    endpoints = httpx.get(emu.base_url + "/models", params={"view": "endpoints"}).json()["data"][0]
    models = httpx.get(emu.base_url + "/models", params={"view": "models"}).json()["data"][0]
    assert default == endpoints
    assert [e["provider"] for e in endpoints["endpoints"]] == ["openai", "azure"]
    assert "endpoints" not in models


def test_discount_in_pricing() -> None:
    """With a discount, pricing is list_pricing times (1 - discount)."""
    with Emulator(EmulatorConfig.fast(discount=0.1)) as emu:
        entry = httpx.get(emu.base_url + "/models").json()["data"][0]
    assert entry["discount"] == 0.1
    assert entry["pricing"]["input_cost_per_token"] == pytest.approx(
        entry["list_pricing"]["input_cost_per_token"] * 0.9
    )


def test_single_model(emu: Emulator) -> None:
    """GET /v3/models/{provider}/{model} returns one entry, 404 when unknown."""
    assert httpx.get(emu.base_url + "/models/openai/gpt-4o").json()["id"] == "openai/gpt-4o"
    assert httpx.get(emu.base_url + "/models/openai/gpt-99").status_code == 404


def test_find_model_resolves_every_spelling() -> None:
    """find_model accepts provider/model, bare and dated upstream names."""
    gpt = find_model("openai/gpt-4o")
    assert gpt is not None
    assert find_model("gpt-4o") is gpt
    assert find_model("gpt-4o-2024-08-06") is gpt
    assert find_model("nobody/nothing") is None


def test_catalogue_is_consistent() -> None:
    """Ids are unique, aliases point at real entries, timings are positive."""
    ids = [spec.id for spec in CATALOGUE]
    assert len(ids) == len(set(ids))
    for spec in CATALOGUE:
        assert spec.alias_of is None or find_model(spec.alias_of) is not None
        assert spec.ttft_s > 0
        assert spec.tokens_per_s > 0
        assert 0 < spec.quality <= 1
