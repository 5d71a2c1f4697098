"""``routing-otel demo``: the router guides' workload, observed, and a report of what it did.

Starts the built-in Eden AI emulator on loopback (no key, no network), instruments with one
line (``routing_otel.instrument(...)``), runs the patterns of Eden AI's router guides for
about a minute, and prints a report read from the metrics routing-otel recorded. The same
telemetry can go to an OTLP collector and to a Prometheus scrape. See
``routing-otel demo --help``.

The library never imports this package; this package imports the library.
"""

from __future__ import annotations

from routing_otel.demo._main import run

__all__ = ["main", "run"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``routing-otel demo``: returns the exit status, never raises on flags."""
    return run([] if argv is None else argv)
