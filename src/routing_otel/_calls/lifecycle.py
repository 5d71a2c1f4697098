"""API calls in flight: deciding which calls to observe, and ending each exactly once.

Every client adapter (httpx, httpx2, requests; explicit transports and global patches)
hands requests to an :class:`ApiObserver` and drives the returned :class:`ObservedCall`
through the same three steps (response arrived, bytes passed, finished), so the lifecycle
rules live in one place: the telemetry ends once, whether the body was read to the end,
closed early, garbage-collected unclosed, failed or cancelled, and nothing here can raise
into the app.
"""

from __future__ import annotations

import contextvars
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from routing_otel._context.fallback import FallbackTracker
from routing_otel._context.scope import scope_for_call
from routing_otel._cost.economics import Economics
from routing_otel._safety import guard, guarded, report
from routing_otel._telemetry.calllog import log_call
from routing_otel._telemetry.recorder import Recorder
from routing_otel._telemetry.result import Outcome
from routing_otel._wire.observer import SseObserver
from routing_otel._wire.request import HostMatcher, is_chat_call, parse_chat_request
from routing_otel._wire.usage import UsageFrameStripper, add_include_usage

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator, Mapping

    from routing_otel._context.scope import Scope
    from routing_otel._options import Options
    from routing_otel._telemetry.result import CallRecord, CallResult
    from routing_otel._wire.observation import Observation
    from routing_otel._wire.request import ChatRequest

METADATA_HEADER = "x-edenai-metadata"
CAPTURED_CHARS = 32 * 1024  # at most this much of an answer is kept when capturing content
_T = TypeVar("_T")

# Set while one of our adapters forwards a call, so an instrumented layer underneath (a
# patched transport under an explicit RoutingTransport) does not observe it a second time.
_forwarding: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "routing_otel_forwarding", default=False
)


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


@dataclass(frozen=True, slots=True)
class RequestView:
    """What an adapter tells the observer about an outgoing request."""

    method: str
    host: str
    port: int | None
    path: str
    headers: Mapping[str, str]
    body: bytes | None
    set_header: Callable[[str, str], None]
    # Replaces an in-memory body (and its Content-Length); None when the body is a stream.
    set_body: Callable[[bytes], None] | None = None
    # When the app asked its client for this request (stamped by the global patches).
    requested_ns: int | None = None


class ApiObserver:
    """Decides per request whether it is aimed at the API and starts its telemetry."""

    __slots__ = ("_matcher", "_options", "_recorder", "_tracker")

    def __init__(self, options: Options) -> None:
        """Observe the hosts of ``options`` and record with its providers."""
        self._options = options
        self._matcher = HostMatcher.of(options.hosts)
        self._recorder = Recorder(
            options.tracer_provider,
            options.meter_provider,
            economics=Economics(options),
            budget_usd_per_day=options.budget_usd_per_day,
        )
        self._tracker = FallbackTracker(options.fallback_window_s)

    @property
    def options(self) -> Options:
        """The options this observer was made with."""
        return self._options

    @guarded(default=None)
    def begin(self, view: Callable[[], RequestView]) -> ObservedCall | None:
        """Start observing a request, or return ``None`` if it is not an API call."""
        now_ns = time.time_ns()  # before our own work
        if _forwarding.get():
            return None
        stamped_ns = _requested_at.get()
        _requested_at.set(None)  # a redirect or retry sent under the same call starts anew
        request = view()
        start_ns = _start_ns(now_ns, request.requested_ns or stamped_ns)
        if not is_chat_call(request.method, request.path) or not self._matcher.matches(
            request.host, request.port
        ):
            return None
        if not self._recorder.may_record:
            return None  # telemetry is off: not even the request body is parsed
        chat = parse_chat_request(
            host=request.host,
            port=request.port,
            headers=request.headers,
            body=request.body,
            keep_messages=self._options.capture_content,
        )
        scope = scope_for_call()
        fallback = self._tracker.starting(chat, scope)
        record = self._recorder.start(chat, start_ns=start_ns, scope=scope, fallback=fallback)
        if not record.span.is_recording() and not self._recorder.active:
            record.span.end()  # a non-recording span: ending it costs nothing
            return None
        if self._options.request_metadata and METADATA_HEADER not in request.headers:
            request.set_header(METADATA_HEADER, "enabled")
        strip_usage = self._capture_usage(request, chat)
        chat.payload = None  # the body is final: do not hold the prompt for the whole call
        failed, finished = self._tracking(chat, scope)
        return ObservedCall(
            self._recorder,
            record,
            finished,
            on_error_status=failed,
            strip_usage=strip_usage,
            capture_content=self._options.capture_content,
        )

    def _capture_usage(self, request: RequestView, chat: ChatRequest) -> bool:
        """Ask for usage the app did not ask for; True when its frame must be hidden again."""
        if not (self._options.capture_usage and chat.stream and not chat.include_usage):
            return False
        if request.set_body is None or chat.payload is None:
            return False
        body = add_include_usage(chat.payload)
        if body is None:
            return False
        request.set_body(body)
        # The usage frame is removed from the bytes the app gets, which needs them unencoded.
        request.set_header("accept-encoding", "identity")
        return True

    def _tracking(
        self, chat: ChatRequest, scope: Scope | None
    ) -> tuple[Callable[[str], None], Callable[[CallResult], None]]:
        """Tell the fallback tracker how the call ended, as early as that is known.

        An error status is reported when it arrives: an app that sees a 503 and falls back
        may never read or close the failed response (requests with ``stream=True``).
        """
        reported = False

        def failed(error_type: str) -> None:
            nonlocal reported
            reported = True
            self._tracker.finished(chat, error_type, scope)

        def finished(result: CallResult) -> None:
            if not reported:
                self._tracker.finished(chat, result.error_type, scope)

        return failed, finished


