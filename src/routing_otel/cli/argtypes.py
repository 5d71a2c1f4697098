"""What the subcommands' argument parsers share: exits that return a status, value types."""

from __future__ import annotations

import argparse
from typing import NoReturn
from urllib.parse import urlsplit


class ArgsExit(Exception):  # noqa: N818 - a control-flow signal, like SystemExit
    """Parsing ended (``--help`` or an error) with this exit status."""

    def __init__(self, status: int) -> None:
        """Remember the exit status."""
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    """An argparse parser that reports errors by raising, so ``main`` returns a status."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Print ``message`` and stop parsing with ``status``, without leaving the process."""
        if message:
            self._print_message(message)
        raise ArgsExit(status)


def positive(text: str, what: str = "a number") -> float:
    """A number more than 0 (``what`` names it in the error: "an amount in USD")."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def url(text: str) -> str:
    """An http:// or https:// URL, without a trailing slash."""
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, got {text!r}")
    return text.rstrip("/")
