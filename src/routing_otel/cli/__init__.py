"""The ``routing-otel`` command line: ``demo``, ``emulator``, ``prices`` and ``report``.

Subcommands import their modules lazily, so ``routing-otel emulator`` does not load
OpenTelemetry and the library never depends on this module.
"""

from __future__ import annotations

import sys

_USAGE = """usage: routing-otel COMMAND [ARGS]

commands:
  demo       run the router guides' workload on the built-in emulator and report its telemetry
  emulator   serve the Eden AI emulator on loopback (routing-otel emulator --help)
  prices     pull Eden AI's model prices into a file the library loads, or show one
  report     the demo's report for every process exporting to a Prometheus (docs/report.md)

Run 'routing-otel COMMAND --help' for a command's options.
"""


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand; returns the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(_USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "emulator":
        from routing_otel import emulator  # noqa: PLC0415 - lazy on purpose

        return emulator.main(rest)
    if command == "prices":
        from routing_otel.cli import prices as _prices_cli  # noqa: PLC0415 - lazy on purpose

        return _prices_cli.main(rest)
    if command == "report":
        from routing_otel import report  # noqa: PLC0415 - lazy on purpose

        return report.main(rest)
    if command == "demo":
        from routing_otel import demo  # noqa: PLC0415 - lazy on purpose

        return demo.main(rest)
    sys.stderr.write(f"routing-otel: unknown command {command!r}\n\n{_USAGE}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
