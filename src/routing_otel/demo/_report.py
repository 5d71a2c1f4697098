"""Plain-text rendering of the spans and metric points the demo produced."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from opentelemetry.sdk.metrics.export import HistogramDataPoint, MetricsData, NumberDataPoint

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from collections.abc import Sequence

    from opentelemetry.sdk.trace import ReadableSpan


def _ms(value: object) -> str:
    return f"{value * 1000:.0f} ms" if isinstance(value, float) else "-"


def print_spans(spans: Sequence[ReadableSpan], out: TextIO) -> None:
    """One line per span: the chat spans with their route children indented below."""
    out.write("Spans (what Jaeger or Tempo would show)\n")
    header = f"  {'span':<34}{'served model':<30}{'routing':>9}{'TTFT':>9}{'total':>9}"
    out.write(header + f"{'tokens in/out':>15}{'cost USD':>12}  status\n")
    children: dict[int, list[ReadableSpan]] = {}
    for span in spans:
        if span.parent is not None:
            children.setdefault(span.parent.span_id, []).append(span)
    for span in spans:
        if not span.name.startswith(f"{sc.OPERATION_CHAT} "):
            continue
        attrs = span.attributes or {}
        total = (span.end_time or 0) - (span.start_time or 0)
        tokens = f"{attrs.get(sc.GEN_AI_USAGE_INPUT_TOKENS, '-')}/"
        tokens += f"{attrs.get(sc.GEN_AI_USAGE_OUTPUT_TOKENS, '-')}"
        cost = attrs.get(sc.ROUTER_COST)
        out.write(
            f"  {span.name:<34}{attrs.get(sc.GEN_AI_RESPONSE_MODEL, '-')!s:<30}"
            f"{_ms(attrs.get(sc.ROUTER_ROUTING_DURATION)):>9}"
            f"{_ms(attrs.get(sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)):>9}"
            f"{_ms(total / 1e9):>9}{tokens:>15}"
            f"{f'{cost:.6f}' if isinstance(cost, float) else '-':>12}"
            f"  {attrs.get(sc.ERROR_TYPE, 'ok')}\n"
        )
        for child in children.get(span.context.span_id, []):
            length = ((child.end_time or 0) - (child.start_time or 0)) / 1e9
            out.write(f"    └ {child.name:<30}{'':<30}{_ms(length):>9}\n")


def print_metrics(data: MetricsData | None, out: TextIO) -> None:
    """Every metric point: its name, the attributes that vary, and its value."""
    out.write("Metric points (what Prometheus would scrape)\n")
    if data is None:
        out.write("  (none)\n")
        return
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                out.write(f"  {metric.name} [{metric.unit}]\n")
                for point in metric.data.data_points:
                    attrs = dict(point.attributes or {})
                    for common in (sc.GEN_AI_OPERATION_NAME, sc.GEN_AI_PROVIDER_NAME):
                        attrs.pop(common, None)
                    labels = ", ".join(f"{k}={v}" for k, v in sorted(attrs.items()))
                    out.write(f"    {_value(point):<28} {labels}\n")


def _value(point: object) -> str:
    if isinstance(point, HistogramDataPoint):
        return f"count={point.count} sum={point.sum:.4g}"
    if isinstance(point, NumberDataPoint):
        return f"value={point.value:.6g}"
    return "?"
