"""OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: spans, the details event, or nothing."""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

import routing_otel.httpx
from routing_otel import _safety
from routing_otel import _semconv as sc
from routing_otel._options import ENV_CAPTURE_CONTENT
from routing_otel._telemetry.details import DetailsEvent
from routing_otel._wire.observation import Observation
from routing_otel._wire.payload import MAX_CAPTURED_TOOL_CALLS, PayloadReader
from tests.clients import chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from opentelemetry.sdk._logs import ReadableLogRecord

    from routing_otel.emulator import Emulator
    from tests.clients import Driver
    from tests.telemetry import Telemetry

EVENT = "gen_ai.client.inference.operation.details"
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Name a queue."},
]


@pytest.fixture
def logs(driver: Driver) -> Iterator[InMemoryLogRecordExporter]:
    """A logger provider recording in memory, given to the driver's transports."""
    exporter = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    driver.options = {"logger_provider": provider}
    yield exporter
    provider.shutdown()


def _url(emu: Emulator) -> str:
    return emu.llm_base_url + "/chat/completions"


def _events(logs: InMemoryLogRecordExporter) -> list[ReadableLogRecord]:
    return [r for r in logs.get_finished_logs() if r.log_record.event_name == EVENT]


@pytest.mark.parametrize(
    ("value", "on_span", "as_event"),
    [
        ("span_only", True, False),
        (" SPAN_ONLY ", True, False),
        ("event_only", False, True),
        ("Span_And_Event", True, True),
        ("no_content", False, False),
        ("true", True, False),
        ("FALSE", False, False),
        ("", False, False),
    ],
)
def test_each_setting_captures_where_it_says(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    logs: InMemoryLogRecordExporter,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    on_span: bool,
    as_event: bool,
) -> None:
    """The official values (any case) and the old booleans put content where they say."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, value)
    driver.send(_url(emu), chat(messages=MESSAGES, stream=True))
    attrs = telemetry.only_chat_span().attributes or {}
    assert (sc.GEN_AI_INPUT_MESSAGES in attrs) is on_span
    assert (sc.GEN_AI_OUTPUT_MESSAGES in attrs) is on_span
    assert len(_events(logs)) == (1 if as_event else 0)


def test_unknown_value_warns_once_and_captures_nothing(
    emu: Emulator,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A wrong setting is never a silent no-op: one WARNING names the accepted values."""
    value = f"spans-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, value)
    with caplog.at_level(logging.WARNING, logger="routing_otel"):
        for _ in range(2):
            routing_otel.httpx.RoutingTransport(hosts=[emu.base_url], **telemetry.providers)
    warnings = [r for r in caplog.records if value in r.getMessage()]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert ENV_CAPTURE_CONTENT in message
    assert all(
        accepted in message
        for accepted in ("span_only", "event_only", "span_and_event", "no_content", "true")
    )


