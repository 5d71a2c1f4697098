"""The httpx and httpx2 transport wrappers, sync and async, against the emulator."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from routing_otel import _semconv as sc
from routing_otel.emulator import Emulator, Fault
from tests.clients import Driver, chat

if TYPE_CHECKING:
    from tests.telemetry import Telemetry

METADATA = {"x-edenai-metadata": "enabled"}
CANDIDATES = ["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"]


def _url(emu: Emulator, *, llm: bool = True) -> str:
    return (emu.llm_base_url if llm else emu.base_url) + "/chat/completions"


def test_routed_stream_gives_chat_and_route_spans(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """A routed stream yields a CLIENT chat span with a route child and the served model."""
    payload = chat(
        stream=True, stream_options={"include_usage": True}, router_candidates=CANDIDATES
    )
    received = driver.send(_url(emu), payload, METADATA)
    chunks = received.chunks()
    served = chunks[0]["model"]
    usage_chunk = chunks[-1]

    span = telemetry.only_chat_span()
    attrs = span.attributes or {}
    assert span.name == "chat @edenai"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert attrs[sc.GEN_AI_REQUEST_MODEL] == "@edenai"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == served
    assert served in CANDIDATES
    assert attrs[sc.GEN_AI_RESPONSE_ID] == chunks[0]["id"]
    assert attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] == usage_chunk["usage"]["prompt_tokens"]
    assert attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] == usage_chunk["usage"]["completion_tokens"]
    assert attrs[sc.ROUTER_COST] == pytest.approx(usage_chunk["cost"])
    assert attrs[sc.ROUTER_COST_SOURCE] == sc.COST_REPORTED
    assert attrs[sc.ROUTER_CANDIDATES] == tuple(CANDIDATES)
    assert attrs[sc.ROUTER_STRATEGY] == "auto"
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is True
    assert attrs[sc.SERVER_ADDRESS] == "127.0.0.1"
    assert attrs[sc.SERVER_PORT] == emu.port
    assert attrs[sc.HTTP_RESPONSE_STATUS_CODE] == 200
    routing = attrs[sc.ROUTER_ROUTING_DURATION]
    ttft = attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]
    assert isinstance(routing, float)
    assert isinstance(ttft, float)
    assert 0.002 <= routing < ttft  # the emulator routes for 2-5 ms before the first chunk

    (route,) = telemetry.spans("route ")
    assert route.name == "route @edenai"
    assert route.kind is SpanKind.INTERNAL
    assert route.parent is not None
    assert route.parent.span_id == span.context.span_id
    assert route.start_time == span.start_time
    assert route.end_time is not None
    assert route.start_time is not None
    assert span.start_time is not None
    assert route.end_time - route.start_time == pytest.approx(routing * 1e9, abs=1)
    assert [e.name for e in span.events] == [sc.EVENT_ROUTER_DECISION, sc.EVENT_FIRST_CHUNK]
    assert span.events[1].timestamp - span.start_time == pytest.approx(ttft * 1e9, abs=1)


def test_routed_stream_metrics(driver: Driver, emu: Emulator, telemetry: Telemetry) -> None:
    """Duration, TTFT, routing duration, tokens, requests and cost are recorded per call."""
    payload = chat(
        stream=True, stream_options={"include_usage": True}, router_candidates=CANDIDATES
    )
    chunks = driver.send(_url(emu), payload).chunks()
    served = chunks[0]["model"]
    pool = telemetry.only_chat_span().attributes[sc.ROUTER_POOL]  # type: ignore[index]
    assert isinstance(pool, str)
    assert pool.startswith("pool-")

    keys: dict[str, Any] = {"gen_ai__request__model": "@edenai", "gen_ai__response__model": served}
    assert telemetry.point(sc.METRIC_OPERATION_DURATION, **keys).count == 1  # type: ignore[union-attr]
    assert telemetry.point(sc.METRIC_TIME_TO_FIRST_CHUNK, **keys).count == 1  # type: ignore[union-attr]
    routing = telemetry.point(sc.METRIC_ROUTING_DURATION, **keys, llm__router__pool=pool)
    assert routing.count == 1  # type: ignore[union-attr]
    tokens = telemetry.point(sc.METRIC_TOKEN_USAGE, **keys, gen_ai__token__type="output")
    assert tokens.sum == chunks[-1]["usage"]["completion_tokens"]  # type: ignore[union-attr]
    requests = telemetry.point(sc.METRIC_REQUESTS, **keys, outcome="success", fallback=False)
    assert requests.value == 1  # type: ignore[union-attr]
    cost = telemetry.point(
        sc.METRIC_COST,
        gen_ai__response__model=served,
        gen_ai__request__model="@edenai",
        cost__source="reported",
    )
    assert cost.value == pytest.approx(chunks[-1]["cost"])  # type: ignore[union-attr]


def test_fixed_model_json_call_has_no_route_span(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """A fixed-model, non-streamed call is one chat span, no routing, served model resolved."""
    received = driver.send(_url(emu, llm=False), chat("openai/gpt-4o-mini"), stream=False)
    assert received.status == 200
    span = telemetry.only_chat_span()
    attrs = span.attributes or {}
    assert span.name == "chat openai/gpt-4o-mini"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == "openai/gpt-4o-mini"
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is False
    assert sc.ROUTER_ROUTING_DURATION not in attrs
    assert sc.GEN_AI_USAGE_INPUT_TOKENS in attrs
    assert telemetry.spans("route ") == []
    assert telemetry.points(sc.METRIC_ROUTING_DURATION) == []
    # Not routed, so no pool: "fixed", never Eden AI's "default" pool.
    assert attrs[sc.ROUTER_POOL] == sc.POOL_FIXED
    telemetry.point(sc.METRIC_REQUESTS, llm__router__pool=sc.POOL_FIXED)


@pytest.mark.parametrize(
    ("fault", "status", "error_type"),
    [
        (Fault.RATE_LIMIT, 429, "429"),
        (Fault.ROUTER_DOWN, 503, "503"),
        (Fault.SERVER_ERROR, 500, "500"),
    ],
)
def test_http_errors_set_error_type_and_reach_the_app(
    driver: Driver, emu: Emulator, telemetry: Telemetry, fault: Fault, status: int, error_type: str
) -> None:
    """An HTTP error is an ERROR span with error.type; the app still gets the response."""
    headers = {"x-emulator-fault": fault.value}
    received = driver.send(_url(emu), chat(stream=True), headers)
    assert received.status == status
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})[sc.ERROR_TYPE] == error_type
    (route,) = telemetry.spans("route ")
    assert route.status.status_code is StatusCode.ERROR
    point = telemetry.point(sc.METRIC_REQUESTS, outcome="error", error__type=error_type)
    assert point.value == 1  # type: ignore[union-attr]


def test_error_frame_mid_stream_is_an_error(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """An error frame inside a 200 stream marks the call failed with the frame's code."""
    received = driver.send(_url(emu), chat(stream=True), {"x-emulator-fault": "stream_error"})
    assert received.status == 200
    assert any("error" in chunk for chunk in received.chunks())
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    error_type = (span.attributes or {})[sc.ERROR_TYPE]
    assert isinstance(error_type, str)
    assert error_type


