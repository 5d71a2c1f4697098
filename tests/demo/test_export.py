"""The demo's telemetry reaches a real OTLP receiver (both protocols) and a Prometheus scrape."""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
import urllib.request
from typing import TYPE_CHECKING

import pytest

from routing_otel import _semconv as sc
from routing_otel.demo import run
from tests.demo.conftest import run_demo
from tests.demo.otlp_receiver import serve_grpc, serve_http

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.demo.otlp_receiver import Received

QUICK = ("--requests", "20", "--concurrency", "4", "--fast", "--no-progress", "--format", "json")
METRICS = {
    sc.METRIC_REQUESTS,
    sc.METRIC_COST,
    sc.METRIC_ROUTING_DURATION,
    sc.METRIC_TIME_TO_FIRST_CHUNK,
    sc.METRIC_OPERATION_DURATION,
    sc.METRIC_TOKEN_USAGE,
    sc.METRIC_SAVINGS,
    sc.METRIC_OVERSPEND,
    sc.METRIC_FALLBACKS,
    sc.METRIC_BUDGET_LIMIT,
}
PROMETHEUS_NAMES = (
    sc.PROM_REQUESTS,
    sc.PROM_COST,
    f"{sc.PROM_ROUTING_DURATION}_bucket",
    f"{sc.PROM_TIME_TO_FIRST_CHUNK}_bucket",
    f"{sc.PROM_OPERATION_DURATION}_bucket",
    f"{sc.PROM_TOKEN_USAGE}_bucket",
    sc.PROM_SAVINGS,
    sc.PROM_OVERSPEND,
    sc.PROM_FALLBACKS,
    sc.PROM_BUDGET_LIMIT,
)


@pytest.mark.parametrize(
    ("protocol", "receiver"),
    [("http/protobuf", serve_http), ("grpc", serve_grpc)],
    ids=["http-protobuf", "grpc"],
)
def test_otlp_receiver_gets_the_demo_spans_and_metrics(
    protocol: str, receiver: Callable[[], Iterator[tuple[str, Received]]]
) -> None:
    """Over OTLP, a receiver decodes chat and route spans and every metric of the contract."""
    with contextlib.contextmanager(receiver)() as (endpoint, received):
        demo = run_demo([*QUICK, "--otlp", endpoint, "--otlp-protocol", protocol])
    assert demo.status == 0, demo.err
    names = received.span_names()
    assert f"{sc.OPERATION_CHAT} {sc.ROUTED_MODEL}" in names
    assert f"{sc.ROUTE_SPAN_PREFIX} {sc.ROUTED_MODEL}" in names
    assert f"{sc.OPERATION_CHAT} openai/gpt-4o" in names  # the fallbacks of the outage
    assert received.service_names() == {"routing-otel-demo"}
    assert received.metric_names() >= METRICS
    assert f"OTLP {protocol} to {endpoint}" in demo.out


def test_otlp_endpoint_and_protocol_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL configure the export without flags."""
    with contextlib.contextmanager(serve_grpc)() as (endpoint, received):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        demo = run_demo(QUICK)
    assert demo.status == 0, demo.err
    assert sc.METRIC_REQUESTS in received.metric_names()
    assert f"{sc.OPERATION_CHAT} {sc.ROUTED_MODEL}" in received.span_names()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _scrape(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def test_prometheus_endpoint_serves_our_metric_names() -> None:
    """--prometheus-port serves every metric under its Prometheus name; --linger keeps it up."""
    port = _free_port()
    stop = threading.Event()
    out = io.StringIO()
    status: list[int] = []
    argv = [*QUICK, "--prometheus-port", str(port), "--linger", "60"]
    worker = threading.Thread(
        target=lambda: status.append(run(argv, out=out, err=io.StringIO(), stop=stop))
    )
    worker.start()
    text = ""
    try:
        deadline = time.monotonic() + 30  # a bound on waiting, not an assertion on speed
        while time.monotonic() < deadline:
            text = _scrape(f"http://127.0.0.1:{port}/metrics")
            if all(name in text for name in PROMETHEUS_NAMES) and out.getvalue():
                break
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    assert status == [0]
    missing = [name for name in PROMETHEUS_NAMES if name not in text]
    assert not missing, text
    assert f'{sc.prom_label(sc.ROUTER_POOL)}="premium"' in text
    assert f"Prometheus scrape at http://127.0.0.1:{port}/metrics" in out.getvalue()


def test_an_otlp_endpoint_with_nothing_listening_is_reported_as_failed() -> None:
    """With no collector at --otlp, the report says the export failed (never "exported")."""
    endpoint = f"http://127.0.0.1:{_free_port()}"
    demo = run_demo([*QUICK, "--otlp", endpoint])
    assert demo.status == 0, demo.err
    assert f"Export failed: OTLP http/protobuf to {endpoint} (" in demo.out
    assert "Also exported" not in demo.out
