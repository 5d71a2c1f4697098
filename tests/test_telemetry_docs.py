"""docs/telemetry.md lists exactly what the library emits, checked against a real run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from routing_otel import _semconv as sc
from tests import emitted

if TYPE_CHECKING:
    from collections.abc import Iterator

DOC = Path(__file__).resolve().parents[1] / "docs" / "telemetry.md"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)$")


def _section(title: str) -> str:
    """The text under a heading, up to the next heading."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(title)}\n", text, re.MULTILINE)
    assert match, f"no section {title!r} in {DOC.name}"
    rest = text[match.end() :]
    end = re.search(r"^#+ ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def _rows(title: str) -> dict[str, list[str]]:
    """Table rows of a section: first cell's name -> the other cells."""
    rows = {}
    for line in _section(title).splitlines():
        if match := _ROW.match(line):
            cells = match.group(2).strip().removesuffix("|").split("|")
            rows[match.group(1)] = [cell.strip() for cell in cells]
    return rows


def _names(text: str) -> set[str]:
    return set(re.findall(r"`([a-z_][a-z0-9_.]*)`", text))


@pytest.fixture(scope="module")
def seen() -> Iterator[emitted.Emitted]:
    """Every name one broad run against the emulator emitted."""
    with emitted.emulator_for_docs() as emulator:
        yield emitted.collect(emulator)


def test_spans_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """The span kinds emitted (`chat`, `route`) are the documented ones, no more, no less."""
    assert seen.spans == set(_rows("Spans"))


def test_span_attributes_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """Every span attribute emitted is documented, and every documented one is emitted."""
    documented = set(_rows("Span attributes"))
    assert seen.span_attributes - documented == set(), "emitted, not documented"
    assert documented - seen.span_attributes == set(), "documented, not emitted"


def test_span_events_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """Span events: emitted == documented."""
    assert seen.events == set(_rows("Span events"))


def test_log_events_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """Events emitted through the logs API (content capture on): emitted == documented."""
    assert seen.log_events == set(_rows("Log events"))


def test_metrics_units_and_attributes_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """Each metric: documented, with its unit and exactly the attributes it carries."""
    rows = _rows("Metrics")
    assert seen.metrics == set(rows)
    for metric, (_, unit, attributes) in rows.items():
        assert unit == f"`{seen.units[metric]}`", metric
        assert _names(attributes) == seen.by_metric[metric], metric


def test_metric_attributes_are_the_documented_ones(seen: emitted.Emitted) -> None:
    """The metric attribute table lists exactly the attributes on metric points."""
    assert seen.metric_attributes == set(_rows("Metric attributes"))


def test_cost_sources_are_the_contract_values() -> None:
    """The cost sources documented are the values the library can set."""
    values = {sc.COST_REPORTED, sc.COST_PRICE_TABLE, sc.COST_ESTIMATED, sc.COST_UNKNOWN}
    assert set(_rows("Cost sources")) == values


def test_server_port_goes_with_server_address_on_metric_points(seen: emitted.Emitted) -> None:
    """Wherever a metric point names the server's address, it names its port too."""
    points_with_address = [a for a in seen.by_metric.values() if sc.SERVER_ADDRESS in a]
    assert points_with_address
    assert all(sc.SERVER_PORT in attributes for attributes in points_with_address)


def test_every_semconv_name_is_documented() -> None:
    """Each name constant in _semconv (attributes, events, metrics) appears on the page."""
    text = DOC.read_text(encoding="utf-8")
    prefixes = ("GEN_AI_", "ROUTER_", "METRIC_", "EVENT_", "SERVER_", "HTTP_", "ERROR_TYPE")
    names = {
        value
        for name, value in vars(sc).items()
        if name.startswith(prefixes) and isinstance(value, str)
    }
    assert len(names) > 40
    missing = {name for name in names if f"`{name}`" not in text}
    assert not missing
