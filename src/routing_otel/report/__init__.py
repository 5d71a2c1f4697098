"""``routing-otel report``: the demo's report for a whole fleet, read from Prometheus.

The report model and its renderers (text, rich, markdown, JSON) live here and serve both
``routing-otel demo`` (numbers from in-memory metric points) and ``routing-otel report``
(numbers from Prometheus's HTTP API). See ``docs/report.md``.

The library never imports this package.
"""

from __future__ import annotations

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``routing-otel report``: returns the exit status, never raises."""
    from routing_otel.report._cli import run  # noqa: PLC0415 - lazy: --help stays fast

    return run([] if argv is None else argv)
