"""What the demo prints: plain text off a terminal, rich tables on one, JSON on request."""

from __future__ import annotations

import io
import json
import re

from routing_otel.demo import run
from routing_otel.demo._model import RunInfo
from routing_otel.demo._render import render
from routing_otel.demo._report import build_report
from tests.demo.conftest import SHORT, DemoRun, run_demo

_ANSI = re.compile(r"\x1b\[")


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_plain_text_when_stdout_is_not_a_terminal() -> None:
    """The default format off a terminal is aligned plain text, no escape codes."""
    demo = run_demo(SHORT)
    assert demo.status == 0, demo.err
    assert not _ANSI.search(demo.out)
    lines = demo.out.splitlines()
    assert lines[:2] == ["routing-otel demo", "================="]
    for title in (
        "Traffic and latency by pool and served model",
        "Tokens and money by pool and served model",
        "Fallbacks by reason (llm.router.fallbacks)",
        "Slowest routed calls (open them by trace id in Jaeger or Tempo)",
    ):
        assert title in lines
    assert "estimates from the histogram buckets" in demo.out
    assert re.search(r"^  all\s+\d+ routed, \d+ fixed\s+\d+\s+100%", demo.out, re.MULTILINE)


def test_json_report_is_valid_json(short_json_run: DemoRun) -> None:
    """--format json prints one JSON document with the run, rows, totals and slowest calls."""
    report = json.loads(short_json_run.out)
    assert set(report) >= {"run", "rows", "totals", "fallbacks", "slowest", "budget"}
    assert report["run"]["emulated"] is True
    assert report["run"]["planned"] == "40 calls"
    assert all(len(call["trace_id"]) == 32 for call in report["slowest"])


def test_rich_tables_on_a_terminal(short_json_run: DemoRun) -> None:
    """On a terminal the report, built from the run's metrics, is drawn as rich tables."""
    info = RunInfo(
        target="http://127.0.0.1:8787/v3/llm",
        emulated=True,
        seed=7,
        concurrency=4,
        planned="40 calls",
        wall_s=1.0,
        fast=True,
        jobs={},
        decisions={},
        failed_jobs={},
        outage=None,
        interrupted=False,
    )
    terminal = _Terminal()
    render(build_report(short_json_run.reader.get_metrics_data(), [], info), terminal, "auto")
    text = terminal.getvalue()
    assert "Traffic and latency by pool and served model" in text
    assert "─" in text  # the rule under a rich table's header
    assert "premium" in text


def test_progress_goes_to_stderr_in_plain_lines() -> None:
    """Off a terminal the progress is a few lines on stderr, never mixed into the report."""
    out, err = io.StringIO(), io.StringIO()
    status = run(["--requests", "12", "--fast", "--format", "json"], out=out, err=err)
    assert status == 0
    json.loads(out.getvalue())
    assert "100% of the workload, 12 calls so far" in err.getvalue()
