"""The public API: exported names, configuration, lifecycle, the record of requests."""

from __future__ import annotations

import asyncio
import math
import pathlib

import httpx
import pytest

import routing_otel.emulator as emulator_package
from routing_otel.emulator import Emulator, EmulatorConfig, Fault, RecordedRequest
from tests.emulator._support import AUTH, chat


def test_exported_names() -> None:
    """The package exports exactly the intended public names."""
    assert sorted(emulator_package.__all__) == [
        "CATALOGUE",
        "DEFAULT_CANDIDATES",
        "Emulator",
        "EmulatorConfig",
        "Fault",
        "ModelSpec",
        "ModelSpelling",
        "RecordedRequest",
        "SseQuirk",
        "UsageShape",
        "find_model",
        "main",
    ]


def test_no_import_of_the_instrumentation() -> None:
    """The emulator's modules import nothing from the rest of routing_otel."""
    package = pathlib.Path(emulator_package.__file__).parent
    for module in package.glob("*.py"):
        for line in module.read_text().splitlines():
            if line.startswith(("import routing_otel", "from routing_otel")):
                assert line.startswith("from routing_otel.emulator"), f"{module.name}: {line}"


@pytest.mark.parametrize(
    "changes",
    [
        {"routing_delay_s": (0.5, 0.1)},
        {"routing_delay_s": (-1.0, 0.1)},
        {"response_tokens": (0, 5)},
        {"timing_scale": -1.0},
        {"tokens_per_s": 0.0},
        {"discount": 1.0},
        {"model_spelling": "fancy"},
        {"stream_model_spelling": "fancy"},
        {"usage_shape": "fancy"},
    ],
)
def test_config_rejects_nonsense(changes: dict[str, object]) -> None:
    """Impossible settings fail at construction with a clear ValueError."""
    with pytest.raises(ValueError):
        EmulatorConfig(**changes)  # type: ignore[arg-type]


def test_config_presets() -> None:
    """instant() zeroes every delay; fast() keeps a few milliseconds; replace() copies."""
    instant = EmulatorConfig.instant(seed=3)
    assert instant.routing_delay_s == (0.0, 0.0)
    assert instant.tokens_per_s == math.inf
    assert instant.seed == 3
    assert EmulatorConfig.fast().routing_delay_s[1] < 0.01
    assert instant.replace(seed=4).seed == 4


def test_urls(emu: Emulator) -> None:
    """base_url ends in /v3 and llm_base_url in /v3/llm, on the bound port."""
    assert emu.port > 0
    assert emu.base_url == f"http://127.0.0.1:{emu.port}/v3"
    assert emu.llm_base_url == f"http://127.0.0.1:{emu.port}/v3/llm"


def test_port_before_start_is_an_error() -> None:
    """Asking an emulator that is not started for its port raises."""
    with pytest.raises(RuntimeError):
        _ = Emulator().port


def test_start_twice_is_an_error(emu: Emulator) -> None:
    """A started emulator cannot be started again."""
    with pytest.raises(RuntimeError):
        emu.start()


def test_stop_is_idempotent() -> None:
    """stop() may be called twice, and before start()."""
    emulator = Emulator(EmulatorConfig.fast())
    emulator.stop()
    emulator.start()
    emulator.stop()
    emulator.stop()


def test_port_in_use_raises() -> None:
    """Starting on a taken port raises OSError in the caller."""
    with Emulator(EmulatorConfig.fast()) as first:
        second = Emulator(EmulatorConfig.fast(port=first.port))
        with pytest.raises(OSError):
            second.start()


def test_fixed_port() -> None:
    """A configured port is used as given."""
    with Emulator(EmulatorConfig.fast()) as probe:
        port = probe.port
    with Emulator(EmulatorConfig.fast(port=port)) as emu:
        assert emu.port == port


async def test_thread_mode_works_inside_a_running_loop() -> None:
    """with Emulator() works from async code: it runs in its own thread."""
    with Emulator(EmulatorConfig.fast()) as emu:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                emu.base_url + "/chat/completions", json=chat(), headers=AUTH
            )
    assert response.status_code == 200


async def test_async_mode_in_the_callers_loop() -> None:
    """async with Emulator() serves from the running loop, to async clients."""
    async with Emulator(EmulatorConfig.fast()) as emu, httpx.AsyncClient() as client:
        streamed = {**chat(), "stream": True}
        async with client.stream(
            "POST", emu.llm_base_url + "/chat/completions", json=streamed, headers=AUTH
        ) as response:
            lines = [line async for line in response.aiter_lines() if line]
    assert lines[-1] == "data: [DONE]"


async def test_async_stop_closes_open_streams() -> None:
    """stop_async() ends connections that are still streaming."""
    emu = await Emulator(EmulatorConfig.fast(tokens_per_s=5.0)).start_async()
    async with httpx.AsyncClient() as client:
        body = {**chat(model="openai/gpt-4o"), "stream": True}
        async with client.stream(
            "POST", emu.base_url + "/chat/completions", json=body, headers=AUTH
        ) as response:
            lines = response.aiter_lines()
            assert (await anext(lines)).startswith("data: ")
            await asyncio.wait_for(emu.stop_async(), timeout=5)
            with pytest.raises(httpx.HTTPError):
                async for _ in lines:
                    pass


def test_requests_are_recorded(emu: Emulator) -> None:
    """Every request is recorded with its method, path, headers and parsed body."""
    with httpx.Client(base_url=emu.base_url) as client:
        client.post(
            "/chat/completions", json=chat(session_id="s"), headers={**AUTH, "X-EdenAI-Tags": "a=b"}
        )
        client.get("/models", params={"view": "models"})
        client.post("/chat/completions", content=b"not json", headers=AUTH)
    first, second, third = emu.requests
    assert isinstance(first, RecordedRequest)
    assert (first.method, first.path) == ("POST", "/v3/chat/completions")
    assert first.body["session_id"] == "s"
    assert first.headers["x-edenai-tags"] == "a=b"
    assert (second.method, second.path, second.query) == ("GET", "/v3/models", {"view": "models"})
    assert second.body is None
    assert third.body is None
    emu.clear_requests()
    assert emu.requests == []


def test_record_is_bounded() -> None:
    """The record keeps only the newest max_recorded_requests requests."""
    with (
        Emulator(EmulatorConfig.instant(max_recorded_requests=3)) as emu,
        httpx.Client(base_url=emu.base_url) as client,
    ):
        for index in range(5):
            client.get("/models", params={"n": str(index)})
        assert [r.query["n"] for r in emu.requests] == ["2", "3", "4"]


def test_reset_forgets_everything(emu: Emulator) -> None:
    """reset() clears faults and the record."""
    emu.inject(Fault.RATE_LIMIT, times=None)
    with httpx.Client(base_url=emu.base_url) as client:
        client.get("/models")
    emu.reset()
    assert emu.pending_faults == []
    assert emu.requests == []
