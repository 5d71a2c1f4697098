"""Render the dashboards' panels from a real Prometheus fed by real traffic, as PNG pictures.

    make images                               # the same, from a fresh checkout
    python dashboards/render.py               # about two and a half minutes
    python dashboards/render.py --phase-seconds 20 --output /tmp/img

No Grafana runs here, so this draws each panel of the committed dashboard JSON with
matplotlib from Prometheus range queries (the panels' own PromQL, variables filled in):
three phases of traffic through our transport to the emulator, normal, then a degraded
router (slow routing, 503s, rate limits, fallbacks), then normal again. The traces panel
is drawn from the spans of the same traffic. Needs the Debian ``prometheus`` binary and
matplotlib (a development dependency).

Each picture records, in its PNG metadata (:data:`DIGEST_KEY`), the SHA-256 of the dashboard
JSON it was drawn from: a test compares it with the committed JSON, so a dashboard changed
since its picture was drawn is caught.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import re
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in {None, ""}:  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dashboards import lab
from routing_otel import _semconv as sc
from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.axes import Axes

HERE = Path(__file__).resolve().parent
DASHBOARDS = ("routing-overview", "cost")
DIGEST_KEY = "routing-otel-dashboard-sha256"  # a PNG text chunk: the JSON the picture shows
NORMAL = EmulatorConfig(routing_delay_s=(0.08, 0.45), tokens_per_s=400.0, seed=1)
DEGRADED = NORMAL.replace(routing_delay_s=(0.7, 1.9))
NORMAL_FAULTS: tuple[str | None, ...] = ("provider_fallback", None, None, None, None, None)
DEGRADED_FAULTS: tuple[str | None, ...] = ("router_down", "rate_limit", "provider_fallback", None)
RATE_INTERVAL = "30s"
BAR_INTERVAL = 30.0  # the daily-spend bars, one per 30 s instead of one per day
STEP = 2.0
# Grafana's dark theme, roughly.
BACKGROUND, PANEL, TEXT, GRID = "#111217", "#181b1f", "#ccccdc", "#2c3235"
COLORS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff9830", "#f2495c", "#b877d9", "#8ab8ff", "#96d98d"]


def _substitute(expr: str, seconds: int) -> str:
    values = {
        "$__rate_interval": RATE_INTERVAL,
        "$__interval": f"{BAR_INTERVAL:g}s",
        "$__range": f"{seconds}s",
        "$service": ".*",
        "$pool": ".*",
    }
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace(name, values[name])
    return expr


def _legend(template: str, labels: dict[str, str]) -> str:
    if template in {"", "__auto"}:
        return ", ".join(f"{k}={v}" for k, v in labels.items()) or "value"
    for key, value in labels.items():
        template = template.replace(f"{{{{{key}}}}}", value)
    # Grafana writes a label the series lacks as nothing, not as its name.
    return re.sub(r"\{\{[^}]*\}\}", "", template).strip(" ·") or "value"


def _format_axis(ax: Axes, unit: str) -> None:
    formats: dict[str, Callable[[float], str]] = {
        "s": lambda v: f"{v * 1000:.0f} ms" if abs(v) < 1 else f"{v:.2f} s",
        "percentunit": lambda v: f"{v * 100:.0f}%",
        "currencyUSD": lambda v: f"${v:.4g}",
        "reqps": lambda v: f"{v:.2g} req/s",
        "ops": lambda v: f"{v:.2g}/s",
    }
    fmt = formats.get(unit, _number)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))


def _number(value: float) -> str:
    return f"{value:.3g}"


def _clock(seconds: float, _: object) -> str:
    return datetime.fromtimestamp(seconds).strftime("%H:%M:%S")  # noqa: DTZ006  (local, as Grafana)


def _style(ax: Axes, title: str) -> None:
    ax.set_facecolor(PANEL)
    ax.set_title(title, color=TEXT, fontsize=10, loc="left")
    ax.tick_params(colors=TEXT, labelsize=7)
    ax.grid(color=GRID, linewidth=0.5)
    for spine in ax.spines.values():
        spine.set_color(GRID)


def _timeseries(
    ax: Axes, panel: dict[str, Any], prometheus: lab.PrometheusServer, window: tuple[float, float]
) -> None:
    start, end = window
    defaults = panel["fieldConfig"]["defaults"]
    custom = defaults.get("custom", {})
    stacked = custom.get("stacking", {}).get("mode") == "normal"
    bars = custom.get("drawStyle") == "bars"
    step = BAR_INTERVAL if bars else STEP
    grid = [start + i * step for i in range(int((end - start) // step) + 1)]
    lines: list[tuple[str, list[float]]] = []
    for target in panel["targets"]:
        expr = _substitute(target["expr"], int(end - start))
        for series in prometheus.query_range(expr, start, end, step):
            points = {round(float(t), 3): float(v) for t, v in series["values"]}
            values = [points.get(round(t, 3), math.nan) for t in grid]
            lines.append((_legend(target.get("legendFormat", ""), series["metric"]), values))
    lines = sorted(lines)[:10]
    times = grid  # seconds since the epoch; the axis shows local clock time, as Grafana does
    if not lines:
        ax.text(0.5, 0.5, "No data", color=TEXT, ha="center", va="center", transform=ax.transAxes)
    base = [0.0] * len(grid)
    for i, (label, values) in enumerate(lines):
        color = COLORS[i % len(COLORS)]
        if bars:
            heights = [0.0 if math.isnan(v) else v for v in values]
            ax.bar(times, heights, bottom=base, width=step * 0.8, color=color, label=label)
            base = [b + h for b, h in zip(base, heights, strict=True)]
        elif stacked:
            top = [b + (0.0 if math.isnan(v) else v) for b, v in zip(base, values, strict=True)]
            ax.fill_between(times, base, top, color=color, alpha=0.45, linewidth=0)
            ax.plot(times, top, color=color, linewidth=1, label=label)
            base = top
        else:
            ax.plot(times, values, color=color, linewidth=1.2, label=label)
    for threshold in defaults.get("thresholds", {}).get("steps", []):
        if threshold.get("value") is not None and lines:
            ax.axhline(threshold["value"], color="#f2495c", linestyle="--", linewidth=1)
    _format_axis(ax, defaults.get("unit", ""))
    ax.xaxis.set_major_formatter(FuncFormatter(_clock))
    if lines:
        ax.legend(fontsize=6, facecolor=PANEL, labelcolor=TEXT, edgecolor=GRID, loc="upper left")


def _bargauge(
    ax: Axes, panel: dict[str, Any], prometheus: lab.PrometheusServer, window: tuple[float, float]
) -> None:
    start, end = window
    bars: list[tuple[str, float]] = []
    for target in panel["targets"]:
        expr = _substitute(target["expr"], int(end - start))
        for series in prometheus.query(expr, at=end):
            value = float(series["value"][1])
            if not math.isnan(value):
                bars.append((_legend(target.get("legendFormat", ""), series["metric"]), value))
    if not bars:
        ax.text(0.5, 0.5, "No data", color=TEXT, ha="center", va="center", transform=ax.transAxes)
        return
    labels, values = zip(*sorted(bars), strict=True)
    ax.set_axisbelow(True)
    ax.barh(labels, values, color=COLORS[0])
    ax.invert_yaxis()
    _format_axis(ax, panel["fieldConfig"]["defaults"].get("unit", ""))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v}"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.set_yticks(range(len(labels)), labels, fontsize=7)


def _traces(ax: Axes, spans: InMemorySpanExporter, window: tuple[float, float]) -> None:
    routed = [
        s
        for s in spans.get_finished_spans()
        if s.name == f"{sc.OPERATION_CHAT} {sc.ROUTED_MODEL}" and s.end_time and s.start_time
    ]
    routed.sort(key=lambda s: (s.end_time or 0) - (s.start_time or 0), reverse=True)
    rows = []
    for span in routed[:12]:
        attrs = span.attributes or {}
        routing = attrs.get(sc.ROUTER_ROUTING_DURATION)
        ttft = attrs.get(sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
        rows.append(
            [
                format(span.context.trace_id, "032x")[:16] + "…",
                str(attrs.get(sc.ROUTER_POOL, "")),
                str(attrs.get(sc.GEN_AI_RESPONSE_MODEL, "—")),
                f"{float(routing) * 1000:.0f} ms" if isinstance(routing, float) else "—",
                f"{float(ttft) * 1000:.0f} ms" if isinstance(ttft, float) else "—",
                f"{((span.end_time or 0) - (span.start_time or 0)) / 1e6:.0f} ms",
                str(attrs.get(sc.ERROR_TYPE, "")),
            ]
        )
    ax.axis("off")
    ax.set_title(
        f"Slowest routed calls (from the spans of this run, {len(routed)} routed calls,"
        f" {int(window[1] - window[0])} s)",
        color=TEXT,
        fontsize=10,
        loc="left",
    )
    header = ["Trace", "Pool", "Served model", "Routing", "TTFT", "Duration", "error.type"]
    widths = [0.16, 0.09, 0.27, 0.1, 0.1, 0.1, 0.12]
    table = ax.table(
        cellText=rows or [["—"] * 7], colLabels=header, colWidths=widths, loc="upper left"
    )
    table.auto_set_font_size(False)  # noqa: FBT003  (matplotlib's setter)
    table.set_fontsize(7)
    for cell in table.get_celld().values():
        cell.set_facecolor(PANEL)
        cell.set_edgecolor(GRID)
        cell.get_text().set_color(TEXT)


def digest(dashboard_json: bytes) -> str:
    """The SHA-256 (hex) of a dashboard JSON file's bytes, as recorded in its picture."""
    return hashlib.sha256(dashboard_json).hexdigest()


