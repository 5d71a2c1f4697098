"""The `Emulator`: a loopback HTTP server, in a background thread or in the caller's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING

from routing_otel.emulator._app import App
from routing_otel.emulator._config import EmulatorConfig, Fault
from routing_otel.emulator._http import ProtocolError, ResponseChannel, json_bytes, read_request
from routing_otel.emulator._scenario import Scenario

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self  # typing.Self from Python 3.11 on

    from routing_otel.emulator._scenario import RecordedRequest

_log = logging.getLogger(__name__)
_HEAD_LIMIT = 64 * 1024


class Emulator:
    """Eden AI's V3 LLM API on loopback, for tests, demos and benchmarks.

    Run it in a background thread (`with Emulator() as emu:` or `start()`/`stop()`), or in
    the running event loop (`async with Emulator() as emu:` or `await start_async()`). In the
    second form, only clients that do not block the loop (async ones) can call it.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        """Prepare an emulator; nothing listens until it is started."""
        self.config = config if config is not None else EmulatorConfig()
        self._scenario = Scenario(self.config.max_recorded_requests)
        self._app = App(self.config, self._scenario)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._port = 0
        self._errors: list[BaseException] = []

    # --- where it listens ---------------------------------------------------------------------
    @property
    def host(self) -> str:
        """The address it listens on."""
        return self.config.host

    @property
    def port(self) -> int:
        """The port it listens on (the bound one when the config asked for port 0)."""
        if not self._port:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def url(self) -> str:
        """`http://host:port`, no path."""
        host = self.host
        if host in {"0.0.0.0", "::", ""}:  # noqa: S104  (listening everywhere: use loopback)
            host = "127.0.0.1"
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The current SDK base URL, `http://127.0.0.1:PORT/v3`."""
        return self.url + "/v3"

    @property
    def llm_base_url(self) -> str:
        """The older SDK base URL the router guides use, `http://127.0.0.1:PORT/v3/llm`."""
        return self.url + "/v3/llm"

    # --- faults and the record of requests ------------------------------------------------------
    def inject(
        self, fault: Fault | str, *, times: int | None = 1, value: float | None = None
    ) -> None:
        """Apply `fault` to the next `times` chat requests it can affect (None: until cleared).

        `value` is the fault's parameter (see `Fault`). Requests carrying an
        `x-emulator-fault` header ignore injected faults and leave them queued.
        """
        self._scenario.inject(Fault(fault), times, value)

    def clear_faults(self) -> None:
        """Forget every injected fault (the router comes back up too)."""
        self._scenario.remove()

    def router_down(self, down: bool = True) -> None:  # noqa: FBT001, FBT002  (reads naturally)
        """Make every `@edenai` request fail with 503 until called with False."""
        self._scenario.remove(Fault.ROUTER_DOWN)
        if down:
            self._scenario.inject(Fault.ROUTER_DOWN, None, None)

    @property
    def pending_faults(self) -> list[tuple[Fault, int | None, float | None]]:
        """Injected faults still queued: (fault, requests left or None, value)."""
        return self._scenario.pending()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Requests received so far, oldest first (at most `config.max_recorded_requests`)."""
        return self._scenario.requests()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._scenario.clear_requests()

    def reset(self) -> None:
        """Forget faults, recorded requests and cached prompts: a fresh start."""
        self._app.reset()

    @property
    def internal_errors(self) -> list[BaseException]:
        """Bugs of the emulator itself met while serving (tests assert it stays empty)."""
        return list(self._errors)

    # --- in the caller's event loop -------------------------------------------------------------
    async def start_async(self) -> Self:
        """Listen from the running event loop."""
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        self._server = await asyncio.start_server(
            self._serve_connection, self.config.host, self.config.port, limit=_HEAD_LIMIT
        )
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop_async(self) -> None:
        """Close the listener and every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()
        self._port = 0

    async def __aenter__(self) -> Self:
        """Start in the running loop."""
        return await self.start_async()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop_async()

    # --- in a background thread -----------------------------------------------------------------
    def start(self) -> Self:
        """Listen from a background thread with its own event loop; returns once listening.

        Works from synchronous code and from inside a running event loop alike.
        """
        if self._thread is not None or self._server is not None:
            raise RuntimeError("the emulator is already started")
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as exc:  # handed to the starting thread
                failure.append(exc)
                return
            finally:
                started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop_async())
            loop.run_until_complete(loop.shutdown_asyncgens())

        self._loop = loop
        self._thread = threading.Thread(target=run, name="edenai-emulator", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self._thread.join()
            loop.close()
            self._loop = self._thread = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop the background thread, closing every connection."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        """Start in a background thread."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        self.stop()

    # --- serving --------------------------------------------------------------------------------
    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Serve requests on one connection until it closes (keep-alive)."""
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        channel = ResponseChannel(writer, gzip_enabled=self.config.gzip)
        try:
            while channel.keep_alive:
                try:
                    request = await read_request(reader, writer)
                except ProtocolError as exc:
                    channel.keep_alive = False
                    await channel.send(exc.status, json_bytes({"detail": str(exc)}))
                    break
                if request is None:
                    break
                channel.begin(request)
                await self._app.handle(request, channel)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away, possibly mid-stream: normal life of a server
        except asyncio.CancelledError:
            pass  # stop() cancels open connections; ending quietly is all that is left to do
        except Exception as exc:
            self._errors.append(exc)
            _log.exception("emulator internal error")
            if not channel.status:  # tell the client, if it can still be told
                with contextlib.suppress(Exception):
                    await channel.send(500, json_bytes({"detail": f"emulator bug: {exc!r}"}))
        finally:
            self._connections.discard(task)
            writer.close()
