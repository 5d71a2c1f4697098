"""The command line: clear errors on bad flags (never a traceback), the settings they make."""

from __future__ import annotations

import pytest

from routing_otel.cli import main as cli_main
from routing_otel.cli.argtypes import ArgsExit
from routing_otel.demo import main
from routing_otel.demo._args import parse


def test_cli_lists_commands_and_rejects_unknown_ones() -> None:
    """``routing-otel`` explains itself and fails clearly on a typo."""
    assert cli_main(["--help"]) == 0
    assert cli_main(["dmeo"]) == 2


def test_help_exits_zero_and_names_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """``routing-otel demo --help`` lists the flags and returns 0."""
    assert cli_main(["demo", "--help"]) == 0
    text = capsys.readouterr().out
    for flag in (
        "--duration",
        "--requests",
        "--concurrency",
        "--seed",
        "--format",
        "--otlp",
        "--otlp-protocol",
        "--prometheus-port",
        "--linger",
        "--target",
        "--api-key-env",
        "--fast",
    ):
        assert flag in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--requests", "zero"], "expected a whole number, got 'zero'"),
        (["--requests", "0"], "must be at least 1"),
        (["--duration", "-5"], "must be more than 0"),
        (["--duration", "5", "--requests", "3"], "not allowed with argument"),
        (["--concurrency", "2.5"], "expected a whole number"),
        (["--concurrency", "500"], "at most 128, got 500"),
        (["--otlp", "localhost:4317"], "expected an http:// or https:// URL"),
        (["--otlp-protocol", "http/json"], "invalid choice: 'http/json'"),
        (["--prometheus-port", "70000"], "a port is 0 to 65535"),
        (["--linger", "10"], "use it with --prometheus-port"),
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--target", "ftp://example.com"], "expected an http:// or https:// URL"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_flags_are_clear_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake exits 2 with a message saying what is wrong."""
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_target_without_a_key_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--target needs the key in the environment variable --api-key-env names."""
    monkeypatch.delenv("MY_EDEN_KEY", raising=False)
    argv = ["--target", "https://api.edenai.run/v3/llm", "--api-key-env", "MY_EDEN_KEY"]
    assert main(argv) == 2
    assert "--target needs an API key: set $MY_EDEN_KEY" in capsys.readouterr().err


def test_bad_otlp_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An OTLP protocol the demo does not speak, set in the environment, is named."""
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
    assert main(["--requests", "1"]) == 2
    assert "OTEL_EXPORTER_OTLP_PROTOCOL='http/json'" in capsys.readouterr().err


def test_settings_from_flags_and_environment() -> None:
    """Flags win over the environment; the environment fills in what flags leave out."""
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "EDENAI_API_KEY": "sk-eden-x",
    }
    settings = parse(["--requests", "9", "--seed", "2"], env)
    assert (settings.requests, settings.duration_s, settings.seed) == (9, None, 2)
    assert (settings.otlp_endpoint, settings.otlp_protocol) == ("http://collector:4318", "grpc")
    flagged = parse(["--otlp", "http://other:4317", "--otlp-protocol", "http/protobuf"], env)
    assert (flagged.otlp_endpoint, flagged.otlp_protocol) == ("http://other:4317", "http/protobuf")
    target = parse(["--target", "https://api.edenai.run/v3/llm"], env)
    assert target.api_key == "sk-eden-x"
    assert parse([], {}).duration_s == 60


def test_parse_raises_instead_of_exiting() -> None:
    """Parsing never exits the process: the status travels in ArgsExit."""
    with pytest.raises(ArgsExit) as raised:
        parse(["--requests", "x"], {})
    assert raised.value.status == 2
