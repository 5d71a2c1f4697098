"""Which calls count as Eden AI chat calls, and what is read from their requests."""

from __future__ import annotations

import json

import pytest

from routing_otel._calls.gate import Hosts
from routing_otel._wire.request import is_chat_call, parse_chat_request, pool_of


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("api.edenai.run", None, True),
        ("API.EDENAI.RUN", 443, True),
        ("api.eu.edenai.run", None, True),
        ("api.openai.com", None, False),
        ("edenai.run", None, False),
    ],
)
def test_default_hosts_are_eden_ai_only(host: str, port: int | None, expected: bool) -> None:
    """By default only Eden AI's public hosts are observed."""
    assert Hosts(None).covers(host, port) is expected


def test_host_with_port_matches_only_that_port() -> None:
    """A configured ``host:port`` matches that port; a bare host matches every port."""
    matcher = Hosts(["127.0.0.1:8080", "gateway.internal"])
    assert matcher.covers("127.0.0.1", 8080)
    assert not matcher.covers("127.0.0.1", 8081)
    assert matcher.covers("gateway.internal", 9999)
    assert not matcher.covers("api.edenai.run", None)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/v3/chat/completions", True),
        ("POST", "/v3/llm/chat/completions", True),
        ("post", "/edenai/proxy/v3/llm/chat/completions/", True),
        ("GET", "/v3/chat/completions", False),
        ("GET", "/v3/models", False),
        ("POST", "/v3/llm/models", False),
    ],
)
def test_chat_endpoint_recognised_on_both_paths(method: str, path: str, expected: bool) -> None:
    """Both the current and the older chat paths are observed, behind any prefix."""
    assert is_chat_call(method, path) is expected


def test_request_fields_read_from_body_and_headers() -> None:
    """Model, candidates, stream, sampling options, tools and session come from the request."""
    body = {
        "model": "@edenai",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "router_candidates": ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
        "fallbacks": ["openai/gpt-4o-mini"],
        "max_tokens": 64,
        "temperature": 0.2,
        "top_p": 1,
        "tools": [{"type": "function", "function": {"name": "get_weather"}}],
    }
    request = parse_chat_request(
        host="api.edenai.run",
        port=None,
        headers={"x-session-id": "conv-1", "x-edenai-metadata": "enabled"},
        body=json.dumps(body).encode(),
    )
    assert request.routed
    assert request.stream
    assert request.include_usage
    assert request.candidates == ["openai/gpt-4o", "anthropic/claude-sonnet-4-5"]
    assert request.fallbacks == ("openai/gpt-4o-mini",)
    assert (request.max_tokens, request.temperature, request.top_p) == (64, 0.2, 1.0)
    assert request.tools == 1
    assert request.session_id == "conv-1"
    assert request.metadata_requested


def test_body_session_id_wins_over_header() -> None:
    """``session_id`` in the body is the conversation id even when a header is also sent."""
    request = parse_chat_request(
        host="h", port=None, headers={"x-session-id": "header"}, body=b'{"session_id":"body"}'
    )
    assert request.session_id == "body"


@pytest.mark.parametrize(
    "body",
    [None, b"", b"not json", b"[1,2]", b"\xff\xfe", b'{"model": 3, "stream": "yes"}'],
)
def test_unreadable_bodies_are_tolerated(body: bytes | None) -> None:
    """A body that is not a JSON object leaves the fields unset instead of failing."""
    request = parse_chat_request(host="h", port=443, headers={}, body=body)
    assert request.model is None
    assert not request.stream
    assert not request.routed


def test_pool_is_default_without_candidates_and_stable_hash_with_them() -> None:
    """The pool label does not depend on candidate order and stays short."""
    assert pool_of(None) == "default"
    assert pool_of([]) == "default"
    a = pool_of(["openai/gpt-4o", "google/gemini-2.0-flash"])
    b = pool_of(["google/gemini-2.0-flash", "openai/gpt-4o"])
    assert a == b
    assert a.startswith("pool-")
    assert len(a) == len("pool-") + 8
    assert a != pool_of(["openai/gpt-4o"])
