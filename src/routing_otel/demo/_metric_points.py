"""Reading metric points as a metrics backend does: select, group, sum, estimate quantiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics.export import HistogramDataPoint, NumberDataPoint

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from opentelemetry.sdk.metrics.export import MetricsData

Attributes = dict[str, Any]


def points(data: MetricsData | None, name: str) -> Iterator[tuple[Attributes, Any]]:
    """Every (attributes, point) of metric ``name``."""
    if data is None:
        return
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:
                        yield dict(point.attributes or {}), point


def counter_sums(
    data: MetricsData | None, name: str, by: Sequence[str]
) -> dict[tuple[Any, ...], float]:
    """A counter's value summed by the attributes ``by`` (``sum by (...)`` in PromQL)."""
    sums: dict[tuple[Any, ...], float] = {}
    for attrs, point in points(data, name):
        if isinstance(point, NumberDataPoint):
            key = tuple(attrs.get(label) for label in by)
            sums[key] = sums.get(key, 0.0) + float(point.value)
    return sums


@dataclass
class Buckets:
    """A histogram's points merged: bucket counts over shared bounds, count and sum."""

    bounds: tuple[float, ...]
    counts: list[int]
    total: int = 0
    sum: float = 0.0

    def add(self, point: HistogramDataPoint) -> None:
        """Merge one point (same bounds) into these buckets."""
        if tuple(point.explicit_bounds) != self.bounds:
            raise ValueError("histogram points with different bucket bounds")
        self.counts = [a + b for a, b in zip(self.counts, point.bucket_counts, strict=True)]
        self.total += point.count
        self.sum += point.sum

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile, estimated as Prometheus' ``histogram_quantile`` does.

        The bucket holding the rank is found and the value interpolated linearly inside it
        (from 0 for the first bucket); a rank in the +Inf bucket gives the highest finite
        bound. So the estimate is only as fine as the buckets.
        """
        if self.total == 0:
            return None
        rank = q * self.total
        seen = 0
        for index, count in enumerate(self.counts):
            if seen + count >= rank and count > 0:
                if index == len(self.bounds):
                    return self.bounds[-1]
                lower = 0.0 if index == 0 else self.bounds[index - 1]
                upper = self.bounds[index]
                return lower + (upper - lower) * (rank - seen) / count
            seen += count
        return self.bounds[-1] if self.bounds else None

    def share_at_most(self, bound: float) -> float | None:
        """The share of observations at most ``bound`` (a bucket bound), None when empty."""
        if self.total == 0 or bound not in self.bounds:
            return None
        return sum(self.counts[: self.bounds.index(bound) + 1]) / self.total


def histograms(
    data: MetricsData | None,
    name: str,
    by: Sequence[str],
    where: Mapping[str, Any] | None = None,
) -> dict[tuple[Any, ...], Buckets]:
    """A histogram's points merged by the attributes ``by``, optionally filtered."""
    merged: dict[tuple[Any, ...], Buckets] = {}
    for attrs, point in points(data, name):
        if not isinstance(point, HistogramDataPoint):
            continue
        if where and any(attrs.get(k) != v for k, v in where.items()):
            continue
        key = tuple(attrs.get(label) for label in by)
        buckets = merged.get(key)
        if buckets is None:
            bounds = tuple(point.explicit_bounds)
            buckets = merged[key] = Buckets(bounds, [0] * (len(bounds) + 1))
        buckets.add(point)
    return merged


def gauge_value(data: MetricsData | None, name: str) -> float | None:
    """The value of a gauge (the last of its points), if it was recorded."""
    value = None
    for _, point in points(data, name):
        if isinstance(point, NumberDataPoint):
            value = float(point.value)
    return value
