"""Real OTLP receivers for tests: http/protobuf and gRPC, decoding with opentelemetry-proto.

They stand in for an OpenTelemetry Collector: whatever reaches them went over the wire in
the OTLP encoding and was decoded by the protocol's own protobuf classes.
"""

from __future__ import annotations

import gzip
import threading
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import grpc  # type: ignore[import-untyped]
from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Received:
    """What a receiver got: decoded export requests, and a summary of their content."""

    traces: list[trace_service_pb2.ExportTraceServiceRequest] = field(default_factory=list)
    metrics: list[metrics_service_pb2.ExportMetricsServiceRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def span_names(self) -> set[str]:
        """Names of every span received."""
        with self.lock:
            return {
                span.name
                for request in self.traces
                for resource_spans in request.resource_spans
                for scope_spans in resource_spans.scope_spans
                for span in scope_spans.spans
            }

    def metric_names(self) -> set[str]:
        """Names of every metric received."""
        with self.lock:
            return {
                metric.name
                for request in self.metrics
                for resource_metrics in request.resource_metrics
                for scope_metrics in resource_metrics.scope_metrics
                for metric in scope_metrics.metrics
            }

    def service_names(self) -> set[str]:
        """``service.name`` of every resource that sent spans."""
        with self.lock:
            return {
                attribute.value.string_value
                for request in self.traces
                for resource_spans in request.resource_spans
                for attribute in resource_spans.resource.attributes
                if attribute.key == "service.name"
            }


class _Handler(BaseHTTPRequestHandler):
    received: Received  # set on the per-server subclass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        response: Any
        if self.path == "/v1/traces":
            request: Any = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
            with self.received.lock:
                self.received.traces.append(request)
            response = trace_service_pb2.ExportTraceServiceResponse()
        elif self.path == "/v1/metrics":
            request = metrics_service_pb2.ExportMetricsServiceRequest.FromString(body)
            with self.received.lock:
                self.received.metrics.append(request)
            response = metrics_service_pb2.ExportMetricsServiceResponse()
        else:
            self.send_error(404)
            return
        payload = response.SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Stay quiet."""


def serve_http() -> Iterator[tuple[str, Received]]:
    """An OTLP/HTTP (protobuf) receiver on loopback: yields its base URL and what it got."""
    received = Received()
    handler = type("Handler", (_Handler,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(  # noqa: N802 - the service's method name
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        with self.received.lock:
            self.received.traces.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()


class _MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(  # noqa: N802 - the service's method name
        self, request: metrics_service_pb2.ExportMetricsServiceRequest, context: Any
    ) -> metrics_service_pb2.ExportMetricsServiceResponse:
        with self.received.lock:
            self.received.metrics.append(request)
        return metrics_service_pb2.ExportMetricsServiceResponse()


def serve_grpc() -> Iterator[tuple[str, Received]]:
    """An OTLP/gRPC receiver on loopback: yields its endpoint URL and what it got."""
    received = Received()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    # The generated registration functions carry no annotations.
    add_traces = trace_service_pb2_grpc.add_TraceServiceServicer_to_server
    add_metrics = metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server
    add_traces(_TraceService(received), server)  # type: ignore[no-untyped-call]
    add_metrics(_MetricsService(received), server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        server.stop(grace=None).wait()
