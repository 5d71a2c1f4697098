"""``routing-otel demo`` runs on the built-in emulator and shows the telemetry it produced."""

from __future__ import annotations

import io
import re

from routing_otel import _semconv as sc
from routing_otel.cli import main
from routing_otel.demo import run


def test_demo_prints_spans_and_metric_points() -> None:
    """The demo's five calls appear as spans (routed ones with a route child) and metrics."""
    out = io.StringIO()
    assert run(out, fast=True) == 0
    text = out.getvalue()
    chat_lines = [line for line in text.splitlines() if re.match(r"\s+chat ", line)]
    assert len(chat_lines) == 5
    assert sum("chat @edenai" in line for line in chat_lines) == 3
    assert text.count("└ route @edenai") == 3
    assert all(line.rstrip().endswith("ok") for line in chat_lines)
    for name in (
        sc.METRIC_OPERATION_DURATION,
        sc.METRIC_TIME_TO_FIRST_CHUNK,
        sc.METRIC_ROUTING_DURATION,
        sc.METRIC_TOKEN_USAGE,
        sc.METRIC_REQUESTS,
        sc.METRIC_COST,
    ):
        assert f"  {name} [" in text


def test_cli_lists_commands_and_rejects_unknown_ones() -> None:
    """``routing-otel`` explains itself and fails clearly on a typo."""
    assert main(["--help"]) == 0
    assert main(["dmeo"]) == 2
