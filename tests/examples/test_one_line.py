"""One added line: each example has exactly one, and without it the same code emits nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.examples.support import (
    EXAMPLES,
    MARKER,
    NAMES,
    library_lines,
    load,
    without_added_line,
)

if TYPE_CHECKING:
    from tests.telemetry import Telemetry

IMPORT = "import routing_otel\n"
PATTERNS = 13  # the patterns of the two router guides, one example each


def test_every_pattern_has_an_example() -> None:
    """Thirteen examples, one per pattern of the guides."""
    assert len(NAMES) == PATTERNS


@pytest.mark.parametrize("name", NAMES)
def test_exactly_one_added_line(name: str) -> None:
    """The library appears in the import and in the one marked line, nowhere else in code."""
    source = (EXAMPLES / f"{name}.py").read_text()
    lines = source.splitlines()
    marked = [number for number, line in enumerate(lines, 1) if MARKER in line]
    assert len(marked) == 1
    (imported,) = [number for number, line in enumerate(lines, 1) if line == IMPORT.strip()]
    assert library_lines(source) == sorted([imported, *marked])


@pytest.mark.usefixtures("example_env")
@pytest.mark.parametrize("name", NAMES)
def test_without_the_line_nothing_is_observed(name: str, global_telemetry: Telemetry) -> None:
    """The example minus its added line (and import) runs the same and emits no telemetry."""
    source = without_added_line((EXAMPLES / f"{name}.py").read_text())
    assert IMPORT in source
    source = source.replace(IMPORT, "", 1)
    assert library_lines(source) == []
    assert load(name, source).main()
    assert global_telemetry.exporter.get_finished_spans() == ()
    assert global_telemetry.points("llm.router.requests") == []
    assert global_telemetry.points("gen_ai.client.operation.duration") == []


def test_each_runs_as_a_script_against_the_emulator() -> None:
    """``python examples/<name>.py`` starts the emulator itself and prints the telemetry."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"EDENAI_BASE_URL", "EDENAI_API_KEY", "ROUTING_OTEL_HOSTS"}
    }
    runs = {
        name: subprocess.Popen(  # all at once: each is a separate process with its own emulator
            [sys.executable, str(EXAMPLES / f"{name}.py"), "--fast"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in NAMES
    }
    for name, process in runs.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (name, err)
        assert "Eden AI emulator at http://127.0.0.1:" in out, name
        assert "\nSpans:\n  " in out, (name, out)
        assert "chat @edenai" in out, (name, out)
        assert "llm.router.requests {" in out, (name, out)
    assert "llm.router.fallbacks {" in runs["resilient_router"].communicate()[0]
