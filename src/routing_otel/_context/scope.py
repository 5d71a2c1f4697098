"""The caller's context: what an ``observe`` scope says about the calls made inside it.

A scope carries the caller's names for things the wire does not say: the pool (its name for
a candidate list), the tier, the use case, the conversation, and free-form attributes.
Scopes nest (inner values win) and live in a ContextVar, so they follow threads' and
asyncio tasks' own contexts exactly as OpenTelemetry's current span does.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from routing_otel import _semconv as sc

if TYPE_CHECKING:
    from collections.abc import Mapping

    from opentelemetry.util.types import AttributeValue

# Bounded attributes (the caller's own small vocabularies) also label metrics.
_METRIC_KEYS = frozenset({sc.ROUTER_TIER, sc.ROUTER_USE_CASE})


@dataclass(slots=True)
class ScopeState:
    """Mutable facts a scope collects about its calls (used to see client fallbacks).

    Concurrent tasks in one scope (the guides' ``asyncio.gather`` batch) each fall back on
    their own, so failures are kept per thread and task: (requested model, error.type).
    """

    routed_failures: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one ``observe`` scope (merged with its enclosing ones) says about its calls."""

    name: str
    pool: str | None = None
    conversation_id: str | None = None
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    state: ScopeState = field(default_factory=ScopeState)

    def child(
        self,
        name: str,
        *,
        pool: str | None,
        conversation_id: str | None,
        attributes: Mapping[str, AttributeValue],
        share_state: bool = False,
    ) -> Scope:
        """A nested scope: the inner scope's values win; its call state is its own.

        ``share_state``: the same scope, relabelled (``label()``), keeps its call state.
        """
        return Scope(
            name=name,
            pool=pool if pool is not None else self.pool,
            conversation_id=conversation_id or self.conversation_id,
            attributes={**self.attributes, **attributes},
            state=self.state if share_state else ScopeState(),
        )

    @property
    def span_attributes(self) -> dict[str, AttributeValue]:
        """Attributes every LLM span inside the scope gets."""
        return dict(self.attributes)

    @property
    def metric_attributes(self) -> dict[str, AttributeValue]:
        """The bounded attributes that also label the scope's metric points."""
        return {k: v for k, v in self.attributes.items() if k in _METRIC_KEYS}


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "routing_otel_scope", default=None
)


# Labels for the next call only, set by ``label()`` outside any scope.
_next_call: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "routing_otel_next_call", default=None
)


def current_scope() -> Scope | None:
    """The innermost active ``observe`` scope, if any."""
    return _current.get()


def scope_for_call() -> Scope | None:
    """The scope of a call starting now: the active one, or the next-call labels (used up)."""
    scope = _current.get()
    if scope is not None:
        return scope
    pending = _next_call.get()
    if pending is not None:
        _next_call.set(None)
    return pending


def wants_observation() -> bool:
    """Whether a call made now is to be observed even without ``instrument()``."""
    return _current.get() is not None or _next_call.get() is not None


def relabel(
    *,
    pool: str | None,
    conversation_id: str | None,
    attributes: Mapping[str, AttributeValue],
) -> bool:
    """Label what follows: the rest of the active scope, else the next call (True if scoped)."""
    scope = _current.get()
    if scope is not None:
        _current.set(
            scope.child(
                scope.name,
                pool=pool,
                conversation_id=conversation_id,
                attributes=attributes,
                share_state=True,
            )
        )
        return True
    _next_call.set(Scope("label", pool, conversation_id, dict(attributes), ScopeState()))
    return False


def enter(scope: Scope) -> contextvars.Token[Scope | None]:
    """Make ``scope`` current; pass the token to :func:`leave`."""
    return _current.set(scope)


def leave(token: contextvars.Token[Scope | None]) -> None:
    """Restore the scope that was current before :func:`enter`."""
    _current.reset(token)


def scope_attributes(
    *, tier: str | None, use_case: str | None, extra: Mapping[str, AttributeValue]
) -> dict[str, AttributeValue]:
    """The attribute set a scope declares (tier and use case under their contract names)."""
    attributes: dict[str, AttributeValue] = dict(extra)
    if tier is not None:
        attributes[sc.ROUTER_TIER] = tier
    if use_case is not None:
        attributes[sc.ROUTER_USE_CASE] = use_case
    return attributes
