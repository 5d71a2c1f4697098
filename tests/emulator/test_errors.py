"""Error answers: auth, validation, unknown models and candidates, unknown paths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig
from tests.emulator._support import AUTH, CANDIDATES, chat


def _post(client: httpx.Client, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post("/chat/completions", json=body, headers=AUTH if headers is None else headers)


def test_no_key_is_403(client: httpx.Client) -> None:
    """Without Authorization the answer is 403 Not authenticated."""
    response = _post(client, chat(), headers={})
    assert response.status_code == 403
    assert response.json() == {"detail": "Not authenticated"}


def test_wrong_key_is_401(client: httpx.Client) -> None:
    """A key that is not an Eden key is 401 Invalid token."""
    response = _post(client, chat(), headers={"Authorization": "Bearer sk-proj-123"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token"}


def test_wrong_scheme_is_403(client: httpx.Client) -> None:
    """A non-bearer scheme is refused like FastAPI's HTTPBearer does."""
    response = _post(client, chat(), headers={"Authorization": "Basic abc"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid authentication credentials"}


def test_configured_keys_only() -> None:
    """With api_keys set only those keys are accepted."""
    config = EmulatorConfig.fast(api_keys=frozenset({"sk-eden-good"}))
    with Emulator(config) as emu, httpx.Client(base_url=emu.base_url) as http:
        good = _post(http, chat(model="openai/gpt-4o"), {"Authorization": "Bearer sk-eden-good"})
        bad = _post(http, chat(model="openai/gpt-4o"), {"Authorization": "Bearer sk-eden-bad"})
    assert good.status_code == 200
    assert bad.status_code == 401


def _detail(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    detail: list[dict[str, Any]] = response.json()["detail"]
    assert all({"loc", "msg", "type"} <= set(item) for item in detail)
    return detail


def test_too_many_candidates(client: httpx.Client) -> None:
    """More than 64 router_candidates is a 422 on body.router_candidates."""
    detail = _detail(_post(client, chat(router_candidates=["openai/gpt-4o"] * 65)))
    assert detail[0]["loc"] == ["body", "router_candidates"]
    assert detail[0]["type"] == "too_long"


def test_sixty_four_candidates_are_fine(client: httpx.Client) -> None:
    """Exactly 64 candidates is accepted."""
    assert _post(client, chat(router_candidates=["openai/gpt-4o"] * 64)).status_code == 200


def test_candidate_too_long(client: httpx.Client) -> None:
    """A candidate over 128 characters is a 422 pointing at its index."""
    detail = _detail(_post(client, chat(router_candidates=["openai/gpt-4o", "x" * 129])))
    assert detail[0]["loc"] == ["body", "router_candidates", 1]
    assert detail[0]["type"] == "string_too_long"


def test_candidates_need_the_router(client: httpx.Client) -> None:
    """router_candidates with a fixed model is a 422."""
    detail = _detail(_post(client, chat(model="openai/gpt-4o", router_candidates=CANDIDATES)))
    assert detail[0]["loc"] == ["body", "router_candidates"]
    assert detail[0]["type"] == "value_error"


def test_too_many_fallbacks(client: httpx.Client) -> None:
    """More than 3 fallbacks is a 422."""
    detail = _detail(_post(client, chat(fallbacks=["openai/gpt-4o"] * 4)))
    assert detail[0]["loc"] == ["body", "fallbacks"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"model": "@edenai"}, ["body", "messages"]),
        ({"model": "@edenai", "messages": "hello"}, ["body", "messages"]),
        ({"model": "@edenai", "messages": []}, ["body", "messages"]),
        (
            {"model": "@edenai", "messages": [{"role": "wizard", "content": "x"}]},
            ["body", "messages", 0, "role"],
        ),
        ({"model": "@edenai", "messages": [{"role": "user"}]}, ["body", "messages", 0, "content"]),
        ({"messages": [{"role": "user", "content": "x"}]}, ["body", "model"]),
        ({**chat(), "max_tokens": "many"}, ["body", "max_tokens"]),
        ({**chat(), "stream": "yes"}, ["body", "stream"]),
        ({**chat(), "routing": {"sort": "random"}}, ["body", "routing", "sort"]),
        ({**chat(), "routing": {"quality_cost": 11}}, ["body", "routing", "quality_cost"]),
    ],
)
def test_invalid_bodies(client: httpx.Client, body: dict[str, Any], loc: list[Any]) -> None:
    """Invalid fields are reported in FastAPI's 422 list with their location."""
    assert loc in [item["loc"] for item in _detail(_post(client, body))]


