"""The control API under /_emulator/, for emulators running in another process."""

from __future__ import annotations

import httpx

from routing_otel.emulator import Emulator, Fault
from tests.emulator._support import AUTH, chat


def test_health(emu: Emulator) -> None:
    """GET /_emulator/health answers ok without a key."""
    assert httpx.get(emu.url + "/_emulator/health").json() == {"status": "ok"}


def test_inject_list_and_clear_faults(emu: Emulator) -> None:
    """Faults can be injected, listed and cleared over HTTP."""
    with httpx.Client(base_url=emu.url) as client:
        listed = client.post(
            "/_emulator/faults", json={"fault": "rate_limit", "times": 2, "value": 5}
        )
        assert listed.json() == {"faults": [{"fault": "rate_limit", "times": 2, "value": 5.0}]}
        assert emu.pending_faults == [(Fault.RATE_LIMIT, 2, 5.0)]
        response = client.post("/v3/chat/completions", json=chat(), headers=AUTH)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "5"
        assert client.get("/_emulator/faults").json()["faults"][0]["times"] == 1
        assert client.delete("/_emulator/faults").json() == {"faults": []}
        assert client.post("/v3/chat/completions", json=chat(), headers=AUTH).status_code == 200


def test_bad_injection_is_explained(emu: Emulator) -> None:
    """An unknown fault or a bad count is a 400 with the expected shape."""
    with httpx.Client(base_url=emu.url) as client:
        for body in ({"fault": "meteor"}, {"fault": "rate_limit", "times": 0}, {"times": 1}, [1]):
            response = client.post("/_emulator/faults", json=body)
            assert response.status_code == 400
            assert "rate_limit" in response.json()["error"]["message"]


def test_requests_over_http(emu: Emulator) -> None:
    """The record is readable and clearable over HTTP; control calls are not recorded."""
    with httpx.Client(base_url=emu.url) as client:
        client.post("/v3/chat/completions", json=chat(), headers=AUTH)
        recorded = client.get("/_emulator/requests").json()["requests"]
        assert [r["path"] for r in recorded] == ["/v3/chat/completions"]
        assert recorded[0]["body"]["model"] == "@edenai"
        client.delete("/_emulator/requests")
        assert client.get("/_emulator/requests").json() == {"requests": []}


def test_reset_over_http(emu: Emulator) -> None:
    """POST /_emulator/reset clears faults and the record."""
    emu.inject(Fault.SERVER_ERROR, times=None)
    with httpx.Client(base_url=emu.url) as client:
        client.get("/v3/models")
        assert client.post("/_emulator/reset").json() == {"status": "ok"}
    assert emu.pending_faults == []
    assert emu.requests == []


def test_unknown_control_path(emu: Emulator) -> None:
    """Unknown control paths are 404."""
    assert httpx.get(emu.url + "/_emulator/nothing").status_code == 404
