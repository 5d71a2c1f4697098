"""docs/report.md documents every JSON field and every flag, so the schema stays documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from routing_otel.report import _model
from routing_otel.report._args import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
SCHEMA_PARTS = [
    _model.Report,
    _model.Source,
    _model.Totals,
    _model.Row,
    _model.FallbackPath,
    _model.Budget,
    _model.Alert,
    _model.SlowCall,
    _model.Check,
    _model.Quantiles,
]
PRESENTATION = {"heading", "intro", "story"}  # Report fields that to_json leaves out


@pytest.mark.parametrize("part", SCHEMA_PARTS, ids=lambda part: part.__name__)
def test_every_json_field_is_documented(part: type) -> None:
    """Each field --format json writes appears, in backticks, in docs/report.md."""
    names = {field.name for field in dataclasses.fields(part)} - PRESENTATION
    missing = sorted(name for name in names if f"`{name}`" not in DOC)
    assert not missing, f"{part.__name__} fields missing from docs/report.md: {missing}"
    assert f"`{_model.SCHEMA}`" in DOC


def test_every_flag_is_documented() -> None:
    """Each option of routing-otel report appears in docs/report.md."""
    flags = {
        option
        for action in build_parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert not sorted(flag for flag in flags if f"`{flag}" not in DOC)


def test_readme_links_the_report_page() -> None:
    """The README's report section points at the full page."""
    assert "(docs/report.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
