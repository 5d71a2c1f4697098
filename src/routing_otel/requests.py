"""requests support: the Eden AI guides' own client.

``RoutingAdapter`` is a transport adapter to mount on a session; ``instrument()`` patches
``HTTPAdapter.send`` with the same code, so plain ``requests.post(...)`` is observed too.
The body is observed as the app reads it (``iter_lines``, ``iter_content``, ``.content``,
``.json()`` or ``.raw`` directly), through a proxy of ``response.raw``
(``routing_otel._calls.requests_adapter``).

>>> import requests, routing_otel.requests
>>> session = requests.Session()
>>> session.mount("https://", routing_otel.requests.RoutingAdapter())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routing_otel._options import missing_client

try:
    from requests.adapters import HTTPAdapter
except ModuleNotFoundError as _missing:  # only requests itself: a broken install raises as is
    raise missing_client(_missing, "requests", "'routing-otel[requests]'") from _missing

from routing_otel._calls.exchange import Instrumentation
from routing_otel._calls.requests_adapter import send_exchange
from routing_otel._options import OPTION_NAMES, Options

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider


__all__ = ["RoutingAdapter"]


class RoutingAdapter(HTTPAdapter):
    """A requests transport adapter that observes Eden AI chat calls."""

    def __init__(
        self,
        *args: Any,
        hosts: Iterable[str] | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        **kwargs: Any,
    ) -> None:
        """Take ``HTTPAdapter``'s arguments and the options of ``routing_otel.instrument``."""
        options = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTION_NAMES}
        super().__init__(*args, **kwargs)
        self._routing_instrumentation = Instrumentation(
            Options.of(hosts, tracer_provider, meter_provider, **options)
        )

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send the request, observing it if it is an API call."""
        parent = super().send
        return send_exchange(
            self._routing_instrumentation, request, lambda: parent(request, *args, **kwargs)
        )