def test_connection_reset_mid_stream_reaches_app_and_ends_span(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """A reset mid-stream raises the library's own error in the app and fails the span."""
    with pytest.raises(driver.module.TransportError) as raised:
        driver.send(_url(emu), chat(stream=True), {"x-emulator-fault": "connection_reset"})
    span = telemetry.only_chat_span()
    assert span.status.status_code is StatusCode.ERROR
    expected = f"{driver.library}.{type(raised.value).__name__}"
    assert (span.attributes or {})[sc.ERROR_TYPE] == expected


def test_connection_refused_is_an_error_span(driver: Driver, telemetry: Telemetry) -> None:
    """A request that never reaches a server fails the span and raises the app's error."""
    driver.hosts = ["127.0.0.1:9"]  # the discard port: nothing listens there
    with pytest.raises(driver.module.ConnectError):
        driver.send("http://127.0.0.1:9/v3/llm/chat/completions", chat(stream=True))
    span = telemetry.only_chat_span()
    assert (span.attributes or {})[sc.ERROR_TYPE] == f"{driver.library}.ConnectError"
    assert span.status.status_code is StatusCode.ERROR


def test_calls_not_aimed_at_the_api_are_left_alone(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """The model catalogue and hosts outside ``hosts`` produce no telemetry."""
    driver.run(
        lambda c: c.get(emu.base_url + "/models"),
        lambda c: c.get(emu.base_url + "/models"),
    )
    driver.hosts = ["api.edenai.run"]
    driver.send(_url(emu), chat(stream=True))
    assert telemetry.exporter.get_finished_spans() == ()
    assert telemetry.points(sc.METRIC_REQUESTS) == []


def test_server_side_fallback_is_visible_on_the_span(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Failed attempts listed in the metadata show as attempts and a fallback on the span."""
    headers = {**METADATA, "x-emulator-fault": "provider_fallback"}
    driver.send(_url(emu), chat("openai/gpt-4o", stream=True), headers)
    attrs = telemetry.only_chat_span().attributes or {}
    attempts = attrs[sc.ROUTER_ATTEMPTS]
    assert isinstance(attempts, int)
    assert attempts >= 2
    assert attrs[sc.ROUTER_FALLBACK] is True
    assert attrs[sc.ROUTER_FALLBACK_FROM]


def test_exemplars_link_latency_points_to_the_chat_span(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """A latency point's exemplar names the chat span, so a dashboard can jump to the trace."""
    driver.send(_url(emu), chat(stream=True))
    span = telemetry.only_chat_span()
    point = telemetry.point(sc.METRIC_TIME_TO_FIRST_CHUNK, gen_ai__request__model="@edenai")
    exemplars = getattr(point, "exemplars", [])
    assert exemplars
    assert {e.span_id for e in exemplars} == {span.context.span_id}
    assert {e.trace_id for e in exemplars} == {span.context.trace_id}


def test_non_streamed_routed_call_stays_out_of_the_routing_histogram(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Without a stream the choice is known only with the whole answer: span yes, metric no."""
    driver.send(_url(emu), chat(), stream=False)
    (route,) = telemetry.spans("route ")
    assert route.end_time is not None
    assert telemetry.points(sc.METRIC_ROUTING_DURATION) == []
    assert telemetry.point(sc.METRIC_REQUESTS, gen_ai__request__model="@edenai").value == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
def test_content_is_not_recorded_unless_opted_in(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    stream: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prompts and answers stay off spans by default; opted in, both are recorded."""
    payload = chat(
        stream=stream,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Name a queue."},
        ],
    )
    driver.send(_url(emu), payload, stream=stream)
    plain = telemetry.only_chat_span().attributes or {}
    assert sc.GEN_AI_INPUT_MESSAGES not in plain
    assert sc.GEN_AI_OUTPUT_MESSAGES not in plain
    telemetry.exporter.clear()
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    received = driver.send(_url(emu), payload, stream=stream)
    attrs = telemetry.only_chat_span().attributes or {}
    inputs = json.loads(str(attrs[sc.GEN_AI_INPUT_MESSAGES]))
    assert inputs == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Name a queue."}]},
    ]
    (output,) = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    if stream:
        answer = "".join(
            c["choices"][0]["delta"].get("content") or "" for c in received.chunks() if c["choices"]
        )
    else:
        answer = json.loads(received.body)["choices"][0]["message"]["content"]
    assert output == {
        "role": "assistant",
        "parts": [{"type": "text", "content": answer}],
        "finish_reason": "stop",
    }


def test_histograms_use_the_contracts_buckets(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Seconds histograms use the semconv bounds, tokens theirs (not the SDK's ms defaults)."""
    driver.send(_url(emu), chat(stream=True, stream_options={"include_usage": True}))
    for name in (
        sc.METRIC_OPERATION_DURATION,
        sc.METRIC_TIME_TO_FIRST_CHUNK,
        sc.METRIC_ROUTING_DURATION,
    ):
        (point,) = telemetry.points(name)
        assert tuple(getattr(point, "explicit_bounds", ())) == sc.DURATION_BUCKETS, name
    tokens = telemetry.points(sc.METRIC_TOKEN_USAGE)
    kinds = sorted(str((p.attributes or {})[sc.GEN_AI_TOKEN_TYPE]) for p in tokens)
    assert kinds == [sc.TOKEN_TYPE_INPUT, sc.TOKEN_TYPE_OUTPUT]
    for point in tokens:
        assert tuple(getattr(point, "explicit_bounds", ())) == sc.TOKEN_BUCKETS
