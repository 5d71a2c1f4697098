"""The report's command line: clear errors on bad flags (exit 2), the range they make."""

from __future__ import annotations

import pytest

from routing_otel.cli import main as cli_main
from routing_otel.report import main
from routing_otel.report._args import duration_s, instant, parse

URL = "http://localhost:9090"


def test_cli_lists_the_report_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``routing-otel --help`` names the report command; its own --help lists its flags."""
    assert cli_main(["--help"]) == 0
    assert "report     the demo's report for every process" in capsys.readouterr().out
    assert cli_main(["report", "--help"]) == 0
    text = capsys.readouterr().out
    for flag in ("--prometheus", "--since", "--from", "--to", "--service", "--format", "--check"):
        assert flag in text
    assert "4 Prometheus holds no routing-otel calls" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: --prometheus"),
        (["--prometheus", "localhost:9090"], "expected an http:// or https:// URL"),
        (["--prometheus", URL, "--since", "5x"], "expected a duration such as 90s"),
        (["--prometheus", URL, "--since", "1h", "--from", "0"], "not allowed with argument"),
        (["--prometheus", URL, "--from", "2026-12-07T10:00Z", "--to", "2026-12-07T09:00Z"],
         "--from must be before --to"),
        (["--prometheus", URL, "--to", "yesterday"], "expected a time such as"),
        (["--prometheus", URL, "--max-error-ratio", "5"], "a ratio is from 0 to 1, got 5"),
        (["--prometheus", URL, "--format", "xml"], "invalid choice: 'xml'"),
    ],
)  # fmt: skip
def test_bad_flags_are_clear_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each mistake exits 2 with a message saying what is wrong."""
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_durations_read_as_prometheus_writes_them() -> None:
    """Compound and sub-second durations, and bare seconds."""
    assert duration_s("1h30m") == 5400
    assert duration_s("800ms") == pytest.approx(0.8)
    assert duration_s("90") == 90
    assert duration_s("2d") == 172800


def test_times_are_utc_unless_they_say_otherwise() -> None:
    """RFC 3339 with Z or an offset, a naive time (UTC), Unix seconds: the same instant."""
    assert instant("2026-12-07T09:00:00Z") == instant("2026-12-07T10:00:00+01:00")
    assert instant("2026-12-07 09:00") == instant("2026-12-07T09:00:00Z")
    assert instant("1796634000") == 1796634000.0


def test_range_defaults_to_the_last_hour_and_follows_from_to() -> None:
    """No range flag: the hour ending now; --from/--to: exactly that range."""
    settings = parse(["--prometheus", URL], now=10_000.0)
    assert (settings.end, settings.range_s) == (10_000.0, 3600)
    since = parse(["--prometheus", URL, "--since", "15m", "--to", "5000"], now=10_000.0)
    assert (since.end, since.range_s) == (5000.0, 900)
    span = parse(["--prometheus", URL, "--from", "1000", "--to", "1600"])
    assert (span.end, span.range_s) == (1600.0, 600)
