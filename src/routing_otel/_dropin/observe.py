"""``observe``: a decorator and context manager that scopes LLM calls to an operation.

Inside a scope every API call is observed (even without ``instrument()``), is a child of
the scope's INTERNAL span, and carries the scope's attributes (tier, use case, pool,
conversation). The scope never changes what the code inside returns or raises: its own
steps run behind the safety guard. For generators the scope is active only while the
generator runs, never while its consumer does.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from routing_otel import _semconv as sc
from routing_otel._context import scope as scopes
from routing_otel._dropin import instrument as _instrument
from routing_otel._safety import guard
from routing_otel._semconv import SCHEMA_URL, SCOPE_NAME
from routing_otel._telemetry.result import exception_type
from routing_otel._version import __version__

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
    from contextvars import Token
    from types import TracebackType
    from typing import Self

    from opentelemetry.context import Context
    from opentelemetry.util.types import AttributeValue

_F = TypeVar("_F", bound="Callable[..., Any]")


class _Activation:
    """One run of a scope: its span, opened on first use, and the scope it makes current."""

    __slots__ = ("_scope", "_span", "_spec")

    def __init__(self, spec: ObserveScope) -> None:
        self._spec = spec
        self._span: trace.Span | None = None
        self._scope: scopes.Scope | None = None

    def _open(self) -> None:
        spec = self._spec
        _instrument.ensure_patched()
        parent = scopes.current_scope()
        declared = scopes.scope_attributes(
            tier=spec.tier, use_case=spec.use_case, extra=spec.attributes
        )
        if parent is None:
            self._scope = scopes.Scope(
                spec.name, spec.pool, spec.conversation_id, declared, scopes.ScopeState()
            )
        else:
            self._scope = parent.child(
                spec.name,
                pool=spec.pool,
                conversation_id=spec.conversation_id,
                attributes=declared,
            )
        current = _instrument.active_instrumentation() if _instrument.is_instrumented() else None
        provider = current.options.tracer_provider if current is not None else None
        tracer = trace.get_tracer(
            SCOPE_NAME, __version__, tracer_provider=provider, schema_url=SCHEMA_URL
        )
        attributes = dict(self._scope.attributes)
        if self._scope.pool:
            attributes[sc.ROUTER_POOL] = self._scope.pool
        if self._scope.conversation_id:
            attributes[sc.GEN_AI_CONVERSATION_ID] = self._scope.conversation_id
        self._span = tracer.start_span(spec.name, kind=SpanKind.INTERNAL, attributes=attributes)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Make the scope and its span current while the body runs."""
        tokens: tuple[Token[Context], Token[scopes.Scope | None]] | None = None
        with guard("observe.enter"):
            if self._span is None:
                self._open()
            assert self._span is not None
            assert self._scope is not None
            tokens = (
                otel_context.attach(trace.set_span_in_context(self._span)),
                scopes.enter(self._scope),
            )
        try:
            yield
        finally:
            if tokens is not None:
                with guard("observe.leave"):
                    scopes.leave(tokens[1])
                    otel_context.detach(tokens[0])

    @contextmanager
    def finishing(self) -> Iterator[None]:
        """End the scope's span when the block ends, with the error that ended it, if any."""
        error: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.finish(error)

    def finish(self, error: BaseException | None) -> None:
        """End the scope's span (with the error the body raised, if any)."""
        with guard("observe.finish"):
            span = self._span
            if span is None:
                return
            if error is not None and not isinstance(error, GeneratorExit):
                span.set_attribute(sc.ERROR_TYPE, type(error).__qualname__)
                # The type only: the text may hold a URL's query string or a header value.
                span.set_status(Status(StatusCode.ERROR, exception_type(error)))
            span.end()