def draw(
    dashboard_json: bytes,
    prometheus: lab.PrometheusServer,
    spans: InMemorySpanExporter,
    window: tuple[float, float],
    path: Path,
) -> None:
    """Draw every panel of one dashboard, two per row as in Grafana, into one PNG."""
    dashboard = json.loads(dashboard_json)
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    rows = math.ceil(len(panels) / 2)
    fig, axes = plt.subplots(rows, 2, figsize=(16, 3.4 * rows), facecolor=BACKGROUND)
    flat = list(axes.flat)
    for ax, panel in zip(flat, panels, strict=False):
        _style(ax, panel["title"])
        if panel["type"] == "timeseries":
            _timeseries(ax, panel, prometheus, window)
        elif panel["type"] == "bargauge":
            _bargauge(ax, panel, prometheus, window)
        else:
            _traces(ax, spans, window)
    for ax in flat[len(panels) :]:
        ax.axis("off")
    fig.suptitle(dashboard["title"], color=TEXT, fontsize=14, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.99))
    fig.savefig(path, dpi=72, facecolor=BACKGROUND, metadata={DIGEST_KEY: digest(dashboard_json)})
    plt.close(fig)


def _traffic(
    endpoint: lab.MetricsEndpoint, port: int, faults: tuple[str | None, ...], until: float
) -> None:
    calls = lab.calls(1_000_000, faults=faults)
    lab.run_workload(
        port, endpoint.providers(), itertools.takewhile(lambda _: time.time() < until, calls)
    )


