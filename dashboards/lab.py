"""A real Prometheus scraping routing-otel's metrics, fed by real traffic.

Used by the proof in tests/dashboards and by dashboards/render.py. Everything runs on
loopback: the Eden AI emulator, our transport in front of httpx, the OpenTelemetry Prometheus
exporter on a free port, and the Debian ``prometheus`` binary with a generated config and a
temporary data directory. Waits are bounded and the server is stopped with SIGTERM.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import httpx
import yaml
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry, start_wsgi_server

import routing_otel
import routing_otel.httpx
from routing_otel import _semconv as sc

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path
    from types import TracebackType
    from wsgiref.simple_server import WSGIServer

    from typing_extensions import Self

LOOPBACK = "127.0.0.1"
JOB = "routing-otel-lab"
KEY = "sk-eden-lab"


# The guides' ContextAwareRouter: a use case picks a tier and a pool of candidates. Calls are
# scoped with routing_otel.observe, so pool, tier and use case become metric labels.
@dataclass(frozen=True, slots=True)
class Pool:
    """A named candidate pool and the caller context it is used in."""

    name: str
    candidates: tuple[str, ...]
    tier: str
    use_case: str


POOLS = (
    Pool(
        "code",
        ("openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"),
        "premium",
        "code",
    ),
    Pool("fast", ("openai/gpt-4o-mini", "google/gemini-2.0-flash"), "budget", "chat"),
)
FIXED_MODELS = ("openai/gpt-4o", "openai/gpt-4o-mini", "google/gemini-2.0-flash")
FALLBACK_MODEL = "openai/gpt-4o"  # the guides' ResilientRouter falls back to it
PROMPTS = (
    "Debug this Python code step by step",
    "hi, a quick question",
    "Write a short poem about the sea",
    "Analyze the architecture of a message queue",
    "Translate 'good morning' to French",
    "Explain server-sent events",
)
# Errors the emulator makes on request: 429, 503 (router down), 500, an error frame in a
# stream, and a server-side fallback (a failed attempt, then another provider serves).
FAULTS = ("rate_limit", "router_down", "server_error", "stream_error", "provider_fallback")


BUDGET_USD_PER_DAY = 5.0  # exported as the budget gauge, so budget queries have data


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class PrometheusError(RuntimeError):
    """Prometheus answered a query with an error (a parse error, for instance)."""


@dataclass
class MetricsEndpoint:
    """routing-otel's metrics, served for scraping by the OpenTelemetry Prometheus exporter."""

    meter_provider: MeterProvider
    tracer_provider: TracerProvider
    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        """The port Prometheus scrapes."""
        return int(self.server.server_port)

    @classmethod
    def start(cls, service: str = JOB) -> MetricsEndpoint:
        """Serve a fresh meter provider's metrics on a free loopback port."""
        registry = CollectorRegistry()
        reader = PrometheusMetricReader(registry=registry)
        resource = Resource.create({"service.name": service})
        meter_provider = MeterProvider(metric_readers=[reader], resource=resource)
        server, thread = start_wsgi_server(0, addr=LOOPBACK, registry=registry)
        return cls(meter_provider, TracerProvider(resource=resource), server, thread)

    def providers(self) -> dict[str, Any]:
        """Keyword arguments pointing a transport at this endpoint's providers."""
        return {"tracer_provider": self.tracer_provider, "meter_provider": self.meter_provider}

    def stop(self) -> None:
        """Stop serving and shut the providers down."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.meter_provider.shutdown()
        self.tracer_provider.shutdown()


@dataclass
class PrometheusServer:
    """The real ``prometheus`` binary on a free loopback port, scraping one target."""

    workdir: Path
    target_port: int
    rule_files: list[Path] = field(default_factory=list)
    scrape_interval: str = "1s"
    job: str = JOB
    binary: str = "prometheus"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available(binary: str = "prometheus") -> bool:
        """Whether the binary is installed (Debian package ``prometheus``)."""
        return shutil.which(binary) is not None

    @property
    def url(self) -> str:
        """Base URL of the HTTP API."""
        return f"http://{LOOPBACK}:{self.port}"

    def config(self) -> dict[str, Any]:
        """The generated prometheus.yml."""
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "evaluation_interval": self.scrape_interval,
            },
            "rule_files": [str(path) for path in self.rule_files],
            "scrape_configs": [
                {
                    "job_name": self.job,
                    "static_configs": [{"targets": [f"{LOOPBACK}:{self.target_port}"]}],
                }
            ],
        }

    def start(self, timeout: float = 30) -> Self:
        """Start the server and wait until it is ready."""
        self.port = self.port or free_port()
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config()), encoding="utf-8")
        log = (self.workdir / "prometheus.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603  (a fixed binary and our own arguments)
            [
                shutil.which(self.binary) or self.binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address={LOOPBACK}:{self.port}",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.wait(self._ready, timeout, "Prometheus to become ready")
        return self

    def _ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {self.log()[-2000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response,  # noqa: S310
        ):
            return bool(response.status == 200)
        return False

    def log(self) -> str:
        """What the server wrote so far."""
        path = self.workdir / "prometheus.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    @staticmethod
    def wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll ``condition`` every 0.2 s until it holds, or fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            time.sleep(0.2)

    def api(self, path: str, **params: str) -> Any:
        """GET ``/api/v1/{path}`` and return its ``data``; PrometheusError on an error."""
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                body = json.load(response)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
        if body.get("status") != "success":
            raise PrometheusError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """Evaluate an instant query; the result as a list of series."""
        params = {"query": expr} | ({"time": f"{at:.3f}"} if at is not None else {})
        data = self.api("query", **params)
        result = data["result"]
        if data["resultType"] == "scalar":
            return [{"metric": {}, "value": result}]
        return list(result)

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Any]:
        """Evaluate a range query; the result as a list of series with ``values``."""
        data = self.api(
            "query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step:g}"
        )
        return list(data["result"])

    def wait_for_scrape(self, after: float, timeout: float = 30) -> None:
        """Wait until Prometheus holds a sample of our metrics scraped after ``after``."""
        expr = f'max(timestamp({sc.PROM_REQUESTS}{{job="{self.job}"}}))'

        def scraped() -> bool:
            result = self.query(expr)
            return bool(result) and float(result[0]["value"][1]) > after

        self.wait(scraped, timeout, "a scrape of routing-otel's metrics")

    def metric_names(self) -> set[str]:
        """Every metric name Prometheus holds."""
        return set(self.api("label/__name__/values"))

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM, wait for a clean exit (SIGKILL after ``timeout`` s); the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode

    def __enter__(self) -> Self:
        """Start (see `start`)."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop (see `stop`)."""
        self.stop()


