"""``instrument()`` / ``uninstrument()``: one line observes every client, and leaves no trace."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests

import routing_otel
from routing_otel import _semconv as sc
from tests.clients import KEY, LIBRARIES, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}


def _targets() -> list[tuple[type, str]]:
    targets: list[tuple[type, str]] = [(requests.adapters.HTTPAdapter, "send")]
    for module, _ in LIBRARIES.values():
        targets += [
            (module.HTTPTransport, "handle_request"),
            (module.AsyncHTTPTransport, "handle_async_request"),
        ]
    return targets


def _url(emu: Emulator) -> str:
    return emu.llm_base_url + "/chat/completions"


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_clients_created_before_instrument_are_observed(
    library: str, emu: Emulator, telemetry: Telemetry
) -> None:
    """A client made before ``instrument()`` is observed after it, sync and async."""
    module = LIBRARIES[library][0]

    async def scenario() -> None:
        client = module.Client()
        async_client = module.AsyncClient()
        routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
        try:
            client.post(_url(emu), json=chat(), headers=HEADERS)
            await async_client.post(_url(emu), json=chat(), headers=HEADERS)
        finally:
            routing_otel.uninstrument()
            client.close()
            await async_client.aclose()

    asyncio.run(scenario())
    assert [s.name for s in telemetry.chat_spans()] == ["chat @edenai", "chat @edenai"]


def test_plain_requests_post_is_observed(instrumented: Telemetry, emu: Emulator) -> None:
    """The guides' bare ``requests.post(..., stream=True)`` is observed with no other change."""
    response = requests.post(
        _url(emu), headers=HEADERS, json=chat(stream=True), stream=True, timeout=30
    )
    lines = [line for line in response.iter_lines() if line]
    first = json.loads(lines[0].decode()[6:])
    span = instrumented.only_chat_span()
    assert (span.attributes or {})[sc.GEN_AI_RESPONSE_MODEL] == first["model"]


def test_uninstrument_restores_exactly_what_was_there(emu: Emulator, telemetry: Telemetry) -> None:
    """After instrument and uninstrument, every patched attribute is the original object."""
    before = {(owner, name): owner.__dict__.get(name) for owner, name in _targets()}
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    assert all(owner.__dict__.get(name) is not before[owner, name] for owner, name in before)
    routing_otel.uninstrument()
    assert all(owner.__dict__.get(name) is before[owner, name] for owner, name in before)
    httpx.post(_url(emu), json=chat(), headers=HEADERS)
    assert telemetry.chat_spans() == []


def test_instrument_twice_observes_once(emu: Emulator, telemetry: Telemetry) -> None:
    """Calling ``instrument()`` again replaces its options instead of stacking patches."""
    routing_otel.instrument(hosts=["nowhere.invalid"], **telemetry.providers)
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    try:
        httpx.post(_url(emu), json=chat(), headers=HEADERS)
    finally:
        routing_otel.uninstrument()
    assert len(telemetry.chat_spans()) == 1
    routing_otel.uninstrument()  # a second uninstrument is harmless


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_explicit_transport_under_instrument_is_observed_once(
    library: str, instrumented: Telemetry, emu: Emulator
) -> None:
    """Our explicit transport over a patched one yields one span, not two."""
    module, ours = LIBRARIES[library]
    transport = ours.RoutingTransport(hosts=[f"127.0.0.1:{emu.port}"], **instrumented.providers)
    with module.Client(transport=transport) as client:
        client.post(_url(emu), json=chat(), headers=HEADERS)
    assert len(instrumented.chat_spans()) == 1


def test_metadata_header_is_added_unless_turned_off(emu: Emulator, telemetry: Telemetry) -> None:
    """API calls ask for ``edenai_metadata``; ``request_metadata=False`` stops that."""
    hosts = [f"127.0.0.1:{emu.port}"]
    routing_otel.instrument(hosts=hosts, **telemetry.providers)
    httpx.post(_url(emu), json=chat(), headers=HEADERS)
    routing_otel.instrument(hosts=hosts, request_metadata=False, **telemetry.providers)
    httpx.post(_url(emu), json=chat(), headers=HEADERS)
    routing_otel.uninstrument()
    sent = [r.headers.get("x-edenai-metadata") for r in emu.requests]
    assert sent == ["enabled", None]
    strategies = [(s.attributes or {}).get(sc.ROUTER_STRATEGY) for s in telemetry.chat_spans()]
    assert strategies == ["auto", None]


def test_entry_point_is_registered() -> None:
    """``opentelemetry-instrument`` finds our instrumentor through its entry point group."""
    points = importlib.metadata.entry_points(group="opentelemetry_instrumentor")
    ours = [p for p in points if p.name == "routing_otel"]
    assert len(ours) == 1
    assert ours[0].load() is routing_otel.RoutingInstrumentor


def test_opentelemetry_instrument_observes_an_unchanged_app(emu: Emulator, tmp_path: Path) -> None:
    """``opentelemetry-instrument python app.py`` traces the guides' code with no code change."""
    app = tmp_path / "app.py"
    app.write_text(
        textwrap.dedent(
            f"""
            import json, requests
            url = "{_url(emu)}"
            payload = {{"model": "@edenai", "messages": [{{"role": "user", "content": "hi"}}],
                        "stream": True}}
            response = requests.post(url, headers={HEADERS!r}, json=payload, stream=True)
            for line in response.iter_lines():
                pass
            """
        )
    )
    env = {
        **os.environ,
        "ROUTING_OTEL_HOSTS": f"127.0.0.1:{emu.port}",
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "",
    }
    bindir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bindir / "opentelemetry-instrument"), sys.executable, str(app)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    spans: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    text = result.stdout
    index = text.find("{")
    while index != -1:
        span, end = decoder.raw_decode(text, index)
        spans.append(span)
        index = text.find("{", end)
    names = [s["name"] for s in spans]
    assert "chat @edenai" in names, result.stdout[-2000:]
    assert "route @edenai" in names


def test_span_starts_when_the_app_asks_not_later(emu: Emulator, telemetry: Telemetry) -> None:
    """With instrument(), a request built long before it is sent starts at sending time."""
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    try:
        with httpx.Client() as client:
            request = client.build_request("POST", _url(emu), json=chat(), headers=HEADERS)
            built_ns = time.time_ns()
            time.sleep(0.2)  # the app does other things before sending
            client.send(request)
    finally:
        routing_otel.uninstrument()
    span = telemetry.only_chat_span()
    assert span.start_time is not None
    assert span.start_time - built_ns >= 200_000_000
