"""Where the demo's telemetry goes: in memory for the report, and out if asked.

The report reads an in-memory metric reader (the numbers a Prometheus would hold) and a
span processor that keeps the slowest routed calls (what a trace backend would find). With
``--otlp`` / ``OTEL_EXPORTER_OTLP_ENDPOINT`` the same spans and metrics also go out over
OTLP (http/protobuf or grpc); with ``--prometheus-port`` the metrics are served for a
scrape.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    InMemoryMetricReader,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from routing_otel import _semconv as sc
from routing_otel.demo._metric_points import points
from routing_otel.report._model import SlowCall

if TYPE_CHECKING:
    from collections.abc import Sequence

    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter

    from routing_otel.demo._args import Settings

SERVICE = "routing-otel-demo"
ROUTED_SPAN = f"{sc.OPERATION_CHAT} {sc.ROUTED_MODEL}"
EXPORT_TIMEOUT_S = 5.0
METRIC_INTERVAL_MS = 5000.0  # the SDK's 60 s default would export once in a 1-minute run


class ExportSetupError(RuntimeError):
    """An export asked for cannot be set up (a missing package, a port in use)."""


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


class SlowestRoutedCalls(SpanProcessor):
    """Keeps the ``keep`` longest ``chat @edenai`` spans (bounded memory, any run length)."""

    def __init__(self, keep: int = 3) -> None:
        """Remember at most ``keep`` calls."""
        self._keep = keep
        self._heap: list[tuple[float, int, SlowCall]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()

    def on_end(self, span: ReadableSpan) -> None:
        """Consider a finished span."""
        if span.name != ROUTED_SPAN or span.start_time is None or span.end_time is None:
            return
        attrs = span.attributes or {}
        duration = (span.end_time - span.start_time) / 1e9
        call = SlowCall(
            duration_s=duration,
            trace_id=f"{span.context.trace_id:032x}",
            span_id=f"{span.context.span_id:016x}",
            pool=_str(attrs.get(sc.ROUTER_POOL)),
            served_model=_str(attrs.get(sc.GEN_AI_RESPONSE_MODEL)),
            routing_s=_float(attrs.get(sc.ROUTER_ROUTING_DURATION)),
            ttft_s=_float(attrs.get(sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)),
            error_type=_str(attrs.get(sc.ERROR_TYPE)),
        )
        with self._lock:
            entry = (duration, next(self._order), call)
            if len(self._heap) < self._keep:
                heapq.heappush(self._heap, entry)
            else:
                heapq.heappushpop(self._heap, entry)

    def slowest(self) -> list[SlowCall]:
        """The calls kept, slowest first."""
        with self._lock:
            return [call for _, _, call in sorted(self._heap, reverse=True)]


@dataclass
class Telemetry:
    """The demo's providers and what reads them."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    reader: InMemoryMetricReader
    slowest: SlowestRoutedCalls
    destinations: list[str] = field(default_factory=list)
    _servers: list[Any] = field(default_factory=list)
    _failures: dict[str, list[int]] = field(default_factory=dict)  # destination: [failed, all]

    def flush(self) -> list[str]:
        """Push out what is pending; each destination, saying whether its exports failed."""
        self.tracer_provider.force_flush(int(EXPORT_TIMEOUT_S * 1000))
        self.meter_provider.force_flush(int(EXPORT_TIMEOUT_S * 1000))
        described = []
        for where in self.destinations:
            failed, tried = self._failures.get(where, [0, 0])
            note = f" ({failed} of {tried} exports FAILED; is a collector listening?)"
            described.append(where + note if failed else where)
        return described

    def spent_usd(self) -> float:
        """Total ``llm.router.cost`` so far: today's spend, read from our own metrics."""
        data = self.reader.get_metrics_data()  # thread-safe: the reader locks a collection
        return sum(float(point.value) for _, point in points(data, sc.METRIC_COST))

    def shutdown(self) -> None:
        """Flush every exporter and stop serving metrics."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
        for server in self._servers:
            server.shutdown()
            server.server_close()


def _otlp_exporters(endpoint: str, protocol: str) -> tuple[SpanExporter, Any]:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (  # noqa: PLC0415
            OTLPMetricExporter as GrpcMetricExporter,
        )
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as GrpcSpanExporter,
        )

        return (
            GrpcSpanExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT_S),
            GrpcMetricExporter(endpoint=endpoint, timeout=EXPORT_TIMEOUT_S),
        )
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # noqa: PLC0415
        OTLPMetricExporter as HttpMetricExporter,
    )
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter as HttpSpanExporter,
    )

    # An explicit endpoint is used as is: add the signal paths OTLP/HTTP defines.
    return (
        HttpSpanExporter(endpoint=f"{endpoint}/v1/traces", timeout=EXPORT_TIMEOUT_S),
        HttpMetricExporter(endpoint=f"{endpoint}/v1/metrics", timeout=EXPORT_TIMEOUT_S),
    )


def _prometheus_reader(settings: Settings) -> tuple[MetricReader, Any, str]:
    try:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader  # noqa: PLC0415
        from prometheus_client import CollectorRegistry, start_http_server  # noqa: PLC0415
    except ModuleNotFoundError as missing:
        if missing.name is None or not missing.name.startswith(("opentelemetry", "prometheus")):
            raise
        raise ExportSetupError(
            "--prometheus-port needs opentelemetry-exporter-prometheus: "
            "pip install 'routing-otel[prometheus]'"
        ) from None
    assert settings.prometheus_port is not None
    registry = CollectorRegistry()  # our own, so two runs in one process never collide
    try:
        server, _ = start_http_server(
            settings.prometheus_port, addr=settings.prometheus_addr, registry=registry
        )
    except OSError as error:
        raise ExportSetupError(
            f"cannot serve metrics on {settings.prometheus_addr}:{settings.prometheus_port}: "
            f"{error.strerror or error}"
        ) from None
    reader = PrometheusMetricReader(registry=registry)
    host = settings.prometheus_addr
    url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{server.server_port}"  # noqa: S104
    return reader, server, f"{url}/metrics"


def _export_interval_ms() -> float:
    try:
        return float(os.environ["OTEL_METRIC_EXPORT_INTERVAL"])
    except (KeyError, ValueError):
        return METRIC_INTERVAL_MS


def build(
    settings: Settings,
    *,
    span_processors: Sequence[SpanProcessor] = (),
    metric_readers: Sequence[MetricReader] = (),
) -> Telemetry:
    """Providers recording in memory, plus the exports the settings ask for.

    ``span_processors`` and ``metric_readers`` are added as they are (tests read the
    telemetry independently of the report this way).
    """
    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", SERVICE)})
    reader = InMemoryMetricReader()
    readers: list[MetricReader] = [reader, *metric_readers]
    processors: list[SpanProcessor] = [*span_processors]
    destinations: list[str] = []
    servers: list[Any] = []
    failures: dict[str, list[int]] = {}
    if settings.prometheus_port is not None:  # first: it is the one that can fail
        prometheus, server, url = _prometheus_reader(settings)
        readers.append(prometheus)
        servers.append(server)
        destinations.append(f"Prometheus scrape at {url}")
    if settings.otlp_endpoint:
        span_exporter, metric_exporter = _otlp_exporters(
            settings.otlp_endpoint, settings.otlp_protocol
        )
        where = f"OTLP {settings.otlp_protocol} to {settings.otlp_endpoint}"
        counts = failures[where] = [0, 0]
        _count_failures(span_exporter, counts)
        _count_failures(metric_exporter, counts)
        processors.append(BatchSpanProcessor(span_exporter))
        readers.append(PeriodicExportingMetricReader(metric_exporter, _export_interval_ms()))
        destinations.append(where)
    slowest = SlowestRoutedCalls()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(slowest)
    for processor in processors:
        tracer_provider.add_span_processor(processor)
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    return Telemetry(
        tracer_provider, meter_provider, reader, slowest, destinations, servers, failures
    )


def _count_failures(exporter: Any, counts: list[int]) -> None:
    """Count ``exporter``'s exports and failed ones into ``counts`` ([failed, all])."""
    export = exporter.export

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = export(*args, **kwargs)
        counts[1] += 1
        if getattr(result, "name", "") == "FAILURE":  # Span- and MetricExportResult alike
            counts[0] += 1
        return result

    exporter.export = counted
