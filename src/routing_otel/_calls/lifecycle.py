"""One call's life: sent, answered (after any redirect hops), its telemetry made exactly once.

A :class:`CallLifecycle` is plain data while the call runs; its spans and metric points are
made, whole, when it finishes, so no step that can fail sits between opening a span and
ending it. Each response gets a :class:`ResponseRelay`, which every client adapter drives the
same way: ``relay(chunk)`` for each piece of the body on its way to the app, ``body_ended()``
at its end, ``end()`` on close, failure or cancellation, ``collected()`` if the response is
dropped unclosed. The relay shows each piece to the response observer and returns what the
app gets: the piece itself, or, when we asked for usage the app did not ask for, the piece
less the usage frame (cut where the observer's own frame scanner marked it).

A 307 or 308 answer is a hop, not the end: the call waits, on the request's
:class:`Carried` record, for the client to send the next hop, which continues the same call
(one span, counted once). If no hop follows (the app does not follow redirects), the call
ends as the 3xx it got, when the request is dropped.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from typing import TYPE_CHECKING, Final

from routing_otel._safety import guard, report
from routing_otel._telemetry.calllog import log_call
from routing_otel._telemetry.result import Outcome
from routing_otel._wire.observer import SseObserver
from routing_otel._wire.usage import UsageHider

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType
    from typing import Self

    from routing_otel._context.fallback import FallbackTracker
    from routing_otel._telemetry.recorder import Recorder
    from routing_otel._telemetry.result import CallRecord
    from routing_otel._wire.observation import Observation
    from routing_otel._wire.request import ChatRequest

CAPTURED_CHARS: Final = 32 * 1024  # at most this much of an answer is kept when capturing
_HOPS: Final = frozenset({307, 308})  # redirects that resend the same method and body

# Guards every call's and response's "ended once" flag: held for a flag check, so one lock for
# all of them costs nothing measurable and saves a lock object per call and per response.
_ENDING = threading.Lock()

# Set while one of our adapters forwards a call, so an instrumented layer underneath (a
# patched transport under an explicit RoutingTransport) does not observe it a second time.
forwarding: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "routing_otel_forwarding", default=False
)


class Carried:
    """What travels with a request we observed: to its redirect hops, and to resends.

    The adapter keeps it where the client carries it along (httpx: the request's extensions;
    requests: the body). A hop or resend is then read as the app sent it: what it asked for
    comes from here, not from the body we changed.
    """

    __slots__ = ("__weakref__", "hides_usage", "request", "suspended")

    def __init__(self, request: ChatRequest, *, hides_usage: bool) -> None:
        """Remember what the app's request asked for and whether we added include_usage."""
        self.request = request
        self.hides_usage = hides_usage
        self.suspended: CallLifecycle | None = None  # a call waiting for its next hop


class CallLifecycle:
    """One admitted call, from the request sent to its telemetry made."""

    __slots__ = (
        "__weakref__",
        "_carried",
        "_current",
        "_finalizer",
        "_finished",
        "_recorder",
        "_status_reported",
        "_tracker",
        "capture_content",
        "hides_usage",
        "record",
    )

    def __init__(
        self,
        recorder: Recorder,
        tracker: FallbackTracker,
        record: CallRecord,
        carried: Carried,
        *,
        capture_content: bool = False,
    ) -> None:
        """A call recorded by ``recorder``; ``carried`` travels with its request."""
        self._recorder = recorder
        self._tracker = tracker
        self.record = record
        # Held weakly only once the call waits on it for a redirect's next hop (when
        # ``carried.suspended`` points back here); a weak reference per call costs 80 B.
        self._carried: Carried | weakref.ref[Carried] = carried
        self.hides_usage = carried.hides_usage
        self.capture_content = capture_content
        self._current: ResponseRelay | None = None
        self._finalizer: weakref.finalize[..., Carried] | None = None
        self._finished = False
        self._status_reported = False

    def failed(self, exception: BaseException) -> None:
        """The client's send raised ``exception`` (which reaches the app unchanged)."""
        self._finish(None, Outcome(exception=exception))

    def response(self, status_code: int, headers: Mapping[str, str]) -> ResponseRelay:
        """A response arrived: the relay of its body (observe it with ``ResponseRelay.observe``)."""
        relay = self._current = ResponseRelay(self, status_code, headers)
        if status_code >= 400 and not self._status_reported:
            # Told now: an app that sees a 503 and falls back may never read or close it.
            self._status_reported = True
            with guard("CallLifecycle.response"):
                record = self.record
                self._tracker.finished(record.request, str(status_code), record.scope)
        return relay

    def abandon(self) -> None:
        """End the call with what is known (its body will not be observed)."""
        relay = self._current
        if relay is not None:
            relay.end()
        else:
            self._finish(None, Outcome())

    def resume(self) -> CallLifecycle:
        """The client sends the next hop of a redirect: the call goes on."""
        finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer.detach()
        carried = self._carried_now()
        if carried is not None:
            carried.suspended = None
        self._current = None
        return self

    def hop_ended(
        self, relay: ResponseRelay, observation: Observation | None, outcome: Outcome
    ) -> None:
        """A response's body ended: finish the call, or wait for a redirect's next hop."""
        if relay is not self._current:
            return  # an earlier hop's body, closed late: the call has moved on
        carried = self._carried_now() if relay.redirected and outcome.exception is None else None
        if carried is None:
            self._finish(observation, outcome)
            return
        self._carried = weakref.ref(carried)  # no cycle: the request's drop ends the call
        carried.suspended = self
        self._finalizer = weakref.finalize(carried, self._finish, observation, outcome)

    def _carried_now(self) -> Carried | None:
        carried = self._carried
        return carried() if isinstance(carried, weakref.ref) else carried

    def _finish(self, observation: Observation | None, outcome: Outcome) -> None:
        with _ENDING:
            if self._finished:
                return
            self._finished = True
        # The relay keeps its call; the call lets go of its relay now. Without this cycle the
        # call, its observation and its spans are freed as soon as the app drops the
        # response, instead of waiting for the garbage collector (which, run that often,
        # cost more than the rest of the call's telemetry).
        self._current = None
        with guard("CallLifecycle.finish"):
            record = self.record
            result = self._recorder.finish(record, observation, outcome)
            if not self._status_reported:
                self._tracker.finished(record.request, result.error_type, record.scope)
            log_call(result)


