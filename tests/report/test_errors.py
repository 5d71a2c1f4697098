"""The report never shows a traceback: clear one-line errors and their exit statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dashboards import lab
from tests.report.conftest import report
from tests.report.support import Prometheus

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.report.conftest import Fleet


def test_unreachable_prometheus_exits_3() -> None:
    """Nothing listening at the URL: exit 3, saying which URL could not be reached."""
    url = f"http://127.0.0.1:{lab.free_port()}"
    outcome = report("--prometheus", url, "--timeout", "5s")
    assert outcome.status == 3
    assert outcome.err.startswith(f"routing-otel report: cannot reach Prometheus at {url}: ")
    assert outcome.err.count("\n") == 1
    assert not outcome.out


@pytest.mark.prometheus
def test_a_url_that_is_not_prometheus_api_exits_3(fleet: Fleet) -> None:
    """A wrong path under the server answers 404: the error asks for the base URL."""
    outcome = report("--prometheus", f"{fleet.prometheus.url}/grafana")
    assert outcome.status == 3
    assert "answered HTTP 404 to /api/v1/" in outcome.err
    assert "is it the base URL of a Prometheus server?" in outcome.err


@pytest.mark.prometheus
def test_a_range_without_calls_exits_4(fleet: Fleet) -> None:
    """A range before the runs: exit 4, naming the range."""
    outcome = report(
        "--prometheus",
        fleet.prometheus.url,
        "--from",
        f"{fleet.started - 7200}",
        "--to",
        f"{fleet.started - 3600}",
    )
    assert outcome.status == 4
    assert "holds routing-otel series, but no calls between" in outcome.err
    assert not outcome.out


@pytest.mark.prometheus
def test_an_unknown_service_exits_4_and_lists_the_known_ones(fleet: Fleet) -> None:
    """--service with a name nobody exports under: the services with calls are listed."""
    outcome = fleet.report("--service", "billing")
    assert outcome.status == 4
    assert "no routing-otel calls of service 'billing'" in outcome.err
    assert "services with calls then: checkout, support" in outcome.err


@pytest.fixture(scope="module")
def empty_prometheus(
    prometheus_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prometheus]:
    """A real Prometheus that scrapes nothing and loads no rules."""
    server = Prometheus(tmp_path_factory.mktemp("empty"), 0, binary=prometheus_binary)
    server.start()
    yield server
    server.stop()


@pytest.mark.prometheus
def test_prometheus_without_our_series_exits_4(empty_prometheus: Prometheus) -> None:
    """No routing-otel series at all: exit 4, and whether the recording rules are loaded."""
    outcome = report("--prometheus", empty_prometheus.url, "--since", "5m")
    assert outcome.status == 4
    assert "holds no routing-otel series (llm_router_requests_total) at all" in outcome.err
    assert "the shipped recording rules are not loaded" in outcome.err