@dataclass(frozen=True, slots=True)
class Call:
    """One request of the workload, made inside ``pool``'s observe scope when it has one."""

    model: str
    prompt: str
    pool: Pool | None = None
    stream: bool = True
    fault: str | None = None
    fallback_to: str | None = None  # on failure, retry with this fixed model (same scope)


def calls(rounds: int, *, faults: Iterable[str | None] = FAULTS) -> Iterator[Call]:
    """The workload: per round, each pool routed, a default routed call, a fixed call, a fault.

    Prompts rotate so the emulator's router spreads each pool over its candidates; fixed
    calls go to models the router also picks, so routed and fixed TTFT can be compared.
    Every other fault is handled the ResilientRouter way: on failure, the same scope
    retries with a fixed model (a client-side fallback).
    """
    fault_cycle = itertools.cycle(tuple(faults) or (None,))
    fixed_cycle = itertools.cycle(FIXED_MODELS)
    for i in range(rounds):
        prompt = f"{PROMPTS[i % len(PROMPTS)]} (#{i})"
        for pool in POOLS:
            yield Call(sc.ROUTED_MODEL, prompt, pool)
        yield Call(sc.ROUTED_MODEL, prompt, stream=i % 2 == 0)
        yield Call(next(fixed_cycle), prompt)
        if (fault := next(fault_cycle)) is not None:
            retry = FALLBACK_MODEL if i % 2 else None
            yield Call(sc.ROUTED_MODEL, prompt, POOLS[0], fault=fault, fallback_to=retry)


def send(client: httpx.Client, url: str, call: Call) -> int:
    """Send one call (and its fallback) and read the answers to the end, as the guides do."""
    scope = (
        routing_otel.observe(
            "lab", pool=call.pool.name, tier=call.pool.tier, use_case=call.pool.use_case
        )
        if call.pool
        else contextlib.nullcontext()
    )
    with scope:
        status = _send(client, url, call.model, call)
        if status >= 400 and call.fallback_to:
            return _send(client, url, call.fallback_to, replace(call, fault=None))
        return status


def _send(client: httpx.Client, url: str, model: str, call: Call) -> int:
    payload: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": call.prompt}],
        "stream": call.stream,
    }
    if call.stream:
        payload["stream_options"] = {"include_usage": True}
    if call.pool and model == sc.ROUTED_MODEL:
        payload["router_candidates"] = list(call.pool.candidates)
    headers = {"Authorization": f"Bearer {KEY}"}
    if call.fault:
        headers["x-emulator-fault"] = call.fault
    with client.stream("POST", url, json=payload, headers=headers) as response:
        for _ in response.iter_lines():
            pass
        return response.status_code


def feed(
    prometheus: PrometheusServer,
    endpoint: MetricsEndpoint,
    emulator_port: int,
    calls_to_make: list[Call],
) -> Counter[int]:
    """Send the calls twice, each time until Prometheus has scraped their effect.

    Rates need two samples of a series: the first pass creates every series (the emulator is
    deterministic, so the second pass creates no new one) and is scraped before the second
    pass moves them, so every rate and increase over the following minute sees traffic.
    """
    providers = endpoint.providers()
    statuses = run_workload(emulator_port, providers, calls_to_make)
    prometheus.wait_for_scrape(after=time.time())
    statuses += run_workload(emulator_port, providers, calls_to_make)
    prometheus.wait_for_scrape(after=time.time())
    return statuses


def run_workload(
    emulator_port: int, providers: dict[str, Any], calls_to_make: Iterable[Call]
) -> Counter[int]:
    """Send the calls through our transport to the emulator; count the final status codes."""
    base = f"http://{LOOPBACK}:{emulator_port}/v3/llm/chat/completions"
    transport = routing_otel.httpx.RoutingTransport(
        hosts=[f"{LOOPBACK}:{emulator_port}"], budget_usd_per_day=BUDGET_USD_PER_DAY, **providers
    )
    statuses: Counter[int] = Counter()
    with httpx.Client(transport=transport, timeout=30) as client:
        for call in calls_to_make:
            statuses[send(client, base, call)] += 1
    return statuses
