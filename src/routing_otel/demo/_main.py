"""``routing-otel demo`` from start to end: plan, emulator, one line, workload, report."""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import sys
import threading
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

import routing_otel
from routing_otel.cli.argtypes import ArgsExit
from routing_otel.demo import _telemetry
from routing_otel.demo._args import Settings, parse
from routing_otel.demo._model import RunInfo
from routing_otel.demo._plan import Plan, make_plan
from routing_otel.demo._progress import Progress
from routing_otel.demo._render import render
from routing_otel.demo._report import build_report
from routing_otel.demo._runner import Runner
from routing_otel.demo._wire import Wire
from routing_otel.emulator import Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from opentelemetry.sdk.metrics.export import MetricReader
    from opentelemetry.sdk.trace import SpanProcessor

    from routing_otel.demo._runner import RunRecord

DEMO_KEY = "sk-eden-demo"
# What the workload speaks, as the guides do: requests, httpx (async batch), the OpenAI SDK.
_WORKLOAD_PACKAGES = ("requests", "httpx", "openai")


def _missing_packages() -> list[str]:
    return [name for name in _WORKLOAD_PACKAGES if importlib.util.find_spec(name) is None]


@contextlib.contextmanager
def _api(
    settings: Settings, plan: Plan
) -> Iterator[tuple[Wire, Callable[[bool], None] | None, list[str]]]:
    """The API to run against: (wire, router switch for the outage, hosts to observe)."""
    if settings.target is not None:
        assert settings.api_key is not None
        yield (
            Wire(settings.target, settings.api_key, emulated=False),
            None,
            [urlsplit(settings.target).netloc],
        )
        return
    config = EmulatorConfig.fast(seed=plan.seed) if plan.fast else EmulatorConfig(seed=plan.seed)
    with Emulator(config) as emu:
        wire = Wire(emu.llm_base_url, DEMO_KEY, emulated=True)

        def switch(down: bool) -> None:  # noqa: FBT001 - a switch
            # The app's view first when going down: no request may bypass the outage.
            if down:
                wire.router_down.set()
            emu.router_down(down)
            if not down:
                wire.router_down.clear()

        yield wire, switch, [f"{emu.host}:{emu.port}"]


@contextlib.contextmanager
def _ctrl_c_stops(stop: threading.Event) -> Iterator[None]:
    """The first Ctrl-C ends the workload gently (a report still follows), the second not."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(_signum: int, _frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _planned(plan: Plan) -> str:
    return f"{plan.duration_s:.0f} s" if plan.duration_s else f"{plan.requests} calls"


def _run_info(
    settings: Settings, plan: Plan, record: RunRecord, where: str, exports: list[str]
) -> RunInfo:
    return RunInfo(
        target=where,
        emulated=settings.target is None,
        seed=plan.seed,
        concurrency=plan.concurrency,
        planned=_planned(plan),
        wall_s=round(record.wall_s, 3),
        fast=plan.fast,
        jobs=dict(record.jobs),
        decisions={pattern: dict(counts) for pattern, counts in record.decisions.items()},
        failed_jobs=dict(record.failed_jobs),
        outage=record.outage,
        interrupted=record.interrupted,
        exports=exports,
    )


def _workload_run(
    settings: Settings,
    plan: Plan,
    telemetry: _telemetry.Telemetry,
    err: TextIO,
    stop: threading.Event,
) -> tuple[RunRecord, str]:
    from routing_otel.demo._workload import Workload  # noqa: PLC0415 - needs requests, openai

    with _api(settings, plan) as (wire, switch, hosts):
        where = settings.target or wire.base_url
        billed = " (real calls, billed to your key)" if settings.target else ""
        err.write(
            f"routing-otel demo: the router guides' workload for {_planned(plan)} against "
            f"{where}{billed}, {plan.concurrency} workers, seed {plan.seed}\n"
        )
        # The one line: every requests, httpx and OpenAI SDK call to the API is observed.
        routing_otel.instrument(
            hosts=hosts,
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            budget_usd_per_day=plan.budget_usd,
        )
        try:
            workload = Workload(wire, plan.budget_usd, telemetry.spent_usd)
            label = "workload" if settings.target is None else "workload (real calls)"
            with (
                contextlib.closing(workload),
                _ctrl_c_stops(stop),
                Progress(err, enabled=settings.progress, label=label) as progress,
            ):
                record = Runner(plan, workload.run, switch, progress, stop).run()
        finally:
            routing_otel.uninstrument()
    if record.first_failure:
        err.write(f"routing-otel demo: first failed job: {record.first_failure}\n")
    return record, where


def run(  # noqa: PLR0913 - keyword-only hooks, for embedding and tests
    argv: Sequence[str] = (),
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stop: threading.Event | None = None,
    span_processors: Sequence[SpanProcessor] = (),
    metric_readers: Sequence[MetricReader] = (),
) -> int:
    """Run the demo with command-line ``argv``; returns the exit status.

    ``stop`` ends the workload (and ``--linger``) early when set. ``span_processors`` and
    ``metric_readers`` are added to the demo's providers, to read its telemetry directly.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    stop = threading.Event() if stop is None else stop
    try:
        settings = parse(argv)
    except ArgsExit as exit_:
        return exit_.status
    if missing := _missing_packages():
        err.write(
            f"routing-otel demo: the workload needs {', '.join(missing)}: "
            "pip install 'routing-otel[demo,requests,httpx]' openai\n"
        )
        return 1
    plan = make_plan(settings)
    try:
        telemetry = _telemetry.build(
            settings, span_processors=span_processors, metric_readers=metric_readers
        )
    except _telemetry.ExportSetupError as error:
        err.write(f"routing-otel demo: {error}\n")
        return 1
    try:
        record, where = _workload_run(settings, plan, telemetry, err, stop)
        exports = telemetry.flush()  # so that the report can say whether exports failed
        report = build_report(
            telemetry.reader.get_metrics_data(),
            telemetry.slowest.slowest(),
            _run_info(settings, plan, record, where, exports),
        )
        render(report, out, settings.output_format)
        out.flush()
        _linger(settings, telemetry, err, stop)
    finally:
        telemetry.shutdown()
    return 0


def _linger(
    settings: Settings, telemetry: _telemetry.Telemetry, err: TextIO, stop: threading.Event
) -> None:
    if not settings.linger_s:
        return
    where = "; ".join(telemetry.destinations)
    err.write(
        f"routing-otel demo: serving {where} for {settings.linger_s:.0f} s more (Ctrl-C stops)\n"
    )
    err.flush()
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait(settings.linger_s)
