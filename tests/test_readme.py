"""Every Python example in the README runs, against the emulator instead of Eden AI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    """The README shows the public API in runnable Python blocks."""
    assert len(BLOCKS) >= 5
    for name in ("instrument()", "observe(", "RoutingTransport", "RoutingAdapter", "Emulator("):
        assert any(name in block for block in BLOCKS), name


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(block: str, emu: Emulator, tmp_path: Path) -> None:
    """The block runs to completion with the API base URL pointed at the emulator."""
    script = tmp_path / "example.py"
    script.write_text(block)
    env = {  # as a user runs it: no host setting, the @edenai calls show the way
        **{k: v for k, v in os.environ.items() if k != "ROUTING_OTEL_HOSTS"},
        "EDENAI_BASE_URL": emu.llm_base_url,
        "EDENAI_API_KEY": "sk-eden-readme",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
