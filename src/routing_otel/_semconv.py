"""Every telemetry name routing-otel emits, once.

The names are documented in ``docs/telemetry.md``: OpenTelemetry GenAI semantic conventions
(v1.41) first, routing-specific names under ``llm.router.``. Dashboards and alert rules are
generated from this module, so they cannot drift from what the code emits.
"""

from __future__ import annotations

from typing import Final

# The instrumentation scope of every span and metric (Prometheus: otel_scope_name), which the
# dashboards select by so that other GenAI instrumentations' series are not summed in.
SCOPE_NAME: Final = "routing_otel"
SCHEMA_URL: Final = "https://opentelemetry.io/schemas/1.41.0"

# --- span names and kinds -------------------------------------------------------------------
OPERATION_CHAT: Final = "chat"
ROUTE_SPAN_PREFIX: Final = "route"
PROVIDER_EDENAI: Final = "edenai"
ROUTED_MODEL: Final = "@edenai"

# --- span attributes (OpenTelemetry GenAI semantic conventions) -----------------------------
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME: Final = "gen_ai.provider.name"
GEN_AI_REQUEST_MODEL: Final = "gen_ai.request.model"
GEN_AI_REQUEST_STREAM: Final = "gen_ai.request.stream"
GEN_AI_REQUEST_MAX_TOKENS: Final = "gen_ai.request.max_tokens"
GEN_AI_REQUEST_TEMPERATURE: Final = "gen_ai.request.temperature"
GEN_AI_REQUEST_TOP_P: Final = "gen_ai.request.top_p"
GEN_AI_REQUEST_SEED: Final = "gen_ai.request.seed"
GEN_AI_REQUEST_CHOICE_COUNT: Final = "gen_ai.request.choice.count"
GEN_AI_REQUEST_FREQUENCY_PENALTY: Final = "gen_ai.request.frequency_penalty"
GEN_AI_REQUEST_PRESENCE_PENALTY: Final = "gen_ai.request.presence_penalty"
GEN_AI_REQUEST_STOP_SEQUENCES: Final = "gen_ai.request.stop_sequences"
GEN_AI_OUTPUT_TYPE: Final = "gen_ai.output.type"
GEN_AI_RESPONSE_MODEL: Final = "gen_ai.response.model"
GEN_AI_RESPONSE_ID: Final = "gen_ai.response.id"
GEN_AI_RESPONSE_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: Final = "gen_ai.response.time_to_first_chunk"
GEN_AI_USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: Final = "gen_ai.usage.cache_creation.input_tokens"
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: Final = "gen_ai.usage.reasoning.output_tokens"
GEN_AI_CONVERSATION_ID: Final = "gen_ai.conversation.id"
GEN_AI_INPUT_MESSAGES: Final = "gen_ai.input.messages"  # opt-in content capture only
GEN_AI_OUTPUT_MESSAGES: Final = "gen_ai.output.messages"  # opt-in content capture only
GEN_AI_TOKEN_TYPE: Final = "gen_ai.token.type"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
HTTP_RESPONSE_STATUS_CODE: Final = "http.response.status_code"
ERROR_TYPE: Final = "error.type"

# --- span attributes (routing, our own namespace) -------------------------------------------
ROUTER_CANDIDATES: Final = "llm.router.candidates"
ROUTER_POOL: Final = "llm.router.pool"
ROUTER_STRATEGY: Final = "llm.router.strategy"
ROUTER_DROPPED_CANDIDATES: Final = "llm.router.dropped_candidates"
ROUTER_ROUTING_DURATION: Final = "llm.router.routing.duration"
ROUTER_ATTEMPTS: Final = "llm.router.attempts"
ROUTER_FALLBACK: Final = "llm.router.fallback"
ROUTER_FALLBACK_FROM: Final = "llm.router.fallback.from"
ROUTER_FALLBACK_REASON: Final = "llm.router.fallback.reason"
ROUTER_COST: Final = "llm.router.cost"
ROUTER_COST_SOURCE: Final = "llm.router.cost.source"
ROUTER_TIER: Final = "llm.router.tier"
ROUTER_USE_CASE: Final = "llm.router.use_case"
# Extensions to the contract (see CHANGELOG): facts a user needs that it does not name yet.
ROUTER_TOOL_CALLS: Final = "llm.router.tool_calls"
ROUTER_STREAM_CLOSED_EARLY: Final = "llm.router.stream.closed_early"
GEN_AI_USAGE_CACHED_INPUT_TOKENS: Final = "gen_ai.usage.cache_read.input_tokens"
ROUTER_SAVINGS: Final = "llm.router.savings"
ROUTER_SAVINGS_BASELINE: Final = "llm.router.savings.baseline"

