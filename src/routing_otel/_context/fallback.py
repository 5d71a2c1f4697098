"""Seeing client-side fallbacks: a routed call fails, then the app asks a fixed model.

That is the guides' ``ResilientRouter`` / ``chat_with_fallback``: try ``@edenai``, and on any
error send the same message to ``openai/gpt-4o``. Nothing on the wire links the two calls,
so we link them by where they happen: in the same ``observe`` scope (any time within it),
or, without a scope, in the same thread or asyncio task within a short window.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from routing_otel._options import DEFAULT_WINDOW_S

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel._context.scope import Scope
    from routing_otel._wire.request import ChatRequest

_MAX_TRACKED = 4096  # threads/tasks remembered at once; the oldest are forgotten first


@dataclass(frozen=True, slots=True)
class Fallback:
    """A call that serves after a routed call failed."""

    from_model: str
    reason: str


def _place() -> tuple[int, int]:
    """The current thread and asyncio task (0 outside a task)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running event loop in this thread
        task = None
    return threading.get_ident(), id(task) if task is not None else 0


class FallbackTracker:
    """Remembers failed routed calls and recognises the fixed-model call that follows."""

    def __init__(
        self, window_s: float = DEFAULT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Link calls in the same thread or task when at most ``window_s`` apart."""
        self._window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[tuple[int, int], tuple[float, str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def starting(self, request: ChatRequest, scope: Scope | None) -> Fallback | None:
        """The fallback this call is, if it follows a failed routed call."""
        if request.routed or request.model is None:
            return None
        if scope is not None:
            failure = scope.state.routed_failures.pop(_place(), None)
            return None if failure is None else Fallback(*failure)
        with self._lock:
            entry = self._failures.pop(_place(), None)
        if entry is None or self._clock() - entry[0] > self._window_s:
            return None
        return Fallback(entry[1], entry[2])

    def finished(self, request: ChatRequest, error_type: str | None, scope: Scope | None) -> None:
        """Remember a routed call's failure (a success forgets any earlier one)."""
        if not request.routed or request.model is None:
            return
        failure = None if error_type is None else (request.model, error_type)
        place = _place()
        if scope is not None:
            failures = scope.state.routed_failures
            failures.pop(place, None)
            if failure is not None:
                failures[place] = failure
                while len(failures) > _MAX_TRACKED:  # a long-lived scope stays bounded
                    failures.pop(next(iter(failures)), None)
            return
        with self._lock:
            self._failures.pop(place, None)
            if failure is not None:
                self._failures[place] = (self._clock(), *failure)
                while len(self._failures) > _MAX_TRACKED:
                    self._failures.popitem(last=False)
