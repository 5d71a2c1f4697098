"""The wire format: stream and body shapes, spellings, usage, cost, metadata, tools."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig, find_model
from tests.emulator._support import (
    AUTH,
    CANDIDATES,
    METADATA,
    WEATHER_TOOL,
    chat,
    chunks,
    content_of,
    frames,
    streamed,
)


def _stream(client: httpx.Client, body: dict[str, Any], **headers: str) -> str:
    response = client.post("/chat/completions", json=body, headers={**AUTH, **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return response.text


@pytest.mark.parametrize("path", ["/v3/chat/completions", "/v3/llm/chat/completions"])
def test_both_endpoint_generations_stream(emu: Emulator, path: str) -> None:
    """The current and the older chat endpoint both answer with an SSE stream."""
    with httpx.Client(base_url=emu.url, timeout=10) as http:
        response = http.post(path, json=streamed(router_candidates=CANDIDATES), headers=AUTH)
    assert response.status_code == 200
    assert frames(response.text)[-1] == "[DONE]"


def test_stream_frames_in_order(client: httpx.Client) -> None:
    """Role chunk first, then content, finish on the last content chunk, usage, [DONE]."""
    text = _stream(client, streamed(router_candidates=CANDIDATES))
    assert text.endswith("data: [DONE]\n\n")
    assert "\n\n\n" not in text  # frames are `data: <json>` and one blank line
    items = chunks(text)
    first, *content, usage = items
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert first["model"] in CANDIDATES
    assert all(item["object"] == "chat.completion.chunk" for item in items)
    assert len({item["id"] for item in items}) == 1
    assert [c["choices"][0]["finish_reason"] for c in content][-1] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in content[:-1])
    assert all(c["choices"][0]["logprobs"] is None for c in content)
    assert usage["usage"]["completion_tokens"] == len(content)
    assert isinstance(usage["cost"], float)
    assert usage["cost"] > 0


def test_eden_usage_chunk_keeps_one_empty_choice(client: httpx.Client) -> None:
    """The default usage chunk keeps one choice with null content and role."""
    usage = chunks(_stream(client, streamed()))[-1]
    assert usage["choices"] == [
        {
            "index": 0,
            "delta": {"content": None, "role": None},
            "finish_reason": None,
            "logprobs": None,
        }
    ]


def test_openai_usage_chunk_has_no_choices(client: httpx.Client) -> None:
    """With the openai usage shape the usage chunk carries `"choices": []`."""
    usage = chunks(_stream(client, streamed(), **{"x-emulator-usage-shape": "openai"}))[-1]
    assert usage["choices"] == []
    assert "usage" in usage
    assert "cost" in usage


def test_usage_shape_from_config() -> None:
    """The usage shape can be set for the whole emulator."""
    with (
        Emulator(EmulatorConfig.fast(usage_shape="openai")) as emu,
        httpx.Client(base_url=emu.base_url) as http,
    ):
        usage = chunks(_stream(http, streamed()))[-1]
    assert usage["choices"] == []


def test_no_usage_without_include_usage(client: httpx.Client) -> None:
    """Without stream_options.include_usage a stream carries no usage and no cost."""
    items = chunks(_stream(client, chat(stream=True)))
    assert all("usage" not in item and "cost" not in item for item in items)
    assert items[-1]["choices"][0]["finish_reason"] == "stop"


def test_metadata_block_rides_the_first_chunk(client: httpx.Client) -> None:
    """`x-edenai-metadata: enabled` puts edenai_metadata on the first chunk only."""
    first, *rest = chunks(_stream(client, streamed(router_candidates=CANDIDATES), **METADATA))
    metadata = first["edenai_metadata"]
    assert metadata["requested"] == "@edenai"
    assert metadata["strategy"] == "auto"
    assert metadata["attempt"] == 1
    assert metadata["attempts"][-1]["status"] == 200
    assert metadata["attempts"][-1]["model"] == first["model"]
    assert metadata["summary"].endswith(f"served={first['model']}")
    assert metadata["routing"]["auto"]["dropped"] == []
    assert metadata["is_byok"] is False
    assert all("edenai_metadata" not in item for item in rest)


def test_no_metadata_without_the_header(client: httpx.Client) -> None:
    """Without the header no chunk carries edenai_metadata."""
    assert all("edenai_metadata" not in item for item in chunks(_stream(client, streamed())))


@pytest.mark.parametrize(
    ("model", "strategy"),
    [
        ("openai/gpt-4o", "direct"),
        ("gpt-4o", "routed"),
        ("openai/gpt-4o:latency", "routed"),
        ("google/gemini-flash-latest", "alias"),
    ],
)
def test_metadata_strategy_of_fixed_models(client: httpx.Client, model: str, strategy: str) -> None:
    """Fixed models report direct, routed (bare name, :latency) or alias strategies."""
    response = client.post(
        "/chat/completions", json=chat(model=model), headers={**AUTH, **METADATA}
    )
    metadata = response.json()["edenai_metadata"]
    assert metadata["strategy"] == strategy
    assert metadata["requested"] == model
    assert "routing" not in metadata


def test_alias_is_served_by_its_target(client: httpx.Client) -> None:
    """An alias is answered by the model it points at."""
    response = client.post(
        "/chat/completions", json=chat(model="google/gemini-flash-latest"), headers=AUTH
    )
    assert response.json()["model"] == "google/gemini-2.5-flash"


def test_unrankable_candidates_are_dropped(client: httpx.Client) -> None:
    """Unknown candidates are dropped and listed in the metadata."""
    body = streamed(router_candidates=["nobody/nothing", "openai/gpt-4o-mini"])
    first = chunks(_stream(client, body, **METADATA))[0]
    assert first["model"] == "openai/gpt-4o-mini"
    assert first["edenai_metadata"]["routing"]["auto"]["dropped"] == ["nobody/nothing"]


def test_routing_is_deterministic_and_spreads(client: httpx.Client) -> None:
    """The same request picks the same model; different prompts spread over the pool."""
    picks = []
    for index in range(24):
        body = chat(
            f"question number {index} about topic {index * 7}", router_candidates=CANDIDATES
        )
        first = client.post("/chat/completions", json=body, headers=AUTH).json()["model"]
        again = client.post("/chat/completions", json=body, headers=AUTH).json()["model"]
        assert first == again
        picks.append(first)
    assert len(set(picks)) >= 2


def test_default_pool_without_candidates(client: httpx.Client) -> None:
    """Without router_candidates the router chooses from the default pool."""
    first = chunks(_stream(client, streamed(), **METADATA))[0]
    candidates = first["edenai_metadata"]["routing"]["auto"]["candidates"]
    assert candidates == list(EmulatorConfig().default_candidates)
    assert first["model"] in candidates


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("cost", "google/gemini-2.0-flash"),
        ("speed", "google/gemini-2.0-flash"),
        ("latency", "google/gemini-2.0-flash"),
    ],
)
def test_routing_sort(client: httpx.Client, sort: str, expected: str) -> None:
    """`routing.sort` picks the cheapest, fastest or lowest-latency candidate."""
    body = chat(router_candidates=CANDIDATES, routing={"sort": sort})
    assert client.post("/chat/completions", json=body, headers=AUTH).json()["model"] == expected


def test_allowed_providers_filter_candidates(client: httpx.Client) -> None:
    """`routing.allowed_providers` keeps only those providers' candidates."""
    body = chat(router_candidates=CANDIDATES, routing={"allowed_providers": ["anthropic"]})
    response = client.post("/chat/completions", json=body, headers=AUTH)
    assert response.json()["model"] == "anthropic/claude-sonnet-4-5"


