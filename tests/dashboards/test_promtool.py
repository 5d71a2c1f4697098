"""promtool checks the rules and runs their unit tests; and the example server config."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from dashboards import generate
from tests.dashboards import support

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.prometheus


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_promtool_check_rules(promtool: str) -> None:
    """Both rule files are valid Prometheus rules."""
    out = _run(promtool, "check", "rules", *map(str, support.RULE_FILES))
    assert out.count("SUCCESS") == 2


def test_promtool_test_rules(promtool: str) -> None:
    """Every promtool unit test passes: each alert silent before its `for`, firing after."""
    out = _run(promtool, "test", "rules", *map(str, support.PROMTOOL_TESTS))
    assert out.count("SUCCESS") == len(support.PROMTOOL_TESTS) >= 4


def test_promtool_check_example_config(promtool: str) -> None:
    """The example prometheus.yml (scraping the Collector, loading the rules) is valid."""
    _run(promtool, "check", "config", str(support.PROMETHEUS / "prometheus.example.yml"))


def test_rules_with_other_thresholds_are_valid(promtool: str, tmp_path: Path) -> None:
    """Rules generated with other thresholds and windows still pass promtool."""
    settings = ["routing_latency_p95_s=0.5", "ttft_target_s=1.28", "same_model_window=30m"]
    assert (
        generate.main([arg for s in settings for arg in ("--set", s)] + ["--output", str(tmp_path)])
        == 0
    )
    files = [tmp_path / "prometheus" / "recording.yaml", tmp_path / "prometheus" / "alerts.yaml"]
    assert _run(promtool, "check", "rules", *map(str, files)).count("SUCCESS") == 2
