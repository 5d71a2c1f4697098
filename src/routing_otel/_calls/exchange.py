"""Sending a request: admit it (the gate), apply our edits, send, hand the response on.

Every client adapter (httpx, httpx2, requests; explicit transports and global patches)
describes its client through the :class:`ClientAdapter` protocol and sends through
:class:`Exchange`, so the sync and async paths of every client are the same few lines::

    with Exchange(instrumentation, adapter, request) as exchange:
        return exchange.received(send(request))      # or: await send(request)
"""

from __future__ import annotations

import contextvars
import time
from typing import TYPE_CHECKING, Any, Final, Protocol

from opentelemetry import context as otel_context
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from routing_otel._calls.gate import Gate, Outgoing
from routing_otel._calls.lifecycle import CallLifecycle, Carried, forwarding
from routing_otel._context.fallback import FallbackTracker
from routing_otel._context.scope import scope_for_call
from routing_otel._cost.economics import Economics
from routing_otel._safety import guard, guarded
from routing_otel._telemetry.recorder import Recorder
from routing_otel._telemetry.result import CallRecord

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from routing_otel._calls.gate import Decision
    from routing_otel._options import Options

# A stamp this old means the app built its request and sent it later: its own wait is not
# the call's latency, so the span starts when the request is sent instead.
_STAMP_MAX_AGE_NS: Final = 50_000_000

# When the app handed the request to its HTTP client (set by the global patches of the
# clients' entry points): the span starts there, as the app's own stopwatch would. Used once.
_requested_at: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "routing_otel_requested_at", default=None
)


def stamp_request() -> contextvars.Token[int | None]:
    """Note that the app is handing a request to its client now; ``reset`` with the token."""
    return _requested_at.set(time.time_ns())


def clear_stamp(token: contextvars.Token[int | None]) -> None:
    """Undo :func:`stamp_request`."""
    _requested_at.reset(token)


class ClientAdapter(Protocol):
    """What the exchange needs to know of one HTTP client library."""

    def outgoing(self, request: Any) -> Outgoing:
        """The request's plain facts."""
        ...

    def carried(self, request: Any) -> Carried | None:
        """What we left on this request if it is a redirect hop or a resend of ours."""
        ...

    def requested_ns(self, request: Any) -> int | None:
        """When the app asked its client for this request, if the client says."""
        ...

    def apply(self, request: Any, decision: Decision | None, carried: Carried) -> bool:
        """Apply our edits and leave ``carried`` on the request; False if the body failed."""
        ...

    def attach(self, response: Any, call: CallLifecycle) -> None:
        """Observe the response's body through ``call.response(...)``'s relay."""
        ...


class Instrumentation:
    """One configuration's gate, recorder and fallback memory (per transport or process)."""

    __slots__ = ("_gate", "_recorder", "_tracker", "options")

    def __init__(self, options: Options) -> None:
        """Observe as ``options`` say; instruments are made once, here."""
        self.options = options
        self._gate = Gate(options)
        self._recorder = Recorder(
            options.tracer_provider,
            options.meter_provider,
            economics=Economics(options),
            budget_usd_per_day=options.budget_usd_per_day,
            max_label_values=options.max_label_values,
            logger_provider=options.logger_provider,
            content_capture=options.content_capture,
        )
        self._tracker = FallbackTracker(options.fallback_window_s)

    @guarded(default=None)
    def admit(self, adapter: ClientAdapter, request: Any) -> CallLifecycle | None:
        """Start a call if ``request`` is an API call (edits applied); else None."""
        now_ns = time.time_ns()  # before our own work
        if forwarding.get() or not is_instrumentation_enabled():  # suppress_instrumentation()
            return None
        stamped_ns = _requested_at.get()
        if stamped_ns is not None:
            _requested_at.set(None)  # a redirect or retry under the same call starts anew
        carried = adapter.carried(request)
        if carried is not None and carried.suspended is not None:
            return carried.suspended.resume()
        if not self._recorder.may_record:
            return None  # telemetry off: not even the request body is parsed
        decision: Decision | None = None
        if carried is None:
            decision = self._gate.decide(adapter.outgoing(request))
            if decision is None:
                return None
            carried = Carried(decision.request, hides_usage=decision.hides_usage)
        request_ns = adapter.requested_ns(request) or stamped_ns
        fresh = request_ns is not None and 0 <= now_ns - request_ns <= _STAMP_MAX_AGE_NS
        chat = carried.request
        scope = scope_for_call()
        fallback = self._tracker.starting(chat, scope)
        start_ns = request_ns if fresh and request_ns is not None else now_ns
        record = CallRecord.of(chat, start_ns, scope, fallback, otel_context.get_current())
        call = CallLifecycle(
            self._recorder,
            self._tracker,
            record,
            carried,
            capture_content=self.options.capture_content,
        )
        # Last: once the request is changed, the call that hides what we asked for exists.
        with guard("apply edits"):
            # A resend of a request we already changed (no decision) stays as it was.
            if not adapter.apply(request, decision, carried) and decision is not None:
                carried.hides_usage = call.hides_usage = False
        return call


class Exchange:
    """One send through a client adapter: see the module docstring."""

    __slots__ = ("_adapter", "_call", "_forwarding")

    def __init__(
        self, instrumentation: Instrumentation, adapter: ClientAdapter, request: Any
    ) -> None:
        """Admit ``request`` (and apply our edits to it) if it is an API call."""
        self._adapter = adapter
        self._call = instrumentation.admit(adapter, request)
        self._forwarding: contextvars.Token[bool] | None = None

    def __enter__(self) -> Self:
        """The send starts: an instrumented layer underneath must not observe it again."""
        if self._call is not None:
            self._forwarding = forwarding.set(True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """The send is over; a failure ends the call and passes on unchanged."""
        if self._forwarding is not None:
            forwarding.reset(self._forwarding)
        if exc is not None and self._call is not None:
            self._call.failed(exc)

    def received(self, response: Any) -> Any:
        """The response, its body observed if the call is ours."""
        call = self._call
        if call is not None:
            with guard("attach"):
                try:
                    self._adapter.attach(response, call)
                except BaseException:
                    call.abandon()  # the body passes unobserved: the call still ends
                    raise
        return response
