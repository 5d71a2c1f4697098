"""The command line: python -m routing_otel.emulator and main(argv)."""

from __future__ import annotations

import math
import signal
import subprocess
import sys

import httpx
import pytest

from routing_otel.emulator import Emulator, EmulatorConfig, main
from routing_otel.emulator._cli import build_parser, config_from_args
from tests.emulator._support import AUTH, chat


def _config(*argv: str) -> EmulatorConfig:
    return config_from_args(build_parser().parse_args(list(argv)))


def test_defaults_match_the_wire_spec() -> None:
    """Without options: loopback, port 8787, 100-500 ms routing, provider/model, eden usage."""
    config = _config()
    assert (config.host, config.port) == ("127.0.0.1", 8787)
    assert config.routing_delay_s == (0.1, 0.5)
    assert config.model_spelling == "provider/model"
    assert config.usage_shape == "eden"


def test_options_reach_the_config() -> None:
    """Every option lands in the configuration."""
    config = _config(
        "--host", "0.0.0.0", "--port", "0", "--seed", "7", "--routing-delay-ms", "5,20",
        "--timing-scale", "0.5", "--ttft-ms", "40", "--tokens-per-s", "200",
        "--model-spelling", "bare", "--stream-model-spelling", "provider/model",
        "--usage-shape", "openai", "--default-candidates", "openai/gpt-4o,google/gemini-2.0-flash",
        "--api-key", "sk-eden-a", "--api-key", "sk-eden-b", "--gzip", "--discount", "0.25",
        "--unknown-model-status", "404", "--prompt-cache-min-tokens", "64",
        "--slow-first-token-ms", "250", "--sse-quirks", "crlf,split",
    )  # fmt: skip
    assert config.host == "0.0.0.0"
    assert config.seed == 7
    assert config.routing_delay_s == (0.005, 0.02)
    assert config.timing_scale == 0.5
    assert config.ttft_s == 0.04
    assert config.tokens_per_s == 200
    assert (config.model_spelling, config.stream_model_spelling) == ("bare", "provider/model")
    assert config.usage_shape == "openai"
    assert config.default_candidates == ("openai/gpt-4o", "google/gemini-2.0-flash")
    assert config.api_keys == frozenset({"sk-eden-a", "sk-eden-b"})
    assert config.gzip is True
    assert config.discount == 0.25
    assert config.unknown_model_status == 404
    assert config.prompt_cache_min_tokens == 64
    assert config.slow_first_token_s == 0.25
    assert config.sse_quirks == frozenset({"crlf", "split"})


def test_prog_names_the_host_command(capsys: pytest.CaptureFixture[str]) -> None:
    """A host CLI can pass its own command name for help and errors."""
    with pytest.raises(SystemExit):
        main(["--help"], prog="routing-otel emulator")
    assert capsys.readouterr().out.startswith("usage: routing-otel emulator")


def test_single_routing_delay_and_instant() -> None:
    """A single routing delay value means a fixed delay; --instant zeroes everything."""
    assert _config("--routing-delay-ms", "30").routing_delay_s == (0.03, 0.03)
    instant = _config("--instant", "--ttft-ms", "50")
    assert instant.routing_delay_s == (0.0, 0.0)
    assert instant.timing_scale == 0.0
    assert instant.ttft_s is None
    assert instant.tokens_per_s == math.inf


@pytest.mark.parametrize(
    "argv",
    [
        ["--routing-delay-ms", "9,1"],
        ["--routing-delay-ms", "a,b"],
        ["--fault", "meteor"],
        ["--usage-shape", "x"],
    ],
)
def test_bad_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Bad options stop with argparse's exit status 2 and a message."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err


def test_invalid_config_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Options that parse but make no sense return 2 with the config's message."""
    assert main(["--discount", "1.5"]) == 2
    assert "discount" in capsys.readouterr().err


def test_taken_port_returns_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A port already in use is reported and main returns 1."""
    with Emulator(EmulatorConfig.fast()) as other:
        assert main(["--port", str(other.port)]) == 1
    assert "error" in capsys.readouterr().err


def test_python_m_serves_until_sigterm() -> None:
    """python -m routing_otel.emulator --port 0 prints its URL, serves, and exits 0 on SIGTERM."""
    command = [
        sys.executable,
        "-m",
        "routing_otel.emulator",
        "--port",
        "0",
        "--instant",
        "--router-down",
        "--fault",
        "cache_hit",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            assert base_url.endswith("/v3")
            routed = httpx.post(base_url + "/chat/completions", json=chat(), headers=AUTH)
            assert routed.status_code == 503
            system = {"role": "system", "content": "Rules. " * 40}
            body = {
                "model": "openai/gpt-4o",
                "messages": [system, {"role": "user", "content": "hi"}],
            }
            fixed = httpx.post(base_url + "/chat/completions", json=body, headers=AUTH)
            assert fixed.json()["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert "listening" in stderr
