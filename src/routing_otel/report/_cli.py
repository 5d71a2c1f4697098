"""``routing-otel report`` from flags to exit status: read, check, render, explain failures."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, TextIO

from routing_otel.cli.argtypes import ArgsExit
from routing_otel.report._args import parse
from routing_otel.report._checks import crossed, evaluate
from routing_otel.report._client import Prometheus, PrometheusError
from routing_otel.report._prometheus import NoDataError
from routing_otel.report._promql import Window
from routing_otel.report._read import read_report
from routing_otel.report._render import render
from routing_otel.report._sections import check_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing_otel.report._model import Report

OK, CROSSED, UNREACHABLE, NO_DATA = 0, 1, 3, 4
INTERRUPTED = 130  # as a shell reports Ctrl-C
_PROG = "routing-otel report"


def _read(prometheus: Prometheus, window: Window, err: TextIO) -> Report | int:
    """The report, or the exit status after a one-line explanation on ``err``."""
    try:
        return read_report(prometheus, window)
    except KeyboardInterrupt:
        err.write(f"{_PROG}: interrupted\n")
        return INTERRUPTED
    except NoDataError as error:
        err.write(f"{_PROG}: {error}\n")
        return NO_DATA
    except PrometheusError as error:
        err.write(f"{_PROG}: {error}\n")
        return UNREACHABLE
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        err.write(
            f"{_PROG}: {prometheus.url} answered in a shape this report does not understand "
            f"({type(error).__name__}: {error}): is it a Prometheus server?\n"
        )
        return UNREACHABLE


def run(
    argv: Sequence[str] = (),
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    now: float | None = None,
) -> int:
    """Run ``routing-otel report ARGV``; returns the exit status (see ``--help``)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        settings = parse(argv, now)
    except ArgsExit as exit_:
        return exit_.status
    prometheus = Prometheus(settings.prometheus, settings.timeout_s)
    report = _read(prometheus, Window(settings.end, settings.range_s, settings.service), err)
    if isinstance(report, int):
        return report
    if settings.check:
        report = dataclasses.replace(report, checks=evaluate(report, settings.limits))
    try:
        render(report, out, settings.output_format)
        out.flush()
    except BrokenPipeError:  # | head: the reader has what it wanted
        return OK
    failed = crossed(report.checks or [])
    for check in failed:
        err.write(f"{_PROG}: check failed: {check_line(check)}\n")
    return CROSSED if failed else OK
