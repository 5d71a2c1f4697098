"""Calls aimed at ``@edenai`` are observed wherever they go; ``hosts`` restricts, and says so."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import httpx
import pytest

import routing_otel
from routing_otel._calls.gate import Hosts, host_key
from tests.canned_server import CannedServer, serve
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from collections.abc import Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    """A second server on loopback (another host:port), answering a short stream."""
    for server in serve():
        server.canned.pieces = [b'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n']
        yield server


@pytest.fixture(autouse=True)
def _no_hosts_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROUTING_OTEL_HOSTS", raising=False)


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("api.edenai.run", "api.edenai.run"),
        (" API.EDENAI.RUN ", "api.edenai.run"),
        ("127.0.0.1:8787", "127.0.0.1:8787"),
        ("http://127.0.0.1:8787/v3", "127.0.0.1:8787"),
        ("https://api.edenai.run/v3/llm", "api.edenai.run"),
        ("gateway.internal/edenai", "gateway.internal"),
    ],
)
def test_a_url_is_read_as_its_host_and_port(entry: str, key: str) -> None:
    """Wherever a host is accepted, a base URL works too (scheme and path ignored)."""
    assert host_key(entry) == key


def test_default_hosts_learn_where_edenai_calls_go() -> None:
    """A host is learned from an @edenai call; explicit hosts learn nothing."""
    hosts = Hosts(None)
    assert not hosts.covers("127.0.0.1", 9)
    hosts.learn("127.0.0.1", 9)
    assert hosts.covers("127.0.0.1", 9)
    assert not hosts.covers("127.0.0.1", 10)


def test_with_default_hosts_edenai_calls_are_observed_anywhere(
    emu: Emulator, canned: CannedServer, telemetry: Telemetry
) -> None:
    """No hosts given: @edenai calls on any host, then that host's fixed-model calls too."""
    url = emu.base_url + "/chat/completions"
    routing_otel.instrument(**telemetry.providers)
    try:
        with httpx.Client(headers=HEADERS) as client:
            client.post(canned.url, json=chat("openai/gpt-4o", stream=True))  # not ours
            client.post(url, json=chat("openai/gpt-4o"))  # not yet known as Eden AI's
            client.post(url, json=chat("@edenai"))
            client.post(url, json=chat("openai/gpt-4o"))  # a fallback after it: seen
            client.post(canned.url, json=chat("@edenai", stream=True))
    finally:
        routing_otel.uninstrument()
    names = [(s.name, (s.attributes or {}).get("server.port")) for s in telemetry.chat_spans()]
    assert names == [
        ("chat @edenai", emu.port),
        ("chat openai/gpt-4o", emu.port),
        ("chat @edenai", canned.port),
    ]


def test_explicit_hosts_restrict_and_say_so_once(
    emu: Emulator, telemetry: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    """An @edenai call outside the given hosts is not observed; one log line says how to."""
    url = emu.base_url + "/chat/completions"
    routing_otel.instrument(hosts=["api.edenai.run"], **telemetry.providers)
    try:
        with caplog.at_level(logging.WARNING, logger="routing_otel"), httpx.Client() as client:
            for _ in range(3):
                client.post(url, json=chat("@edenai"), headers=HEADERS)
    finally:
        routing_otel.uninstrument()
    assert telemetry.chat_spans() == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "routing_otel"]
    assert len(warnings) == 1
    assert f"127.0.0.1:{emu.port}" in warnings[0]
    assert "hosts" in warnings[0]


def test_the_base_url_a_user_gives_their_client_works_as_a_host(
    emu: Emulator, telemetry: Telemetry
) -> None:
    """``instrument(hosts=[base_url])`` observes calls to that base URL, fixed models too."""
    routing_otel.instrument(hosts=[emu.base_url], **telemetry.providers)
    try:
        with httpx.Client(base_url=emu.base_url, headers=HEADERS) as client:
            answer = client.post("/chat/completions", json=chat("openai/gpt-4o"))
    finally:
        routing_otel.uninstrument()
    assert json.loads(answer.content)["object"] == "chat.completion"
    assert telemetry.only_chat_span().name == "chat openai/gpt-4o"
