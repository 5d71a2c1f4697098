"""What the dashboard tests read: the committed dashboards and rules, as a user gets them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2] / "dashboards"
GRAFANA = ROOT / "grafana"
PROMETHEUS = ROOT / "prometheus"
RULE_FILES = (PROMETHEUS / "recording.yaml", PROMETHEUS / "alerts.yaml")
PROMTOOL_TESTS = sorted((PROMETHEUS / "tests").glob("*.yaml"))

# How a dashboard's template variables are filled in when a query is run outside Grafana.
SUBSTITUTIONS = {
    "$__rate_interval": "1m",
    "$__interval": "1d",
    "$__range": "1h",
    "$service": ".*",
    "$pool": ".*",
}


@dataclass(frozen=True, slots=True)
class Query:
    """One target of a dashboard panel."""

    dashboard: str
    panel: str
    ref: str
    datasource: str
    expr: str

    @property
    def id(self) -> str:
        """A readable test id."""
        return f"{self.dashboard}:{self.panel}:{self.ref}"


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One recording or alerting rule."""

    kind: str  # "record" or "alert"
    name: str
    expr: str
    rule: dict[str, Any]


def load_yaml(path: Path) -> Any:
    """Parse a YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dashboards() -> dict[str, dict[str, Any]]:
    """The committed dashboards, by file name."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in GRAFANA.glob("*.json")}


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The panels of a dashboard that are not rows."""
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def queries(datasource: str | None = "prometheus") -> list[Query]:
    """Every panel target of every committed dashboard (of one datasource type)."""
    found = []
    for dashboard in dashboards().values():
        for panel in panels(dashboard):
            kind = panel["datasource"]["type"]
            if datasource is not None and kind != datasource:
                continue
            for target in panel["targets"]:
                expr = target.get("expr") or target.get("query", "")
                found.append(Query(dashboard["uid"], panel["title"], target["refId"], kind, expr))
    return found


def rules() -> list[RuleEntry]:
    """Every rule of the committed rule files, recording rules first."""
    found = []
    for path in RULE_FILES:
        for group in load_yaml(path)["groups"]:
            for rule in group["rules"]:
                kind = "record" if "record" in rule else "alert"
                found.append(RuleEntry(kind, rule[kind], rule["expr"], rule))
    return found


def alerts() -> list[RuleEntry]:
    """The alerting rules."""
    return [r for r in rules() if r.kind == "alert"]


def substitute(expr: str) -> str:
    """Fill in the template variables (longest names first, so $__range is not $__r...)."""
    for variable in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace(variable, SUBSTITUTIONS[variable])
    assert "$" not in expr, f"unsubstituted template variable in {expr}"
    return expr
