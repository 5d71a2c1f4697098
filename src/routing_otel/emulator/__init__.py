"""An Eden AI V3 LLM API emulator: a real HTTP server on loopback, standard library only.

It speaks the wire format our instrumentation reads (both endpoint generations, SSE streams,
smart routing, usage and cost, the `edenai_metadata` block, every documented error), so
tests, demos and benchmarks never call the real service::

    from routing_otel.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig.fast()) as emu:
        client = OpenAI(api_key="sk-eden-test", base_url=emu.llm_base_url)

``routing-otel emulator --help`` lists its options, faults and controls. The emulator knows
nothing of telemetry and imports nothing from the rest of routing_otel.
"""

from __future__ import annotations

from routing_otel.emulator._catalogue import CATALOGUE, ModelSpec
from routing_otel.emulator._catalogue import find as find_model
from routing_otel.emulator._cli import main
from routing_otel.emulator._config import (
    DEFAULT_CANDIDATES,
    EmulatorConfig,
    Fault,
    ModelSpelling,
    SseQuirk,
    UsageShape,
)
from routing_otel.emulator._scenario import RecordedRequest
from routing_otel.emulator._server import Emulator

__all__ = [
    "CATALOGUE",
    "DEFAULT_CANDIDATES",
    "Emulator",
    "EmulatorConfig",
    "Fault",
    "ModelSpec",
    "ModelSpelling",
    "RecordedRequest",
    "SseQuirk",
    "UsageShape",
    "find_model",
    "main",
]