def run(phase_seconds: float, workers: int, output: Path) -> list[Path]:
    """Generate the traffic, then draw both dashboards; return the pictures written."""
    spans = InMemorySpanExporter()
    endpoint = lab.MetricsEndpoint.start()
    endpoint.tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    rule_files = [HERE / "prometheus" / "recording.yaml", HERE / "prometheus" / "alerts.yaml"]
    with (
        tempfile.TemporaryDirectory() as workdir,
        Emulator(NORMAL) as normal,
        Emulator(DEGRADED) as degraded,
        lab.PrometheusServer(Path(workdir), endpoint.port, rule_files=rule_files) as prometheus,
    ):
        start = time.time()
        for emulator, faults in (
            (normal, NORMAL_FAULTS),
            (degraded, DEGRADED_FAULTS),
            (normal, NORMAL_FAULTS),
        ):
            until = time.time() + phase_seconds
            threads = [
                threading.Thread(target=_traffic, args=(endpoint, emulator.port, faults, until))
                for _ in range(workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        end = time.time()
        prometheus.wait_for_scrape(after=end)
        output.mkdir(parents=True, exist_ok=True)
        written = []
        for name in DASHBOARDS:
            path = output / f"{name}.png"
            draw(
                (HERE / "grafana" / f"{name}.json").read_bytes(),
                prometheus,
                spans,
                (start, end),
                path,
            )
            written.append(path)
    endpoint.stop()
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--phase-seconds", type=float, default=45.0)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--output", type=Path, default=HERE / "img")
    args = parser.parse_args(argv)
    for path in run(args.phase_seconds, args.workers, args.output):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
