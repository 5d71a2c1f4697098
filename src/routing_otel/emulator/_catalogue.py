"""The model catalogue: what `/v3/models` lists and what the router can choose from.

Prices are public list prices in USD per token (LiteLLM's key names, as Eden AI publishes
them). Timings (time to first token, token rate) and the router's quality score are rough
public figures: they only need to make the emulated traffic look plausible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_REGION_NAMES = {"global": "Global", "eu": "Europe"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """One model of the catalogue."""

    id: str  # "provider/model", what users send
    upstream: str  # the upstream's own (often dated) name: the "bare" spelling
    created: int
    context_length: int
    input_cost: float  # list prices, USD per token
    output_cost: float
    cache_read_cost: float | None = None  # None: the model has no prompt caching
    cache_write_cost: float = 0.0
    ttft_s: float
    tokens_per_s: float
    quality: float  # 0..1, the router's heuristic
    reasoning: bool = False
    vision: bool = True
    regions: tuple[str, ...] = ("global", "eu")
    endpoints: tuple[str, ...] = ()  # providers serving it; the first is the primary
    alias_of: str | None = None

    @property
    def provider(self) -> str:
        """The provider part of the id (`openai` for `openai/gpt-4o`)."""
        return self.id.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The model part of the id (`gpt-4o` for `openai/gpt-4o`)."""
        return self.id.split("/", 1)[1]

    @property
    def serving_endpoints(self) -> tuple[str, ...]:
        """Providers that can serve the model, the primary first."""
        return self.endpoints or (self.provider,)

    def pricing(self, discount: float) -> dict[str, float]:
        """Per-token prices after an account discount (0.0 to 1.0), LiteLLM key names."""
        keep = 1.0 - discount
        prices = {
            "input_cost_per_token": self.input_cost * keep,
            "output_cost_per_token": self.output_cost * keep,
        }
        if self.cache_read_cost is not None:
            prices["cache_read_input_token_cost"] = self.cache_read_cost * keep
            prices["cache_creation_input_token_cost"] = self.cache_write_cost * keep
        return {key: float(f"{value:.6g}") for key, value in prices.items()}


# Ordered by provider, then price. Aliases point at another entry and are resolved to it.
CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec(id="openai/gpt-4o", upstream="gpt-4o-2024-08-06", created=1722902400,
              context_length=128_000, input_cost=2.5e-6, output_cost=1e-5, cache_read_cost=1.25e-6,
              ttft_s=0.45, tokens_per_s=90, quality=0.80, endpoints=("openai", "azure")),
    ModelSpec(id="openai/gpt-4o-mini", upstream="gpt-4o-mini-2024-07-18", created=1721260800,
              context_length=128_000, input_cost=1.5e-7, output_cost=6e-7, cache_read_cost=7.5e-8,
              ttft_s=0.35, tokens_per_s=120, quality=0.60, endpoints=("openai", "azure")),
    ModelSpec(id="openai/gpt-4.1", upstream="gpt-4.1-2025-04-14", created=1744588800,
              context_length=1_047_576, input_cost=2e-6, output_cost=8e-6, cache_read_cost=5e-7,
              ttft_s=0.50, tokens_per_s=80, quality=0.82, regions=("global",)),
    ModelSpec(id="openai/gpt-4.1-mini", upstream="gpt-4.1-mini-2025-04-14", created=1744588800,
              context_length=1_047_576, input_cost=4e-7, output_cost=1.6e-6, cache_read_cost=1e-7,
              ttft_s=0.35, tokens_per_s=110, quality=0.65),
    ModelSpec(id="openai/o4-mini", upstream="o4-mini-2025-04-16", created=1744761600,
              context_length=200_000, input_cost=1.1e-6, output_cost=4.4e-6,
              cache_read_cost=2.75e-7, ttft_s=1.20, tokens_per_s=140, quality=0.85,
              reasoning=True, regions=("global",)),
    ModelSpec(id="google/gemini-2.0-flash", upstream="gemini-2.0-flash-001", created=1738713600,
              context_length=1_048_576, input_cost=1e-7, output_cost=4e-7, cache_read_cost=2.5e-8,
              cache_write_cost=1.67e-8, ttft_s=0.30, tokens_per_s=180, quality=0.60,
              endpoints=("google", "vertex_ai")),
    ModelSpec(id="google/gemini-2.5-flash", upstream="gemini-2.5-flash", created=1750118400,
              context_length=1_048_576, input_cost=3e-7, output_cost=2.5e-6, cache_read_cost=7.5e-8,
              cache_write_cost=8.33e-8, ttft_s=0.45, tokens_per_s=170, quality=0.72, reasoning=True,
              endpoints=("google", "vertex_ai")),
    ModelSpec(id="google/gemini-flash-latest", upstream="gemini-2.5-flash", created=1750118400,
              context_length=1_048_576, input_cost=3e-7, output_cost=2.5e-6, cache_read_cost=7.5e-8,
              cache_write_cost=8.33e-8, ttft_s=0.45, tokens_per_s=170, quality=0.72, reasoning=True,
              alias_of="google/gemini-2.5-flash"),
    ModelSpec(id="google/gemini-2.5-pro", upstream="gemini-2.5-pro", created=1750118400,
              context_length=1_048_576, input_cost=1.25e-6, output_cost=1e-5,
              cache_read_cost=3.125e-7, cache_write_cost=4.5e-7, ttft_s=1.50, tokens_per_s=90,
              quality=0.90, reasoning=True, endpoints=("google", "vertex_ai")),
    ModelSpec(id="anthropic/claude-haiku-4-5", upstream="claude-haiku-4-5-20251001",
              created=1760486400, context_length=200_000, input_cost=1e-6, output_cost=5e-6,
              cache_read_cost=1e-7, cache_write_cost=1.25e-6, ttft_s=0.40, tokens_per_s=140,
              quality=0.68, endpoints=("anthropic", "bedrock")),
    ModelSpec(id="anthropic/claude-sonnet-4-5", upstream="claude-sonnet-4-5-20250929",
              created=1759104000, context_length=200_000, input_cost=3e-6, output_cost=1.5e-5,
              cache_read_cost=3e-7, cache_write_cost=3.75e-6, ttft_s=0.70, tokens_per_s=70,
              quality=0.88, endpoints=("anthropic", "bedrock", "vertex_ai")),
    ModelSpec(id="anthropic/claude-opus-4-5", upstream="claude-opus-4-5-20251101",
              created=1763942400, context_length=200_000, input_cost=5e-6, output_cost=2.5e-5,
              cache_read_cost=5e-7, cache_write_cost=6.25e-6, ttft_s=1.00, tokens_per_s=50,
              quality=0.95, reasoning=True, endpoints=("anthropic", "bedrock")),
    ModelSpec(id="mistral/mistral-large-latest", upstream="mistral-large-2411", created=1731974400,
              context_length=128_000, input_cost=2e-6, output_cost=6e-6, ttft_s=0.40,
              tokens_per_s=70, quality=0.75, vision=False),
    ModelSpec(id="mistral/mistral-small-latest", upstream="mistral-small-2503", created=1742169600,
              context_length=128_000, input_cost=1e-7, output_cost=3e-7, ttft_s=0.25,
              tokens_per_s=130, quality=0.55),
)  # fmt: skip

