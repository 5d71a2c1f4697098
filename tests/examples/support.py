"""Loading the examples as a user's process would, and reading their telemetry."""

from __future__ import annotations

import io
import sys
import textwrap
import tokenize
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

    from tests.telemetry import Telemetry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MARKER = "# routing-otel: added"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))


def load(name: str, source: str | None = None) -> ModuleType:
    """Execute ``examples/<name>.py`` (or ``source`` in its place) as a fresh module."""
    path = EXAMPLES / f"{name}.py"
    module = ModuleType(f"examples_{name}")
    module.__file__ = str(path)
    code = compile(path.read_text() if source is None else source, str(path), "exec")
    sys.modules[module.__name__] = module  # dataclasses and enums look their module up
    try:
        exec(code, module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return module


def without_added_line(source: str) -> str:
    """The example's source as it was before the one added line.

    A ``with`` line is removed together with the indentation it gave its block.
    """
    lines = source.splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if MARKER in line]
    marked = lines.pop(index)
    code = marked.split("#", 1)[0].strip()
    if code.startswith("with ") and code.endswith(":"):
        indent = len(marked) - len(marked.lstrip())
        end = index
        while end < len(lines) and (
            not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
        ):
            end += 1
        block = textwrap.dedent("".join(lines[index:end]))
        lines[index:end] = [textwrap.indent(block, " " * indent)]
    return "".join(lines)


def library_lines(source: str) -> list[int]:
    """The numbers (from 1) of the lines whose code names ``routing_otel`` (not in text)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return sorted(
        {t.start[0] for t in tokens if t.type == tokenize.NAME and t.string == "routing_otel"}
    )


def by_start(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    """Spans in the order they started."""
    return sorted(spans, key=lambda s: s.start_time or 0)


def children(telemetry: Telemetry, parent: ReadableSpan) -> list[ReadableSpan]:
    """The finished spans whose parent is ``parent``, in start order."""
    return by_start(
        [
            s
            for s in telemetry.exporter.get_finished_spans()
            if s.parent is not None and s.parent.span_id == parent.context.span_id
        ]
    )


def assert_routed(telemetry: Telemetry, span: ReadableSpan, served: str) -> None:
    """A streamed ``@edenai`` call: served model, TTFT, routing time and its route child."""
    attrs = span.attributes or {}
    assert span.name == "chat @edenai"
    assert attrs[sc.GEN_AI_RESPONSE_MODEL] == served
    assert attrs[sc.GEN_AI_REQUEST_STREAM] is True
    ttft = attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]
    routing = attrs[sc.ROUTER_ROUTING_DURATION]
    assert isinstance(ttft, float)
    assert isinstance(routing, float)
    assert 0 < routing <= ttft
    (route,) = children(telemetry, span)
    assert route.name == "route @edenai"
    assert (route.attributes or {})[sc.GEN_AI_RESPONSE_MODEL] == served


def scope_of(telemetry: Telemetry, span: ReadableSpan) -> ReadableSpan:
    """The span's parent, which must be an ``observe`` scope span."""
    assert span.parent is not None
    (parent,) = [
        s
        for s in telemetry.exporter.get_finished_spans()
        if s.context.span_id == span.parent.span_id
    ]
    assert not parent.name.startswith(("chat ", "route "))
    return parent


def request_counts(telemetry: Telemetry, key: str) -> Counter[object]:
    """``llm.router.requests`` summed by one of its attributes."""
    counts: Counter[object] = Counter()
    for point in telemetry.points(sc.METRIC_REQUESTS):
        counts[(point.attributes or {}).get(key)] += int(getattr(point, "value", 0))
    return counts


def chat_span_of_request(telemetry: Telemetry, model: str) -> list[ReadableSpan]:
    """Chat spans that asked for ``model``, in start order."""
    return by_start(
        [
            s
            for s in telemetry.chat_spans()
            if (s.attributes or {}).get(sc.GEN_AI_REQUEST_MODEL) == model
        ]
    )
