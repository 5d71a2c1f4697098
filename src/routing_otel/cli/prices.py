"""``routing-otel prices pull|show``: fetch Eden AI's price catalogue, and look prices up.

``pull`` reads the public ``/v3/models`` catalogue (no API key needed) and writes it,
atomically, where the library looks for it (:func:`default_prices_path`). ``show`` prints
what a model name resolves to, and which source priced it (the user's price file,
genai-prices, or the built-in table: see ``_cost/sources.py``). Failures are one line on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Final

from routing_otel._cost.prices import (
    PRICES_FILE_ENV,
    PriceFileError,
    PriceTable,
    default_prices_path,
    parse_catalogue,
)
from routing_otel._cost.sources import LIBRARY, Priced, PriceSources
from routing_otel._version import __version__

if TYPE_CHECKING:
    from routing_otel._cost.prices import ModelPrice

DEFAULT_BASE_URL: Final = "https://api.edenai.run/v3"
_MAX_BYTES: Final = 64 * 1024 * 1024  # Eden's catalogue is a few MB; refuse anything absurd
_PROG: Final = "routing-otel prices"


class _CommandError(Exception):
    """A failure worth one line to the user."""


def main(argv: list[str] | None = None) -> int:
    """Run ``prices pull`` or ``prices show``; returns the exit code (0, 1 failed, 2 usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:  # argparse exits on --help (0) and usage errors (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        if args.command == "pull":
            return _pull(args.url, args.output, args.api_key_env, args.timeout)
        return _show(args.model, args.provider, args.file)
    except (_CommandError, PriceFileError) as error:
        sys.stderr.write(f"{_PROG}: error: {error}\n")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG, description="Fetch Eden AI's model prices and look prices up."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    pull = commands.add_parser(
        "pull",
        help="fetch the /v3/models price catalogue into the file the library reads",
        description=f"GET BASE/models?view=models and write it to FILE (default: "
        f"${PRICES_FILE_ENV}, else $XDG_CONFIG_HOME/routing-otel/prices.json).",
    )
    pull.add_argument("--url", default=DEFAULT_BASE_URL, metavar="BASE", help="API base URL")
    pull.add_argument("--output", type=Path, metavar="FILE", help="where to write the prices")
    pull.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="send the key in this environment variable (the catalogue is public without one)",
    )
    pull.add_argument("--timeout", type=_positive, default=30.0, metavar="SECONDS")
    show = commands.add_parser(
        "show",
        help="print the price a model name resolves to (all models without one)",
        description="Print prices from the built-in table merged with the user's price file.",
    )
    show.add_argument("model", nargs="?", help="any spelling: openai/gpt-4o, gpt-4o-2024-08-06")
    show.add_argument("--provider", help="the provider, for a bare model name")
    show.add_argument("--file", type=Path, help="use this price file instead of the user's")
    return parser


def _positive(text: str) -> float:
    value = float(text)  # argparse turns the ValueError into a usage error
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _pull(base: str, output: Path | None, api_key_env: str | None, timeout: float) -> int:
    url = base.rstrip("/") + "/models?view=models"
    headers = {"Accept": "application/json", "User-Agent": f"routing-otel/{__version__}"}
    if api_key_env:
        key = os.environ.get(api_key_env, "").strip()
        if not key:
            raise _CommandError(f"--api-key-env {api_key_env}: that environment variable is empty")
        headers["Authorization"] = f"Bearer {key}"
    document = _fetch_json(url, headers, timeout)
    table = parse_catalogue(document, origin=url)  # refuse to write what we cannot read
    assert isinstance(document, dict)  # parse_catalogue checked it
    document["source"] = url
    document["as_of"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path = output if output is not None else default_prices_path()
    _write_atomically(path, json.dumps(document, indent=1) + "\n")
    sys.stdout.write(f"wrote {len(table)} models to {path}\n")
    if output is not None and path.resolve() != default_prices_path().resolve():
        sys.stdout.write(f"the library reads it when {PRICES_FILE_ENV}={path}\n")
    return 0


def _fetch_json(url: str, headers: dict[str, str], timeout: float) -> object:
    try:
        parts = urllib.parse.urlsplit(url)
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked below
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise _CommandError(f"{url}: not a valid URL: {error}") from error
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _CommandError(f"{url}: only http and https URLs can be pulled")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise _CommandError(f"{url} answered HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise _CommandError(f"cannot reach {url}: {error.reason}") from error
    except TimeoutError as error:
        raise _CommandError(f"{url} did not answer within {timeout:g} s") from error
    except (OSError, http.client.HTTPException) as error:
        raise _CommandError(f"{url}: the connection failed: {error!r}") from error
    if len(body) > _MAX_BYTES:
        raise _CommandError(f"{url} answered more than {_MAX_BYTES} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError as error:  # UnicodeDecodeError is a ValueError too
        raise _CommandError(f"{url} did not answer JSON: {error}") from error


def _write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        temporary = Path(name)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.chmod(0o644)  # mkstemp's 0600 would hide prices from a service account
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise _CommandError(f"cannot write {path}: {error.strerror or error}") from error


def _show(model: str | None, provider: str | None, file: Path | None) -> int:
    sources = PriceSources.for_file(file)
    if model is None:
        table = sources.table
        for model_id in sorted(table.entries):
            if table.entries[model_id].price is not None:
                sys.stdout.write(_summary_line(table, model_id))
        if sources.library is not None:
            sys.stdout.write(
                f"... and the models of {sources.library.origin}, asked before the built-in"
                " table: 'routing-otel prices show MODEL' looks one up\n"
            )
        return 0
    found = sources.find(model, provider)
    if found is None or found.entry.price is None:
        library = (
            sources.library.origin
            if sources.library
            else f"{LIBRARY} (not installed: pip install 'routing-otel[prices]')"
        )
        raise _CommandError(
            f"no price for {model!r}: not in your price file, {library} or the built-in table"
            f" (run 'routing-otel prices pull', or set {PRICES_FILE_ENV} to a price file)"
        )
    sys.stdout.write(_details(found, model))
    return 0


def _summary_line(table: PriceTable, model_id: str) -> str:
    price = table.entries[model_id].price
    assert price is not None
    return (
        f"{model_id:<40} in {_per_million(price.input):>9}  out {_per_million(price.output):>9}"
        f"  cache read {_per_million(price.cache_read):>9}"
        f"  cache write {_per_million(price.cache_write):>9}  per 1M tokens\n"
    )


def _details(found: Priced, asked: str) -> str:
    entry = found.entry
    price: ModelPrice | None = entry.price
    assert price is not None
    model_id = entry.id
    title = model_id if asked.strip().lower() == model_id else f"{model_id} (from {asked!r})"
    lines = [
        title,
        f"  input        {_per_million(price.input)} per 1M tokens",
        f"  output       {_per_million(price.output)} per 1M tokens",
        _cache_line("cache read ", price.cache_read, price.input),
        _cache_line("cache write", price.cache_write, price.input),
        f"  priced by    {found.source}",
        f"  from         {entry.origin}",
    ]
    if entry.note:
        lines.append(f"  source       {entry.note}")
    return "\n".join(lines) + "\n"


def _cache_line(label: str, value: float | None, input_price: float) -> str:
    if value is None:  # no cache price of its own: charged at the input price
        return f"  {label}  {_per_million(input_price)} per 1M tokens (the input price)"
    return f"  {label}  {_per_million(value)} per 1M tokens"


def _per_million(value: float | None) -> str:
    if value is None:
        return "= input"
    text = f"{value * 1e6:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"
