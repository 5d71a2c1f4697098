"""The demo's command line: flags, their checks, and the settings they make.

Every mistake is a clear argparse error (exit status 2), never a traceback: a bad number, an
OTLP protocol we do not speak, ``--target`` without an API key in the environment.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from routing_otel.cli.argtypes import Parser, positive, url

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

OutputFormat = Literal["auto", "rich", "text", "json"]
OtlpProtocol = Literal["http/protobuf", "grpc"]
OTLP_PROTOCOLS: tuple[OtlpProtocol, ...] = get_args(OtlpProtocol)
ENV_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
ENV_OTLP_PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL"
DEFAULT_DURATION_S = 60.0
DEFAULT_CONCURRENCY = 8
DEFAULT_SEED = 7
DEFAULT_KEY_ENV = "EDENAI_API_KEY"
MAX_CONCURRENCY = 128  # threads; Eden AI's default account limit is about 10 requests/s

DESCRIPTION = """\
Run the workload of Eden AI's router guides (tiered routing, budget tiers, use-case pools,
a multi-turn conversation, tool calling, cached decisions, a parallel async batch and a
fallback storm) against the built-in Eden AI emulator, observed by routing-otel with one
line, and print a report read from the metrics it produced. No key, no network.
"""
EPILOG = """\
where the telemetry can go:
  OTEL_EXPORTER_OTLP_ENDPOINT (or --otlp) also sends traces and metrics over OTLP, e.g. to
  the Collector of dashboards/otel-collector.yaml; --prometheus-port serves the metrics
  for a Prometheus scrape, so the shipped Grafana dashboards work against a live demo.

