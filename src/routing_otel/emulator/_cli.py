"""The command line: `python -m routing_otel.emulator` and `routing-otel emulator`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing_otel.emulator._config import (
    DEFAULT_PORT,
    MODEL_SPELLINGS,
    SSE_QUIRKS,
    USAGE_SHAPES,
    EmulatorConfig,
    Fault,
)
from routing_otel.emulator._server import Emulator

if TYPE_CHECKING:
    from collections.abc import Sequence


def _range_ms(text: str) -> tuple[float, float]:
    """`MIN,MAX` or a single value, in milliseconds, to seconds."""
    try:
        parts = [float(part) / 1000 for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected MIN,MAX in milliseconds, got {text!r}"
        ) from None
    if len(parts) == 1:
        parts *= 2
    if len(parts) != 2 or not 0 <= parts[0] <= parts[1]:
        raise argparse.ArgumentTypeError(f"expected 0 <= MIN <= MAX, got {text!r}")
    return parts[0], parts[1]


def _quirks(text: str) -> frozenset[str]:
    quirks = frozenset(q.strip() for q in text.split(",") if q.strip())
    if not quirks <= set(SSE_QUIRKS):
        raise argparse.ArgumentTypeError(f"SSE quirks are taken from {', '.join(SSE_QUIRKS)}")
    return quirks


def _fault(text: str) -> tuple[Fault, float | None]:
    name, _, value = text.partition("=")
    try:
        return Fault(name.strip().lower().replace("-", "_")), float(value) if value else None
    except ValueError:
        known = ", ".join(f.value for f in Fault)
        raise argparse.ArgumentTypeError(f"bad fault {text!r}; known faults: {known}") from None


DOCS_URL = "https://github.com/routing-otel/routing-otel/blob/main/docs/emulator.md"


def invoked_as(argv0: str | None = None) -> str:
    """The command the user typed: ``python -m routing_otel.emulator`` or the installed one."""
    script = Path(sys.argv[0] if argv0 is None else argv0).name
    return "python -m routing_otel.emulator" if script == "__main__.py" else "routing-otel emulator"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser (public so a host CLI can reuse its help)."""
    parser = argparse.ArgumentParser(
        prog=prog or invoked_as(),
        description="Serve an emulation of Eden AI's V3 LLM API on loopback.",
        epilog="Point a client at the printed URL with any sk-eden-... key. Faults per request:"
        " the x-emulator-fault header (same names as --fault). Guide: " + DOCS_URL,
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port; 0 picks a free one (default: %(default)s)",
    )
    add(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of routing choices and generated text",
    )
    add(
        "--routing-delay-ms",
        type=_range_ms,
        metavar="MIN,MAX",
        default="100,500",
        help="routing delay of @edenai requests, in ms (default: 100,500)",
    )
    add(
        "--timing-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiplier of every model's time to first token and token interval",
    )
    add("--ttft-ms", type=float, metavar="MS", help="time to first token of every model")
    add("--tokens-per-s", type=float, metavar="N", help="token rate of every model")
    add("--instant", action="store_true", help="no delays at all (benchmarks)")
    add(
        "--model-spelling",
        choices=MODEL_SPELLINGS,
        default="provider/model",
        help="how responses name the model (default: %(default)s)",
    )
    add(
        "--stream-model-spelling",
        choices=MODEL_SPELLINGS,
        help="how stream chunks name the model (default: as --model-spelling)",
    )
    add(
        "--usage-shape",
        choices=USAGE_SHAPES,
        default="eden",
        help="shape of the final usage chunk (default: %(default)s)",
    )
    add(
        "--sse-quirks",
        metavar="Q,...",
        type=_quirks,
        default=frozenset(),
        help=f"undocumented but legal SSE to send, from {','.join(SSE_QUIRKS)}",
    )
    add(
        "--default-candidates",
        metavar="A,B,...",
        help="candidate pool of @edenai requests without router_candidates",
    )
    add(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable; default: any sk-eden-... key)",
    )
    add("--gzip", action="store_true", help="gzip responses when the client accepts it")
    add("--discount", type=float, default=0.0, metavar="D", help="account discount, 0 to 1")
    add(
        "--unknown-model-status",
        type=int,
        choices=(400, 404),
        default=400,
        help="status of 'Model(s) not found or inactive' (default: %(default)s)",
    )
    add(
        "--prompt-cache-min-tokens",
        type=int,
        default=1024,
        metavar="N",
        help="shortest prompt prefix that gets cached (default: %(default)s)",
    )
    add(
        "--slow-first-token-ms",
        type=float,
        default=2000.0,
        metavar="MS",
        help="extra delay of the slow_first_token fault without a value (default: 2000)",
    )
    add(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="apply a fault to every request it can affect (repeatable)",
    )
    add("--router-down", action="store_true", help="answer every @edenai request with 503")
    return parser  # fmt: skip


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    """Turn parsed arguments into a configuration."""
    fields: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "seed": args.seed,
        "routing_delay_s": args.routing_delay_ms,
        "timing_scale": args.timing_scale,
        "model_spelling": args.model_spelling,
        "stream_model_spelling": args.stream_model_spelling,
        "usage_shape": args.usage_shape,
        "sse_quirks": args.sse_quirks,
        "gzip": args.gzip,
        "discount": args.discount,
        "unknown_model_status": args.unknown_model_status,
        "prompt_cache_min_tokens": args.prompt_cache_min_tokens,
        "slow_first_token_s": args.slow_first_token_ms / 1000,
    }
    if args.ttft_ms is not None:
        fields["ttft_s"] = args.ttft_ms / 1000
    if args.tokens_per_s is not None:
        fields["tokens_per_s"] = args.tokens_per_s
    if args.default_candidates:
        fields["default_candidates"] = tuple(args.default_candidates.split(","))
    if args.api_keys:
        fields["api_keys"] = frozenset(args.api_keys)
    if args.instant:
        fields.update(routing_delay_s=(0.0, 0.0), timing_scale=0.0, tokens_per_s=math.inf)
        fields.pop("ttft_s", None)
    return EmulatorConfig(**fields)


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run the emulator until interrupted; print its base URL on stdout first.

    `prog` names the command in help and errors (a host CLI passes its own).
    """
    args = build_parser(prog).parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    emulator = Emulator(config)
    for fault, value in args.fault:
        emulator.inject(fault, times=None, value=value)
    if args.router_down:
        emulator.router_down()
    try:
        asyncio.run(_serve(emulator))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # typically: the port is taken
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


async def _serve(emulator: Emulator) -> None:
    async with emulator:
        sys.stdout.write(emulator.base_url + "\n")
        sys.stdout.flush()
        sys.stderr.write(
            f"Eden AI emulator listening on {emulator.base_url} "
            f"(older SDK base_url: {emulator.llm_base_url}); Ctrl-C stops it.\n"
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # e.g. on Windows
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
