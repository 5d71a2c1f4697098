"""Observations to spans (and, through ``_metrics``, metric points) under the contract's names.

The recorder is told two things about a call: it started (a request, the caller's scope),
and it ended (an observation of the response, and how it ended). Everything it emits is
derived from those, so every client adapter produces identical telemetry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from routing_otel import _semconv as sc
from routing_otel._cost.economics import Assessment
from routing_otel._cost.model import CostResult
from routing_otel._options import DEFAULT_MAX_LABEL_VALUES, ContentCapture
from routing_otel._safety import guard
from routing_otel._semconv import SCHEMA_URL, SCOPE_NAME
from routing_otel._telemetry.content import input_messages, output_messages
from routing_otel._telemetry.details import DetailsEvent
from routing_otel._telemetry.metrics import Instruments
from routing_otel._telemetry.result import CallRecord, CallResult
from routing_otel._version import __version__

if TYPE_CHECKING:
    from opentelemetry._logs import LoggerProvider
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.util.types import AttributeValue

    from routing_otel._cost.economics import Economics
    from routing_otel._telemetry.result import Outcome
    from routing_otel._wire.observation import Observation


class Recorder:
    """Creates the spans and metric points of API calls; instruments are made once."""

    def __init__(  # noqa: PLR0913 - providers and settings, every one optional
        self,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        economics: Economics | None = None,
        budget_usd_per_day: float | None = None,
        max_label_values: int = DEFAULT_MAX_LABEL_VALUES,
        *,
        logger_provider: LoggerProvider | None = None,
        content_capture: ContentCapture = ContentCapture.SPAN_ONLY,
    ) -> None:
        """Use the given providers, or the global ones (looked up lazily by the API).

        ``economics`` prices calls (reported cost only without it); a daily budget is
        exported as a gauge for alert rules; each outside-valued metric label keeps at most
        ``max_label_values`` distinct values. ``content_capture`` says where captured
        prompts and answers go (requests carry them only when capture is on).
        """
        self._content_on_spans = content_capture.on_spans
        self._details = DetailsEvent(logger_provider) if content_capture.as_events else None
        self._tracer_provider = tracer_provider
        self._tracer = trace.get_tracer(
            SCOPE_NAME, __version__, tracer_provider=tracer_provider, schema_url=SCHEMA_URL
        )
        self._instruments = Instruments(meter_provider, budget_usd_per_day, max_label_values)
        self._economics = economics

    @property
    def active(self) -> bool:
        """Whether metric points would be recorded anywhere."""
        return self._instruments.active

    @property
    def may_record(self) -> bool:
        """Whether anything at all could be recorded (cheap; checked before parsing a request).

        False only when metrics go nowhere and no span can be sampled: no SDK (a no-op or
        unset global provider), or an SDK whose sampler always drops.
        """
        if self._instruments.active:
            return True
        provider = self._tracer_provider or trace.get_tracer_provider()
        if isinstance(provider, trace.NoOpTracerProvider | trace.ProxyTracerProvider):
            return False
        sampler = getattr(provider, "sampler", None)
        return not (sampler is not None and sampler.get_description() == "AlwaysOffSampler")

    def finish(
        self, record: CallRecord, observation: Observation | None, outcome: Outcome
    ) -> CallResult:
        """Make the call's spans, whole, record its metric points, and return the result.

        The spans are made when the call has ended, with the times it happened at, so none
        can be left open: each is ended in the same step that started it.
        """
        result = CallResult.of(record, observation, outcome)
        if self._economics is not None:
            result.assessment = self._economics.assess(record.request, observation)
        elif observation is not None and observation.cost is not None:
            result.assessment = Assessment(CostResult(observation.cost, sc.COST_REPORTED))
        model = record.request.model or "unknown"
        attributes = _request_attributes(record)
        content = _captured(record, observation)
        if self._content_on_spans:
            attributes.update({k: v for k, v in content.items() if v is not None})
        # Everything known at once: the span is made whole, its attributes set in one step.
        attributes.update(_response_attributes(result))
        span = record.span = self._tracer.start_span(
            f"{sc.OPERATION_CHAT} {model}",
            context=record.context,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=record.start_ns,
            record_exception=False,
        )
        try:
            _add_events(span, result)
            if record.request.routed:
                self._route_span(result)
            if result.error_type is not None:
                span.set_status(Status(StatusCode.ERROR, result.describe_error()))
        finally:
            span.end(end_time=result.end_ns)
        self._instruments.record(result)
        if self._details is not None and content:
            with guard("details event"):  # a failing log pipeline costs only the event
                self._details.emit(span, attributes, content, result.end_ns)
        return result

    def _route_span(self, result: CallResult) -> None:
        record = result.record
        known_ns = result.observation.model_known_ns if result.observation else None
        failed = known_ns is None and result.error_type is not None
        attributes: dict[str, AttributeValue] = {}
        if result.served_model is not None:
            attributes[sc.GEN_AI_RESPONSE_MODEL] = result.served_model
        if failed and result.error_type is not None:
            attributes[sc.ERROR_TYPE] = result.error_type
        route = self._tracer.start_span(
            f"{sc.ROUTE_SPAN_PREFIX} {record.request.model}",
            context=trace.set_span_in_context(record.span),
            kind=SpanKind.INTERNAL,
            attributes=attributes,
            start_time=record.start_ns,
            record_exception=False,
        )
        if failed:
            route.set_status(Status(StatusCode.ERROR, "the router's choice never became known"))
        route.end(end_time=known_ns if known_ns is not None else result.end_ns)


def _response_attributes(result: CallResult) -> dict[str, AttributeValue]:
    """What the response told, for the chat span."""
    values: dict[str, AttributeValue | None] = {
        sc.HTTP_RESPONSE_STATUS_CODE: result.outcome.status_code,
        sc.ERROR_TYPE: result.error_type,
        sc.GEN_AI_RESPONSE_MODEL: result.served_model,
    }
    if result.outcome.closed_early:
        values[sc.ROUTER_STREAM_CLOSED_EARLY] = True
    if result.observation is not None:
        values.update(_observation_attributes(result.observation, result))
    return {k: v for k, v in values.items() if v is not None}


def _add_events(span: trace.Span, result: CallResult) -> None:
    """The router's decision and the first chunk, at the times they happened."""
    observation = result.observation
    if observation is None:
        return
    if observation.model_known_ns is not None and result.served_model is not None:
        span.add_event(
            sc.EVENT_ROUTER_DECISION,
            {sc.GEN_AI_RESPONSE_MODEL: result.served_model},
            timestamp=observation.model_known_ns,
        )
    if observation.first_token_ns is not None:
        span.add_event(sc.EVENT_FIRST_CHUNK, timestamp=observation.first_token_ns)