class ObserveScope:
    """A scope specification: use it with ``with``/``async with`` or as a decorator."""

    def __init__(  # noqa: PLR0913 - the keywords observe() documents
        self,
        name: str | None,
        *,
        pool: str | None = None,
        tier: str | None = None,
        use_case: str | None = None,
        conversation_id: str | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> None:
        """Describe a scope; nothing happens until it is entered or decorates a function."""
        self.name = name or "observe"
        self._named = name is not None
        self.pool = pool
        self.tier = tier
        self.use_case = use_case
        self.conversation_id = conversation_id
        self.attributes: Mapping[str, AttributeValue] = dict(attributes or {})
        # One stack of entries per thread and asyncio task: one ObserveScope object may be
        # entered by concurrent tasks (a module-level ``SCOPE = observe(...)``), and each
        # exit must leave its own task's entry.
        self._active: ContextVar[tuple[ExitStack, ...]] = ContextVar(
            f"routing_otel_observe_{id(self):x}", default=()
        )

    # --- context manager --------------------------------------------------------------
    def __enter__(self) -> Self:
        """Open the scope's span and make the scope current."""
        activation = _Activation(self)
        with ExitStack() as stack:
            stack.enter_context(activation.finishing())
            stack.enter_context(activation.running())
            self._active.set((*self._active.get(), stack.pop_all()))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Leave the scope and end its span; never swallows the body's exception."""
        *outer, innermost = self._active.get()
        self._active.set(tuple(outer))
        innermost.__exit__(exc_type, exc, traceback)

    async def __aenter__(self) -> Self:
        """The same as ``__enter__``, for ``async with``."""
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """The same as ``__exit__``, for ``async with``."""
        self.__exit__(exc_type, exc, traceback)

    # --- decorator ----------------------------------------------------------------------
    def __call__(self, func: _F) -> _F:
        """Run every call of ``func`` (function, coroutine, generator...) in this scope."""
        spec = self if self._named else self._renamed(func.__qualname__)
        if inspect.isasyncgenfunction(func):
            return cast("_F", _wrap_async_generator(func, spec))
        if inspect.isgeneratorfunction(func):
            return cast("_F", _wrap_generator(func, spec))
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                activation = _Activation(spec)
                with activation.finishing(), activation.running():
                    return await func(*args, **kwargs)

            return cast("_F", run_async)

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            activation = _Activation(spec)
            with activation.finishing(), activation.running():
                return func(*args, **kwargs)

        return cast("_F", run)

    def _renamed(self, name: str) -> ObserveScope:
        return ObserveScope(
            name,
            pool=self.pool,
            tier=self.tier,
            use_case=self.use_case,
            conversation_id=self.conversation_id,
            attributes=self.attributes,
        )


def _wrap_generator(func: Callable[..., Any], spec: ObserveScope) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        activation = _Activation(spec)
        generator = func(*args, **kwargs)
        step: Callable[[], Any] = functools.partial(generator.send, None)
        with activation.finishing():
            while True:
                with activation.running():
                    try:
                        item = step()
                    except StopIteration as stop:
                        return stop.value
                try:
                    step = functools.partial(generator.send, (yield item))
                except GeneratorExit:
                    generator.close()
                    raise
                except BaseException as exc:  # thrown in by the consumer: pass it on
                    step = functools.partial(generator.throw, exc)

    return run


def _wrap_async_generator(func: Callable[..., Any], spec: ObserveScope) -> Callable[..., Any]:
    @functools.wraps(func)
    async def run(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        activation = _Activation(spec)
        generator = func(*args, **kwargs)
        step: Callable[[], Any] = functools.partial(generator.asend, None)
        with activation.finishing():
            while True:
                with activation.running():
                    try:
                        item = await step()
                    except StopAsyncIteration:
                        return
                try:
                    step = functools.partial(generator.asend, (yield item))
                except GeneratorExit:
                    await generator.aclose()
                    raise
                except BaseException as exc:
                    step = functools.partial(generator.athrow, exc)

    return run


def label(
    *,
    pool: str | None = None,
    tier: str | None = None,
    use_case: str | None = None,
    conversation_id: str | None = None,
    **attributes: AttributeValue,
) -> None:
    """Label the LLM calls that follow, with values known only now (a one-line change).

    Inside an ``observe`` scope it labels the rest of that scope (and the scope's span).
    Outside any scope it labels the next API call made in this thread or asyncio task, and
    that call is observed even without ``instrument()``. Labels mean what they mean in
    :func:`observe`.
    """
    with guard("label"):
        _instrument.ensure_patched()
        declared = scopes.scope_attributes(tier=tier, use_case=use_case, extra=attributes)
        scoped = scopes.relabel(pool=pool, conversation_id=conversation_id, attributes=declared)
        if scoped:
            span = trace.get_current_span()
            span.set_attributes(declared)
            if pool is not None:
                span.set_attribute(sc.ROUTER_POOL, pool)
            if conversation_id is not None:
                span.set_attribute(sc.GEN_AI_CONVERSATION_ID, conversation_id)


@overload
def observe(func: _F, /) -> _F: ...
@overload
def observe(
    name: str | None = None,
    /,
    *,
    pool: str | None = None,
    tier: str | None = None,
    use_case: str | None = None,
    conversation_id: str | None = None,
    **attributes: AttributeValue,
) -> ObserveScope: ...
def observe(
    name: Any = None,
    /,
    *,
    pool: str | None = None,
    tier: str | None = None,
    use_case: str | None = None,
    conversation_id: str | None = None,
    **attributes: AttributeValue,
) -> Any:
    """Scope the LLM calls of one operation, as a decorator or a context manager.

    Use it bare (``@observe``), with options (``@observe(tier="budget")``), or as
    ``with observe("tiered-chat", tier="budget"):`` (``async with`` too).

    ``pool`` names the candidate list (a metric label, instead of a hash); ``tier`` and
    ``use_case`` label spans and metrics (keep them to a small vocabulary);
    ``conversation_id`` becomes ``gen_ai.conversation.id``; other keyword attributes go
    on the spans only. Scopes nest; inner values win.
    """
    if callable(name):
        return ObserveScope(None)(name)
    return ObserveScope(
        name,
        pool=pool,
        tier=tier,
        use_case=use_case,
        conversation_id=conversation_id,
        attributes=attributes,
    )
