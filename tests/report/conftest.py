"""Fixtures of the report's tests: a real Prometheus scraping two real demo processes."""

from __future__ import annotations

import io
import json
import shutil
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from dashboards import lab
from routing_otel.report._cli import run
from tests.dashboards import support as dashboards
from tests.report.support import DEMO, DemoProcess, Prometheus, stopping

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """Path of the Debian prometheus server (CI turns this skip into a failure)."""
    path = shutil.which("prometheus")
    if path is None:
        pytest.skip("prometheus is not installed (Debian package prometheus)")
    return path


@dataclass
class Outcome:
    """What ``routing-otel report`` did: exit status, stdout, stderr."""

    status: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        """The JSON report it printed."""
        assert self.status in {0, 1}, self.err
        report: dict[str, Any] = json.loads(self.out)
        return report


def report(*argv: str) -> Outcome:
    """Run ``routing-otel report ARGV`` in-process."""
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), out=out, err=err)
    return Outcome(status, out.getvalue(), err.getvalue())


@dataclass
class Fleet:
    """Two services, one demo process each, scraped by one Prometheus with the shipped rules."""

    prometheus: Prometheus
    demos: dict[str, dict[str, Any]]  # service -> the demo's own JSON report
    started: float  # Unix time before the first call

    def report(self, *argv: str) -> Outcome:
        """``routing-otel report`` against this Prometheus, over the whole run."""
        return report("--prometheus", self.prometheus.url, "--from", f"{self.started}", *argv)


# Two services with different seeds and sizes, so their sums cannot match by accident.
SERVICES = {
    "checkout": ["--requests", "40", "--seed", "3", *DEMO],
    "support": ["--requests", "30", "--seed", "5", *DEMO],
}


@pytest.fixture(scope="session")
def fleet(prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """The demo run twice as two services, and Prometheus holding their final values."""
    ports = {service: lab.free_port() for service in SERVICES}
    prometheus = Prometheus(
        tmp_path_factory.mktemp("prometheus"),
        0,
        rule_files=list(dashboards.RULE_FILES),
        binary=prometheus_binary,
        jobs={service: [port] for service, port in ports.items()},
    )
    started = time.time() - 1
    prometheus.start()
    demos = {
        service: DemoProcess(ports[service], argv).start() for service, argv in SERVICES.items()
    }
    try:
        with stopping(*demos.values()):
            reports = {service: demo.wait_report() for service, demo in demos.items()}
            for service, demo in demos.items():
                prometheus.wait_for_scrape_of(service, demo.finished_at)
        yield Fleet(prometheus, reports, started)
    finally:
        status = prometheus.stop()
    assert status == 0, prometheus.log()[-2000:]
