"""Shared fixtures: in-memory telemetry, the emulator, strict internal errors."""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

import pytest
from opentelemetry import trace as trace_api
from opentelemetry.metrics import _internal as metrics_api
from opentelemetry.metrics._internal import _ProxyMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

import routing_otel
from routing_otel import _safety
from routing_otel.emulator import Emulator, EmulatorConfig
from tests.clients import LIBRARIES, Driver
from tests.telemetry import EndCounter, Telemetry

if TYPE_CHECKING:
    from collections.abc import Iterator

# Our own suite re-raises internal errors that production would log and swallow.
_safety.set_strict(strict=True)


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """Fresh tracer and meter providers recording in memory, for one test."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    end_counter = EndCounter()
    tracer_provider.add_span_processor(end_counter)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Telemetry(tracer_provider, meter_provider, exporter, reader, end_counter)
    tracer_provider.shutdown()
    meter_provider.shutdown()
    # Every test fails on a span ended twice (the SDK would only log it).
    assert end_counter.ended_twice() == [], "spans ended more than once"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (ROUTING_OTEL_REQUIRE_ALL=1) a skipped test is a failed one."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        os.environ.get("ROUTING_OTEL_REQUIRE_ALL") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be skipped: {report.longrepr}"


@pytest.fixture
def production_mode() -> Iterator[None]:
    """Internal errors are logged and swallowed, as for a user."""
    previous = _safety.set_strict(strict=False)
    _safety._reported.clear()
    yield
    _safety.set_strict(strict=previous)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """One emulator on loopback for the session, with delays of a few milliseconds."""
    with Emulator(EmulatorConfig.fast()) as emu:
        yield emu


@pytest.fixture
def emu(emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator, with no faults queued and an empty request record."""
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture(params=list(itertools.product(LIBRARIES, ["sync", "async"])), ids="-".join)
def driver(request: pytest.FixtureRequest, emu: Emulator, telemetry: Telemetry) -> Driver:
    """A client driver for each of httpx and httpx2, sync and async, observing the emulator."""
    library, mode = request.param
    return Driver(library, mode == "async", [f"127.0.0.1:{emu.port}"], telemetry.providers)


def _reset_otel_globals() -> None:
    # What opentelemetry-test-utils does: the API allows setting a global provider once.
    trace_api._TRACER_PROVIDER_SET_ONCE = Once()
    trace_api._TRACER_PROVIDER = None
    trace_api._PROXY_TRACER_PROVIDER = trace_api.ProxyTracerProvider()
    metrics_api._METER_PROVIDER_SET_ONCE = Once()
    metrics_api._METER_PROVIDER = None
    metrics_api._PROXY_METER_PROVIDER = _ProxyMeterProvider()


@pytest.fixture
def global_telemetry(telemetry: Telemetry) -> Iterator[Telemetry]:
    """The test's providers installed as OpenTelemetry's global ones, for one test."""
    _reset_otel_globals()
    trace_api.set_tracer_provider(telemetry.tracer_provider)
    metrics_api.set_meter_provider(telemetry.meter_provider)
    yield telemetry
    routing_otel.uninstrument()
    _reset_otel_globals()


@pytest.fixture
def instrumented(emu: Emulator, telemetry: Telemetry) -> Iterator[Telemetry]:
    """``routing_otel.instrument()`` aimed at the emulator, undone after the test."""
    routing_otel.instrument(hosts=[f"127.0.0.1:{emu.port}"], **telemetry.providers)
    yield telemetry
    routing_otel.uninstrument()
