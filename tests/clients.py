"""One driver per (library, sync/async) so transport tests are written once.

Each driver sends a chat request through a client whose transport is our wrapper, the way an
app would, and returns what the app received.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

import routing_otel.httpx

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType


def _libraries() -> dict[str, tuple[ModuleType, ModuleType]]:
    found: dict[str, tuple[ModuleType, ModuleType]] = {"httpx": (httpx, routing_otel.httpx)}
    try:
        found["httpx2"] = (
            importlib.import_module("httpx2"),
            importlib.import_module("routing_otel.httpx2"),
        )
    except ModuleNotFoundError as exc:
        # Only the OpenAI 1.x/2.x environment lacks httpx2; a broken install must still fail.
        if exc.name != "httpx2":
            raise
    return found


LIBRARIES = _libraries()
KEY = "sk-eden-test"


@dataclass
class Received:
    """What the app saw: status, raw body bytes, and the SSE data lines."""

    status: int
    body: bytes
    lines: list[str] = field(default_factory=list)

    def chunks(self) -> list[dict[str, Any]]:
        """The JSON data frames of a stream, parsed the way the guides do."""
        return [
            json.loads(line[6:])
            for line in self.lines
            if line.startswith("data: ") and line != "data: [DONE]"
        ]


@dataclass
class Driver:
    """Sends requests through one library's client (sync or async) with our transport."""

    library: str
    is_async: bool
    hosts: list[str]
    providers: dict[str, Any]
    inner: Any = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def module(self) -> ModuleType:
        """The HTTP library (httpx or httpx2)."""
        return LIBRARIES[self.library][0]

    def transport(self) -> Any:
        """Our wrapper around the library's standard transport (or ``inner``)."""
        ours = LIBRARIES[self.library][1]
        cls = ours.AsyncRoutingTransport if self.is_async else ours.RoutingTransport
        return cls(self.inner, hosts=self.hosts, **self.providers, **self.options)

    def client(self, **kwargs: Any) -> Any:
        """A client of the library using our transport."""
        cls = self.module.AsyncClient if self.is_async else self.module.Client
        return cls(transport=self.transport(), timeout=30, **kwargs)

    def send(
        self,
        url: str,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        stream: bool = True,
    ) -> Received:
        """POST ``payload`` and read the whole answer as an app would."""
        all_headers = {"Authorization": f"Bearer {KEY}", **(headers or {})}
        if self.is_async:
            return asyncio.run(self._send_async(url, payload, all_headers, stream=stream))
        with self.client() as client:
            if not stream:
                response = client.post(url, json=payload, headers=all_headers)
                return Received(response.status_code, response.content)
            with client.stream("POST", url, json=payload, headers=all_headers) as response:
                lines = list(response.iter_lines())
                return Received(response.status_code, "\n".join(lines).encode(), lines)

    async def _send_async(
        self, url: str, payload: dict[str, Any], headers: dict[str, str], *, stream: bool
    ) -> Received:
        async with self.client() as client:
            if not stream:
                response = await client.post(url, json=payload, headers=headers)
                return Received(response.status_code, response.content)
            async with client.stream("POST", url, json=payload, headers=headers) as response:
                lines = [line async for line in response.aiter_lines()]
                return Received(response.status_code, "\n".join(lines).encode(), lines)

    def run(self, sync: Callable[[Any], Any], coro: Callable[[Any], Any]) -> Any:
        """Run ``sync(client)`` or ``await coro(client)`` with a fresh client."""
        if not self.is_async:
            with self.client() as client:
                return sync(client)

        async def main() -> Any:
            async with self.client() as client:
                return await coro(client)

        return asyncio.run(main())


def chat(model: str = "@edenai", **fields: Any) -> dict[str, Any]:
    """A chat-completions payload like the guides send."""
    return {"model": model, "messages": [{"role": "user", "content": "Explain SSE."}], **fields}
