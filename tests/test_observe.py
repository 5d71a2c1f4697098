"""``observe``: scopes for sync and async functions, generators, and ``with`` blocks."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

import httpx
import pytest
from opentelemetry.trace import SpanKind, StatusCode

import routing_otel
from routing_otel import _semconv as sc
from routing_otel._context.scope import current_scope
from tests.clients import KEY, chat

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Generator, Iterator

    from routing_otel.emulator import Emulator
    from tests.telemetry import Telemetry

HEADERS = {"Authorization": f"Bearer {KEY}"}
# One scope object shared by every task that enters it, as an app's module would hold it.
SCOPE = routing_otel.observe("op", tier="shared")


@pytest.fixture
def hosts_env(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point scope-only observation (no ``instrument()``) at the emulator."""
    monkeypatch.setenv("ROUTING_OTEL_HOSTS", f"127.0.0.1:{emu.port}")


def _ask(emu: Emulator, model: str = "@edenai", **fields: Any) -> dict[str, Any]:
    url = emu.llm_base_url + "/chat/completions"
    response = httpx.post(url, json=chat(model, **fields), headers=HEADERS, timeout=30)
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.usefixtures("hosts_env")
def test_scope_observes_without_instrument(emu: Emulator, global_telemetry: Telemetry) -> None:
    """Inside ``observe`` calls are traced with no ``instrument()``; outside they are not."""
    _ask(emu)

    @routing_otel.observe
    def answer() -> str:
        return str(_ask(emu)["model"])

    served = answer()
    _ask(emu)
    (chat_span,) = global_telemetry.chat_spans()
    (scope_span,) = global_telemetry.spans("test_scope_observes")
    assert scope_span.kind is SpanKind.INTERNAL
    assert scope_span.name.endswith("answer")
    assert chat_span.parent is not None
    assert chat_span.parent.span_id == scope_span.context.span_id
    assert (chat_span.attributes or {})[sc.GEN_AI_RESPONSE_MODEL] == served


def test_scope_attributes_label_spans_and_metrics(emu: Emulator, instrumented: Telemetry) -> None:
    """Tier, use case and pool label spans and metrics; free attributes only spans."""
    with routing_otel.observe(
        "tiered-chat", tier="budget", use_case="code", pool="code", customer="acme"
    ):
        _ask(emu, router_candidates=["openai/gpt-4o", "openai/gpt-4o-mini"])
    attrs = instrumented.only_chat_span().attributes or {}
    assert attrs[sc.ROUTER_TIER] == "budget"
    assert attrs[sc.ROUTER_USE_CASE] == "code"
    assert attrs[sc.ROUTER_POOL] == "code"
    assert attrs["customer"] == "acme"
    point = instrumented.point(
        sc.METRIC_REQUESTS,
        llm__router__tier="budget",
        llm__router__use_case="code",
        llm__router__pool="code",
    )
    assert "customer" not in (point.attributes or {})
    (scope,) = instrumented.spans("tiered-chat")
    assert (scope.attributes or {})[sc.ROUTER_TIER] == "budget"


def test_nested_scopes_merge_inner_wins(emu: Emulator, instrumented: Telemetry) -> None:
    """An inner scope keeps the outer's attributes and overrides the ones it sets."""
    with routing_otel.observe("outer", tier="premium", use_case="chat", conversation_id="c-1"):
        with routing_otel.observe("inner", tier="budget"):
            _ask(emu)
        _ask(emu)
    inner, outer = instrumented.chat_spans()
    assert (inner.attributes or {})[sc.ROUTER_TIER] == "budget"
    assert (inner.attributes or {})[sc.ROUTER_USE_CASE] == "chat"
    assert (inner.attributes or {})[sc.GEN_AI_CONVERSATION_ID] == "c-1"
    assert (outer.attributes or {})[sc.ROUTER_TIER] == "premium"


def test_session_id_in_request_wins_over_scope(emu: Emulator, instrumented: Telemetry) -> None:
    """The request's own ``session_id`` is the conversation id, else the scope's."""
    with routing_otel.observe(conversation_id="from-scope"):
        _ask(emu, session_id="from-request")
        _ask(emu)
    ids = [(s.attributes or {})[sc.GEN_AI_CONVERSATION_ID] for s in instrumented.chat_spans()]
    assert ids == ["from-request", "from-scope"]


