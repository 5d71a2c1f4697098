"""routing-otel beside opentelemetry-instrumentation-openai-v2, on one real Prometheus.

Both instrument the same OpenAI SDK calls to the emulator: openai-v2 patches the SDK's
methods, routing-otel sits in the SDK's HTTP client. Their metrics share one meter provider
and one OpenTelemetry Prometheus exporter, as in an application that runs both.

Every scrape serves that exporter's output twice, in the same response: as job ``beside``
(everything, as Prometheus would hold it) and as job ``alone`` (only the points of
routing-otel's instrumentation scope: what Prometheus would hold without openai-v2). Both
copies share their samples and timestamps, so a dashboard query must return exactly the
same numbers for either job.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry, start_wsgi_server
from prometheus_client.metrics_core import Metric

import routing_otel
from dashboards import lab
from dashboards import promql as q
from tests.clients import KEY, LIBRARIES

if TYPE_CHECKING:
    import threading
    from collections.abc import Iterable, Iterator
    from wsgiref.simple_server import WSGIServer

    from prometheus_client.samples import Sample

ALONE = "alone"
BESIDE = "beside"
SDK_MAJOR = int(openai.__version__.split(".", 1)[0])
# The HTTP library this SDK generation speaks natively, and our transport for it.
HTTP, OURS = LIBRARIES["httpx2" if SDK_MAJOR >= 3 else "httpx"]


class TwoJobs:
    """A prometheus_client collector: the exporter's families as job ``beside`` and ``alone``."""

    def __init__(self, source: CollectorRegistry) -> None:
        """Read the families of ``source`` (the OpenTelemetry exporter's registry)."""
        self._source = source

    def collect(self) -> Iterator[Metric]:
        """Each family once, its samples copied for both jobs (``alone``: our scope only)."""
        for family in self._source.collect():
            copy = Metric(family.name, family.documentation, family.type, family.unit)
            for sample in family.samples:
                copy.samples.append(_with_job(sample, BESIDE))
                if sample.labels.get(q.SCOPE) == q.SCOPE_VALUE:
                    copy.samples.append(_with_job(sample, ALONE))
            yield copy


def _with_job(sample: Sample, job: str) -> Sample:
    return sample._replace(labels={**sample.labels, "job": job})


@dataclass
class Endpoint:
    """One meter and tracer provider for both instrumentations, served for scraping."""

    meter_provider: MeterProvider
    tracer_provider: TracerProvider
    spans: InMemorySpanExporter
    server: WSGIServer
    thread: threading.Thread

    @classmethod
    def start(cls) -> Endpoint:
        """Serve a fresh meter provider's metrics, as two jobs, on a free loopback port."""
        source = CollectorRegistry()
        reader = PrometheusMetricReader(registry=source)
        resource = Resource.create({"service.name": "coexistence"})
        meter_provider = MeterProvider(metric_readers=[reader], resource=resource)
        spans = InMemorySpanExporter()
        tracer_provider = TracerProvider(resource=resource)
        tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
        served = CollectorRegistry()
        served.register(TwoJobs(source))
        server, thread = start_wsgi_server(0, addr=lab.LOOPBACK, registry=served)
        return cls(meter_provider, tracer_provider, spans, server, thread)

    @property
    def port(self) -> int:
        """The port Prometheus scrapes."""
        return int(self.server.server_port)

    def stop(self) -> None:
        """Stop serving and shut the providers down."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.meter_provider.shutdown()
        self.tracer_provider.shutdown()


class HonoringPrometheus(lab.PrometheusServer):
    """The lab's Prometheus, keeping the ``job`` label the target exposes."""

    def config(self) -> dict[str, Any]:
        """The lab's config with ``honor_labels: true``."""
        config = super().config()
        config["scrape_configs"][0]["honor_labels"] = True
        return config


@contextlib.contextmanager
def sdk_client(endpoint: Endpoint, emulator_port: int) -> Iterator[Any]:
    """A sync OpenAI client whose HTTP client carries routing-otel's transport."""
    transport = OURS.RoutingTransport(
        hosts=[f"{lab.LOOPBACK}:{emulator_port}"],
        budget_usd_per_day=lab.BUDGET_USD_PER_DAY,
        tracer_provider=endpoint.tracer_provider,
        meter_provider=endpoint.meter_provider,
    )
    base_url = f"http://{lab.LOOPBACK}:{emulator_port}/v3/llm"
    client = openai.OpenAI(
        api_key=KEY, base_url=base_url, http_client=HTTP.Client(transport=transport), max_retries=0
    )
    try:
        yield client
    finally:
        client.close()


def send(client: Any, call: lab.Call) -> int:
    """Make one lab call (and its client-side fallback) with the SDK; the requests sent."""
    scope = (
        routing_otel.observe(
            "lab", pool=call.pool.name, tier=call.pool.tier, use_case=call.pool.use_case
        )
        if call.pool
        else contextlib.nullcontext()
    )
    with scope:
        if _create(client, call.model, call) or not call.fallback_to:
            return 1
        _create(client, call.fallback_to, lab.Call(call.fallback_to, call.prompt, call.pool))
        return 2


def _create(client: Any, model: str, call: lab.Call) -> bool:
    extra_body: dict[str, Any] = {}
    if call.pool and model == q.ROUTED:
        extra_body["router_candidates"] = list(call.pool.candidates)
    headers = {"x-emulator-fault": call.fault} if call.fault else {}
    stream_args: dict[str, Any] = (
        {"stream": True, "stream_options": {"include_usage": True}} if call.stream else {}
    )
    try:
        answer = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": call.prompt}],
            extra_body=extra_body,
            extra_headers=headers,
            **stream_args,
        )
        if call.stream:
            for _ in answer:
                pass
    except openai.APIError:
        return False
    return True


def feed(
    prometheus: lab.PrometheusServer, endpoint: Endpoint, emulator_port: int, calls: list[lab.Call]
) -> Counter[str]:
    """Make the calls twice, each pass scraped before the next (see `lab.feed`)."""
    sent: Counter[str] = Counter()
    for _ in range(2):
        with sdk_client(endpoint, emulator_port) as client:
            sent["requests"] += sum(send(client, call) for call in calls)
        prometheus.wait_for_scrape(after=time.time())
    return sent


def scoped_out(expr: str) -> str:
    """The expression as it was before it selected our scope (summing every instrumentation)."""
    return expr.replace(f"{q.OURS}, ", "")


def by_labels(result: Iterable[dict[str, Any]]) -> dict[frozenset[tuple[str, str]], float]:
    """An instant query's result as {labels without job: value}."""
    return {
        frozenset((k, v) for k, v in s["metric"].items() if k != "job"): float(s["value"][1])
        for s in result
    }
