"""Error responses, in the exact body shapes Eden AI sends (see the wire spec's table)."""

from __future__ import annotations

import time
from typing import Any


class ApiError(Exception):
    """An HTTP error answer: raised anywhere while handling a request, sent by the server."""

    def __init__(self, status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        """Keep the status, the JSON body (None: no body) and any extra response headers."""
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers


def openai_error(
    status: int, message: str, *, type_: str, code: str, param: str | None = None
) -> ApiError:
    """Build the OpenAI-style `{"error": {...}}` body most inference errors use."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return ApiError(status, body)


def not_authenticated() -> ApiError:
    """No bearer credentials (FastAPI's HTTPBearer answer)."""
    return ApiError(403, {"detail": "Not authenticated"})


def bad_scheme() -> ApiError:
    """Refuse an Authorization header that is not `Bearer <key>` (FastAPI's answer)."""
    return ApiError(403, {"detail": "Invalid authentication credentials"})


def invalid_token() -> ApiError:
    """Refuse a key the platform does not know."""
    return ApiError(401, {"detail": "Invalid token"})


def validation(errors: list[dict[str, Any]]) -> ApiError:
    """FastAPI's 422 list of validation errors."""
    return ApiError(422, {"detail": errors})


def model_not_found(names: list[str], *, status: int = 400) -> ApiError:
    """Refuse an unknown or inactive model (400 by default; some pages say 404)."""
    message = "Model(s) not found or inactive: " + ", ".join(names)
    return openai_error(status, message, type_="invalid_request_error", code="invalid_parameter")


def no_candidates() -> ApiError:
    """`router_candidates` empty, or every entry dropped as unrankable."""
    return openai_error(
        400,
        "no candidates provided",
        type_="invalid_request_error",
        code="invalid_parameter",
        param="router_candidates",
    )


def region_not_allowed(model: str) -> ApiError:
    """Refuse, as the EU host does, a model it may not serve in the EU."""
    return openai_error(
        451,
        f"Model {model} is not available in region eu",
        type_="invalid_request_error",
        code="region_not_allowed",
        param="model",
    )


def rate_limited(retry_after: float, *, limit: int = 10) -> ApiError:
    """429 with both header families: `Retry-After` and the older `X-RateLimit-*`."""
    wait = max(0, round(retry_after))
    body = {
        "error": {
            "message": "Rate limit exceeded",
            "type": "rate_limit_error",
            "code": "rate_limit_exceeded",
        }
    }
    headers = (
        ("retry-after", str(wait)),
        ("x-ratelimit-limit", str(limit)),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset", str(int(time.time()) + wait)),  # epoch seconds
    )
    return ApiError(429, body, headers)


def insufficient_credits(*, legacy: bool) -> ApiError:
    """402, in the current or the older body shape."""
    if legacy:
        body: dict[str, str] = {
            "detail": "Insufficient credits to perform this request",
            "error_code": "INSUFFICIENT_CREDIT",
        }
        return ApiError(402, body)
    return ApiError(402, {"error": "Insufficient credits"})


def server_error() -> ApiError:
    """500, a provider error."""
    return openai_error(500, "Provider error", type_="server_error", code="provider_error")


def bad_gateway() -> ApiError:
    """502, the upstream answered with something unusable."""
    return openai_error(
        502, "Bad gateway: invalid upstream response", type_="server_error", code="bad_gateway"
    )


def router_down() -> ApiError:
    """503, the smart router is temporarily unavailable."""
    error = openai_error(
        503,
        "Smart routing is temporarily unavailable",
        type_="server_error",
        code="router_unavailable",
    )
    return ApiError(503, error.body, (("retry-after", "1"),))


def redirect(status: int, location: str) -> ApiError:
    """A redirect that keeps the method and body (307 or 308), as a gateway may send."""
    return ApiError(status, None, (("location", location),))


def not_found() -> ApiError:
    """FastAPI's answer to an unknown path."""
    return ApiError(404, {"detail": "Not Found"})


def method_not_allowed(allow: str) -> ApiError:
    """FastAPI's answer to a known path with the wrong method."""
    return ApiError(405, {"detail": "Method Not Allowed"}, (("allow", allow),))


def emulator_error(message: str, status: int = 400) -> ApiError:
    """Refuse a mistaken emulator control (an unknown fault name, a bad header)."""
    return openai_error(status, message, type_="emulator_error", code="emulator_error")
