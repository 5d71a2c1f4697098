"""Shared mutable state: injected faults and the record of received requests.

Tests touch this state from their own thread while the server runs in another, so every
access holds a lock. Nothing here blocks for long.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from routing_otel.emulator import _errors
from routing_otel.emulator._config import Fault

FAULT_HEADER = "x-emulator-fault"
_ROUTED_ONLY = frozenset({Fault.ROUTER_DOWN, Fault.ROUTER_SILENT_FAILURE})


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received, as it arrived."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # the parsed JSON body; None when there was none or it was not JSON
    peer: str = ""  # the client's "address:port"; one value per connection
    received_at: float = field(default_factory=time.time)


@dataclass(slots=True, eq=False)  # identity: two equal injections are still two
class _Injection:
    fault: Fault
    remaining: int | None  # None: until cleared
    value: float | None


def applies(fault: Fault, *, routed: bool) -> bool:
    """Whether a fault can affect a request (router faults need an `@edenai` request)."""
    return routed or fault not in _ROUTED_ONLY


class Scenario:
    """Injected faults (a FIFO queue) and the bounded record of requests."""

    def __init__(self, max_recorded: int) -> None:
        """Start with no faults and an empty record holding at most `max_recorded`."""
        self._lock = threading.Lock()
        self._queue: list[_Injection] = []
        self._requests: deque[RecordedRequest] = deque(maxlen=max_recorded)

    # --- faults -----------------------------------------------------------------------------
    def inject(self, fault: Fault, times: int | None, value: float | None) -> None:
        """Queue a fault for the next `times` requests it applies to (None: until cleared)."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for 'until cleared'")
        with self._lock:
            self._queue.append(_Injection(fault, times, value))

    def remove(self, fault: Fault | None = None) -> None:
        """Forget queued faults: all of them, or every entry of one kind."""
        with self._lock:
            self._queue = [i for i in self._queue if fault is not None and i.fault is not fault]

    def pending(self) -> list[tuple[Fault, int | None, float | None]]:
        """Return the queue: (fault, remaining requests or None, value), in order."""
        with self._lock:
            return [(i.fault, i.remaining, i.value) for i in self._queue]

    def take(self, *, routed: bool) -> dict[Fault, float | None]:
        """Faults for one request: every standing fault, plus the first counted one.

        Faults injected until cleared are switches that combine; counted ones are consumed
        one per request, in order. Only faults that can affect the request are considered.
        """
        faults: dict[Fault, float | None] = {}
        counted_taken = False
        with self._lock:
            for injection in list(self._queue):
                if not applies(injection.fault, routed=routed):
                    continue
                if injection.remaining is None:
                    faults.setdefault(injection.fault, injection.value)
                elif not counted_taken:
                    counted_taken = True
                    faults.setdefault(injection.fault, injection.value)
                    injection.remaining -= 1
                    if injection.remaining == 0:
                        self._queue.remove(injection)
        return faults

    # --- the record of requests ------------------------------------------------------------
    def record(self, request: RecordedRequest) -> None:
        """Remember a request (the oldest is forgotten when the record is full)."""
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        """Return a copy of the record, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._requests.clear()


def parse_fault_header(value: str) -> dict[Fault, float | None]:
    """Parse `x-emulator-fault: name[=value], ...` (names as in `Fault`, case-insensitive)."""
    faults: dict[Fault, float | None] = {}
    for item in value.split(","):
        name, sep, raw = item.strip().partition("=")
        if not name:
            continue
        try:
            fault = Fault(name.strip().lower().replace("-", "_"))
        except ValueError:
            known = ", ".join(f.value for f in Fault)
            raise _errors.emulator_error(f"unknown fault {name!r}; known: {known}") from None
        try:
            faults[fault] = float(raw) if sep else None
        except ValueError:
            raise _errors.emulator_error(f"fault {name!r}: {raw!r} is not a number") from None
    return faults
