"""The contract's metric instruments, created once, and the points of one finished call.

Metric attributes are bounded by construction: models, pools, the caller's tier and use
case, outcomes and error types; never ids, prompts, users or URLs. Labels whose values come
from outside our code are capped in distinct values (see ``_telemetry.labels``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.metrics import NoOpMeterProvider

from routing_otel import _semconv as sc
from routing_otel._options import DEFAULT_MAX_LABEL_VALUES
from routing_otel._telemetry.labels import LabelBounds
from routing_otel._telemetry.sums import Sums
from routing_otel._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from opentelemetry.context import Context
    from opentelemetry.util.types import AttributeValue

    from routing_otel._telemetry.result import CallResult
    from routing_otel._wire.observation import Observation

SCOPE_NAME = sc.SCOPE_NAME
SCHEMA_URL = sc.SCHEMA_URL
_ROUTING_KEYS = frozenset(
    {
        sc.GEN_AI_REQUEST_MODEL,
        sc.GEN_AI_RESPONSE_MODEL,
        sc.ROUTER_POOL,
        sc.ROUTER_TIER,
        sc.ROUTER_USE_CASE,
    }
)


# Exemplars are kept where dashboards link points to traces (latency); elsewhere an empty
# context spares the SDK offering one.
_NO_EXEMPLAR: Final = otel_context.Context()


# Distinct label combinations whose attribute sets are kept (far more than a label cap of 50
# lets through in practice); past it the cache starts again.
_MAX_LABEL_SETS: Final = 4096


class _LabelSets:
    """The attribute sets of one combination of a call's labels, each built once.

    Metric labels depend only on the call's models, pool, server, error type and caller
    labels (plus a few per-point values, each with its own small cache), so the dicts handed
    to the SDK are built once per combination instead of once per call. They are never
    changed once built: the counters keep them as their series' attributes.
    """

    __slots__ = ("_bound", "_by_value", "common", "input_tokens", "output_tokens", "routing")

    def __init__(
        self,
        common: dict[str, AttributeValue],
        bound: Callable[[str, AttributeValue], AttributeValue],
    ) -> None:
        """The sets derived from ``common`` (the call's bounded labels)."""
        self._bound = bound
        self.common = common
        self.routing = {k: v for k, v in common.items() if k in _ROUTING_KEYS}
        self.input_tokens = {**common, sc.GEN_AI_TOKEN_TYPE: sc.TOKEN_TYPE_INPUT}
        self.output_tokens = {**common, sc.GEN_AI_TOKEN_TYPE: sc.TOKEN_TYPE_OUTPUT}
        self._by_value: dict[tuple[object, ...], dict[str, AttributeValue]] = {}

    def requests(self, fell_back: bool, cost_source: str) -> dict[str, AttributeValue]:  # noqa: FBT001
        """The request counter's attributes."""
        key = ("requests", fell_back, cost_source)
        found = self._by_value.get(key)
        if found is None:
            outcome = sc.OUTCOME_ERROR if sc.ERROR_TYPE in self.common else sc.OUTCOME_SUCCESS
            found = {
                **self.routing,
                sc.OUTCOME: outcome,
                sc.FALLBACK: fell_back,
                sc.COST_SOURCE: cost_source,
            }
            if sc.ERROR_TYPE in self.common:
                found[sc.ERROR_TYPE] = self.common[sc.ERROR_TYPE]
            self._by_value[key] = found
        return found

    def cost(self, cost_source: str) -> dict[str, AttributeValue]:
        """The cost counter's attributes."""
        key = ("cost", cost_source)
        found = self._by_value.get(key)
        if found is None:
            found = self._by_value[key] = {**self.routing, sc.COST_SOURCE: cost_source}
        return found

    def baseline(self, model: str) -> dict[str, AttributeValue]:
        """The savings and overspend counters' attributes.

        The request model splits routed from fixed-model spend on cost only: savings compare
        against a baseline instead.
        """
        key = ("baseline", model)
        found = self._by_value.get(key)
        if found is None:
            labels = {k: v for k, v in self.routing.items() if k != sc.GEN_AI_REQUEST_MODEL}
            bounded = self._bound(sc.BASELINE_MODEL, model)
            found = self._by_value[key] = {**labels, sc.BASELINE_MODEL: bounded}
        return found


class Instruments:
    """Every metric instrument of the contract, on one meter."""

    def __init__(
        self,
        meter_provider: metrics.MeterProvider | None,
        budget_usd_per_day: float | None = None,
        max_label_values: int = DEFAULT_MAX_LABEL_VALUES,
    ) -> None:
        """Create the instruments on ``meter_provider`` (default: the global one).

        Each outside-valued label keeps at most ``max_label_values`` distinct values.
        """
        self._meter_provider = meter_provider
        self._labels = LabelBounds(max_label_values)
        self._sets: dict[tuple[object, ...], _LabelSets] = {}
        meter = metrics.get_meter(
            SCOPE_NAME, __version__, meter_provider=meter_provider, schema_url=SCHEMA_URL
        )
        provider = meter_provider if meter_provider is not None else metrics.get_meter_provider()

        def counter(name: str, *, unit: str, description: str) -> Sums:
            # One per provider and name, shared by every Instruments on that provider.
            return Sums.on(provider, meter, name, unit=unit, description=description)

        def seconds(name: str, description: str) -> metrics.Histogram:
            # Without bucket advice the SDK's default bounds are made for milliseconds.
            return meter.create_histogram(
                name,
                unit=sc.UNIT_SECONDS,
                description=description,
                explicit_bucket_boundaries_advisory=sc.DURATION_BUCKETS,
            )

        self.duration = seconds(sc.METRIC_OPERATION_DURATION, "GenAI operation duration.")
        self.tokens = meter.create_histogram(
            sc.METRIC_TOKEN_USAGE,
            unit=sc.UNIT_TOKENS,
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=sc.TOKEN_BUCKETS,
        )
        self.ttft = seconds(
            sc.METRIC_TIME_TO_FIRST_CHUNK,
            "Time from the request to the first content or tool-call chunk.",
        )
        self.time_per_chunk = seconds(
            sc.METRIC_TIME_PER_OUTPUT_CHUNK,
            "Time per output chunk after the first: one point per streamed call, its mean "
            "(see docs/telemetry.md).",
        )
        self.routing = seconds(
            sc.METRIC_ROUTING_DURATION,
            "Time from the request to the router's choice being known (streamed calls).",
        )
        self.requests = counter(
            sc.METRIC_REQUESTS,
            unit=sc.UNIT_REQUESTS,
            description="LLM API calls by outcome.",
        )
        self.cost = counter(
            sc.METRIC_COST,
            unit=sc.UNIT_USD,
            description="Cost of LLM API calls in USD.",
        )
        self.savings = counter(
            sc.METRIC_SAVINGS,
            unit=sc.UNIT_USD,
            description="Money routed calls saved: a baseline model's cost for the same "
            "tokens minus the actual cost, when positive.",
        )
        self.overspend = counter(
            sc.METRIC_OVERSPEND,
            unit=sc.UNIT_USD,
            description="Money routed calls cost beyond the baseline model for the same "
            "tokens (negative savings). Net savings = savings - overspend.",
        )
        if budget_usd_per_day is not None:
            budget = budget_usd_per_day

            def report(_: metrics.CallbackOptions) -> list[metrics.Observation]:
                return [metrics.Observation(budget, {sc.BUDGET_NAME: sc.BUDGET_DAILY})]

            meter.create_observable_gauge(
                sc.METRIC_BUDGET_LIMIT,
                callbacks=[report],
                unit=sc.UNIT_USD,
                description="The configured daily LLM budget, for alert rules.",
            )
        self.fallbacks = counter(
            sc.METRIC_FALLBACKS,
            unit=sc.UNIT_FALLBACKS,
            description="Fallbacks from one model to another, on the client or the server.",
        )

    @property
    def active(self) -> bool:
        """Whether points would be recorded anywhere (lets adapters skip all work if not)."""
        provider = self._meter_provider or metrics.get_meter_provider()
        if isinstance(provider, NoOpMeterProvider):
            return False
        # The API's global proxy forwards nowhere until an SDK provider is set.
        return getattr(provider, "_real_meter_provider", provider) is not None

    def record(self, result: CallResult) -> None:
        """Record every metric point of one finished call."""
        labels = self._label_sets(result)
        # Points are recorded in the chat span's context, so exemplars link to that span.
        context = trace.set_span_in_context(result.record.span)
        self.duration.record(result.duration_s, labels.common, context=context)
        self.requests.add(1, labels.requests(result.fell_back, result.cost_source))
        self._record_fallbacks(result, context)
        self._record_economics(result, labels)
        if result.observation is not None:
            self._record_observed(result, result.observation, labels, context)

    def _label_sets(self, result: CallResult) -> _LabelSets:
        """The call's attribute sets, built once per combination of its labels."""
        record = result.record
        request = record.request
        try:
            key = (
                request.model,
                record.pool,
                result.served_model,
                request.server_address,
                request.server_port,
                result.error_type,
                *record.metric_attributes.items(),
            )
            found = self._sets.get(key)
        except TypeError:  # an unhashable caller label: built for this call only
            return self._new_label_sets(result)
        if found is None:
            if len(self._sets) >= _MAX_LABEL_SETS:
                self._sets.clear()  # a bound on memory; the sets are only rebuilt
            found = self._sets[key] = self._new_label_sets(result)
        return found

    def _new_label_sets(self, result: CallResult) -> _LabelSets:
        record = result.record
        bound = self._labels.bound
        common: dict[str, AttributeValue] = {
            sc.GEN_AI_OPERATION_NAME: sc.OPERATION_CHAT,
            sc.GEN_AI_PROVIDER_NAME: sc.PROVIDER_EDENAI,
            **self._labels.apply(self._routing_labels(result)),
            sc.SERVER_ADDRESS: bound(sc.SERVER_ADDRESS, record.request.server_address),
        }
        if record.request.server_port is not None:  # the conventions: with server.address
            common[sc.SERVER_PORT] = record.request.server_port
        if result.error_type is not None:
            common[sc.ERROR_TYPE] = bound(sc.ERROR_TYPE, result.error_type)
        return _LabelSets(common, bound)

    @staticmethod
    def _routing_labels(result: CallResult) -> dict[str, AttributeValue]:
        """The call's models, pool and caller labels, unbounded."""
        record = result.record
        labels: dict[str, AttributeValue] = {
            sc.GEN_AI_REQUEST_MODEL: record.request.model or "unknown",
            sc.ROUTER_POOL: record.pool,
            **record.metric_attributes,
        }
        if result.served_model is not None:
            labels[sc.GEN_AI_RESPONSE_MODEL] = result.served_model
        return labels

    def _record_observed(
        self,
        result: CallResult,
        observation: Observation,
        labels: _LabelSets,
        context: Context,
    ) -> None:
        if (count := observation.input_tokens) is not None:
            self.tokens.record(count, labels.input_tokens, context=_NO_EXEMPLAR)
        if (count := observation.output_tokens) is not None:
            self.tokens.record(count, labels.output_tokens, context=_NO_EXEMPLAR)
        if (ttft := result.ttft_s) is not None:
            self.ttft.record(ttft, labels.common, context=context)
        if (per_chunk := result.time_per_chunk_s) is not None:
            self.time_per_chunk.record(per_chunk, labels.common, context=_NO_EXEMPLAR)
        # A non-streamed answer names its model only with the whole body: that time is the
        # call's, not the router's, and would swamp the routing-latency histogram.
        if (routing := result.routing_s) is not None and result.record.request.stream:
            self.routing.record(routing, labels.routing, context=context)

    def _record_economics(self, result: CallResult, labels: _LabelSets) -> None:
        if result.cost_usd is not None:
            self.cost.add(result.cost_usd, labels.cost(result.cost_source))
        assessment = result.assessment
        if assessment is not None and assessment.savings_usd is not None:
            baseline = labels.baseline(assessment.baseline_model or "unknown")
            # Counters only go up: each direction has its own, both always recorded.
            self.savings.add(max(assessment.savings_usd, 0.0), baseline)
            self.overspend.add(max(-assessment.savings_usd, 0.0), baseline)

    def _record_fallbacks(self, result: CallResult, context: Context) -> None:
        fallback = result.record.fallback
        apply = self._labels.apply
        if fallback is not None:
            self.fallbacks.add(
                1,
                apply(
                    {
                        sc.FALLBACK_FROM_MODEL: fallback.from_model,
                        sc.FALLBACK_TO_MODEL: result.record.request.model or "unknown",
                        sc.FALLBACK_REASON: fallback.reason,
                        sc.FALLBACK_LAYER: sc.LAYER_CLIENT,
                    }
                ),
                context=context,
            )
        for failed, tried_next in result.server_fallbacks:
            self.fallbacks.add(
                1,
                apply(
                    {
                        sc.FALLBACK_FROM_MODEL: failed.model or "unknown",
                        sc.FALLBACK_TO_MODEL: tried_next.model or "unknown",
                        sc.FALLBACK_REASON: str(failed.status) if failed.status else "unknown",
                        sc.FALLBACK_LAYER: sc.LAYER_SERVER,
                    }
                ),
                context=context,
            )