def test_return_values_and_exceptions_pass_through(instrumented: Telemetry) -> None:
    """A decorated function returns and raises exactly what it would without us."""
    sentinel = object()
    error = LookupError("the app's own")

    @routing_otel.observe(tier="x")
    def returns() -> object:
        return sentinel

    @routing_otel.observe
    def raises() -> None:
        raise error

    assert returns() is sentinel
    with pytest.raises(LookupError) as raised:
        raises()
    assert raised.value is error
    failed = instrumented.spans("test_return_values_and_exceptions_pass_through.<locals>.raises")
    assert failed[0].status.status_code is StatusCode.ERROR
    assert returns.__name__ == "returns"


def test_async_function_and_async_with(emu: Emulator, instrumented: Telemetry) -> None:
    """Coroutines and ``async with`` scopes work, each task with its own scope."""

    @routing_otel.observe(use_case="batch")
    async def one(i: int) -> int:
        async with httpx.AsyncClient() as client:
            await client.post(emu.llm_base_url + "/chat/completions", json=chat(), headers=HEADERS)
        return i

    async def main() -> list[int]:
        async with routing_otel.observe("batch"):
            return list(await asyncio.gather(*(one(i) for i in range(3))))

    assert asyncio.run(main()) == [0, 1, 2]
    spans = instrumented.chat_spans()
    assert len(spans) == 3
    scopes = {
        s.context.span_id for s in instrumented.spans("test_async_function") if "one" in s.name
    }
    assert len(scopes) == 3
    assert {s.parent.span_id for s in spans if s.parent} == scopes


def test_one_scope_object_entered_by_interleaved_tasks(
    emu: Emulator, instrumented: Telemetry
) -> None:
    """A entered, B entered, A left, B left: each call has its task's scope, none after."""
    tracer = instrumented.tracer_provider.get_tracer("test")
    a_entered, b_entered, a_left = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def call(client: httpx.AsyncClient) -> None:
        await client.post(emu.llm_base_url + "/chat/completions", json=chat(), headers=HEADERS)

    async def task(name: str) -> None:
        first = name == "A"
        with tracer.start_as_current_span(f"task-{name}"):
            async with httpx.AsyncClient() as client:
                if not first:
                    await a_entered.wait()
                async with SCOPE:
                    (a_entered if first else b_entered).set()
                    await (b_entered if first else a_left).wait()
                    await call(client)
                if first:
                    a_left.set()
                assert current_scope() is None
                await call(client)

    async def main() -> None:
        await asyncio.gather(task("A"), task("B"))

    asyncio.run(main())
    by_id = {s.context.span_id: s for s in instrumented.spans()}
    chats = instrumented.chat_spans()
    assert len(chats) == 4

    def chain(span: Any) -> list[str]:
        names = []
        while span.parent is not None:
            span = by_id[span.parent.span_id]
            names.append(span.name)
        return names

    inside = sorted(chain(s) for s in chats if sc.ROUTER_TIER in (s.attributes or {}))
    after = sorted(chain(s) for s in chats if sc.ROUTER_TIER not in (s.attributes or {}))
    assert inside == [["op", "task-A"], ["op", "task-B"]]
    assert after == [["task-A"], ["task-B"]]
    assert len(instrumented.spans("op")) == 2


@pytest.mark.usefixtures("hosts_env")
def test_generator_scope_is_active_only_while_it_runs(
    emu: Emulator, global_telemetry: Telemetry
) -> None:
    """A decorated generator's calls are scoped; its consumer's calls between items are not."""

    @routing_otel.observe(tier="gen")
    def answers() -> Iterator[str]:
        for _ in range(2):
            yield str(_ask(emu)["model"])

    consumed = []
    for model in answers():
        consumed.append(model)
        _ask(emu)  # the consumer's own call: outside the scope, not observed
    spans = global_telemetry.chat_spans()
    assert len(consumed) == 2
    assert len(spans) == 2
    assert all((s.attributes or {})[sc.ROUTER_TIER] == "gen" for s in spans)