class ObservedCall:
    """The telemetry of one call, from request sent to response finished."""

    __slots__ = (
        "__weakref__",
        "_capture_content",
        "_ended",
        "_lock",
        "_observer",
        "_on_error_status",
        "_on_finished",
        "_record",
        "_recorder",
        "_status",
        "_strip_usage",
        "_stripper",
    )

    def __init__(  # noqa: PLR0913 - the hooks and switches are keyword-only and optional
        self,
        recorder: Recorder,
        record: CallRecord,
        on_finished: Callable[[CallResult], None] | None = None,
        *,
        on_error_status: Callable[[str], None] | None = None,
        strip_usage: bool = False,
        capture_content: bool = False,
    ) -> None:
        """Hold a started call; its span is open until :meth:`end` runs.

        ``strip_usage``: we asked for usage the app did not; hide its frame from the app.
        """
        self._strip_usage = strip_usage
        self._capture_content = capture_content
        self._on_error_status = on_error_status
        self._stripper: UsageFrameStripper | None = None
        self._recorder = recorder
        self._record = record
        self._on_finished = on_finished
        self._observer: SseObserver | None = None
        self._status: int | None = None
        self._ended = False
        # The garbage collector may end a call from another thread.
        self._lock = threading.Lock()

    def response(
        self, status_code: int, headers: Mapping[str, str], *, decoded: bool = False
    ) -> None:
        """Note the response status and prepare to observe its body.

        ``decoded``: the adapter shows the body after content decoding (requests does).
        """
        with guard("ObservedCall.response"):
            self.status(status_code)
            encoding = None if decoded else headers.get("content-encoding")
            content_type = headers.get("content-type")
            self._observer = SseObserver(
                content_type=content_type,
                content_encoding=encoding,
                capture_content_chars=CAPTURED_CHARS if self._capture_content else None,
            )
            if self._strip_usage and _plain_event_stream(content_type, encoding):
                self._stripper = UsageFrameStripper()

    def status(self, status_code: int) -> None:
        """Note the response status before the body is looked at (see :meth:`response`)."""
        first = self._status is None
        self._status = status_code
        if first and status_code >= 400 and self._on_error_status is not None:
            with guard("ObservedCall.status"):
                self._on_error_status(str(status_code))

    def feed(self, chunk: bytes) -> None:
        """Show the observer a piece of the body on its way to the app."""
        observer = self._observer
        if observer is not None:
            # The guard's behaviour, inline: this runs for every network read.
            try:
                observer.feed(chunk)
            except Exception as exc:
                report("SseObserver.feed", exc)

    @property
    def filtering(self) -> bool:
        """Whether what the app gets differs from the wire (a usage frame is hidden)."""
        return self._stripper is not None

    def pass_on(self, chunk: bytes) -> bytes:
        """Observe a piece of the body and return what the app gets of it."""
        self.feed(chunk)
        stripper = self._stripper
        if stripper is None:
            return chunk
        try:
            return stripper.feed(chunk)
        except Exception as exc:  # never lose the app's bytes: stop filtering, pass all on
            self._stripper = None
            report("UsageFrameStripper.feed", exc)
            return stripper.abandon() + chunk

    def held_back(self) -> bytes:
        """At the end of the body: the bytes still held back for the app, if any."""
        stripper = self._stripper
        return stripper.flush() if stripper is not None else b""

    @property
    def finished(self) -> bool:
        """Whether the observer saw the whole response (``[DONE]`` or a complete body)."""
        return self._observer is not None and self._observer.observation.done

    def end(self, *, exception: BaseException | None = None, closed_early: bool = False) -> None:
        """Finish the call's telemetry; only the first call has an effect."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        with guard("ObservedCall.end"):
            try:
                observation: Observation | None = None
                if self._observer is not None:
                    observation = self._observer.close()
                outcome = Outcome(
                    status_code=self._status,
                    exception=exception,
                    closed_early=closed_early
                    and exception is None
                    and not self.finished
                    and (self._status or 0) < 400,  # an error answer is not a cut stream
                )
                result = self._recorder.finish(self._record, observation, outcome)
                if self._on_finished is not None:
                    self._on_finished(result)
                log_call(result)
            finally:
                # Whatever failed above, the span must not stay open.
                if self._record.span.is_recording():
                    self._record.span.end()

    def collected(self) -> None:
        """End a call whose response was dropped without being closed."""
        self.end(closed_early=True)


# A stamp this old means the app built its request and sent it later: its own wait is not
# the call's latency, so the span starts when the request is sent instead.
_STAMP_MAX_AGE_NS = 50_000_000


def _start_ns(now_ns: int, stamped_ns: int | None) -> int:
    if stamped_ns is None or not 0 <= now_ns - stamped_ns <= _STAMP_MAX_AGE_NS:
        return now_ns
    return stamped_ns


def observed_send(
    observer: ApiObserver,
    view: Callable[[], RequestView],
    send: Callable[[], _T],
    attach: Callable[[_T, ObservedCall], None],
) -> _T:
    """Send a request with ``send()``, observing it if it is an API call.

    ``attach`` hooks the call to the response's body (it runs under the guard; if it fails
    the call ends at once and the body passes unobserved).
    """
    call = observer.begin(view)
    if call is None:
        return send()
    token = _forwarding.set(True)
    try:
        response = send()
    except BaseException as exc:
        call.end(exception=exc)
        raise
    finally:
        _forwarding.reset(token)
    _attach(response, call, attach)
    return response


async def observed_send_async(
    observer: ApiObserver,
    view: Callable[[], RequestView],
    send: Callable[[], Awaitable[_T]],
    attach: Callable[[_T, ObservedCall], None],
) -> _T:
    """The async twin of :func:`observed_send` (``await`` cannot be shared)."""
    call = observer.begin(view)
    if call is None:
        return await send()
    token = _forwarding.set(True)
    try:
        response = await send()
    except BaseException as exc:
        call.end(exception=exc)
        raise
    finally:
        _forwarding.reset(token)
    _attach(response, call, attach)
    return response


def _attach(response: _T, call: ObservedCall, attach: Callable[[_T, ObservedCall], None]) -> None:
    with guard("attach"):
        try:
            attach(response, call)
        except BaseException:
            call.end()  # the body will pass unobserved: still end the span
            raise


def _plain_event_stream(content_type: str | None, encoding: str | None) -> bool:
    is_sse = (content_type or "").split(";", 1)[0].strip().lower() == "text/event-stream"
    return is_sse and (encoding or "identity").strip().lower() == "identity"


def iterate(call: ObservedCall, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Pass ``chunks`` on (unchanged, or less a hidden usage frame); end the call with them."""
    try:
        for chunk in chunks:
            out = call.pass_on(chunk)
            if out or not call.filtering:
                yield out
        if tail := call.held_back():
            yield tail
    except GeneratorExit:
        raise  # the consumer stopped early: closing the response ends the call
    except BaseException as exc:
        call.end(exception=exc)
        raise
    call.end()