examples:
  routing-otel demo                              about a minute, report on the terminal
  routing-otel demo --requests 100 --seed 3      a fixed, reproducible amount of work
  routing-otel demo --format json > report.json
  routing-otel demo --otlp http://localhost:4317 --otlp-protocol grpc
  routing-otel demo --prometheus-port 9464 --linger 300
  routing-otel demo --target https://api.edenai.run/v3/llm --requests 20   (costs money)
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What one demo run does, as the command line (and the environment) asked."""

    duration_s: float | None = DEFAULT_DURATION_S  # None when a number of calls is given
    requests: int | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    seed: int = DEFAULT_SEED
    fast: bool = False
    output_format: OutputFormat = "auto"
    progress: bool = True
    otlp_endpoint: str | None = None
    otlp_protocol: OtlpProtocol = "http/protobuf"
    prometheus_port: int | None = None
    prometheus_addr: str = "127.0.0.1"
    linger_s: float = 0.0
    budget_usd: float | None = None
    target: str | None = None
    api_key_env: str = DEFAULT_KEY_ENV
    api_key: str | None = None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _concurrency(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"at most {MAX_CONCURRENCY}, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than a day, got {text}")
    return value


def _non_negative_seconds(text: str) -> float:
    return 0.0 if text.strip() in {"0", "0.0"} else _seconds(text)


def _usd(text: str) -> float:
    return positive(text, "an amount in USD")


def build_parser() -> argparse.ArgumentParser:
    """The ``routing-otel demo`` argument parser."""
    parser = Parser(
        prog="routing-otel demo",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    work = parser.add_argument_group("how much work")
    amount = work.add_mutually_exclusive_group()
    amount.add_argument(
        "--duration",
        type=_seconds,
        metavar="SECONDS",
        help=f"run the workload for this long (default {DEFAULT_DURATION_S:.0f})",
    )
    amount.add_argument(
        "--requests",
        type=_positive_int,
        metavar="N",
        help="run exactly N planned calls instead (fallbacks add a few)",
    )
    work.add_argument(
        "--concurrency",
        type=_concurrency,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"simultaneous workers, like users of an app (default {DEFAULT_CONCURRENCY})",
    )
    work.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seeds the workload mix, the outage window and the emulator (default "
        f"{DEFAULT_SEED}): the same seed plans the same run",
    )
    work.add_argument(
        "--budget-usd",
        type=_usd,
        metavar="USD",
        help="the daily budget of the budget-aware router and of the llm.router.budget.limit "
        "gauge (default: sized to the run, so the router steps down its tiers)",
    )
    work.add_argument(
        "--fast",
        action="store_true",
        help="emulator delays of a few milliseconds instead of realistic ones (tests)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        dest="output_format",
        choices=get_args(OutputFormat),
        default="auto",
        help="report format; auto: rich tables on a terminal, plain text otherwise",
    )
    output.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    export = parser.add_argument_group("export")
    export.add_argument(
        "--otlp",
        type=url,
        metavar="URL",
        help=f"also export traces and metrics over OTLP to this endpoint (default: "
        f"${ENV_OTLP_ENDPOINT}, else none)",
    )
    export.add_argument(
        "--otlp-protocol",
        choices=OTLP_PROTOCOLS,
        help=f"OTLP transport (default: ${ENV_OTLP_PROTOCOL}, else http/protobuf)",
    )
    export.add_argument(
        "--prometheus-port",
        type=_port,
        metavar="PORT",
        help="serve the metrics at http://ADDR:PORT/metrics for Prometheus (0: any free port)",
    )
    export.add_argument(
        "--prometheus-addr",
        default="127.0.0.1",
        metavar="ADDR",
        help="address to serve them on (default 127.0.0.1; 0.0.0.0 for a containerised Prometheus)",
    )
    export.add_argument(
        "--linger",
        type=_non_negative_seconds,
        default=0.0,
        metavar="SECONDS",
        help="after the report, keep serving metrics this long (or until Ctrl-C), so "
        "Prometheus scrapes the final values",
    )
    target = parser.add_argument_group("a real Eden AI endpoint instead of the emulator")
    target.add_argument(
        "--target",
        type=url,
        metavar="URL",
        help="run the same workload against this API base URL, e.g. "
        "https://api.edenai.run/v3/llm (real calls cost real money)",
    )
    target.add_argument(
        "--api-key-env",
        default=DEFAULT_KEY_ENV,
        metavar="NAME",
        help=f"environment variable holding the API key for --target (default {DEFAULT_KEY_ENV})",
    )
    return parser


def parse(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Settings:
    """Parse ``argv`` into settings; raises :class:`ArgsExit` on ``--help`` or an error."""
    env = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(list(argv))
    otlp = args.otlp
    if otlp is None and (from_env := env.get(ENV_OTLP_ENDPOINT, "").strip()):
        try:
            otlp = url(from_env)
        except argparse.ArgumentTypeError as error:
            parser.error(f"${ENV_OTLP_ENDPOINT}: {error}")
    protocol = args.otlp_protocol
    if protocol is None:
        protocol = env.get(ENV_OTLP_PROTOCOL, "").strip() or "http/protobuf"
        if protocol not in OTLP_PROTOCOLS:
            parser.error(
                f"${ENV_OTLP_PROTOCOL}={protocol!r}: the demo speaks {' and '.join(OTLP_PROTOCOLS)}"
            )
    api_key = None
    if args.target is not None:
        if args.fast:
            parser.error("--fast changes the emulator's timings; it has no effect with --target")
        api_key = env.get(args.api_key_env, "").strip()
        if not api_key:
            parser.error(
                f"--target needs an API key: set ${args.api_key_env} (or name another "
                "variable with --api-key-env)"
            )
    if args.linger and args.prometheus_port is None:
        parser.error("--linger keeps the Prometheus endpoint up: use it with --prometheus-port")
    duration = None if args.requests is not None else (args.duration or DEFAULT_DURATION_S)
    return Settings(
        duration_s=duration,
        requests=args.requests,
        concurrency=args.concurrency,
        seed=args.seed,
        fast=args.fast,
        output_format=args.output_format,
        progress=args.progress,
        otlp_endpoint=otlp,
        otlp_protocol=protocol,  # checked against OTLP_PROTOCOLS
        prometheus_port=args.prometheus_port,
        prometheus_addr=args.prometheus_addr,
        linger_s=args.linger,
        budget_usd=args.budget_usd,
        target=args.target,
        api_key_env=args.api_key_env,
        api_key=api_key,
    )
