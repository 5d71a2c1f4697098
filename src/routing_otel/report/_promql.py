"""The PromQL of the report: instant queries over a ``[range]`` window ending at its end.

Counts must equal what the processes counted, so a counter's growth over the range is read
without ``increase``'s extrapolation: the last value in the range minus the value at its
start, a series born inside the range counting from zero (a new process starts at 0). Only
a series that was reset inside the range (a restart under the same labels) falls back to
``increase``, Prometheus's estimate. Quantiles are ``histogram_quantile`` over the buckets'
growth, as the dashboards compute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc
from routing_otel._semconv import prom_label

if TYPE_CHECKING:
    from collections.abc import Sequence

# Names the shipped rules give (dashboards/rules.py imports the group names from here; a
# test checks the recorded series name against the generator's).
RECORDING_GROUP = "routing-otel.recording"
ALERTING_GROUP = "routing-otel.alerts"
ALERT_PREFIX = "LLMRouter"  # every shipped alert's name starts with it
RECORDED_BUDGET = f"job:{sc.PROM_BUDGET_LIMIT}:sum"

JOB = "job"
INSTANCE = "instance"
LE = "le"
POOL = prom_label(sc.ROUTER_POOL)
RESPONSE_MODEL = prom_label(sc.GEN_AI_RESPONSE_MODEL)
REQUEST_MODEL = prom_label(sc.GEN_AI_REQUEST_MODEL)
OUTCOME = prom_label(sc.OUTCOME)
ERROR_TYPE = prom_label(sc.ERROR_TYPE)
FALLBACK = prom_label(sc.FALLBACK)
TOKEN_TYPE = prom_label(sc.GEN_AI_TOKEN_TYPE)
COST_SOURCE = prom_label(sc.COST_SOURCE)
BUDGET_NAME = prom_label(sc.BUDGET_NAME)
FALLBACK_LABELS = tuple(
    prom_label(a)
    for a in (sc.FALLBACK_LAYER, sc.FALLBACK_REASON, sc.FALLBACK_FROM_MODEL, sc.FALLBACK_TO_MODEL)
)
POOL_MODEL = (POOL, RESPONSE_MODEL)
REQUEST_GROUP = (*POOL_MODEL, REQUEST_MODEL, OUTCOME, ERROR_TYPE, FALLBACK)


def quote(value: str) -> str:
    """A PromQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _by(labels: Sequence[str], expr: str) -> str:
    return f"sum by ({', '.join(labels)}) ({expr})" if labels else f"sum({expr})"


@dataclass(frozen=True, slots=True)
class Window:
    """The range the report covers: ``[range]`` ending at ``end``, for one service or all."""

    end: float  # Unix seconds: every query is evaluated here
    range_s: int
    service: str | None = None

    @property
    def start(self) -> float:
        """Unix seconds where the range starts."""
        return self.end - self.range_s

    @property
    def range(self) -> str:
        """The range as PromQL writes it."""
        return f"{self.range_s}s"

    def select(self, metric: str, *matchers: str) -> str:
        """``metric{matchers}``, restricted to the service when one is chosen."""
        found = [*matchers, *([f"{JOB}={quote(self.service)}"] if self.service else [])]
        return f"{metric}{{{', '.join(found)}}}" if found else metric

    def growth(self, metric: str, *matchers: str) -> str:
        """Per series, how much a counter grew in the range (see the module's docstring)."""
        series = self.select(metric, *matchers)
        last = f"last_over_time({series}[{self.range}])"
        reset = f"resets({series}[{self.range}]) > 0"
        exact = f"(({last} - {series} offset {self.range}) or {last})"
        return f"({exact} unless {reset}) or (increase({series}[{self.range}]) and {reset})"

    def total(self, metric: str, by: Sequence[str], *matchers: str) -> str:
        """``sum by (by)`` of the counter's growth."""
        return _by(by, self.growth(metric, *matchers))

    def quantile(self, q: float, histogram: str, by: Sequence[str], *matchers: str) -> str:
        """``histogram_quantile`` over the buckets' growth in the range."""
        return f"histogram_quantile({q}, {self.total(f'{histogram}_bucket', [LE, *by], *matchers)})"

    def share_within(self, histogram: str, bound: str) -> str:
        """The share of observations at most ``bound`` (an ``le`` value) in the range."""
        within = self.total(f"{histogram}_bucket", [], f"{LE}={quote(bound)}")
        return f"{within} / {self.total(f'{histogram}_count', [])}"

    def processes(self) -> str:
        """How many processes (job and instance) exported calls in the range."""
        series = self.select(sc.PROM_REQUESTS)
        return f"count(count by ({JOB}, {INSTANCE}) (last_over_time({series}[{self.range}])))"

    def services(self, *, selected: bool = True) -> str:
        """The services (jobs) that exported calls in the range (all: ``selected=False``)."""
        series = self.select(sc.PROM_REQUESTS) if selected else sc.PROM_REQUESTS
        return f"count by ({JOB}) (last_over_time({series}[{self.range}]))"

    def budget(self, *, recorded: bool) -> str:
        """The daily budget: the recording rule when loaded, else the same from the gauge."""
        if recorded:
            return f"sum(last_over_time({self.select(RECORDED_BUDGET)}[{self.range}]))"
        gauge = f"last_over_time({self.select(sc.PROM_BUDGET_LIMIT)}[{self.range}])"
        # Every process of a service exports the same limit: take it once per budget name.
        return f"sum(max by ({JOB}, {BUDGET_NAME}) ({gauge}))"

    def alerts_during(self) -> str:
        """The shipped alerts pending or firing at any time in the range (``ALERTS``)."""
        alerts = self.select("ALERTS", f"alertname=~{quote(ALERT_PREFIX + '.*')}")
        return f"max_over_time({alerts}[{self.range}])"