class ResponseRelay:
    """One response's body on its way to the app: observed, maybe filtered, ended once."""

    __slots__ = (
        "__weakref__",
        "_call",
        "_ended",
        "_headers",
        "_hider",
        "_observer",
        "_status",
        "_tail",
        "redirected",
    )

    def __init__(self, call: CallLifecycle, status_code: int, headers: Mapping[str, str]) -> None:
        """A response with this status and these headers (its body not yet observed)."""
        self._call: CallLifecycle | None = call  # let go of once the body has ended
        self._status = status_code
        self._headers = headers
        self.redirected = status_code in _HOPS and "location" in headers
        self._observer: SseObserver | None = None
        self._hider: UsageHider | None = None
        self._tail = b""
        self._ended = False

    def observe(self, *, decoded: bool = False) -> ResponseRelay:
        """Start observing the body (``decoded``: the adapter shows it content-decoded)."""
        with guard("ResponseRelay.observe"):
            headers = self._headers
            encoding = None if decoded else headers.get("content-encoding")
            call = self._call
            if call is None:
                return self  # already ended: nothing left to observe
            observer = self._observer = SseObserver(
                content_type=headers.get("content-type"),
                content_encoding=encoding,
                capture_content_chars=CAPTURED_CHARS if call.capture_content else None,
                # The observer marks frames only in bytes it sees unencoded, as they travel.
                mark_frames=call.hides_usage,
            )
            if observer.marks is not None:
                self._hider = UsageHider(observer.marks)
        return self

    @property
    def filtering(self) -> bool:
        """Whether what the app gets may differ from the wire (a usage frame is cut)."""
        return self._hider is not None

    def relay(self, chunk: bytes) -> bytes | None:
        """Observe a piece of the body; what the app gets now (None: nothing yet)."""
        observer = self._observer
        if observer is not None:
            # The guard's behaviour, inline: this runs for every network read.
            try:
                observer.feed(chunk)
            except Exception as exc:
                self._observer = None
                report("SseObserver.feed", exc)
                return self._unfiltered(chunk)
        hider = self._hider
        if hider is None:
            return chunk
        try:
            return hider.pass_on(chunk) or None
        except Exception as exc:
            report("UsageHider.pass_on", exc)
            return self._unfiltered(chunk)

    def _unfiltered(self, chunk: bytes) -> bytes:
        """Stop filtering (after an internal error): all held bytes, then the rest as is."""
        hider, self._hider = self._hider, None
        return hider.abandon() + chunk if hider is not None else chunk

    def body_ended(self) -> bytes:
        """The end of the body: the bytes still due to the app (the call ends)."""
        self.end()
        tail, self._tail = self._tail, b""
        return tail

    def __enter__(self) -> Self:
        """Around reading the body (``with relay:``): see :meth:`__exit__`."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """A failure or cancellation ends the call with it; never swallows it.

        A consumer that stopped early (``GeneratorExit``) does not: closing the response
        ends the call.
        """
        if exc is not None and not isinstance(exc, GeneratorExit):
            self.end(exception=exc)

    def end(self, *, exception: BaseException | None = None, closed_early: bool = False) -> None:
        """The body is done with (read, closed, failed); only the first call counts."""
        with _ENDING:
            if self._ended:
                return
            self._ended = True
        observation = self._closed_observation()
        # Let go of the call and the observer: a relay outlives its body when the client
        # keeps it in a reference cycle of its own (httpx's response and bound stream), and
        # the call, its observation and its spans must not wait for the garbage collector.
        call, self._call = self._call, None
        self._observer = self._hider = None
        if call is None:
            return
        with guard("ResponseRelay.end"):
            done = observation is not None and observation.done
            outcome = Outcome(
                status_code=self._status,
                exception=exception,
                # An error answer is not a cut stream, nor is a redirect's body.
                closed_early=closed_early and exception is None and not done and self._status < 300,
            )
            call.hop_ended(self, observation, outcome)

    def _closed_observation(self) -> Observation | None:
        """Close the observer; the bytes still due to the app go to ``_tail``."""
        observer, hider = self._observer, self._hider
        try:
            observation = observer.close() if observer is not None else None
        except Exception as exc:
            report("SseObserver.close", exc)
            self._tail = self._unfiltered(b"")
            return None
        if hider is not None:
            try:
                self._tail = hider.finish()
            except Exception as exc:
                report("UsageHider.finish", exc)
                self._tail = self._unfiltered(b"")
        return observation

    def collected(self) -> None:
        """End a response that was dropped without being closed."""
        self.end(closed_early=True)