def test_every_problem_is_listed(client: httpx.Client) -> None:
    """All problems of a body are reported at once."""
    detail = _detail(_post(client, {"fallbacks": ["a"] * 5}))
    assert {tuple(item["loc"]) for item in detail} >= {
        ("body", "model"),
        ("body", "messages"),
        ("body", "fallbacks"),
    }


def test_invalid_json(client: httpx.Client) -> None:
    """A body that is not JSON is a 422 json_invalid."""
    response = client.post("/chat/completions", content=b"{not json", headers=AUTH)
    assert _detail(response)[0]["type"] == "json_invalid"


def test_auth_is_checked_before_validation(client: httpx.Client) -> None:
    """An invalid body without a key is a 403, not a 422."""
    assert _post(client, {"nonsense": True}, headers={}).status_code == 403


def test_unknown_model_is_400(client: httpx.Client) -> None:
    """An unknown fixed model is a 400 'Model(s) not found or inactive'."""
    response = _post(client, chat(model="openai/gpt-9"))
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "Model(s) not found or inactive: openai/gpt-9",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_parameter",
        }
    }


def test_unknown_model_status_can_be_404() -> None:
    """unknown_model_status=404 gives the same body with a 404."""
    with (
        Emulator(EmulatorConfig.fast(unknown_model_status=404)) as emu,
        httpx.Client(base_url=emu.base_url) as http,
    ):
        response = _post(http, chat(model="openai/gpt-9"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_unknown_fallback_is_400(client: httpx.Client) -> None:
    """An unknown fallback model is refused like an unknown model."""
    response = _post(client, chat(model="openai/gpt-4o", fallbacks=["nope/nothing"]))
    assert response.status_code == 400
    assert "nope/nothing" in response.json()["error"]["message"]


@pytest.mark.parametrize("candidates", [[], ["nobody/nothing", "x/y"]])
def test_no_candidates(client: httpx.Client, candidates: list[str]) -> None:
    """An empty list, or one where every candidate is dropped, is 'no candidates provided'."""
    response = _post(client, chat(router_candidates=candidates))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "no candidates provided"


def test_model_not_served_in_the_eu_is_451(client: httpx.Client) -> None:
    """A model without an EU region asked for with @eu is a 451 region_not_allowed."""
    response = _post(client, chat(model="openai/o4-mini@eu"))
    assert response.status_code == 451
    assert response.json()["error"]["code"] == "region_not_allowed"


def test_unknown_path_is_404(client: httpx.Client) -> None:
    """Unknown paths are FastAPI's 404."""
    response = client.get("/embeddings", headers=AUTH)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_is_405(client: httpx.Client) -> None:
    """A GET on the chat endpoint is a 405 with Allow."""
    response = client.get("/chat/completions", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_unknown_fault_header_is_explained(client: httpx.Client) -> None:
    """An unknown fault name is a 400 listing the known ones."""
    response = _post(client, chat(), headers={**AUTH, "x-emulator-fault": "meteor"})
    assert response.status_code == 400
    assert "rate_limit" in response.json()["error"]["message"]


def test_bad_spelling_header_is_explained(client: httpx.Client) -> None:
    """An unknown spelling in the header is a 400."""
    response = _post(client, chat(), headers={**AUTH, "x-emulator-model-spelling": "fancy"})
    assert response.status_code == 400
