"""What the emulator answers: path routing, auth, faults, then the Eden AI endpoints."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from routing_otel.emulator import _catalogue, _control, _errors, _plan, _respond, _routing
from routing_otel.emulator._config import MODEL_SPELLINGS, SSE_QUIRKS, USAGE_SHAPES, Fault
from routing_otel.emulator._http import json_bytes
from routing_otel.emulator._scenario import FAULT_HEADER, RecordedRequest, parse_fault_header
from routing_otel.emulator._usage import PromptCache
from routing_otel.emulator._validate import parse_body, validate_chat

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel.emulator._config import EmulatorConfig
    from routing_otel.emulator._http import HttpRequest, ResponseChannel
    from routing_otel.emulator._scenario import Scenario
    from routing_otel.emulator._validate import ChatRequest

CURRENT_CHAT_PATH = "/v3/chat/completions"
CHAT_PATHS = frozenset({CURRENT_CHAT_PATH, "/v3/llm/chat/completions"})
MODELS_PATHS = frozenset({"/v3/models", "/v3/llm/models"})
MODEL_PREFIXES = ("/v3/models/", "/v3/llm/models/")
SPELLING_HEADER = "x-emulator-model-spelling"
USAGE_SHAPE_HEADER = "x-emulator-usage-shape"
SSE_QUIRKS_HEADER = "x-emulator-sse-quirks"
# Faults answered with an error status before anything is generated, in precedence order.
_STATUS_FAULTS: dict[Fault, Callable[[float | None, str], _errors.ApiError]] = {
    Fault.RATE_LIMIT: lambda value, _: _errors.rate_limited(1.0 if value is None else value),
    Fault.INSUFFICIENT_CREDITS: lambda _, __: _errors.insufficient_credits(legacy=False),
    Fault.INSUFFICIENT_CREDITS_LEGACY: lambda _, __: _errors.insufficient_credits(legacy=True),
    Fault.REGION_NOT_ALLOWED: lambda _, model: _errors.region_not_allowed(model),
    Fault.SERVER_ERROR: lambda _, __: _errors.server_error(),
    Fault.BAD_GATEWAY: lambda _, __: _errors.bad_gateway(),
}


class App:
    """The request handler shared by every connection of one emulator."""

    def __init__(self, config: EmulatorConfig, scenario: Scenario) -> None:
        """Serve with `config`, taking faults from and recording requests into `scenario`."""
        self.config = config
        self.scenario = scenario
        self.prompt_cache = PromptCache(config.prompt_cache_min_tokens)
        self._counter = itertools.count(1)

    async def handle(self, request: HttpRequest, channel: ResponseChannel) -> None:
        """Answer one request, errors included."""
        started = asyncio.get_running_loop().time()
        try:
            if request.path.startswith(_control.PREFIX):
                status, body = _control.handle(request, self)
                await channel.send(status, json_bytes(body))
                return
            self._record(request)
            await self._dispatch(request, channel, started)
        except _errors.ApiError as error:
            if channel.status:  # a stream already started: nothing sensible left to say
                raise
            body = b"" if error.body is None else json_bytes(error.body)
            await channel.send(error.status, body, headers=error.headers)

    def _record(self, request: HttpRequest) -> None:
        try:
            body = json.loads(request.body) if request.body else None
        except ValueError:
            body = None
        self.scenario.record(
            RecordedRequest(
                request.method, request.path, request.query, request.headers, body, request.peer
            )
        )

    async def _dispatch(
        self, request: HttpRequest, channel: ResponseChannel, started: float
    ) -> None:
        path = request.path
        if path in CHAT_PATHS:
            _require_method(request, "POST")
            await self._chat(request, channel, started)
        elif path in MODELS_PATHS:
            _require_method(request, "GET")
            view = request.query.get("view", "endpoints")
            body = _catalogue.catalogue_body(discount=self.config.discount, view=view)
            await channel.send(200, json_bytes(body))
        elif path.startswith(MODEL_PREFIXES):
            _require_method(request, "GET")
            spec = _catalogue.find(path.split("/models/", 1)[1])
            if spec is None:
                raise _errors.model_not_found([path.split("/models/", 1)[1]], status=404)
            entry = _catalogue.model_entry(spec, discount=self.config.discount, with_endpoints=True)
            await channel.send(200, json_bytes(entry))
        else:
            raise _errors.not_found()

    async def _chat(self, request: HttpRequest, channel: ResponseChannel, started: float) -> None:
        self._authenticate(request.headers)
        chat = validate_chat(parse_body(request.body), request.headers)
        faults = self._faults(request.headers, routed=chat.routed)
        if Fault.REDIRECT in faults and request.path != CURRENT_CHAT_PATH:
            status = 308 if faults[Fault.REDIRECT] == 308 else 307
            query = f"?{urlencode(request.query)}" if request.query else ""
            raise _errors.redirect(status, CURRENT_CHAT_PATH + query)
        for fault, make_error in _STATUS_FAULTS.items():
            if fault in faults:
                raise make_error(faults[fault], chat.model)
        if chat.routed and Fault.ROUTER_DOWN in faults:
            raise _errors.router_down()
        style = self._style(request.headers)
        plan = self._plan(request, chat, faults)
        if chat.stream:
            await _respond.send_stream(channel, plan, style=style, started=started)
        else:
            await _respond.send_completion(channel, plan, spelling=style.spelling, started=started)

    def _plan(
        self, request: HttpRequest, chat: ChatRequest, faults: dict[Fault, float | None]
    ) -> _plan.Plan:
        config = self.config
        host = request.headers.get("host", "").split(":", 1)[0].lower()
        selection = _routing.select(
            chat,
            config,
            region="eu" if host in config.eu_hosts else "global",
            router_fails=Fault.ROUTER_SILENT_FAILURE in faults,
        )
        if selection.region not in selection.spec.regions:
            raise _errors.region_not_allowed(selection.spec.id)
        fallbacks = _routing.check_fallbacks(chat, config.unknown_model_status)
        given = _plan.PlanInput(
            request=chat,
            selection=selection,
            fallbacks=fallbacks,
            faults=faults,
            metadata_requested=request.headers.get("x-edenai-metadata", "").lower() == "enabled",
            cache_scope=chat.session_id or request.headers.get("authorization", ""),
            response_id=_plan.response_id(config.seed, next(self._counter)),
            created=int(time.time()),
        )
        return _plan.make_plan(given, config, self.prompt_cache)

    def _authenticate(self, headers: dict[str, str]) -> None:
        scheme, _, key = headers.get("authorization", "").strip().partition(" ")
        if not scheme:
            raise _errors.not_authenticated()
        if scheme.lower() != "bearer" or not key.strip():
            raise _errors.bad_scheme()
        key = key.strip()
        accepted = self.config.api_keys
        if (accepted is None and not key.startswith("sk-eden-")) or (
            accepted is not None and key not in accepted
        ):
            raise _errors.invalid_token()

    def _faults(self, headers: dict[str, str], *, routed: bool) -> dict[Fault, float | None]:
        """Faults for one request: its header's if it has one, else the injected ones."""
        header = headers.get(FAULT_HEADER)
        if header is not None:
            return parse_fault_header(header)
        return self.scenario.take(routed=routed)

    def _style(self, headers: dict[str, str]) -> _respond.WireStyle:
        """Pick the response's dress: the config's, unless the request's headers differ."""
        config = self.config
        spelling: Any = headers.get(SPELLING_HEADER)
        shape: Any = headers.get(USAGE_SHAPE_HEADER, config.usage_shape)
        quirks: Any = config.sse_quirks
        if SSE_QUIRKS_HEADER in headers:
            quirks = frozenset(
                q.strip() for q in headers[SSE_QUIRKS_HEADER].split(",") if q.strip()
            )
        if spelling is not None and spelling not in MODEL_SPELLINGS:
            raise _errors.emulator_error(f"{SPELLING_HEADER} must be one of {MODEL_SPELLINGS}")
        if shape not in USAGE_SHAPES:
            raise _errors.emulator_error(f"{USAGE_SHAPE_HEADER} must be one of {USAGE_SHAPES}")
        if not quirks <= set(SSE_QUIRKS):
            raise _errors.emulator_error(f"{SSE_QUIRKS_HEADER} takes items of {SSE_QUIRKS}")
        if spelling is not None:
            return _respond.WireStyle(spelling, spelling, shape, quirks)
        stream_spelling = config.stream_model_spelling or config.model_spelling
        return _respond.WireStyle(config.model_spelling, stream_spelling, shape, quirks)

    def reset(self) -> None:
        """Forget faults, recorded requests and cached prompts."""
        self.scenario.remove()
        self.scenario.clear_requests()
        self.prompt_cache.clear()


def _require_method(request: HttpRequest, method: str) -> None:
    if request.method != method:
        raise _errors.method_not_allowed(method)
