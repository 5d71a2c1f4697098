"""The one guard every piece of telemetry code runs behind.

Telemetry must never break the app: in production an internal error is logged (once per
place, so a bug cannot flood the log) and swallowed. In our own test suite the guard
re-raises, so bugs are caught there and never reach users (the approach Logfire takes).
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

logger = logging.getLogger("routing_otel")

_P = ParamSpec("_P")
_R = TypeVar("_R")
_D = TypeVar("_D")

_STRICT_ENV = "ROUTING_OTEL_STRICT"
_strict = os.environ.get(_STRICT_ENV, "") == "1"
_reported: set[str] = set()


def set_strict(*, strict: bool) -> bool:
    """Make internal errors raise (tests) or be logged and swallowed (production).

    Returns the previous setting so a test can restore it.
    """
    global _strict  # noqa: PLW0603 - one process-wide switch, set by the test suite
    previous = _strict
    _strict = strict
    return previous


def is_strict() -> bool:
    """Whether internal errors raise instead of being swallowed."""
    return _strict


def report(where: str, exc: BaseException) -> None:
    """Handle an internal error caught by hand: raise it in tests, log it once otherwise."""
    _report(where, exc)


def _report(where: str, exc: BaseException) -> None:
    if _strict:
        raise exc
    # Never the exception's text nor its traceback object: either may carry the request
    # (a prompt, an API key in a body, a URL's query string) into the app's logs.
    if where not in _reported:
        _reported.add(where)
        logger.warning(
            "routing-otel: internal error in %s (%s at %s); telemetry for this call may be "
            "incomplete, the app is unaffected",
            where,
            type(exc).__qualname__,
            _origin(exc),
        )
    else:
        logger.debug("routing-otel: internal error in %s (%s)", where, type(exc).__qualname__)


def _origin(exc: BaseException) -> str:
    """Where the exception was raised: the innermost frame's file (base name) and line."""
    tb = exc.__traceback__
    if tb is None:
        return "unknown"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"


class guard:  # noqa: N801 - a context manager used like the function it replaced
    """Run a block of telemetry code; an internal error never leaves it in production.

    A class, not a generator context manager: several blocks of every call run behind it,
    and this costs a third as much.
    """

    __slots__ = ("_where",)

    def __init__(self, where: str) -> None:
        """Guard the block as ``where`` (named in the log line if it fails)."""
        self._where = where

    def __enter__(self) -> None:
        """Nothing to set up."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        """Swallow (after logging it) an internal error; let anything else pass."""
        if isinstance(exc, Exception):
            _report(self._where, exc)  # raises it again in strict mode (our tests)
            return True
        return False


def guarded(default: _D) -> Callable[[Callable[_P, _R]], Callable[_P, _R | _D]]:
    """Decorate a telemetry function so that an internal error returns ``default``."""

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R | _D]:
        where = func.__qualname__

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R | _D:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                _report(where, exc)
                return default

        return wrapper

    return decorate