@pytest.mark.parametrize(
    ("setting", "on_span", "as_event"),
    [(True, True, False), (False, False, False), ("event_only", False, True)],
)
def test_capture_content_keyword(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    logs: InMemoryLogRecordExporter,
    monkeypatch: pytest.MonkeyPatch,
    setting: bool | str,
    on_span: bool,
    as_event: bool,
) -> None:
    """`capture_content=True` still means spans only, and takes the modes' names too."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, "span_and_event")  # the keyword wins
    driver.options["capture_content"] = setting
    driver.send(_url(emu), chat(messages=MESSAGES), stream=False)
    attrs = telemetry.only_chat_span().attributes or {}
    assert (sc.GEN_AI_INPUT_MESSAGES in attrs) is on_span
    assert len(_events(logs)) == (1 if as_event else 0)


def test_capture_content_keyword_rejects_unknown_values() -> None:
    """A mistyped keyword fails loudly where it is written."""
    with pytest.raises(ValueError, match="span_and_event"):
        routing_otel.httpx.RoutingTransport(capture_content="spans")


def test_details_event_carries_the_calls_attributes_and_structured_content(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    logs: InMemoryLogRecordExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The event: the span's GenAI attributes, messages as lists, in the span's context."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, "event_only")
    payload = chat(messages=MESSAGES, stream=True, stream_options={"include_usage": True}, seed=3)
    received = driver.send(_url(emu), payload)
    span = telemetry.only_chat_span()
    (event,) = _events(logs)
    record = event.log_record
    attrs: dict[str, Any] = dict(record.attributes or {})
    span_attrs = span.attributes or {}
    for name in (
        sc.GEN_AI_OPERATION_NAME,
        sc.GEN_AI_PROVIDER_NAME,
        sc.GEN_AI_REQUEST_MODEL,
        sc.GEN_AI_REQUEST_SEED,
        sc.GEN_AI_RESPONSE_MODEL,
        sc.GEN_AI_RESPONSE_ID,
        sc.GEN_AI_USAGE_INPUT_TOKENS,
        sc.GEN_AI_USAGE_OUTPUT_TOKENS,
        sc.SERVER_ADDRESS,
        sc.SERVER_PORT,
    ):
        assert attrs[name] == span_attrs[name], name
    assert not any(name.startswith("llm.router.") for name in attrs)
    assert attrs[sc.GEN_AI_INPUT_MESSAGES] == (
        {"role": "system", "parts": ({"type": "text", "content": "Be brief."},)},
        {"role": "user", "parts": ({"type": "text", "content": "Name a queue."},)},
    )
    answer = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in received.chunks() if c["choices"]
    )
    (output,) = attrs[sc.GEN_AI_OUTPUT_MESSAGES]
    assert output["parts"] == ({"type": "text", "content": answer},)
    assert output["finish_reason"] == "stop"
    assert record.trace_id == span.context.trace_id
    assert record.span_id == span.context.span_id
    assert record.timestamp == span.end_time


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_the_models_tool_calls_are_tool_call_parts(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    monkeypatch: pytest.MonkeyPatch,
    stream: bool,
) -> None:
    """Tool calls in the answer (fragments or whole) are `tool_call` parts of the output."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, "span_only")
    question = [{"role": "user", "content": "get_weather for Paris?"}]
    payload = chat(messages=question, tools=TOOLS, stream=stream)
    received = driver.send(_url(emu), payload, stream=stream)
    if stream:
        fragments = [
            call
            for chunk in received.chunks()
            if chunk["choices"]
            for call in chunk["choices"][0]["delta"].get("tool_calls") or ()
        ]
        call_id, name = fragments[0]["id"], fragments[0]["function"]["name"]
        arguments = "".join(f["function"].get("arguments") or "" for f in fragments)
    else:
        (call,) = json.loads(received.body)["choices"][0]["message"]["tool_calls"]
        call_id, name, arguments = (
            call["id"],
            call["function"]["name"],
            call["function"]["arguments"],
        )
    assert arguments
    attrs = telemetry.only_chat_span().attributes or {}
    (output,) = json.loads(str(attrs[sc.GEN_AI_OUTPUT_MESSAGES]))
    assert output["parts"] == [
        {"type": "tool_call", "id": call_id, "name": name, "arguments": arguments}
    ]
    assert output["finish_reason"] == "tool_calls"


def test_tool_results_are_tool_call_response_parts(
    driver: Driver, emu: Emulator, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `role: "tool"` message is a `tool_call_response` part with its call's id."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, "span_only")
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    history = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "rainy, 57°F"},
    ]
    driver.send(_url(emu), chat(messages=history, tools=TOOLS), stream=False)
    attrs = telemetry.only_chat_span().attributes or {}
    assert json.loads(str(attrs[sc.GEN_AI_INPUT_MESSAGES])) == [
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "tool_call",
                    "id": "call_1",
                    "name": "get_weather",
                    "arguments": '{"city": "Paris"}',
                }
            ],
        },
        {
            "role": "tool",
            "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}],
        },
    ]


def test_captured_tool_calls_are_bounded() -> None:
    """Kept tool calls share the answer's character budget and stop at a fixed count."""
    observation = Observation()
    reader = PayloadReader(observation, capture_chars=10)
    calls = [
        {"id": f"c{i}", "function": {"name": "f", "arguments": "0123456789"}} for i in range(100)
    ]
    reader.read({"choices": [{"message": {"tool_calls": calls}}]}, part="message")
    captured = observation.captured_tool_calls
    assert captured is not None
    assert observation.tool_calls == 100
    assert len(captured) == MAX_CAPTURED_TOOL_CALLS
    assert sum(len("".join(c.arguments)) for c in captured) == 10
    assert captured[0].arguments == ["0123456789"]
    assert captured[1].truncated
    plain = Observation()
    PayloadReader(plain).read({"choices": [{"message": {"tool_calls": calls}}]}, part="message")
    assert plain.captured_tool_calls is None


def test_a_failing_details_event_costs_only_the_event(
    driver: Driver,
    emu: Emulator,
    telemetry: Telemetry,
    logs: InMemoryLogRecordExporter,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in the event's step is logged; the app's answer, span and metrics are intact."""
    monkeypatch.setenv(ENV_CAPTURE_CONTENT, "span_and_event")

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("injected failure in the details event")

    monkeypatch.setattr(DetailsEvent, "emit", broken)
    previous = _safety.set_strict(strict=False)
    try:
        with caplog.at_level(logging.WARNING, logger="routing_otel"):
            received = driver.send(_url(emu), chat(messages=MESSAGES), stream=False)
    finally:
        _safety.set_strict(strict=previous)
        _safety._reported.clear()
    assert received.status == 200
    assert json.loads(received.body)["choices"]
    assert any("details event" in r.getMessage() for r in caplog.records)
    assert sc.GEN_AI_OUTPUT_MESSAGES in (telemetry.only_chat_span().attributes or {})
    assert len(telemetry.points(sc.METRIC_REQUESTS)) == 1
    assert _events(logs) == []
