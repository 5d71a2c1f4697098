"""The examples of docs/emulator.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_the_doc_has_examples() -> None:
    """The page has Python examples to check."""
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            source, id=f"example-{n}", marks=[pytest.mark.openai_sdk] * ("from openai" in source)
        )
        for n, source in enumerate(EXAMPLES)
    ],
)
def test_example_runs(source: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each Python example runs without error in a fresh namespace."""
    exec(compile(source, str(DOC), "exec"), {"__name__": "docs_example"})
    capsys.readouterr()
