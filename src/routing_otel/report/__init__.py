"""``routing-otel report``: the demo's report for a whole fleet, read from Prometheus.

The library never imports this package.
"""

from __future__ import annotations
