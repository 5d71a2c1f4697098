"""The OpenTelemetry instrumentor: ``opentelemetry-instrument python app.py`` picks us up.

Registered under the ``opentelemetry_instrumentor`` entry point. ``routing_otel.instrument()``
goes through the same singleton, so both ways of turning us on agree on the state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from opentelemetry.instrumentation.dependencies import get_dependency_conflicts
from opentelemetry.instrumentation.instrumentor import (  # type: ignore[attr-defined]
    BaseInstrumentor,
)

from routing_otel._dropin import instrument as _instrument
from routing_otel._options import Options

if TYPE_CHECKING:
    from collections.abc import Collection


# The clients we patch; any one of them is enough (contrib's ``_instruments_any``). The
# ``instruments-any`` extra in pyproject.toml says the same to ``opentelemetry-instrument``,
# which reads it from the package metadata before loading us.
INSTRUMENTS_ANY: Final = ("httpx >= 0.27", "httpx2 >= 2.16", "requests >= 2.31")


class RoutingInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Observe Eden AI calls made with httpx, httpx2 and requests, process-wide."""

    def instrumentation_dependencies(self) -> Collection[str]:
        """The supported clients that are installed; every one of them when none is.

        As contrib's instrumentors with alternatives (psycopg2 or psycopg2-binary) do: the
        base class requires all the returned packages, so it gets the ones we will patch,
        and, with none usable, the whole list, which it then reports as missing.
        """
        usable = tuple(spec for spec in INSTRUMENTS_ANY if get_dependency_conflicts([spec]) is None)
        return usable or INSTRUMENTS_ANY

    def _instrument(self, **kwargs: Any) -> None:
        _instrument.instrument(Options.of(**kwargs))

    def _uninstrument(self, **kwargs: Any) -> None:  # noqa: ARG002 - the base class's signature
        _instrument.uninstrument()