def test_non_streaming_body(client: httpx.Client) -> None:
    """A non-streamed answer is a chat.completion with Eden's extra fields."""
    response = client.post("/chat/completions", json=chat(model="openai/gpt-4o-mini"), headers=AUTH)
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "success"
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["provider"] == "openai"
    assert body["service_tier"] == "default"
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"]
    assert choice["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert set(usage["prompt_tokens_details"]) == {"cached_tokens", "cache_write_tokens"}
    assert usage["completion_tokens_details"] == {"reasoning_tokens": 0}
    assert "edenai_metadata" not in body


def test_stream_and_body_say_the_same(client: httpx.Client) -> None:
    """For one request, the streamed text and usage equal the non-streamed ones."""
    body = chat("Tell me about caching", model="anthropic/claude-haiku-4-5")
    whole = client.post("/chat/completions", json=body, headers=AUTH).json()
    items = chunks(
        _stream(client, {**body, "stream": True, "stream_options": {"include_usage": True}})
    )
    assert content_of(items) == whole["choices"][0]["message"]["content"]
    assert items[-1]["usage"] == whole["usage"]
    assert items[-1]["cost"] == whole["cost"]


def test_cost_follows_the_catalogue_pricing(client: httpx.Client) -> None:
    """cost = prompt x input + completion x output, from the catalogue's pricing."""
    body = client.post("/chat/completions", json=chat(model="openai/gpt-4o"), headers=AUTH).json()
    spec = find_model("openai/gpt-4o")
    assert spec is not None
    usage = body["usage"]
    expected = usage["prompt_tokens"] * 2.5e-6 + usage["completion_tokens"] * 1e-5
    assert body["cost"] == pytest.approx(expected, rel=1e-9)
    assert spec.pricing(0.0)["input_cost_per_token"] == 2.5e-6


def test_discount_lowers_cost() -> None:
    """An account discount lowers both the catalogue pricing and the charged cost."""
    body = chat(model="openai/gpt-4o")
    with (
        Emulator(EmulatorConfig.fast()) as full,
        Emulator(EmulatorConfig.fast(discount=0.2)) as cut,
    ):
        list_cost = httpx.post(full.base_url + "/chat/completions", json=body, headers=AUTH).json()[
            "cost"
        ]
        cut_cost = httpx.post(cut.base_url + "/chat/completions", json=body, headers=AUTH).json()[
            "cost"
        ]
    assert cut_cost == pytest.approx(list_cost * 0.8, rel=1e-6)


def test_reasoning_models_report_reasoning_tokens(client: httpx.Client) -> None:
    """A reasoning model reports reasoning tokens, counted in completion tokens."""
    body = client.post("/chat/completions", json=chat(model="openai/o4-mini"), headers=AUTH).json()
    reasoning = body["usage"]["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning > 0
    assert body["usage"]["completion_tokens"] > reasoning


def test_max_tokens_cuts_with_finish_reason_length(client: httpx.Client) -> None:
    """max_tokens below the natural length stops the answer with finish_reason length."""
    items = chunks(_stream(client, streamed(max_tokens=3)))
    content = list(items[1:-1])
    assert len(content) == 3
    assert content[-1]["choices"][0]["finish_reason"] == "length"
    assert items[-1]["usage"]["completion_tokens"] == 3


def test_max_completion_tokens_is_honoured(client: httpx.Client) -> None:
    """max_completion_tokens (the newer name) bounds the answer too."""
    body = chat(model="openai/gpt-4o", max_completion_tokens=2)
    response = client.post("/chat/completions", json=body, headers=AUTH).json()
    assert response["usage"]["completion_tokens"] == 2
    assert response["choices"][0]["finish_reason"] == "length"


def test_content_is_deterministic_per_seed() -> None:
    """The same seed gives the same answer; another seed another one."""
    body = chat(model="openai/gpt-4o")
    answers = []
    for seed in (1, 1, 2):
        with Emulator(EmulatorConfig.instant(seed=seed)) as emu:
            response = httpx.post(emu.base_url + "/chat/completions", json=body, headers=AUTH)
            answers.append(response.json()["choices"][0]["message"]["content"])
    assert answers[0] == answers[1]
    assert answers[0] != answers[2]


@pytest.mark.parametrize(
    ("spelling", "model", "provider"),
    [
        ("provider/model", "openai/gpt-4o-mini", None),
        ("bare", "gpt-4o-mini-2024-07-18", "openai"),
        ("bare-only", "gpt-4o-mini-2024-07-18", None),
    ],
)
def test_stream_model_spellings(
    client: httpx.Client, spelling: str, model: str, provider: str | None
) -> None:
    """Stream chunks name the model in the requested spelling."""
    body = streamed(model="openai/gpt-4o-mini")
    items = chunks(_stream(client, body, **{"x-emulator-model-spelling": spelling}))
    assert {item["model"] for item in items} == {model}
    assert {item.get("provider") for item in items} == {provider}


@pytest.mark.parametrize(
    ("spelling", "model", "provider"),
    [
        ("provider/model", "openai/gpt-4o-mini", "openai"),
        ("bare", "gpt-4o-mini-2024-07-18", "openai"),
        ("bare-only", "gpt-4o-mini-2024-07-18", None),
    ],
)
def test_body_model_spellings(
    client: httpx.Client, spelling: str, model: str, provider: str | None
) -> None:
    """Non-streamed bodies name the model in the requested spelling, with a provider field."""
    headers = {**AUTH, "x-emulator-model-spelling": spelling}
    body = client.post(
        "/chat/completions", json=chat(model="openai/gpt-4o-mini"), headers=headers
    ).json()
    assert body["model"] == model
    assert body.get("provider") == provider


def test_separate_stream_spelling_from_config() -> None:
    """Config can spell bodies bare and stream chunks provider/model."""
    config = EmulatorConfig.fast(model_spelling="bare", stream_model_spelling="provider/model")
    with Emulator(config) as emu, httpx.Client(base_url=emu.base_url) as http:
        body = http.post("/chat/completions", json=chat(model="openai/gpt-4o"), headers=AUTH).json()
        first = chunks(_stream(http, streamed(model="openai/gpt-4o")))[0]
    assert body["model"] == "gpt-4o-2024-08-06"
    assert first["model"] == "openai/gpt-4o"


def test_streamed_tool_calls(client: httpx.Client) -> None:
    """With tools the answer is delta.tool_calls fragments and finish_reason tool_calls."""
    body = streamed("What is the weather in Paris?", tools=[WEATHER_TOOL])
    first, *content, usage = chunks(_stream(client, body))
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    fragments = [c["choices"][0]["delta"]["tool_calls"][0] for c in content]
    head = fragments[0]
    assert head["id"].startswith("call_")
    assert head["type"] == "function"
    assert head["function"]["name"] == "get_weather"
    assert len(fragments) >= 3
    assert all("id" not in f and "name" not in f["function"] for f in fragments[1:])
    arguments = json.loads("".join(f["function"]["arguments"] for f in fragments))
    assert arguments["location"] == "Paris"
    assert arguments["unit"] in {"celsius", "fahrenheit"}
    assert content[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert usage["usage"]["completion_tokens"] > 0


def test_non_streamed_tool_call_and_the_answer_after_it(client: httpx.Client) -> None:
    """A tool call comes back whole; after the tool's result the model answers in text."""
    body = chat("What is the weather in Paris?", model="openai/gpt-4o", tools=[WEATHER_TOOL])
    message = client.post("/chat/completions", json=body, headers=AUTH).json()["choices"][0]
    assert message["finish_reason"] == "tool_calls"
    call = message["message"]["tool_calls"][0]
    assert message["message"]["content"] is None
    body["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temperature": 21}'},
    ]
    answer = client.post("/chat/completions", json=body, headers=AUTH).json()["choices"][0]
    assert answer["finish_reason"] == "stop"
    assert answer["message"]["content"]


def test_tool_choice_none_answers_in_text(client: httpx.Client) -> None:
    """tool_choice none never calls a tool."""
    body = chat(
        "Weather in Paris?", model="openai/gpt-4o", tools=[WEATHER_TOOL], tool_choice="none"
    )
    choice = client.post("/chat/completions", json=body, headers=AUTH).json()["choices"][0]
    assert choice["finish_reason"] == "stop"


def test_prompt_caching_of_a_repeated_long_system_prompt() -> None:
    """A long system prompt repeated in a session is reported as cached tokens and priced so."""
    system = {"role": "system", "content": "You are a careful assistant. " * 40}
    config = EmulatorConfig.instant(prompt_cache_min_tokens=100)
    with Emulator(config) as emu, httpx.Client(base_url=emu.base_url) as http:

        def ask(question: str, session: str) -> dict[str, Any]:
            body = {
                "model": "anthropic/claude-sonnet-4-5",
                "messages": [system, {"role": "user", "content": question}],
                "session_id": session,
            }
            answer: dict[str, Any] = http.post("/chat/completions", json=body, headers=AUTH).json()
            return answer

        first = ask("first question", "s1")
        second = ask("second question", "s1")
        other_session = ask("third question", "s2")
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    assert first["usage"]["prompt_tokens_details"]["cache_write_tokens"] > 100
    details = second["usage"]["prompt_tokens_details"]
    assert details["cached_tokens"] == first["usage"]["prompt_tokens_details"]["cache_write_tokens"]
    assert details["cache_write_tokens"] == 0
    assert other_session["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    usage = second["usage"]
    cached = details["cached_tokens"]
    expected = (
        (usage["prompt_tokens"] - cached) * 3e-6
        + cached * 3e-7
        + usage["completion_tokens"] * 1.5e-5
    )
    assert second["cost"] == pytest.approx(expected, rel=1e-9)


def test_session_header_scopes_the_cache_too() -> None:
    """`x-session-id` works like the session_id field for prompt caching."""
    system = {"role": "system", "content": "Context. " * 200}
    config = EmulatorConfig.instant(prompt_cache_min_tokens=50)
    with Emulator(config) as emu, httpx.Client(base_url=emu.base_url) as http:
        cached = []
        for question in ("one", "two"):
            body = {
                "model": "openai/gpt-4o",
                "messages": [system, {"role": "user", "content": question}],
            }
            headers = {**AUTH, "x-session-id": "conversation-7"}
            usage = http.post("/chat/completions", json=body, headers=headers).json()["usage"]
            cached.append(usage["prompt_tokens_details"]["cached_tokens"])
    assert cached[0] == 0
    assert cached[1] > 50


def test_extra_eden_fields_are_accepted(client: httpx.Client) -> None:
    """session_id, tags, metadata, routing and the tags header are accepted."""
    body = chat(
        router_candidates=CANDIDATES,
        session_id="abc",
        tags={"team": "search"},
        metadata={"user": "u1"},
        routing={"sort": "exact", "sticky": True, "allow_fallbacks": False, "quality_cost": 7},
        temperature=0.2,
        user="someone",
    )
    headers = {**AUTH, "X-EdenAI-Tags": "env=test,team=search"}
    assert client.post("/chat/completions", json=body, headers=headers).status_code == 200


def test_eu_suffix_and_host_set_the_region(client: httpx.Client) -> None:
    """The @eu suffix and the EU host put `region: eu` in the metadata."""
    headers = {**AUTH, **METADATA}
    by_suffix = client.post(
        "/chat/completions", json=chat(model="openai/gpt-4o@eu"), headers=headers
    )
    by_host = client.post(
        "/chat/completions",
        json=chat(model="openai/gpt-4o"),
        headers={**headers, "Host": "api.eu.edenai.run"},
    )
    assert by_suffix.json()["edenai_metadata"]["region"] == "eu"
    assert by_host.json()["edenai_metadata"]["region"] == "eu"