# --- span events ----------------------------------------------------------------------------
EVENT_ROUTER_DECISION: Final = "llm.router.decision"
# Not a convention's name (``gen_ai.`` is reserved for them): development builds before
# 0.1.0 called it ``gen_ai.first_chunk`` (see CHANGELOG).
EVENT_FIRST_CHUNK: Final = "llm.router.first_chunk"
# The conventions' opt-in event (logs API) with a call's details, captured content included.
EVENT_INFERENCE_DETAILS: Final = "gen_ai.client.inference.operation.details"

# --- metric attribute names that are not span attributes ------------------------------------
OUTCOME: Final = "outcome"
OUTCOME_SUCCESS: Final = "success"
OUTCOME_ERROR: Final = "error"
FALLBACK: Final = "fallback"
COST_SOURCE: Final = "cost.source"
BASELINE_MODEL: Final = "baseline.model"
FALLBACK_FROM_MODEL: Final = "from.model"
FALLBACK_TO_MODEL: Final = "to.model"
FALLBACK_REASON: Final = "reason"
FALLBACK_LAYER: Final = "layer"
LAYER_CLIENT: Final = "client"  # the app fell back to another model
LAYER_SERVER: Final = "server"  # Eden AI tried another provider or model itself
BUDGET_NAME: Final = "budget.name"
BUDGET_DAILY: Final = "daily"
TOKEN_TYPE_INPUT: Final = "input"
TOKEN_TYPE_OUTPUT: Final = "output"
OUTPUT_TYPE_TEXT: Final = "text"
OUTPUT_TYPE_JSON: Final = "json"
POOL_DEFAULT: Final = "default"  # a routed call without candidates: Eden AI's default pool
POOL_FIXED: Final = "fixed"  # a fixed-model call: no router, no pool
# Extension: a metric label past its cap of distinct values (``max_label_values``) takes this
# one value, so an app's unbounded inputs cannot explode the series count.
LABEL_OVERFLOW: Final = "other"

# --- cost sources ---------------------------------------------------------------------------
COST_REPORTED: Final = "reported"
COST_PRICE_TABLE: Final = "price_table"
COST_ESTIMATED: Final = "estimated"
COST_UNKNOWN: Final = "unknown"

# --- metrics: (name, unit) ------------------------------------------------------------------
METRIC_OPERATION_DURATION: Final = "gen_ai.client.operation.duration"
METRIC_TOKEN_USAGE: Final = "gen_ai.client.token.usage"
METRIC_TIME_TO_FIRST_CHUNK: Final = "gen_ai.client.operation.time_to_first_chunk"
METRIC_TIME_PER_OUTPUT_CHUNK: Final = "gen_ai.client.operation.time_per_output_chunk"
METRIC_ROUTING_DURATION: Final = "llm.router.routing.duration"
METRIC_REQUESTS: Final = "llm.router.requests"
METRIC_COST: Final = "llm.router.cost"
METRIC_SAVINGS: Final = "llm.router.savings"
# Extension: counters cannot go down, so money routing lost against the baseline is counted
# here (net savings = savings - overspend), keeping both correct across process restarts.
METRIC_OVERSPEND: Final = "llm.router.overspend"
METRIC_FALLBACKS: Final = "llm.router.fallbacks"
METRIC_BUDGET_LIMIT: Final = "llm.router.budget.limit"

UNIT_SECONDS: Final = "s"
UNIT_TOKENS: Final = "{token}"
UNIT_REQUESTS: Final = "{request}"
UNIT_USD: Final = "USD"
UNIT_FALLBACKS: Final = "{fallback}"

# Semantic-convention bucket boundaries (GenAI client metrics).
DURATION_BUCKETS: Final[tuple[float, ...]] = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
TOKEN_BUCKETS: Final[tuple[float, ...]] = tuple(float(4**i) for i in range(14))

# --- Prometheus names, as the OpenTelemetry Prometheus exporter writes them -----------------
# (dots to underscores, unit suffix, ``_total`` on counters); proven by a real-Prometheus test.
PROM_OPERATION_DURATION: Final = "gen_ai_client_operation_duration_seconds"
PROM_TOKEN_USAGE: Final = "gen_ai_client_token_usage"
PROM_TIME_TO_FIRST_CHUNK: Final = "gen_ai_client_operation_time_to_first_chunk_seconds"
PROM_TIME_PER_OUTPUT_CHUNK: Final = "gen_ai_client_operation_time_per_output_chunk_seconds"
PROM_ROUTING_DURATION: Final = "llm_router_routing_duration_seconds"
PROM_REQUESTS: Final = "llm_router_requests_total"
PROM_COST: Final = "llm_router_cost_USD_total"
PROM_SAVINGS: Final = "llm_router_savings_USD_total"
PROM_OVERSPEND: Final = "llm_router_overspend_USD_total"
PROM_FALLBACKS: Final = "llm_router_fallbacks_total"
PROM_BUDGET_LIMIT: Final = "llm_router_budget_limit_USD"


def prom_label(attribute: str) -> str:
    """Return the Prometheus label an attribute becomes (dots to underscores)."""
    return attribute.replace(".", "_")
