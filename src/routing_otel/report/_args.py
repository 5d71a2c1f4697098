"""``routing-otel report``'s command line: flags, their checks, and the settings they make.

Every mistake is a clear argparse error (exit status 2), never a traceback.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from routing_otel.cli.argtypes import Parser, positive, url
from routing_otel.report._checks import Limits
from routing_otel.report._thresholds import DEFAULT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing_otel.report._render import Format

DEFAULT_SINCE = "1h"
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "rich")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

DESCRIPTION = """\
The demo's report (routing latency, time to first chunk, the models each pool gets, cost,
savings, budget, fallbacks, errors, the slowest calls) for every process exporting to a
Prometheus, over a time range, read from Prometheus's HTTP API. Alerts of the shipped rules
that are pending or firing head it. With --check it is a canary: exit 1 when a threshold
(by default the shipped alert rules') is crossed.
"""
EPILOG = f"""\
exit status:
  0 the report was printed (and with --check, no threshold was crossed)
  1 --check: a threshold was crossed (each is named on stderr)
  2 bad flags
  3 Prometheus cannot be reached, or rejected a query
  4 Prometheus holds no routing-otel calls for that range (or service)

examples:
  routing-otel report --prometheus http://localhost:9090
  routing-otel report --prometheus http://prometheus:9090 --since 24h --service checkout
  routing-otel report --prometheus URL --from 2026-12-07T09:00Z --to 2026-12-07T17:00Z
  routing-otel report --prometheus URL --format markdown >> "$GITHUB_STEP_SUMMARY"
  routing-otel report --prometheus URL --since 15m --check --max-routing-p95 800ms

The JSON schema (--format json) is documented in docs/report.md. The defaults of --check are
the alert thresholds: routing p95 {DEFAULT.routing_latency_p95_s:g}s, error ratio
{DEFAULT.error_ratio:g}, fallback ratio {DEFAULT.fallback_ratio:g}, first chunk within
{DEFAULT.ttft_target_s:g}s for {DEFAULT.ttft_objective:g} of calls, budget pace
{DEFAULT.budget_pace_factor:g}.
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What one report asks for."""

    prometheus: str
    end: float  # Unix seconds
    range_s: int
    service: str | None
    output_format: Format
    timeout_s: float
    check: bool
    limits: Limits


def duration_s(text: str) -> float:
    """A duration as Prometheus writes it (``90s``, ``15m``, ``1h30m``, ``800ms``) in seconds.

    A bare number is seconds.
    """
    spelled = text.strip()
    try:
        value = float(spelled)
    except ValueError:
        parts = _DURATION.findall(spelled)
        if not parts or "".join(n + u for n, u in parts) != spelled:
            raise argparse.ArgumentTypeError(
                f"expected a duration such as 90s, 15m, 1h or 800ms, got {text!r}"
            ) from None
        value = sum(float(n) * _UNIT_S[u] for n, u in parts)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text!r}")
    return value


def instant(text: str) -> float:
    """A time as Unix seconds: RFC 3339 / ISO 8601 (UTC unless it says otherwise) or a number."""
    spelled = text.strip()
    try:
        return float(spelled)
    except ValueError:
        pass
    iso = spelled[:-1] + "+00:00" if spelled.endswith(("Z", "z")) else spelled
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time such as 2026-12-07T09:00:00Z or Unix seconds, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a ratio is from 0 to 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``routing-otel report`` argument parser."""
    parser = Parser(
        prog="routing-otel report",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--prometheus",
        required=True,
        type=url,
        metavar="URL",
        help="base URL of the Prometheus server, e.g. http://localhost:9090",
    )
    span = parser.add_argument_group("time range (default: the last hour)")
    start = span.add_mutually_exclusive_group()
    start.add_argument(
        "--since",
        type=duration_s,
        metavar="DURATION",
        help=f"the range ends at --to (default now) and lasts this long (default {DEFAULT_SINCE})",
    )
    start.add_argument("--from", dest="start", type=instant, metavar="TIME", help="range start")
    span.add_argument(
        "--to", dest="end", type=instant, metavar="TIME", help="range end (default: now)"
    )
    parser.add_argument("--service", metavar="NAME", help="only this service (job label)")
    parser.add_argument(
        "--format",
        dest="output_format",
        choices=FORMATS,
        default="text",
        help="text (default), markdown, json (docs/report.md), or rich tables",
    )
    parser.add_argument(
        "--timeout",
        type=duration_s,
        default=30.0,
        metavar="DURATION",
        help="how long to wait for each answer of Prometheus (default 30s)",
    )
    checks = parser.add_argument_group("--check: exit 1 when a threshold is crossed")
    checks.add_argument("--check", action="store_true", help="check the thresholds below")
    limits = Limits()
    checks.add_argument(
        "--max-routing-p95",
        type=duration_s,
        default=limits.max_routing_p95_s,
        metavar="DURATION",
        help=f"routing latency p95 (default {DEFAULT.routing_latency_p95_s:g}s)",
    )
    for flag, default, what in (
        ("--max-error-ratio", limits.max_error_ratio, "share of failed calls"),
        ("--max-fallback-ratio", limits.max_fallback_ratio, "fallbacks per call, per layer"),
        (
            "--min-ttft-good-ratio",
            limits.min_ttft_good_ratio,
            f"share of first chunks within {DEFAULT.ttft_target_s:g}s",
        ),
    ):
        checks.add_argument(
            flag, type=_ratio, default=default, metavar="RATIO", help=f"{what} (default {default})"
        )
    checks.add_argument(
        "--max-budget-pace",
        type=positive,
        default=limits.max_budget_pace,
        metavar="FACTOR",
        help="spend over the range against the daily budget's pace (default "
        f"{limits.max_budget_pace:g}; only with a llm.router.budget.limit)",
    )
    checks.add_argument(
        "--max-cost-per-request",
        type=positive,
        metavar="USD",
        help="cost per successful call (default: not checked)",
    )
    checks.add_argument(
        "--min-request-rate",
        type=float,
        default=limits.min_request_rate,
        metavar="PER_S",
        help="ratios are not judged below this many calls per second, as in the alerts "
        f"(default {limits.min_request_rate:g})",
    )
    return parser


def parse(argv: Sequence[str], now: float | None = None) -> Settings:
    """Parse ``argv``; raises `ArgsExit` on ``--help`` or an error."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    end = args.end if args.end is not None else (time.time() if now is None else now)
    if args.start is not None:
        if args.start >= end:
            parser.error("--from must be before --to (or now)")
        range_s = end - args.start
    else:
        range_s = args.since if args.since is not None else duration_s(DEFAULT_SINCE)
    if range_s < 1:
        parser.error("the range must last at least 1s")
    return Settings(
        prometheus=args.prometheus,
        end=end,
        range_s=round(range_s),
        service=args.service,
        output_format=args.output_format,
        timeout_s=args.timeout,
        check=args.check,
        limits=Limits(
            max_routing_p95_s=args.max_routing_p95,
            max_error_ratio=args.max_error_ratio,
            max_fallback_ratio=args.max_fallback_ratio,
            min_ttft_good_ratio=args.min_ttft_good_ratio,
            max_budget_pace=args.max_budget_pace,
            max_cost_per_request_usd=args.max_cost_per_request,
            min_request_rate=args.min_request_rate,
        ),
    )
