"""The gate: is this request an Eden AI chat call, and what do we change in it.

It reads plain facts an adapter gives (:class:`Outgoing`) and answers with a
:class:`Decision`: what the request asked for, and the edits we want (a header, a new body),
which the adapter applies itself. It starts nothing and changes nothing.

Which hosts count: with ``hosts`` left at its default, Eden AI's public hosts, and any host a
chat call asking for ``@edenai`` was sent to (a cheap byte check before any parse, so other
providers' calls cost next to nothing); such a host then counts for fixed-model calls too, so
the guides' fallbacks to a fixed model are seen. An explicit ``hosts`` restricts to those,
and a call asking for ``@edenai`` elsewhere is reported once per host in a log line.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from routing_otel._wire.request import ChatRequest, is_chat_call, parse_chat_request
from routing_otel._wire.usage import with_include_usage

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from routing_otel._options import Options

logger = logging.getLogger("routing_otel")

DEFAULT_HOSTS: Final = ("api.edenai.run", "api.eu.edenai.run")
METADATA_HEADER: Final = "x-edenai-metadata"
_ROUTED_BYTES: Final = b'"@edenai'
_MAX_LEARNED: Final = 64  # hosts learned from @edenai calls; past it, not one more


@dataclass(slots=True)  # not frozen: made for every request, and frozen is slower to make
class Outgoing:
    """What an adapter tells the gate about a request it is about to send."""

    method: str
    host: str
    port: int | None
    path: str
    headers: Mapping[str, str]
    body: bytes | None  # None: no body, or a stream that cannot be looked at
    body_replaceable: bool = False


@dataclass(slots=True)
class Decision:
    """An API call: what it asked for, and what we add to it (applied by the adapter)."""

    request: ChatRequest
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None  # the new body, with include_usage added

    @property
    def hides_usage(self) -> bool:
        """Whether the response will carry a usage frame the app did not ask for."""
        return self.body is not None


def host_key(entry: str) -> str:
    """A host as configured: ``host``, ``host:port``, or a URL (scheme and path ignored)."""
    entry = entry.strip().lower()
    if "//" in entry:
        parts = urlsplit(entry)
        host = parts.hostname or ""
        return f"{host}:{parts.port}" if parts.port is not None else host
    return entry.split("/", 1)[0]


class Hosts:
    """The hosts whose chat calls count as the API (``host`` any port, ``host:port`` one)."""

    __slots__ = ("_known", "_lock", "_warned", "explicit")

    def __init__(self, hosts: Iterable[str] | None) -> None:
        """Given hosts only, or (None) Eden AI's public hosts plus those learned."""
        self.explicit = hosts is not None
        chosen = DEFAULT_HOSTS if hosts is None else hosts
        self._known = frozenset(k for k in map(host_key, chosen) if k)
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def covers(self, host: str, port: int | None) -> bool:
        """Whether a request to ``host:port`` is aimed at the API."""
        host = host.lower()
        known = self._known
        return host in known or (port is not None and f"{host}:{port}" in known)

    def learn(self, host: str, port: int | None) -> None:
        """Count ``host:port`` as the API from now on (bounded; default hosts only)."""
        key = _key(host, port)
        with self._lock:
            if len(self._known) < len(DEFAULT_HOSTS) + _MAX_LEARNED:
                self._known = self._known | {key}

    def warn_outside(self, host: str, port: int | None) -> None:
        """Say once per host that an ``@edenai`` call went outside the configured hosts."""
        key = _key(host, port)
        with self._lock:
            if key in self._warned or len(self._warned) >= _MAX_LEARNED:
                return
            self._warned.add(key)
        logger.warning(
            "routing-otel: a chat call asking for @edenai went to %s, which is not in the "
            "configured hosts, so it is not observed; add %r to hosts (or ROUTING_OTEL_HOSTS), "
            "or leave hosts unset to observe @edenai calls on any host",
            key,
            key,
        )


def _key(host: str, port: int | None) -> str:
    """A request's ``host:port`` (``host`` without a port) as :class:`Hosts` keeps it."""
    return host.lower() if port is None else f"{host.lower()}:{port}"


class Gate:
    """Decides which requests are API calls and what we add to them."""

    __slots__ = ("_capture_content", "_capture_usage", "_hosts", "_metadata")

    def __init__(self, options: Options) -> None:
        """Apply ``options`` (hosts, request_metadata, capture_usage, capture_content)."""
        self._hosts = Hosts(options.hosts)
        self._metadata = options.request_metadata
        self._capture_usage = options.capture_usage
        self._capture_content = options.capture_content

    def decide(self, out: Outgoing) -> Decision | None:
        """The decision for a request, or None if it is not an API call.

        Cheap checks first: the path, then the host or a byte search for ``@edenai``; only a
        request that passes them is parsed.
        """
        if not is_chat_call(out.method, out.path):
            return None
        covered = self._hosts.covers(out.host, out.port)
        if not covered and (out.body is None or _ROUTED_BYTES not in out.body):
            return None
        request = parse_chat_request(
            host=out.host,
            port=out.port,
            headers=out.headers,
            body=out.body,
            keep_messages=self._capture_content,
        )
        if not covered:
            if not request.routed:
                return None  # the byte check matched something else than the model
            if self._hosts.explicit:
                self._hosts.warn_outside(out.host, out.port)
                return None
            self._hosts.learn(out.host, out.port)
        headers: list[tuple[str, str]] = []
        if self._metadata and METADATA_HEADER not in out.headers:
            headers.append((METADATA_HEADER, "enabled"))
        body = self._usage_body(out, request)
        if body is not None:
            # The usage frame is cut from the bytes the app gets, which needs them unencoded.
            headers.append(("accept-encoding", "identity"))
        request.payload = None  # do not hold the prompt for the whole call
        return Decision(request, tuple(headers), body)

    def _usage_body(self, out: Outgoing, request: ChatRequest) -> bytes | None:
        """The body with include_usage added, when the app streams without asking for usage."""
        if not (self._capture_usage and request.stream and not request.include_usage):
            return None
        if not out.body_replaceable or out.body is None or request.payload is None:
            return None
        return with_include_usage(out.body, request.payload)
