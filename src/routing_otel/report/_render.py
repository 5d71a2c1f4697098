"""Showing the report: aligned plain text, rich tables, markdown, or JSON."""

from __future__ import annotations

import importlib.util
import json
import textwrap
from typing import TYPE_CHECKING, Literal, TextIO

from routing_otel.report._sections import Section, Table, sections

if TYPE_CHECKING:
    from routing_otel.report._model import Report

Format = Literal["text", "rich", "markdown", "json"]

_WIDTH = 100
# The narrowest a name column gets on a small terminal before it folds.
_MIN_WIDTHS = {"pool": 8, "served model": 14, "layer": 6, "from": 12, "to": 12}


def render(report: Report, out: TextIO, output_format: Format) -> None:
    """Write ``report`` to ``out`` in ``output_format`` (rich falls back to text without it)."""
    if output_format == "json":
        json.dump(report.to_json(), out, indent=2)
        out.write("\n")
    elif output_format == "markdown":
        render_markdown(report, out)
    elif output_format == "rich" and has_rich():
        render_rich(report, out)
    else:
        render_text(report, out)


def has_rich() -> bool:
    """Whether rich (the ``demo`` extra) is installed; without it the report is plain text."""
    return importlib.util.find_spec("rich") is not None


# --- plain text ---------------------------------------------------------------------------
def _text_table(table: Table) -> list[str]:
    rows = [row for group in table.groups for row in group]
    height = max(header.count("\n") + 1 for header in table.headers)
    # Multi-line headers are aligned at the bottom, next to the rule.
    headers = [
        [""] * (height - header.count("\n") - 1) + header.split("\n") for header in table.headers
    ]
    header_rows = [[column[line] for column in headers] for line in range(height)]
    everything = [*header_rows, *rows, *([table.footer] if table.footer else [])]
    widths = [max(len(row[i]) for row in everything) for i in range(len(table.headers))]

    def line(cells: list[str]) -> str:
        text = "  ".join(
            cell.rjust(widths[i]) if i in table.right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        )
        return "  " + text.rstrip()

    rule = "  " + "-" * (sum(widths) + 2 * (len(widths) - 1))
    lines = [table.title, *(line(cells) for cells in header_rows), rule]
    for index, group in enumerate(table.groups):
        if index:
            lines.append("")
        lines.extend(line(row) for row in group)
    if table.footer:
        lines += [rule, line(table.footer)]
    return lines


def render_text(report: Report, out: TextIO) -> None:
    """The report as aligned plain text (logs, pipes, CI)."""
    blocks: list[list[str]] = []
    for section in sections(report):
        if not section.heading and not section.lines and section.table is None:
            continue
        block: list[str] = []
        if section.heading:
            block += [section.heading, "=" * len(section.heading)]
        for text in section.lines:
            block += textwrap.wrap(text, _WIDTH, subsequent_indent="  ") or [""]
        if section.table is not None:
            block += _text_table(section.table)
        blocks.append(block)
    out.write("\n\n".join("\n".join(block) for block in blocks) + "\n")


# --- markdown -----------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _markdown_table(table: Table) -> list[str]:
    align = ["---:" if i in table.right else "---" for i in range(len(table.headers))]
    rows = [row for group in table.groups for row in group]
    if table.footer:
        rows.append([f"**{cell}**" if cell else "" for cell in table.footer])
    return [
        f"**{table.title}**",
        "",
        "| " + " | ".join(_cell(h) for h in table.headers) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]


def render_markdown(report: Report, out: TextIO) -> None:
    """The report as markdown (a chat message, a CI job summary, a wiki page)."""
    blocks: list[str] = []
    for section in sections(report):
        if section.heading:
            blocks.append(f"## {section.heading}")
        if section.lines:
            blocks.append("\n".join(f"- {text}" for text in section.lines))
        if section.table is not None:
            blocks.append("\n".join(_markdown_table(section.table)))
    out.write("\n\n".join(blocks) + "\n")


# --- rich ---------------------------------------------------------------------------------
def render_rich(report: Report, out: TextIO) -> None:
    """The report as rich tables, for a terminal."""
    from rich.console import Console  # noqa: PLC0415 - only for terminals

    console = Console(file=out, highlight=False)
    for section in sections(report):
        if section.heading or section.lines or section.table is not None:
            _rich_section(console, section)


def _rich_section(console: object, section: Section) -> None:
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table as RichTable  # noqa: PLC0415

    assert isinstance(console, Console)
    if section.heading:
        console.rule(f"[bold]{section.heading}")
    for text in section.lines:
        console.print(text)
    table = section.table
    if table is None:
        console.print()
        return
    rich_table = RichTable(
        title=table.title,
        title_style="bold",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    for index, header in enumerate(table.headers):
        numeric = index in table.right
        # On a narrow terminal names fold, but keep a useful width; numbers never wrap.
        rich_table.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=numeric,
            overflow="fold",
            min_width=None if numeric else _MIN_WIDTHS.get(header, 6),
        )
    for group in table.groups:
        for position, row in enumerate(group):
            rich_table.add_row(*row, end_section=position == len(group) - 1)
    if table.footer:
        rich_table.add_row(*table.footer, style="bold")
    console.print(rich_table)
    console.print()
