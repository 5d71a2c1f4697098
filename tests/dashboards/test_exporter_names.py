"""The Prometheus names of every contract metric, as the real Python exporter writes them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from opentelemetry.metrics import Meter

# (contract name, unit, instrument, the name _semconv says Prometheus gets)
CONTRACT = [
    (sc.METRIC_OPERATION_DURATION, sc.UNIT_SECONDS, "histogram", sc.PROM_OPERATION_DURATION),
    (sc.METRIC_TOKEN_USAGE, sc.UNIT_TOKENS, "histogram", sc.PROM_TOKEN_USAGE),
    (sc.METRIC_TIME_TO_FIRST_CHUNK, sc.UNIT_SECONDS, "histogram", sc.PROM_TIME_TO_FIRST_CHUNK),
    (sc.METRIC_ROUTING_DURATION, sc.UNIT_SECONDS, "histogram", sc.PROM_ROUTING_DURATION),
    (sc.METRIC_REQUESTS, sc.UNIT_REQUESTS, "counter", sc.PROM_REQUESTS),
    (sc.METRIC_COST, sc.UNIT_USD, "counter", sc.PROM_COST),
    (sc.METRIC_SAVINGS, sc.UNIT_USD, "counter", sc.PROM_SAVINGS),
    (sc.METRIC_FALLBACKS, sc.UNIT_FALLBACKS, "counter", sc.PROM_FALLBACKS),
    (sc.METRIC_BUDGET_LIMIT, sc.UNIT_USD, "gauge", sc.PROM_BUDGET_LIMIT),
]
if hasattr(sc, "PROM_OVERSPEND"):  # an extension: savings' negative side, counted apart
    CONTRACT.append(
        (getattr(sc, "METRIC_OVERSPEND"), sc.UNIT_USD, "counter", getattr(sc, "PROM_OVERSPEND"))  # noqa: B009
    )


def _record(meter: Meter, name: str, unit: str, kind: str) -> None:
    attributes = {sc.ROUTER_POOL: "code"}
    if kind == "histogram":
        meter.create_histogram(name, unit=unit).record(1.5, attributes)
    elif kind == "counter":
        meter.create_counter(name, unit=unit).add(2, attributes)
    else:
        meter.create_gauge(name, unit=unit).set(10, attributes)


def test_every_prom_constant_is_what_the_exporter_writes() -> None:
    """Each contract metric, created with its contract unit, is exported under its PROM_* name."""
    registry = CollectorRegistry()
    provider = MeterProvider(metric_readers=[PrometheusMetricReader(registry=registry)])
    try:
        meter = provider.get_meter("routing_otel")
        for name, unit, kind, _ in CONTRACT:
            _record(meter, name, unit, kind)
        text = generate_latest(registry).decode()
    finally:
        provider.shutdown()
    samples = {s.name: s for f in text_string_to_metric_families(text) for s in f.samples}
    for _, _, kind, prom in CONTRACT:
        names = (
            [f"{prom}_bucket", f"{prom}_count", f"{prom}_sum"] if kind == "histogram" else [prom]
        )
        for sample_name in names:
            assert sample_name in samples, (sample_name, sorted(samples))
        labels = samples[names[0]].labels
        assert labels[sc.prom_label(sc.ROUTER_POOL)] == "code"
        # The scope labels every query must aggregate away (schema_url too, not just two).
        assert {"otel_scope_name", "otel_scope_version", "otel_scope_schema_url"} <= set(labels)
