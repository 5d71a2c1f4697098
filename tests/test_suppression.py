"""OpenTelemetry's suppress-instrumentation context key: such calls are left alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from opentelemetry.instrumentation.utils import suppress_instrumentation

from tests.clients import KEY, Driver, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry


def _sent(emu: Emulator) -> list[dict[str, object]]:
    return [
        {"headers": r.headers, "body": r.body}
        for r in emu.requests
        if r.path.endswith("/chat/completions")
    ]


def test_transport_leaves_suppressed_calls_alone(
    driver: Driver, emu: Emulator, telemetry: Telemetry
) -> None:
    """Inside suppress_instrumentation(): no span, no metric point, the request unchanged."""
    url = emu.llm_base_url + "/chat/completions"
    with suppress_instrumentation():
        received = driver.send(url, chat(stream=True))
    assert received.status == 200
    assert telemetry.chat_spans() == []
    assert telemetry.points("llm.router.requests") == []
    (sent,) = _sent(emu)
    assert "x-edenai-metadata" not in sent["headers"]  # type: ignore[operator]
    assert "stream_options" not in sent["body"]  # type: ignore[operator]
    driver.send(url, chat(stream=True))  # and observed again once outside
    assert len(telemetry.chat_spans()) == 1


def test_instrument_leaves_suppressed_calls_alone(emu: Emulator, instrumented: Telemetry) -> None:
    """The global patches (here requests') honour the key too."""
    url = emu.llm_base_url + "/chat/completions"
    headers = {"Authorization": f"Bearer {KEY}"}
    with suppress_instrumentation():
        response = requests.post(url, json=chat(), headers=headers, timeout=30)
    assert response.status_code == 200
    assert instrumented.chat_spans() == []
    (sent,) = _sent(emu)
    assert "x-edenai-metadata" not in sent["headers"]  # type: ignore[operator]
