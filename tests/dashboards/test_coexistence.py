"""Beside opentelemetry-instrumentation-openai-v2: the same dashboard numbers, no extra spans.

openai-v2 exports ``gen_ai_client_operation_duration_seconds`` and
``gen_ai_client_token_usage`` too. One real Prometheus scrapes both instrumentations of the
same SDK calls; every dashboard query and rule must give the numbers of routing-otel alone
(see tests/dashboards/beside.py for how both views share one scrape).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
from opentelemetry.trace import SpanKind

from dashboards import lab
from dashboards import promql as q
from routing_otel import _semconv as sc
from routing_otel._semconv import SCOPE_NAME
from routing_otel.emulator import Emulator, EmulatorConfig
from tests.dashboards import beside, support

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from opentelemetry.sdk.trace import ReadableSpan

pytestmark = [pytest.mark.prometheus, pytest.mark.openai_sdk]

ROUNDS = 6
# The names openai-v2 exports that are ours too (what it really emitted: see the test below).
SHARED = {f"{q.OPERATION_DURATION}_count", f"{q.TOKEN_USAGE}_count"}


@pytest.fixture(scope="module")
def run(
    prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[lab.PrometheusServer, beside.Endpoint, int]]:
    """Prometheus after two passes of SDK calls seen by openai-v2 and routing-otel."""
    workdir: Path = tmp_path_factory.mktemp("coexistence")
    endpoint = beside.Endpoint.start()
    server = beside.HonoringPrometheus(
        workdir,
        endpoint.port,
        rule_files=list(support.RULE_FILES),
        job=beside.BESIDE,
        binary=prometheus_binary,
    )
    instrumentor = OpenAIInstrumentor()  # type: ignore[no-untyped-call]
    instrumentor.instrument(
        tracer_provider=endpoint.tracer_provider, meter_provider=endpoint.meter_provider
    )
    try:
        with Emulator(EmulatorConfig.fast()) as emulator:
            server.start()
            sent = beside.feed(server, endpoint, emulator.port, list(lab.calls(ROUNDS)))
        recorded = [r.name for r in support.rules() if r.kind == "record"]
        server.wait(
            lambda: all(len(server.query(n)) >= 2 for n in recorded[:3]), 15, "recorded series"
        )
        yield server, endpoint, sent["requests"]
    finally:
        instrumentor.uninstrument()
        endpoint.stop()
        status = server.stop()
    assert status == 0, server.log()[-2000:]


def _for_job(expr: str, job: str) -> str:
    return support.substitute(expr.replace("$service", job))


def _same(left: dict[Any, float], right: dict[Any, float]) -> bool:
    return left.keys() == right.keys() and all(
        (math.isnan(v) and math.isnan(right[k])) or math.isclose(v, right[k], rel_tol=1e-9)
        for k, v in left.items()
    )


def test_openai_v2_exports_our_names_under_its_own_scope(run: Any) -> None:
    """openai-v2 really emits gen_ai_client_* series beside ours, under another scope."""
    prometheus, _, _ = run
    for name in SHARED:
        scopes = {
            s["metric"][q.SCOPE]
            for s in prometheus.query(f'count by ({q.SCOPE}) ({name}{{job="{beside.BESIDE}"}})')
        }
        assert q.SCOPE_VALUE in scopes, scopes
        assert scopes - {q.SCOPE_VALUE}, f"openai-v2 exported no {name}: nothing is proven"


@pytest.mark.parametrize("query", support.queries(), ids=lambda query: query.id)
def test_dashboard_numbers_equal_routing_otel_alone(run: Any, query: support.Query) -> None:
    """Every dashboard query returns data, the same beside openai-v2 as routing-otel alone."""
    prometheus, _, _ = run
    at = prometheus.query("time()")[0]["value"][0]
    alone = beside.by_labels(prometheus.query(_for_job(query.expr, beside.ALONE), at))
    both = beside.by_labels(prometheus.query(_for_job(query.expr, beside.BESIDE), at))
    assert _same(alone, both), (query.id, alone, both)
    assert alone, f"{query.id} returned nothing: the comparison would prove nothing"


def test_unscoped_queries_would_double_count(run: Any) -> None:
    """Without the scope matcher, panels on shared names sum openai-v2's series into ours."""
    prometheus, _, _ = run
    at = prometheus.query("time()")[0]["value"][0]
    shared = [
        query
        for query in support.queries()
        if any(name.removesuffix("_count") in query.expr for name in SHARED)
    ]
    assert shared
    differ = []
    for query in shared:
        old = beside.scoped_out(query.expr)
        alone = beside.by_labels(prometheus.query(_for_job(old, beside.ALONE), at))
        both = beside.by_labels(prometheus.query(_for_job(old, beside.BESIDE), at))
        if not _same(alone, both):
            differ.append(query.id)
    assert differ, "openai-v2 changed no unscoped panel: the proof above shows nothing"


@pytest.mark.parametrize("rule", support.rules(), ids=lambda rule: rule.name)
def test_rules_give_the_same_result_for_both_jobs(run: Any, rule: support.RuleEntry) -> None:
    """Every recording and alerting expression: the same result beside openai-v2 as alone."""
    prometheus, _, _ = run
    at = prometheus.query("time()")[0]["value"][0]
    result = prometheus.query(rule.expr, at)
    per_job: dict[str, dict[Any, float]] = {beside.ALONE: {}, beside.BESIDE: {}}
    for series in result:
        job = series["metric"].get("job")
        if job in per_job:
            per_job[job] |= beside.by_labels([series])
    assert _same(per_job[beside.ALONE], per_job[beside.BESIDE]), rule.name


def _ours(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [
        s
        for s in spans
        if s.instrumentation_scope is not None
        and s.instrumentation_scope.name == SCOPE_NAME
        and s.name.startswith(f"{sc.OPERATION_CHAT} ")
    ]


def test_one_chat_span_of_ours_per_request_inside_openai_v2s(run: Any) -> None:
    """Each request has exactly one routing-otel chat span, the child of openai-v2's span."""
    _, endpoint, requests = run
    spans = list(endpoint.spans.get_finished_spans())
    ours = _ours(spans)
    assert len(ours) == requests
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    parents = [by_id[s.parent.span_id] for s in ours if s.parent is not None]
    assert len(parents) == len(ours)  # none is a root: each sits in openai-v2's trace
    assert len({p.context.span_id for p in parents if p.context}) == len(ours)
    for parent in parents:
        assert parent.instrumentation_scope is not None
        assert parent.instrumentation_scope.name != SCOPE_NAME
        assert parent.kind is SpanKind.CLIENT
        # The traces panel selects spans by llm.router.pool: openai-v2's never match it.
        assert sc.ROUTER_POOL not in (parent.attributes or {})
