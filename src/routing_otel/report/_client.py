"""A small client of Prometheus's HTTP API (stdlib ``urllib``): queries, alerts, rules, exemplars.

Every failure becomes a `PrometheusError` with a message a user can act on: the server
cannot be reached, answers something that is not Prometheus's API, or rejects a query.
"""

from __future__ import annotations

import http.client
import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT_S = 30.0


class PrometheusError(Exception):
    """Prometheus could not answer: the message says why, in one line."""


class PrometheusUnreachableError(PrometheusError):
    """Nothing answered at the URL (connection refused, unknown host, timeout)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One series of an instant-query result: its labels and value (NaN kept as NaN)."""

    labels: dict[str, str]
    value: float

    def label(self, name: str) -> str | None:
        """The label's value, None when the series does not carry it (or it is empty)."""
        return self.labels.get(name) or None


class Prometheus:
    """Prometheus's HTTP API at ``url`` (the base URL, as in ``http://prometheus:9090``)."""

    def __init__(self, url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        """Talk to the server at ``url``, waiting at most ``timeout_s`` for each answer."""
        self.url = url.rstrip("/")
        self._timeout_s = timeout_s

    def api(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET ``/api/v1/{path}`` and return its ``data``, or raise `PrometheusError`."""
        url = f"{self.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - the user's URL, checked to be http(s)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            body = _json(raw)
            if not isinstance(body, dict) or "error" not in body:
                raise PrometheusError(
                    f"{self.url} answered HTTP {error.code} to /api/v1/{path}: is it the base "
                    "URL of a Prometheus server?"
                ) from None
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
            reason = getattr(error, "reason", error)
            raise PrometheusUnreachableError(
                f"cannot reach Prometheus at {self.url}: {reason}"
            ) from None
        body = _json(raw)
        if not isinstance(body, dict) or "status" not in body:
            raise PrometheusError(
                f"{self.url}/api/v1/{path} did not answer as Prometheus's API does: is it the "
                "base URL of a Prometheus server?"
            )
        if body["status"] != "success":
            raise PrometheusError(
                f"Prometheus rejected /api/v1/{path}: {body.get('errorType', 'error')}: "
                f"{body.get('error', 'no reason given')}"
            )
        return body.get("data")

    def query(self, expr: str, at: float) -> list[Sample]:
        """An instant query evaluated at Unix time ``at``: its series (a scalar as one)."""
        data = self.api("query", {"query": expr, "time": f"{at:.3f}"})
        if data["resultType"] == "scalar":
            return [Sample({}, float(data["result"][1]))]
        return [Sample(dict(s["metric"]), float(s["value"][1])) for s in data["result"]]

    def value(self, expr: str, at: float) -> float | None:
        """The single number an aggregating query returns; None when empty or NaN."""
        samples = self.query(expr, at)
        if not samples or math.isnan(samples[0].value):
            return None
        return samples[0].value

    def exemplars(self, expr: str, start: float, end: float) -> list[dict[str, Any]]:
        """``/api/v1/query_exemplars``: series labels with their exemplars, in a time range."""
        data = self.api(
            "query_exemplars", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}"}
        )
        return list(data or [])

    def alerts(self) -> list[dict[str, Any]]:
        """``/api/v1/alerts``: every pending or firing alert now."""
        return list(self.api("alerts").get("alerts", []))

    def rule_names(self) -> set[str]:
        """The names of every recording and alerting rule the server has loaded."""
        groups = self.api("rules").get("groups", [])
        return {rule["name"] for group in groups for rule in group.get("rules", [])}

    def metric_names(self) -> set[str]:
        """Every metric name the server holds (at any time)."""
        return set(self.api("label/__name__/values") or [])


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
