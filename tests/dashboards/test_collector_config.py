"""dashboards/otel-collector.yaml: current component names and options, and its names documented.

No Collector binary runs here. The allowed options below were read from the otelcol-contrib
component READMEs of 2026 (otlp receiver, memory_limiter, spanmetrics connector, otlp_grpc
and prometheus exporters); names and options the Collector has deprecated are refused.
"""

from __future__ import annotations

import re
from typing import Any

from routing_otel import _semconv as sc
from tests.dashboards import support

PATH = support.ROOT / "otel-collector.yaml"
# Component type -> the options this config may use (a subset of each README's list).
OPTIONS: dict[str, dict[str, set[str]]] = {
    "receivers": {"otlp": {"protocols"}},
    "processors": {
        "memory_limiter": {
            "check_interval",
            "limit_mib",
            "spike_limit_mib",
            "limit_percentage",
            "spike_limit_percentage",
        }
    },
    "connectors": {
        "spanmetrics": {
            "namespace",
            "histogram",
            "dimensions",
            "exclude_dimensions",
            "exemplars",
            "metrics_flush_interval",
            "metrics_expiration",
            "aggregation_temporality",
        }
    },
    "exporters": {
        "otlp_grpc": {"endpoint", "tls", "headers", "compression", "sending_queue"},
        "prometheus": {
            "endpoint",
            "translation_strategy",
            "enable_open_metrics",
            "resource_constant_labels",
            "const_labels",
            "metric_expiration",
            "send_timestamps",
        },
    },
}
# Deprecated or renamed: otlp (exporter) -> otlp_grpc and otlphttp -> otlp_http since
# v0.144.0; the batch processor -> the exporter's sending_queue.batch; in the prometheus
# exporter, add_metric_suffixes -> translation_strategy and resource_to_telemetry_conversion
# -> resource_constant_labels.
DEPRECATED = {
    ("exporters", "otlp"),
    ("exporters", "otlphttp"),
    ("processors", "batch"),
}
DEPRECATED_OPTIONS = {"add_metric_suffixes", "resource_to_telemetry_conversion"}


def _config() -> dict[str, Any]:
    config: dict[str, Any] = support.load_yaml(PATH)
    return config


def _type(component_id: str) -> str:
    """``otlp_grpc/traces`` -> ``otlp_grpc``."""
    return component_id.split("/", 1)[0]


def test_every_component_is_a_current_one_with_known_options() -> None:
    """Each component type and option is one the current READMEs list, none deprecated."""
    config = _config()
    for kind, allowed in OPTIONS.items():
        for component_id, options in config.get(kind, {}).items():
            component = _type(component_id)
            assert (kind, component) not in DEPRECATED, (kind, component_id)
            assert component in allowed, (kind, component_id)
            unknown = set(options or {}) - allowed[component]
            assert not unknown, (component_id, unknown)
            assert not set(options or {}) & DEPRECATED_OPTIONS, component_id


def test_the_file_names_the_collector_version_it_targets() -> None:
    """The header says which otelcol-contrib release the names and options are for."""
    text = PATH.read_text(encoding="utf-8")
    assert re.search(r"Targets otelcol-contrib v0\.1[4-9]\d\.\d+ and later", text)


def test_the_prometheus_exporter_keeps_the_names_the_dashboards_use() -> None:
    """Suffixes on (the PROM_* names), scope labels kept (the dashboards select on them)."""
    exporter = _config()["exporters"]["prometheus"]
    assert exporter["translation_strategy"] == "UnderscoreEscapingWithSuffixes"
    assert exporter.get("without_scope_info", False) is False
    assert exporter["enable_open_metrics"] is True
    assert "resource_constant_labels" not in exporter  # resource attributes stay on target_info


def test_the_file_documents_the_prometheus_names_of_its_path() -> None:
    """Every Prometheus name routing-otel exports on this path is written in the file."""
    text = PATH.read_text(encoding="utf-8")
    names = {value for name, value in vars(sc).items() if name.startswith("PROM_")}
    assert len(names) >= 10
    missing = {name for name in names if name not in text}
    assert not missing
    for label in ("otel_scope_name", "job", "instance", sc.prom_label(sc.ROUTER_POOL)):
        assert label in text


def test_traces_and_metrics_pipelines_use_the_defined_components() -> None:
    """Traces go to storage and spanmetrics; metrics (ours and span metrics) to prometheus."""
    config = _config()
    pipelines = config["service"]["pipelines"]
    assert pipelines["traces"]["exporters"] == ["otlp_grpc/traces", "spanmetrics"]
    assert set(pipelines["metrics"]["receivers"]) == {"otlp", "spanmetrics"}
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    for pipeline in pipelines.values():
        assert pipeline["processors"][0] == "memory_limiter"  # first, as its README asks
