"""Prometheus names, alert thresholds and a few PromQL helpers.

Every metric and label name comes from ``routing_otel._semconv``: a renamed attribute or a
corrected Prometheus name changes the dashboards and rules at the next generation, and the
check that committed files equal generated ones fails until they are regenerated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing_otel import _semconv as sc
from routing_otel._semconv import SCOPE_NAME, prom_label
from routing_otel.report import _thresholds

if TYPE_CHECKING:
    from collections.abc import Sequence

# The alert thresholds live in the package: `routing-otel report --check` reads them too.
Thresholds = _thresholds.Thresholds
seconds = _thresholds.seconds
le_value = _thresholds.le_value

# --- series, as the recommended exporters write them (proven by tests/dashboards) -----------
REQUESTS = sc.PROM_REQUESTS
COST = sc.PROM_COST
SAVINGS = sc.PROM_SAVINGS
# Money routing lost against the baseline: counters cannot go down, so negative savings are
# counted apart (an extension of the contract; absent from older _semconv versions).
OVERSPEND: str | None = getattr(sc, "PROM_OVERSPEND", None)
FALLBACKS = sc.PROM_FALLBACKS
BUDGET_LIMIT = sc.PROM_BUDGET_LIMIT
ROUTING_DURATION = sc.PROM_ROUTING_DURATION
TIME_TO_FIRST_CHUNK = sc.PROM_TIME_TO_FIRST_CHUNK
OPERATION_DURATION = sc.PROM_OPERATION_DURATION
TOKEN_USAGE = sc.PROM_TOKEN_USAGE

# --- our own series ---------------------------------------------------------------------------
# Other GenAI instrumentations (opentelemetry-instrumentation-openai-v2, OpenLLMetry, OpenLIT)
# export the same gen_ai_client_* names. Both exporters we support label every point with the
# meter's instrumentation scope, so every selector (``sel``) matches routing-otel's own meter.
SCOPE = "otel_scope_name"
SCOPE_VALUE = SCOPE_NAME

# --- labels ---------------------------------------------------------------------------------
JOB = "job"  # the service: the scrape job, or service.name on the Collector path
LE = "le"
REQUEST_MODEL = prom_label(sc.GEN_AI_REQUEST_MODEL)
RESPONSE_MODEL = prom_label(sc.GEN_AI_RESPONSE_MODEL)
TOKEN_TYPE = prom_label(sc.GEN_AI_TOKEN_TYPE)
ERROR_TYPE = prom_label(sc.ERROR_TYPE)
POOL = prom_label(sc.ROUTER_POOL)
TIER = prom_label(sc.ROUTER_TIER)
USE_CASE = prom_label(sc.ROUTER_USE_CASE)
OUTCOME = prom_label(sc.OUTCOME)
FALLBACK = prom_label(sc.FALLBACK)
COST_SOURCE = prom_label(sc.COST_SOURCE)
BASELINE_MODEL = prom_label(sc.BASELINE_MODEL)
FALLBACK_FROM = prom_label(sc.FALLBACK_FROM_MODEL)
FALLBACK_TO = prom_label(sc.FALLBACK_TO_MODEL)
FALLBACK_REASON = prom_label(sc.FALLBACK_REASON)
FALLBACK_LAYER = prom_label(sc.FALLBACK_LAYER)
BUDGET_NAME = prom_label(sc.BUDGET_NAME)

ROUTED = sc.ROUTED_MODEL
SUCCESS = sc.OUTCOME_SUCCESS
ERROR = sc.OUTCOME_ERROR


# --- PromQL helpers: small, so the queries still read as PromQL -----------------------------
def eq(label: str, value: str) -> str:
    """``label="value"``."""
    return f'{label}="{value}"'


OURS = eq(SCOPE, SCOPE_VALUE)


def ne(label: str, value: str) -> str:
    """``label!="value"``."""
    return f'{label}!="{value}"'


def match(label: str, regex: str) -> str:
    """``label=~"regex"``."""
    return f'{label}=~"{regex}"'


def sel(metric: str, *matchers: str) -> str:
    """A selector of routing-otel's own series: ``metric{otel_scope_name="routing_otel", m1}``.

    Every metric in a query or rule goes through here, so a series another instrumentation
    exports under the same name is never summed into ours.
    """
    return f"{metric}{{{', '.join((OURS, *matchers))}}}"


def rate(selector: str, window: str) -> str:
    """``rate(selector[window])``."""
    return f"rate({selector}[{window}])"


def increase(selector: str, window: str) -> str:
    """``increase(selector[window])``."""
    return f"increase({selector}[{window}])"


def per_second(metric: str, selector: str, window: str) -> str:
    """Growth per second of a cumulative sum: ``rate`` of a counter (``_total``), else ``deriv``.

    A sum that can go down (an UpDownCounter, such as savings that may be negative) is
    exported as a gauge without ``_total``; ``rate`` would misread its decreases as resets.
    """
    return rate(selector, window) if metric.endswith("_total") else f"deriv({selector}[{window}])"


def growth(metric: str, selector: str, window: str) -> str:
    """Growth over ``window``: ``increase`` of a counter, ``delta`` of a gauge (see above)."""
    return (
        increase(selector, window) if metric.endswith("_total") else f"delta({selector}[{window}])"
    )


def by(labels: Sequence[str]) -> str:
    """``by (a, b)``."""
    return f"by ({', '.join(labels)})"


def sum_by(labels: Sequence[str], expr: str) -> str:
    """``sum by (labels) (expr)``, or ``sum(expr)`` with no labels.

    Aggregating is also what drops ``otel_scope_name``/``otel_scope_version`` (and
    ``instance``): every query goes through here or an equivalent aggregation.
    """
    return f"sum {by(labels)} ({expr})" if labels else f"sum({expr})"


def histogram_quantile(
    quantile: float, histogram: str, matchers: Sequence[str], labels: Sequence[str], window: str
) -> str:
    """``histogram_quantile(q, sum by (le, labels) (rate(histogram_bucket{...}[window])))``."""
    buckets = rate(sel(f"{histogram}_bucket", *matchers), window)
    return f"histogram_quantile({quantile}, {sum_by([LE, *labels], buckets)})"


def ratio(numerator: str, denominator: str, *, ignoring: Sequence[str] = ()) -> str:
    """``numerator / denominator``; with ``ignoring``, a many-to-one match on the rest."""
    if ignoring:
        return f"{numerator} / ignoring ({', '.join(ignoring)}) group_left {denominator}"
    return f"{numerator} / {denominator}"


def fmt(value: float) -> str:
    """A number as PromQL and humans read it (no trailing ``.0``)."""
    return repr(int(value)) if float(value).is_integer() else repr(float(value))
