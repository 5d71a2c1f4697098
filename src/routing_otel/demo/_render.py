"""How the demo shows its report: rich tables on a terminal, plain text off one, or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from routing_otel.report._render import has_rich
from routing_otel.report._render import render as render_as

if TYPE_CHECKING:
    from routing_otel.demo._args import OutputFormat
    from routing_otel.report._model import Report

__all__ = ["has_rich", "render"]


def render(report: Report, out: TextIO, output_format: OutputFormat) -> None:
    """Write ``report`` to ``out`` in ``output_format`` (auto: rich on a terminal)."""
    if output_format == "auto":
        render_as(report, out, "rich" if out.isatty() else "text")
    else:
        render_as(report, out, output_format)
