"""Counters summed in the library: exact totals, one series per attribute set, shared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel import _semconv as sc
from tests.clients import Driver, chat

if TYPE_CHECKING:
    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry


def test_two_transports_on_one_provider_add_to_the_same_totals(
    emu: Emulator, telemetry: Telemetry
) -> None:
    """Every transport (and instrument()) on one meter provider counts into one series."""
    hosts = [f"127.0.0.1:{emu.port}"]
    url = emu.base_url + "/chat/completions"
    for _ in range(2):  # two transports, two Instrumentations, one provider
        Driver("httpx", False, hosts, telemetry.providers).send(url, chat("openai/gpt-4o"))
    (point,) = telemetry.points(sc.METRIC_REQUESTS)
    assert point.value == 2  # type: ignore[union-attr]
    cost = telemetry.points(sc.METRIC_COST)
    assert len(cost) == 1
    assert cost[0].value > 0  # type: ignore[union-attr]


def test_totals_are_cumulative_across_collections(emu: Emulator, telemetry: Telemetry) -> None:
    """Collected twice, a counter reports the running total, not what came since."""
    hosts = [f"127.0.0.1:{emu.port}"]
    url = emu.base_url + "/chat/completions"
    driver = Driver("httpx", False, hosts, telemetry.providers)
    driver.send(url, chat("openai/gpt-4o"))
    assert [p.value for p in telemetry.points(sc.METRIC_REQUESTS)] == [1]  # type: ignore[union-attr]
    driver.send(url, chat("openai/gpt-4o"))
    assert [p.value for p in telemetry.points(sc.METRIC_REQUESTS)] == [2]  # type: ignore[union-attr]
