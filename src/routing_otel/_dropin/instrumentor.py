"""The OpenTelemetry instrumentor: ``opentelemetry-instrument python app.py`` picks us up.

Registered under the ``opentelemetry_instrumentor`` entry point. ``routing_otel.instrument()``
goes through the same singleton, so both ways of turning us on agree on the state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry.instrumentation.instrumentor import (  # type: ignore[attr-defined]
    BaseInstrumentor,
)

from routing_otel._dropin import instrument as _instrument
from routing_otel._options import Options

if TYPE_CHECKING:
    from collections.abc import Collection


class RoutingInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Observe Eden AI calls made with httpx, httpx2 and requests, process-wide."""

    def instrumentation_dependencies(self) -> Collection[str]:
        """None required: whichever of httpx, httpx2 and requests is installed is patched."""
        return ()

    def _instrument(self, **kwargs: Any) -> None:
        _instrument.instrument(Options.of(**kwargs))

    def _uninstrument(self, **kwargs: Any) -> None:  # noqa: ARG002 - the base class's signature
        _instrument.uninstrument()
