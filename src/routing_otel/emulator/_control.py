"""The control API under `/_emulator/`: faults and the request record, over HTTP.

For an emulator started from the command line (another process, users' CI), where
`Emulator.inject()` is out of reach. Not part of Eden AI's API: no key needed.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from routing_otel.emulator import _errors
from routing_otel.emulator._config import Fault

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel.emulator._app import App
    from routing_otel.emulator._http import HttpRequest

PREFIX = "/_emulator/"


def handle(request: HttpRequest, app: App) -> tuple[int, Any]:
    """Answer a control request: (status, JSON body)."""
    action = _ACTIONS.get((request.method, request.path.removeprefix(PREFIX).rstrip("/")))
    if action is None:
        error = _errors.not_found()
        return error.status, error.body
    return 200, action(app, request.body)


def _inject(app: App, body: bytes) -> dict[str, Any]:
    fault, times, value = _parse_injection(body)
    app.scenario.inject(fault, times, value)
    return _faults(app)


def _clear_faults(app: App, _: bytes) -> dict[str, Any]:
    app.scenario.remove()
    return _faults(app)


def _requests(app: App, _: bytes) -> dict[str, Any]:
    return {"requests": [dataclasses.asdict(r) for r in app.scenario.requests()]}


def _clear_requests(app: App, _: bytes) -> dict[str, Any]:
    app.scenario.clear_requests()
    return {"requests": []}


def _reset(app: App, _: bytes) -> dict[str, Any]:
    app.reset()
    return {"status": "ok"}


def _faults(app: App) -> dict[str, Any]:
    return {
        "faults": [
            {"fault": fault.value, "times": times, "value": value}
            for fault, times, value in app.scenario.pending()
        ]
    }


def _parse_injection(raw: bytes) -> tuple[Fault, int | None, float | None]:
    """Read `{"fault": "rate_limit", "times": 2, "value": 1.5}`; times null: until cleared."""
    known = ", ".join(f.value for f in Fault)
    usage = f'expected {{"fault": name, "times": n or null, "value": number or null}}; {known}'
    try:
        body = json.loads(raw or b"{}")
        fault = Fault(str(body["fault"]).lower())
        times, value = body.get("times", 1), body.get("value")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _errors.emulator_error(usage) from None
    times_ok = times is None or (
        isinstance(times, int) and not isinstance(times, bool) and times > 0
    )
    value_ok = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
    if not (times_ok and value_ok):
        raise _errors.emulator_error(usage)
    return fault, times, None if value is None else float(value)


_ACTIONS: dict[tuple[str, str], Callable[[App, bytes], dict[str, Any]]] = {
    ("GET", "health"): lambda _, __: {"status": "ok"},
    ("GET", "faults"): lambda app, _: _faults(app),
    ("POST", "faults"): _inject,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("POST", "reset"): _reset,
}