def _request_attributes(record: CallRecord) -> dict[str, AttributeValue]:
    request = record.request
    scope = record.scope
    fallback = record.fallback
    attributes: dict[str, AttributeValue] = {
        sc.GEN_AI_OPERATION_NAME: sc.OPERATION_CHAT,
        sc.GEN_AI_PROVIDER_NAME: sc.PROVIDER_EDENAI,
        sc.GEN_AI_REQUEST_MODEL: request.model or "unknown",
        sc.GEN_AI_REQUEST_STREAM: request.stream,
        sc.SERVER_ADDRESS: request.server_address,
        sc.ROUTER_POOL: record.pool,
        **record.span_attributes,
    }
    optional: dict[str, AttributeValue | None] = {
        sc.SERVER_PORT: request.server_port,
        sc.GEN_AI_REQUEST_MAX_TOKENS: request.max_tokens,
        sc.GEN_AI_REQUEST_TEMPERATURE: request.temperature,
        sc.GEN_AI_REQUEST_TOP_P: request.top_p,
        sc.GEN_AI_REQUEST_SEED: request.seed,
        sc.GEN_AI_REQUEST_CHOICE_COUNT: request.choice_count,
        sc.GEN_AI_OUTPUT_TYPE: request.output_type,
        sc.GEN_AI_REQUEST_FREQUENCY_PENALTY: request.frequency_penalty,
        sc.GEN_AI_REQUEST_PRESENCE_PENALTY: request.presence_penalty,
        sc.GEN_AI_REQUEST_STOP_SEQUENCES: request.stop_sequences,
        sc.GEN_AI_CONVERSATION_ID: request.session_id or (scope.conversation_id if scope else None),
        sc.ROUTER_CANDIDATES: request.candidates,
    }
    if fallback is not None:
        optional[sc.ROUTER_FALLBACK] = True
        optional[sc.ROUTER_FALLBACK_FROM] = fallback.from_model
        optional[sc.ROUTER_FALLBACK_REASON] = fallback.reason
    attributes.update({k: v for k, v in optional.items() if v is not None})
    return attributes


def _observation_attributes(
    observation: Observation, result: CallResult
) -> dict[str, AttributeValue | None]:
    fallbacks = result.server_fallbacks
    values: dict[str, AttributeValue | None] = {
        sc.GEN_AI_RESPONSE_ID: observation.response_id,
        sc.GEN_AI_RESPONSE_FINISH_REASONS: observation.finish_reasons or None,
        sc.GEN_AI_USAGE_INPUT_TOKENS: observation.input_tokens,
        sc.GEN_AI_USAGE_OUTPUT_TOKENS: observation.output_tokens,
        sc.GEN_AI_USAGE_CACHED_INPUT_TOKENS: observation.cached_tokens,
        sc.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: observation.cache_write_tokens,
        sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: observation.reasoning_tokens,
        sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: result.ttft_s,
        sc.ROUTER_ROUTING_DURATION: result.routing_s,
        sc.ROUTER_STRATEGY: observation.strategy,
        sc.ROUTER_DROPPED_CANDIDATES: observation.dropped_candidates or None,
        sc.ROUTER_ATTEMPTS: observation.attempt or (len(observation.attempts) or None),
        sc.ROUTER_TOOL_CALLS: observation.tool_calls or None,
        sc.ROUTER_COST: result.cost_usd,
        sc.ROUTER_COST_SOURCE: result.cost_source,
    }
    if result.assessment is not None and result.assessment.savings_usd is not None:
        values[sc.ROUTER_SAVINGS] = result.assessment.savings_usd
        values[sc.ROUTER_SAVINGS_BASELINE] = result.assessment.baseline_model
    if fallbacks and result.record.fallback is None:
        values[sc.ROUTER_FALLBACK] = True
        first, last = fallbacks[0][0], fallbacks[-1][0]
        values[sc.ROUTER_FALLBACK_FROM] = first.model
        values[sc.ROUTER_FALLBACK_REASON] = str(last.status) if last.status else None
    return values


def _captured(record: CallRecord, observation: Observation | None) -> dict[str, str | None]:
    """The prompt and answer as span-attribute JSON; empty unless capture is on (opt-in)."""
    messages = record.request.messages  # kept only when capture is on
    if messages is None:
        return {}
    return {
        sc.GEN_AI_INPUT_MESSAGES: input_messages(messages),
        sc.GEN_AI_OUTPUT_MESSAGES: output_messages(observation) if observation else None,
    }
