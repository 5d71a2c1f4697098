"""Proof on a real Prometheus: every dashboard query and rule runs on real traffic's metrics.

The Debian ``prometheus`` binary scrapes, every second, the OpenTelemetry Prometheus exporter
fed by our httpx transport calling the emulator: routed calls in named pools (with tier and
use case), routed calls without candidates, fixed-model calls, 429, 500 and 503 errors, an
error frame in a stream, server-side fallbacks, and client-side fallbacks to a fixed model.
It also loads the committed rule files, so it evaluates the recording rules itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

from dashboards import lab
from dashboards import promql as q
from routing_otel import _semconv as sc
from routing_otel.emulator import Emulator, EmulatorConfig
from tests.dashboards import support

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.prometheus

# Queries on these names may return nothing yet: the traffic here does not produce them.
# Empty this list as the features land (a query in it that returns data passes anyway).
NOT_EMITTED_YET: dict[str, str] = {}
ROUNDS = 12
# Labels a query must aggregate away: one series per process and instrumentation scope.
PER_PROCESS_LABELS = {"instance", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url"}


def _pending_names() -> set[str]:
    """The not-yet-emitted names, plus recorded series computed from them."""
    pending = set(NOT_EMITTED_YET)
    for rule in support.rules():
        if rule.kind == "record" and any(name in rule.expr for name in pending):
            pending.add(rule.name)
    return pending


PENDING = _pending_names()


def _is_pending(expr: str) -> bool:
    return any(name in expr for name in PENDING)


def _numbers(result: list[dict[str, Any]]) -> list[float]:
    return [float(series["value"][1]) for series in result]


@pytest.fixture(scope="module")
def prometheus(
    prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[lab.PrometheusServer]:
    """A real Prometheus that has scraped the metrics of two passes of the workload."""
    workdir: Path = tmp_path_factory.mktemp("prometheus")
    endpoint = lab.MetricsEndpoint.start()
    server = lab.PrometheusServer(
        workdir, endpoint.port, rule_files=list(support.RULE_FILES), binary=prometheus_binary
    )
    try:
        with Emulator(EmulatorConfig.fast()) as emulator:
            server.start()
            statuses = lab.feed(server, endpoint, emulator.port, list(lab.calls(ROUNDS)))
        assert {200, 429, 500, 503} <= set(statuses), statuses
        # Rules reading recorded series need the server's own evaluation of the traffic.
        recorded = [r.name for r in support.rules() if r.kind == "record" and r.name not in PENDING]
        server.wait(lambda: all(server.query(n) for n in recorded), 15, "the recorded series")
        yield server
    finally:
        endpoint.stop()
        status = server.stop()
    assert status == 0, server.log()[-2000:]  # a clean shutdown on SIGTERM


def test_exported_names_are_the_semconv_constants(prometheus: lab.PrometheusServer) -> None:
    """The series Prometheus holds are named as _semconv's PROM_* constants say."""
    names = prometheus.metric_names()
    for histogram in (
        sc.PROM_OPERATION_DURATION,
        sc.PROM_TOKEN_USAGE,
        sc.PROM_TIME_TO_FIRST_CHUNK,
        sc.PROM_ROUTING_DURATION,
    ):
        assert {f"{histogram}_bucket", f"{histogram}_count", f"{histogram}_sum"} <= names
    assert {sc.PROM_REQUESTS, sc.PROM_COST, sc.PROM_FALLBACKS} <= names
    # Nothing of ours reaches Prometheus under a name _semconv does not know.
    known = {value for name, value in vars(sc).items() if name.startswith("PROM_")}
    known |= {f"{h}_{suffix}" for h in known for suffix in ("bucket", "count", "sum")}
    unknown = {n for n in names if n.startswith(("llm_router_", "gen_ai_"))} - known
    assert not unknown, f"exported but not in _semconv: {unknown}"


def test_request_labels_are_the_attribute_names(prometheus: lab.PrometheusServer) -> None:
    """Metric attributes arrive as labels with dots turned into underscores."""
    labels = set(prometheus.api("labels", **{"match[]": q.REQUESTS}))
    assert {
        "job",
        q.REQUEST_MODEL,
        q.RESPONSE_MODEL,
        q.POOL,
        q.TIER,
        q.USE_CASE,
        q.OUTCOME,
        q.FALLBACK,
        q.ERROR_TYPE,
    } <= labels
    pools = set(prometheus.api(f"label/{q.POOL}/values"))
    assert {pool.name for pool in lab.POOLS} | {sc.POOL_DEFAULT} <= pools
    fallbacks = set(prometheus.api("labels", **{"match[]": q.FALLBACKS}))
    assert {q.FALLBACK_FROM, q.FALLBACK_TO, q.FALLBACK_REASON, q.FALLBACK_LAYER} <= fallbacks


@pytest.mark.parametrize("query", support.queries(), ids=lambda query: query.id)
def test_dashboard_query_returns_data(
    prometheus: lab.PrometheusServer, query: support.Query
) -> None:
    """The query parses, returns data (unless listed above), and aggregates per-process labels."""
    result = prometheus.query(support.substitute(query.expr))
    leaked = {label for series in result for label in series["metric"]} & PER_PROCESS_LABELS
    assert not leaked, f"{query.id} keeps {leaked}: aggregate them away"
    if not _is_pending(query.expr):
        assert any(not math.isnan(v) for v in _numbers(result)), f"no data for {query.expr}"


@pytest.mark.parametrize("rule", support.rules(), ids=lambda rule: rule.name)
def test_rule_expression_evaluates(
    prometheus: lab.PrometheusServer, rule: support.RuleEntry
) -> None:
    """Every rule expression parses; every recording rule returns data (unless listed)."""
    result = prometheus.query(rule.expr)
    if rule.kind == "record":
        assert not {label for s in result for label in s["metric"]} & PER_PROCESS_LABELS
        if not _is_pending(rule.expr):
            assert result, f"no data for {rule.expr}"


def test_server_evaluates_the_loaded_rules(prometheus: lab.PrometheusServer) -> None:
    """The server loaded both groups and evaluates every rule without error."""
    expected = {rule.name for rule in support.rules()}

    def evaluated() -> bool:
        groups = prometheus.api("rules")["groups"]
        rules = [r for g in groups for r in g["rules"]]
        return {r["name"] for r in rules} == expected and all(r["health"] == "ok" for r in rules)

    prometheus.wait(evaluated, 15, "every rule to be evaluated without error")


def test_error_and_fallback_traffic_is_visible(prometheus: lab.PrometheusServer) -> None:
    """The faults of the workload show up as the error types and fallback layers they are."""
    errors = prometheus.query(f'sum by ({q.ERROR_TYPE}) ({q.REQUESTS}{{{q.OUTCOME}="{q.ERROR}"}})')
    assert {"429", "500", "503"} <= {s["metric"][q.ERROR_TYPE] for s in errors}
    layers = prometheus.query(f"sum by ({q.FALLBACK_LAYER}) ({q.FALLBACKS})")
    assert {s["metric"][q.FALLBACK_LAYER] for s in layers} == {"client", "server"}
