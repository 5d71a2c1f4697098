"""Faults, injected programmatically or per request with the x-emulator-fault header."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig, Fault
from tests.emulator._support import (
    AUTH,
    CANDIDATES,
    METADATA,
    chat,
    chunks,
    content_of,
    frames,
    streamed,
)


def _post(
    client: httpx.Client, body: dict[str, Any], fault: str | None = None, **headers: str
) -> httpx.Response:
    extra = {"x-emulator-fault": fault} if fault else {}
    return client.post("/chat/completions", json=body, headers={**AUTH, **extra, **headers})


def test_rate_limit(client: httpx.Client) -> None:
    """rate_limit is a 429 with Retry-After and the X-RateLimit-* headers."""
    response = _post(client, chat(), "rate_limit=3")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.headers["x-ratelimit-limit"] == "10"
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert int(response.headers["x-ratelimit-reset"]) >= int(time.time())
    assert response.json()["error"] == {
        "message": "Rate limit exceeded",
        "type": "rate_limit_error",
        "code": "rate_limit_exceeded",
    }


@pytest.mark.parametrize(
    ("fault", "status"),
    [("server_error", 500), ("bad_gateway", 502), ("region_not_allowed", 451)],
)
def test_status_faults(client: httpx.Client, fault: str, status: int) -> None:
    """Status faults answer with their status and an OpenAI-style error body."""
    response = _post(client, chat(), fault)
    assert response.status_code == status
    assert set(response.json()["error"]) >= {"message", "type", "code"}


def test_insufficient_credits_both_shapes(client: httpx.Client) -> None:
    """402 comes in the current and the older body shape."""
    current = _post(client, chat(), "insufficient_credits")
    legacy = _post(client, chat(), "insufficient_credits_legacy")
    assert current.status_code == legacy.status_code == 402
    assert current.json() == {"error": "Insufficient credits"}
    assert legacy.json()["error_code"] == "INSUFFICIENT_CREDIT"
    assert "detail" in legacy.json()


def test_router_down_only_hits_routed_requests(client: httpx.Client) -> None:
    """router_down is a 503 for @edenai while fixed models still work."""
    routed = _post(client, chat(), "router_down")
    fixed = _post(client, chat(model="openai/gpt-4o"), "router_down")
    assert routed.status_code == 503
    assert routed.json()["error"]["code"] == "router_unavailable"
    assert fixed.status_code == 200


def test_router_down_switch(emu: Emulator, client: httpx.Client) -> None:
    """emu.router_down() holds until switched off, and spares fixed models."""
    emu.router_down()
    assert _post(client, chat()).status_code == 503
    assert _post(client, chat()).status_code == 503
    assert _post(client, chat(model="openai/gpt-4o")).status_code == 200
    emu.router_down(False)
    assert _post(client, chat()).status_code == 200


def test_injected_faults_are_consumed_in_order(emu: Emulator, client: httpx.Client) -> None:
    """inject(times=n) affects the next n requests, then the queue moves on."""
    emu.inject(Fault.RATE_LIMIT, times=2)
    emu.inject("server_error")
    assert [f for f, _, _ in emu.pending_faults] == [Fault.RATE_LIMIT, Fault.SERVER_ERROR]
    statuses = [_post(client, chat()).status_code for _ in range(4)]
    assert statuses == [429, 429, 500, 200]
    assert emu.pending_faults == []


def test_router_faults_wait_for_a_routed_request(emu: Emulator, client: httpx.Client) -> None:
    """A queued router fault is not consumed by fixed-model requests."""
    emu.inject(Fault.ROUTER_DOWN)
    assert _post(client, chat(model="openai/gpt-4o")).status_code == 200
    assert _post(client, chat()).status_code == 503
    assert _post(client, chat()).status_code == 200


def test_header_requests_leave_the_queue_alone(emu: Emulator, client: httpx.Client) -> None:
    """A request with the fault header neither uses nor consumes injected faults."""
    emu.inject(Fault.SERVER_ERROR)
    assert _post(client, chat(), "slow_first_token=0").status_code == 200
    assert len(emu.pending_faults) == 1
    emu.clear_faults()
    assert _post(client, chat()).status_code == 200


def test_inject_until_cleared(emu: Emulator, client: httpx.Client) -> None:
    """times=None keeps a fault until clear_faults()."""
    emu.inject(Fault.BAD_GATEWAY, times=None)
    assert [_post(client, chat()).status_code for _ in range(3)] == [502, 502, 502]
    emu.clear_faults()
    assert _post(client, chat()).status_code == 200


def test_inject_rejects_bad_arguments(emu: Emulator) -> None:
    """Unknown fault names and zero times are refused."""
    with pytest.raises(ValueError):
        emu.inject("meteor")
    with pytest.raises(ValueError):
        emu.inject(Fault.RATE_LIMIT, times=0)


def test_mid_stream_error_frame(client: httpx.Client) -> None:
    """stream_error sends content chunks, an error frame with corrected metadata, then ends."""
    response = _post(client, streamed(router_candidates=CANDIDATES), "stream_error=2", **METADATA)
    assert response.status_code == 200
    payloads = frames(response.text)
    assert "[DONE]" not in payloads
    items = chunks(response.text)
    assert len(items) == 1 + 2 + 1  # role chunk, two content chunks, the error frame
    error_frame = items[-1]
    assert error_frame["error"]["code"] == "provider_error"
    metadata = error_frame["edenai_metadata"]
    assert metadata["attempts"][-1]["status"] == 502
    assert "served=" not in metadata["summary"]
    assert items[0]["edenai_metadata"]["attempts"][-1]["status"] == 200


def test_mid_stream_error_without_metadata(client: httpx.Client) -> None:
    """Without the metadata header the error frame only carries the error."""
    items = chunks(_post(client, streamed(), "stream_error").text)
    assert set(items[-1]) == {"error"}
    assert len(items) == 1 + 3 + 1  # three content chunks by default


def test_stream_error_without_streaming_is_502(client: httpx.Client) -> None:
    """A non-streamed request meeting a broken upstream stream gets a 502."""
    response = _post(client, chat(), "stream_error", **METADATA)
    assert response.status_code == 502
    assert response.json()["edenai_metadata"]["attempts"][-1]["status"] == 502


def test_connection_reset_mid_stream(client: httpx.Client) -> None:
    """connection_reset delivers a few chunks, then the socket dies without a last chunk."""
    received: list[str] = []
    headers = {**AUTH, "x-emulator-fault": "connection_reset=2"}
    with client.stream("POST", "/chat/completions", json=streamed(), headers=headers) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            received.extend(line for line in lines if line)
    assert received  # what was sent before the reset arrived
    assert len(received) <= 3  # the role chunk and at most two content chunks
    assert all(line != "data: [DONE]" for line in received)


def test_connection_reset_without_streaming(client: httpx.Client) -> None:
    """A non-streamed request meeting connection_reset gets no response at all."""
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        _post(client, chat(), "connection_reset")


def test_the_server_survives_a_reset(emu: Emulator) -> None:
    """After a reset the next connection is served normally."""
    with httpx.Client(base_url=emu.base_url) as http, pytest.raises(httpx.HTTPError):
        _post(http, chat(), "connection_reset")
    with httpx.Client(base_url=emu.base_url) as http:
        assert _post(http, chat()).status_code == 200


def test_content_filter(client: httpx.Client) -> None:
    """content_filter stops the answer early with finish_reason content_filter."""
    items = chunks(_post(client, streamed(), "content_filter=2").text)
    content = items[1:-1]
    assert len(content) == 2
    assert content[-1]["choices"][0]["finish_reason"] == "content_filter"


def test_router_silent_failure_serves_the_first_candidate(client: httpx.Client) -> None:
    """A silently failing router serves the first candidate and says nothing about it."""
    candidates = ["google/gemini-2.5-pro", *CANDIDATES]
    items = chunks(
        _post(
            client,
            streamed("Hi", router_candidates=candidates, routing={"sort": "cost"}),
            "router_silent_failure",
            **METADATA,
        ).text
    )
    assert items[0]["model"] == "google/gemini-2.5-pro"
    metadata = items[0]["edenai_metadata"]
    assert metadata["strategy"] == "auto"
    assert metadata["attempt"] == 1


def test_router_silent_failure_without_candidates(client: httpx.Client) -> None:
    """Without candidates a silently failing router serves openai/gpt-4o."""
    body = _post(client, chat(routing={"sort": "cost"}), "router_silent_failure").json()
    assert body["model"] == "openai/gpt-4o"


def test_provider_fallback_same_model(client: httpx.Client) -> None:
    """provider_fallback: another endpoint fails, the primary serves, attempt is 2."""
    body = _post(client, chat(model="openai/gpt-4o"), "provider_fallback", **METADATA).json()
    metadata = body["edenai_metadata"]
    assert metadata["attempt"] == 2
    assert metadata["attempts"] == [
        {"provider": "azure", "model": "azure/gpt-4o", "status": 429, "region": "global"},
        {"provider": "openai", "model": "openai/gpt-4o", "status": 200, "region": "global"},
    ]
    assert metadata["summary"] == "available=2, served=openai/gpt-4o"
    assert body["model"] == "openai/gpt-4o"


def test_provider_fallback_to_a_fallback_model(client: httpx.Client) -> None:
    """With `fallbacks`, the primary model fails and the next model serves."""
    body = chat(
        model="openai/gpt-4o", fallbacks=["anthropic/claude-haiku-4-5", "google/gemini-2.0-flash"]
    )
    response = _post(client, body, "provider_fallback=2", **METADATA).json()
    attempts = response["edenai_metadata"]["attempts"]
    assert [a["model"] for a in attempts] == [
        "openai/gpt-4o",
        "anthropic/claude-haiku-4-5",
        "google/gemini-2.0-flash",
    ]
    assert [a["status"] for a in attempts] == [429, 500, 200]
    assert response["model"] == "google/gemini-2.0-flash"
    assert response["provider"] == "google"


def test_provider_fallback_is_invisible_without_metadata(client: httpx.Client) -> None:
    """Without the metadata header a fallback leaves no trace in the stream."""
    plain = chunks(_post(client, streamed(model="openai/gpt-4o")).text)
    fallen = chunks(_post(client, streamed(model="openai/gpt-4o"), "provider_fallback").text)
    assert content_of(plain) == content_of(fallen)
    assert all("edenai_metadata" not in item for item in fallen)


def test_cache_hit(client: httpx.Client) -> None:
    """cache_hit reports the prompt prefix as cached tokens and prices them lower."""
    body = {
        "model": "openai/gpt-4o",
        "messages": [
            {"role": "system", "content": "Be brief. " * 30},
            {"role": "user", "content": "Hello"},
        ],
    }
    plain = _post(client, body).json()
    cached = _post(client, body, "cache_hit").json()
    assert cached["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
    assert cached["cost"] < plain["cost"]


def test_cached_answer(client: httpx.Client) -> None:
    """cached_answer costs 0 and carries no metadata block even when asked."""
    body = _post(client, chat(), "cached_answer", **METADATA).json()
    assert body["cost"] == 0
    assert "edenai_metadata" not in body


def test_several_faults_in_one_header(client: httpx.Client) -> None:
    """Faults combine: a fallback and a mid-stream error in the same stream."""
    items = chunks(
        _post(
            client, streamed(model="openai/gpt-4o"), "provider_fallback, stream_error=1", **METADATA
        ).text
    )
    assert items[0]["edenai_metadata"]["attempt"] == 2
    assert "error" in items[-1]


def test_slow_first_token(emu: Emulator) -> None:
    """slow_first_token delays the first content chunk by at least its value."""
    with httpx.Client(base_url=emu.base_url) as http:
        started = time.perf_counter()
        with http.stream(
            "POST",
            "/chat/completions",
            json=streamed(model="openai/gpt-4o"),
            headers={**AUTH, "x-emulator-fault": "slow_first_token=0.2"},
        ) as response:
            first_content = None
            for line in response.iter_lines():
                if '"content":"' in line and '"role"' not in line:
                    first_content = time.perf_counter() - started
                    break
    assert first_content is not None
    assert first_content >= 0.2


def test_slow_first_token_default_from_config() -> None:
    """Without a value slow_first_token waits config.slow_first_token_s."""
    with (
        Emulator(EmulatorConfig.instant(slow_first_token_s=0.15)) as emu,
        httpx.Client(base_url=emu.base_url) as http,
    ):
        started = time.perf_counter()
        _post(http, chat(model="openai/gpt-4o"), "slow_first_token")
        assert time.perf_counter() - started >= 0.15