@pytest.mark.usefixtures("hosts_env")
def test_async_generator_scope(emu: Emulator, global_telemetry: Telemetry) -> None:
    """An async generator is scoped the same way, and its span ends when it is exhausted."""

    @routing_otel.observe(use_case="stream")
    async def answers() -> AsyncIterator[str]:
        async with httpx.AsyncClient() as client:
            for _ in range(2):
                response = await client.post(
                    emu.llm_base_url + "/chat/completions", json=chat(), headers=HEADERS
                )
                yield response.json()["model"]

    async def main() -> list[str]:
        return [model async for model in answers()]

    assert len(asyncio.run(main())) == 2
    assert len(global_telemetry.chat_spans()) == 2
    (scope,) = [s for s in global_telemetry.spans() if s.name.endswith("answers")]
    assert scope.end_time is not None


def test_generator_closed_early_ends_its_span(instrumented: Telemetry) -> None:
    """Abandoning a decorated generator ends its scope span."""

    @routing_otel.observe
    def numbers() -> Iterator[int]:
        yield from range(10)

    iterator = cast("Generator[int, None, None]", numbers())
    next(iterator)
    iterator.close()
    (scope,) = [s for s in instrumented.spans() if s.name.endswith("numbers")]
    assert scope.end_time is not None
    assert scope.status.status_code is StatusCode.UNSET


@pytest.mark.usefixtures("hosts_env")
def test_label_outside_a_scope_labels_only_the_next_call(
    emu: Emulator, global_telemetry: Telemetry
) -> None:
    """``label()`` alone observes and labels the next call, and nothing after it."""
    routing_otel.label(tier="budget", conversation_id="c-9")
    _ask(emu)
    _ask(emu)  # not observed: no instrument(), no scope, label used up
    (span,) = global_telemetry.chat_spans()
    attrs = span.attributes or {}
    assert attrs[sc.ROUTER_TIER] == "budget"
    assert attrs[sc.GEN_AI_CONVERSATION_ID] == "c-9"
    point = global_telemetry.point(sc.METRIC_REQUESTS, llm__router__tier="budget")
    assert point.value == 1  # type: ignore[union-attr]


def test_label_inside_a_scope_labels_the_rest_of_it(emu: Emulator, instrumented: Telemetry) -> None:
    """Inside a scope, ``label()`` applies to every later call of it and to its span."""
    with routing_otel.observe("chat", use_case="support"):
        _ask(emu)
        routing_otel.label(tier="premium", pool="vip")
        _ask(emu)
        _ask(emu)
    _ask(emu)  # after the scope: no labels
    tiers = [(s.attributes or {}).get(sc.ROUTER_TIER) for s in instrumented.chat_spans()]
    assert tiers == [None, "premium", "premium", None]
    pools = [(s.attributes or {}).get(sc.ROUTER_POOL) for s in instrumented.chat_spans()]
    assert pools[1:3] == ["vip", "vip"]
    assert pools[3] == "default"
    (scope,) = [s for s in instrumented.spans() if s.name == "chat"]
    assert (scope.attributes or {})[sc.ROUTER_TIER] == "premium"
    assert (scope.attributes or {})[sc.ROUTER_USE_CASE] == "support"


@pytest.mark.parametrize("form", ["with", "async with"])
def test_with_block_exception_passes_through_and_marks_the_scope(
    instrumented: Telemetry, form: str
) -> None:
    """An exception in a ``with observe()`` block propagates unchanged; the scope span fails."""
    error = RuntimeError("the app's own")

    async def async_block() -> None:
        async with routing_otel.observe("failing"):
            raise error

    def sync_block() -> None:
        with routing_otel.observe("failing"):
            raise error

    with pytest.raises(RuntimeError) as raised:
        sync_block() if form == "with" else asyncio.run(async_block())
    assert raised.value is error
    (scope,) = instrumented.spans("failing")
    assert scope.status.status_code is StatusCode.ERROR
    assert (scope.attributes or {})[sc.ERROR_TYPE] == "RuntimeError"
    with routing_otel.observe("fine"):
        pass
    (fine,) = instrumented.spans("fine")
    assert fine.status.status_code is StatusCode.UNSET
