"""The committed dashboards, rules and configs: generated, consistent and documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from dashboards.promql import Thresholds
from dashboards.rules import ALERTING_GROUP, RECORDING_GROUP, Recorded

from dashboards import generate, grafana, promql
from routing_otel import _semconv as sc
from tests.dashboards import support

HISTOGRAMS = (
    sc.PROM_OPERATION_DURATION,
    sc.PROM_TOKEN_USAGE,
    sc.PROM_TIME_TO_FIRST_CHUNK,
    sc.PROM_ROUTING_DURATION,
)
SERIES = {
    *(f"{h}_{suffix}" for h in HISTOGRAMS for suffix in ("bucket", "count", "sum")),
    *(value for name, value in vars(sc).items() if name.startswith("PROM_")),
}
LABELS = {sc.prom_label(v) for v in vars(sc).values() if isinstance(v, str)}
RECORDED = {r.name for r in support.rules() if r.kind == "record"}
_GO_DURATION = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _duration(text: str) -> int:
    return sum(int(n) * _UNITS[u] for n, u in _GO_DURATION.findall(text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_committed_files_equal_the_generator_output() -> None:
    """Every generated file is committed exactly as the generator writes it."""
    assert generate.stale(support.ROOT, generate.generated()) == []
    assert generate.main(["--check"]) == 0


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    """`--check` exits 1 when a committed file differs from the generator's."""
    assert generate.main(["--output", str(tmp_path)]) == 0
    alerts = tmp_path / "prometheus" / "alerts.yaml"
    alerts.write_text(alerts.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert generate.main(["--check", "--output", str(tmp_path)]) == 1


def test_set_changes_a_threshold(tmp_path: Path) -> None:
    """`--set` rewrites the rules with another threshold."""
    assert generate.main(["--set", "routing_latency_p95_s=0.8", "--output", str(tmp_path)]) == 0
    text = (tmp_path / "prometheus" / "alerts.yaml").read_text(encoding="utf-8")
    assert "p95_rate5m > 0.8\n" in text
    assert "above 0.8s" in text


@pytest.mark.parametrize(
    "changes",
    [
        {"ttft_target_s": 2.0},  # not a bucket bound
        {"ttft_target_s": 81.92, "error_ratio": 1.5},
        {"routing_latency_for": "10 minutes"},
        {"same_model_history": "30m"},
        {"cost_baseline_window": "1h"},
    ],
)
def test_thresholds_reject_what_rules_cannot_express(changes: dict[str, object]) -> None:
    """Invalid thresholds fail at generation, not in Prometheus."""
    with pytest.raises(ValueError):
        Thresholds().replace(**changes)


def test_set_rejects_unknown_names() -> None:
    """`--set` names a Thresholds field."""
    with pytest.raises(SystemExit):
        generate.main(["--set", "nope=1", "--check"])


def test_every_name_in_a_query_comes_from_semconv() -> None:
    """Metric and label names in every query are the _semconv names (or recorded series)."""
    exprs = [q.expr for q in support.queries()] + [r.expr for r in support.rules()]
    for expr in exprs:
        for token in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
            if "llm_router" in token or "gen_ai" in token:
                assert token in SERIES | LABELS | RECORDED, (token, expr)


def _selectors(expr: str) -> list[tuple[str, str]]:
    """Each (series name, its ``{...}`` matchers or "") in ``expr``."""
    pattern = r"(?<![\w:])([A-Za-z_][A-Za-z0-9_]*)(?![\w:])(\{[^}]*\})?"
    matches = re.finditer(pattern, expr)
    return [(m.group(1), m.group(2) or "") for m in matches if m.group(1) in SERIES]


def test_every_series_is_selected_by_our_instrumentation_scope() -> None:
    """Each metric in every query, rule and variable matches routing-otel's scope only."""
    scope = f'{promql.SCOPE}="{promql.SCOPE_VALUE}"'
    exprs = [q.expr for q in support.queries()] + [r.expr for r in support.rules()]
    exprs += [
        v["query"]
        for d in support.dashboards().values()
        for v in d["templating"]["list"]
        if v["type"] == "query" and isinstance(v["query"], str)
    ]
    selectors = [s for expr in exprs for s in _selectors(expr)]
    assert len(selectors) > 50  # the check sees the queries (guards the regex)
    unscoped = [(name, m) for name, m in selectors if scope not in m]
    assert not unscoped, unscoped
    assert promql.SCOPE_VALUE == "routing_otel"  # the meter's name: a contract with users


def test_le_matchers_are_spelled_alike_by_both_exporters() -> None:
    """Only bucket bounds with a fractional part (2.56, not 1.0 vs 1) are matched on."""
    for expr in [q.expr for q in support.queries()] + [r.expr for r in support.rules()]:
        for bound in re.findall(r'le="([^"]*)"', expr):
            assert not float(bound).is_integer(), expr
            assert float(bound) in sc.DURATION_BUCKETS


def test_dashboards_have_stable_uids_and_the_template_variables() -> None:
    """Both dashboards: fixed uids, datasource/service/pool variables, unique panel ids."""
    found = {d["uid"]: d for d in support.dashboards().values()}
    assert set(found) == {grafana.OVERVIEW_UID, grafana.COST_UID}
    for dashboard in found.values():
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        assert {"datasource", "service", "pool"} <= set(variables)
        assert variables["datasource"]["query"] == "prometheus"
        assert variables["service"]["query"] == f"label_values({promql.sel(promql.REQUESTS)}, job)"
        assert variables["pool"]["allValue"] == ".*"
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        assert grafana.TAG in dashboard["tags"]
    assert found[grafana.OVERVIEW_UID]["templating"]["list"][1]["query"] == "tempo"


def test_every_prometheus_query_filters_by_service() -> None:
    """Every query follows the service variable; pool-labelled series follow the pool too."""
    per_service = {"Spend over the last 1d vs budget"}  # a budget is the service's, not a pool's
    for query in support.queries():
        assert 'job=~"$service"' in query.expr, query.id
        if query.panel not in per_service and any(
            m in query.expr for m in (promql.REQUESTS, promql.COST, promql.ROUTING_DURATION)
        ):
            assert 'llm_router_pool=~"$pool"' in query.expr, query.id


def test_latency_panels_ask_for_exemplars() -> None:
    """Latency panels request exemplars, so Grafana links their points to traces."""
    overview = next(d for d in support.dashboards().values() if d["uid"] == grafana.OVERVIEW_UID)
    latency = [
        p
        for p in support.panels(overview)
        if p["title"].startswith(("Routing latency", "Time to first chunk", "Call duration"))
    ]
    assert len(latency) == 4
    for panel in latency:
        assert all(t.get("exemplar") is True for t in panel["targets"]), panel["title"]


def test_traces_panel_lists_slow_routed_spans() -> None:
    """The traces panel queries the traces datasource for routed calls, by our attributes."""
    (query,) = support.queries(datasource="tempo")
    assert query.panel == "Slowest routed calls"
    assert f'span.{sc.GEN_AI_REQUEST_MODEL} = "{sc.ROUTED_MODEL}"' in query.expr
    assert f"span.{sc.ROUTER_POOL}" in query.expr
    assert "duration >= $min_duration" in query.expr


def test_every_alert_has_severity_summary_description_and_runbook() -> None:
    """The monitoring-mixin fields, and a runbook section behind each runbook_url."""
    runbook = (support.ROOT / "runbook.md").read_text(encoding="utf-8")
    anchors = {_slug(h) for h in re.findall(r"^#{2,3} (.+)$", runbook, flags=re.MULTILINE)}
    for alert in support.alerts():
        rule = alert.rule
        assert rule["labels"]["severity"] in {"warning", "critical"}
        annotations = rule["annotations"]
        assert annotations["summary"]
        assert annotations["description"]
        url = annotations["runbook_url"]
        assert url.startswith(Thresholds().runbook_url + "#")
        assert url.rsplit("#", 1)[1] in anchors, alert.name
        assert _duration(rule["for"]) > 0


def test_every_alert_has_a_promtool_case_around_its_for() -> None:
    """Each alert is silent one evaluation before it fires in a promtool test."""
    cases: dict[str, list[tuple[int, bool]]] = {}
    for path in support.PROMTOOL_TESTS:
        spec = support.load_yaml(path)
        assert spec["group_eval_order"] == [RECORDING_GROUP, ALERTING_GROUP]
        assert [Path(f).name for f in spec["rule_files"]] == ["recording.yaml", "alerts.yaml"]
        interval = _duration(spec["evaluation_interval"])
        for test in spec["tests"]:
            for case in test.get("alert_rule_test", []):
                fired = bool(case["exp_alerts"])
                cases.setdefault(case["alertname"], []).append(
                    (_duration(case["eval_time"]), fired)
                )
    for alert in support.alerts():
        times = cases.get(alert.name, [])
        silent = {t for t, fired in times if not fired}
        firing = {t for t, fired in times if fired}
        assert any(t - interval in silent for t in firing), (alert.name, times)


def test_recorded_names_are_the_generator_names() -> None:
    """The rule file holds exactly the recorded series the alerts are written against."""
    recorded = Recorded.of(Thresholds())
    names = {getattr(recorded, f.name) for f in dataclasses.fields(recorded)}
    assert names == RECORDED


def test_documentation_lists_every_panel_and_alert() -> None:
    """dashboards/README.md names every panel and alert; the runbook every alert."""
    readme = (support.ROOT / "README.md").read_text(encoding="utf-8")
    runbook = (support.ROOT / "runbook.md").read_text(encoding="utf-8")
    for dashboard in support.dashboards().values():
        for panel in support.panels(dashboard):
            assert panel["title"] in readme, panel["title"]
    for alert in support.alerts():
        assert alert.name in readme
        assert f"## {alert.name}" in runbook


def test_collector_config_wires_otlp_to_traces_prometheus_and_spanmetrics() -> None:
    """The Collector config parses and its pipelines use only components it defines.

    No Collector binary runs here: this checks structure, not the Collector's own validation.
    """
    config = support.load_yaml(support.ROOT / "otel-collector.yaml")
    pipelines = config["service"]["pipelines"]
    defined = {
        kind: set(config.get(kind, {}))
        for kind in ("receivers", "processors", "exporters", "connectors")
    }
    for pipeline in pipelines.values():
        for kind in ("receivers", "processors", "exporters"):
            for name in pipeline.get(kind, []):
                assert name in defined[kind] | defined["connectors"], (kind, name)
    assert "spanmetrics" in pipelines["traces"]["exporters"]
    assert any("spanmetrics" in p.get("receivers", []) for p in pipelines.values())
    assert set(config["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}
    exporter = config["exporters"]["prometheus"]
    assert exporter["enable_open_metrics"] is True  # exemplars need OpenMetrics
    assert exporter.get("resource_to_telemetry_conversion", {}).get("enabled", False) is False
    dimensions = {d["name"] for d in config["connectors"]["spanmetrics"]["dimensions"]}
    assert dimensions <= {v for v in vars(sc).values() if isinstance(v, str)}


def test_grafana_provisioning_matches_the_dashboards() -> None:
    """Datasources give the exemplar link its traces datasource; the provider finds the JSON."""
    provisioning = support.GRAFANA / "provisioning"
    datasources = support.load_yaml(provisioning / "datasources" / "routing-otel.yaml")
    by_type = {d["type"]: d for d in datasources["datasources"]}
    assert {"prometheus", "tempo", "jaeger"} <= set(by_type)
    (destination,) = by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert destination == {"name": "trace_id", "datasourceUid": by_type["tempo"]["uid"]}
    providers = support.load_yaml(provisioning / "dashboards" / "routing-otel.yaml")
    (provider,) = providers["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"]
