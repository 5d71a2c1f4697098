"""Global patching: every httpx, httpx2 and requests client observes API calls.

One patch per library sits where every client's request passes: the standard transports'
``handle_request`` / ``handle_async_request`` (httpx, httpx2; so clients made before
``instrument()`` and the OpenAI SDK's own are covered) and ``HTTPAdapter.send`` (requests).
Each patch asks which instrumentation is active: the one ``instrument()`` configured, or, inside
an ``observe`` scope, a default one; else it calls through untouched. ``uninstrument()``
puts back exactly the attributes that were there.
"""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import wrapt

from routing_otel._calls.exchange import Instrumentation, clear_stamp, stamp_request
from routing_otel._calls.httpx_common import stamp_built_request
from routing_otel._context.scope import wants_observation
from routing_otel._options import Options
from routing_otel._safety import guard

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

_MISSING = object()


@dataclass(slots=True)
class _State:
    instrumentation: Instrumentation | None = None  # set by instrument()
    scoped: Instrumentation | None = None  # for observe() scopes without instrument()
    patched: list[tuple[type, str, object]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


_state = _State()


def active_instrumentation() -> Instrumentation | None:
    """The instrumentation for a call made now, or ``None`` when calls are not observed."""
    current = _state.instrumentation
    if current is not None:
        return current
    if not wants_observation():
        return None
    scoped = _state.scoped
    if scoped is None:
        with _state.lock:
            if _state.scoped is None:
                _state.scoped = Instrumentation(Options())
            scoped = _state.scoped
    return scoped


def is_instrumented() -> bool:
    """Whether ``instrument()`` is in effect."""
    return _state.instrumentation is not None


def instrument(options: Options) -> None:
    """Observe every API call with ``options`` (calling it again replaces the options)."""
    with _state.lock:
        _state.instrumentation = Instrumentation(options)
        ensure_patched()


def uninstrument() -> None:
    """Stop observing and restore everything that was patched."""
    with _state.lock:
        _state.instrumentation = None
        _state.scoped = None
        for owner, name, original in reversed(_state.patched):
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _state.patched.clear()


def ensure_patched() -> None:
    """Install the patches of every installed library, once."""
    with _state.lock:
        if _state.patched:
            return
        for module_name, patches in _PATCHES.items():
            module = _optional(module_name)
            if module is None:
                continue
            for owner_path, name, make_wrapper in patches(module):
                _patch(owner_path, name, make_wrapper)


def _optional(name: str) -> ModuleType | None:
    # A library that is not installed is fine; a broken one must not be hidden.
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name.split(".", 1)[0]):
            return None
        raise


def _patch(owner: type, name: str, wrapper: Callable[..., Any]) -> None:
    original = owner.__dict__.get(name, _MISSING)
    _state.patched.append((owner, name, original))
    wrapt.wrap_function_wrapper(owner, name, wrapper)


def _httpx_like(library: str) -> Callable[[ModuleType], list[tuple[type, str, Any]]]:
    def patches(module: ModuleType) -> list[tuple[type, str, Any]]:
        from routing_otel._calls.httpx_common import (  # noqa: PLC0415
            HttpxAdapter,
            send_async,
            send_sync,
        )

        ours = importlib.import_module(f"routing_otel.{library}")
        sync_adapter = HttpxAdapter(ours.RoutingTransport._stream_type)  # noqa: SLF001
        async_adapter = HttpxAdapter(ours.AsyncRoutingTransport._stream_type)  # noqa: SLF001

        def sync(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
            instrumentation = active_instrumentation()
            if instrumentation is None:
                return wrapped(*args, **kwargs)
            request = args[0] if args else kwargs["request"]
            return send_sync(instrumentation, sync_adapter, request, wrapped)

        async def asynchronous(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
            instrumentation = active_instrumentation()
            if instrumentation is None:
                return await wrapped(*args, **kwargs)
            request = args[0] if args else kwargs["request"]
            return await send_async(instrumentation, async_adapter, request, wrapped)

        return [
            (module.HTTPTransport, "handle_request", sync),
            (module.AsyncHTTPTransport, "handle_async_request", asynchronous),
            (module.Client, "build_request", _stamp_built),
            (module.AsyncClient, "build_request", _stamp_built),
        ]

    return patches


def _requests(module: ModuleType) -> list[tuple[type, str, Any]]:
    from routing_otel._calls.requests_adapter import send_exchange  # noqa: PLC0415

    def send(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
        instrumentation = active_instrumentation()
        if instrumentation is None:
            return wrapped(*args, **kwargs)
        request = args[0] if args else kwargs.pop("request")
        rest = args[1:]
        return send_exchange(instrumentation, request, lambda: wrapped(request, *rest, **kwargs))

    return [
        (module.adapters.HTTPAdapter, "send", send),
        (module.sessions.Session, "request", _stamp),
    ]


def _stamp(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
    # The app hands a request to its client: the span starts here, as its stopwatch does.
    token = stamp_request()
    try:
        return wrapped(*args, **kwargs)
    finally:
        clear_stamp(token)


def _stamp_built(wrapped: Any, _instance: Any, args: Any, kwargs: Any) -> Any:
    # httpx builds the request before sending it: its span starts where the app called.
    requested_ns = time.time_ns()
    request = wrapped(*args, **kwargs)
    with guard("stamp_built_request"):
        stamp_built_request(request, requested_ns)
    return request


_PATCHES: dict[str, Callable[[ModuleType], list[tuple[type, str, Any]]]] = {
    "httpx": _httpx_like("httpx"),
    "httpx2": _httpx_like("httpx2"),
    "requests": _requests,
}
