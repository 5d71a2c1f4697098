"""The slowest calls come with trace ids when Prometheus holds exemplars (a real one).

What the OpenTelemetry Collector's Prometheus exporter writes with exemplars is served here
by prometheus_client in the OpenMetrics format, under our series names, with a trace id on
each duration observation; the Debian ``prometheus`` keeps them with exemplar storage on.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from dashboards import lab
from routing_otel import _semconv as sc
from routing_otel.report import _promql as pq
from tests.report.conftest import report
from tests.report.support import Prometheus

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.prometheus

# (trace id, total duration, routing duration, served model): the three slowest come first.
CALLS = [
    ("0af7651916cd43dd8448eb211c80319c", 12.0, 2.0, "openai/gpt-4o"),
    ("4bf92f3577b34da6a3ce929d0e0e4736", 3.0, 0.5, "google/gemini-2.0-flash"),
    ("5c5ef8e6d2b54f5bb1a7a4ba9f2d5e01", 0.5, 0.1, "openai/gpt-4o-mini"),
    ("9d1c1b0f5e0a4c6b8e2f7a3d4c5b6a79", 0.05, 0.01, "openai/gpt-4o-mini"),
]
POOL = "code"


def _serve_calls() -> tuple[int, object]:
    registry = CollectorRegistry()
    requests = Counter(
        sc.PROM_REQUESTS.removesuffix("_total"),
        "calls",
        [pq.REQUEST_MODEL, pq.RESPONSE_MODEL, pq.POOL, pq.OUTCOME, pq.FALLBACK],
        registry=registry,
    )
    labels = [pq.REQUEST_MODEL, pq.RESPONSE_MODEL, pq.POOL]
    duration = Histogram(
        sc.PROM_OPERATION_DURATION.removesuffix("_seconds"),
        "call duration",
        labels,
        unit="seconds",
        buckets=sc.DURATION_BUCKETS,
        registry=registry,
    )
    routing = Histogram(
        sc.PROM_ROUTING_DURATION.removesuffix("_seconds"),
        "routing duration",
        labels,
        unit="seconds",
        buckets=sc.DURATION_BUCKETS,
        registry=registry,
    )
    for trace_id, total, route, model in CALLS:
        series = (sc.ROUTED_MODEL, model, POOL)
        requests.labels(*series, "success", "false").inc()
        exemplar = {"trace_id": trace_id, "span_id": trace_id[:16]}
        duration.labels(*series).observe(total, exemplar)
        routing.labels(*series).observe(route, exemplar)
    server, _ = start_http_server(0, addr=lab.LOOPBACK, registry=registry)
    return int(server.server_port), server


@pytest.fixture(scope="module")
def with_exemplars(
    prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Prometheus, float]]:
    """A Prometheus with exemplar storage that has scraped the calls above."""
    started = time.time() - 1
    port, server = _serve_calls()
    prometheus = Prometheus(
        tmp_path_factory.mktemp("exemplars"),
        0,
        binary=prometheus_binary,
        jobs={"exemplars": [port]},
        extra_flags=["--enable-feature=exemplar-storage"],
    )
    try:
        prometheus.start()
        prometheus.wait_for_scrape_of("exemplars", started)
        yield prometheus, started
    finally:
        prometheus.stop()
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]


def test_slowest_calls_carry_the_exemplars_trace_ids(
    with_exemplars: tuple[Prometheus, float],
) -> None:
    """The three slowest routed calls, slowest first, with trace id, routing time and model."""
    prometheus, started = with_exemplars
    outcome = report("--prometheus", prometheus.url, "--from", f"{started}", "--format", "json")
    data = outcome.json()
    assert data["source"]["exemplars"] is True
    slowest = [
        (c["trace_id"], c["duration_s"], c["routing_s"], c["served_model"]) for c in data["slowest"]
    ]
    assert slowest == [tuple(call) for call in CALLS[:3]]
    assert all(c["pool"] == POOL for c in data["slowest"])
    text = report("--prometheus", prometheus.url, "--from", f"{started}").out
    assert CALLS[0][0] in text
    assert "no exemplars" not in text