_BY_ID = {spec.id: spec for spec in CATALOGUE}
# Bare names (`gpt-4o`) and upstream dated names (`gpt-4o-2024-08-06`) resolve too; aliases
# are skipped so a bare upstream name means the real model, not its alias.
_BY_BARE = {
    bare: spec for spec in CATALOGUE if spec.alias_of is None for bare in (spec.name, spec.upstream)
}


def find(name: str) -> ModelSpec | None:
    """Return the entry for `provider/model`, a bare or an upstream name, else None."""
    return _BY_ID.get(name) or _BY_BARE.get(name)


def target(spec: ModelSpec) -> ModelSpec:
    """Return the model that actually serves `spec` (an alias resolves to its target)."""
    return _BY_ID[spec.alias_of] if spec.alias_of else spec


def split_suffixes(model: str) -> tuple[str, str | None, bool]:
    """Split `name[:latency][@eu]` into (name, region or None, latency flag)."""
    region = None
    if model.endswith("@eu") and model != "@eu":
        model, region = model[: -len("@eu")], "eu"
    latency = model.endswith(":latency")
    if latency:
        model = model[: -len(":latency")]
    return model, region, latency


def model_entry(spec: ModelSpec, *, discount: float, with_endpoints: bool) -> dict[str, Any]:
    """One entry of the `/v3/models` list."""
    entry: dict[str, Any] = {
        "id": spec.id,
        "object": "model",
        "created": spec.created,
        "owned_by": spec.provider,
        "model_name": spec.upstream,
        "context_length": spec.context_length,
        "capabilities": {
            "supports_function_calling": True,
            "supports_parallel_function_calling": True,
            "supports_vision": spec.vision,
            "supports_reasoning": spec.reasoning,
            "supports_prompt_caching": spec.cache_read_cost is not None,
            "supports_response_schema": True,
        },
        "pricing": spec.pricing(discount),
        "list_pricing": spec.pricing(0.0),
        "discount": discount,
        "regions": [{"code": code, "name": _REGION_NAMES[code]} for code in spec.regions],
    }
    if spec.alias_of is not None:
        entry["alias_of"] = spec.alias_of
    if with_endpoints:
        entry["endpoints"] = [
            {"provider": provider, "regions": list(spec.regions)}
            for provider in target(spec).serving_endpoints
        ]
    return entry


def catalogue_body(*, discount: float, view: str) -> dict[str, Any]:
    """Build the `/v3/models` body; `view=endpoints` (the default) adds endpoints."""
    with_endpoints = view != "models"
    return {
        "object": "list",
        "data": [
            model_entry(spec, discount=discount, with_endpoints=with_endpoints)
            for spec in CATALOGUE
        ],
    }
