"""The package layout shows the architecture: public names, one-way imports, small modules."""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import routing_otel

SRC = Path(routing_otel.__file__).parent
PACKAGE = "routing_otel"

PUBLIC_NAMES = {
    "routing_otel": {
        "ObserveScope",
        "RoutingInstrumentor",
        "__version__",
        "instrument",
        "label",
        "observe",
        "uninstrument",
    },
    "routing_otel.httpx": {"AsyncRoutingTransport", "RoutingTransport"},
    "routing_otel.httpx2": {"AsyncRoutingTransport", "RoutingTransport"},
    "routing_otel.requests": {"RoutingAdapter"},
    "routing_otel.logging": {"CALL_LOGGER", "add_trace_context"},
    "routing_otel.emulator": {
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
    },
    "routing_otel.demo": {"main", "run"},
}

# The instrumentation's layers, from the face users import to the shared leaves. A module
# may import its own layer and the layers after it, never one before it.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "face",
        {
            "routing_otel",
            "routing_otel.httpx",
            "routing_otel.httpx2",
            "routing_otel.requests",
            "routing_otel.logging",
        },
    ),
    ("_dropin", {"routing_otel._dropin"}),
    ("_calls", {"routing_otel._calls"}),
    ("_telemetry", {"routing_otel._telemetry"}),
    ("_cost", {"routing_otel._cost"}),
    ("_context", {"routing_otel._context"}),
    ("_wire", {"routing_otel._wire"}),
    (
        "shared",
        {
            "routing_otel._options",
            "routing_otel._safety",
            "routing_otel._semconv",
            "routing_otel._version",
        },
    ),
]
CLI_MODULES = {
    "routing_otel.cli",
    "routing_otel.cli.prices",
    "routing_otel.cli.argtypes",
    "routing_otel.cli.__main__",
}
CLI_USERS = {
    *CLI_MODULES,
    "routing_otel.demo",
    "routing_otel.report",
}
HTTP_CLIENTS = {"httpx", "httpx2", "requests", "urllib3", "aiohttp", "http", "openai"}
MAX_PRIVATE_LINES = 400
# Upward imports in today's tree, each to be removed with the import (the test then says so).
KNOWN_UPWARD: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    """One import statement: which module wrote it, what it imports, and on which line."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        """Where the import is, for failure messages."""
        return f"{self.source}:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _resolve(source: str, node: ast.ImportFrom) -> list[str]:
    """Absolute names an ``import from`` brings in (a submodule when the name is one)."""
    if node.level:
        package = source if MODULES[source].name == "__init__.py" else source.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    names = []
    for alias in node.names:
        child = f"{base}.{alias.name}"
        names.append(child if child in MODULES else base)
    return names


def _imports() -> list[Import]:
    """Every import in the package, TYPE_CHECKING and function-level ones included."""
    found = []
    for source, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(source, alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                found += [Import(source, t, node.lineno) for t in _resolve(source, node)]
    return found


IMPORTS = _imports()


def _within(module: str, roots: set[str]) -> bool:
    return any(module == root or module.startswith(f"{root}.") for root in roots)


def _layer(module: str) -> int | None:
    # The face's package name is every module's prefix: match it exactly.
    for index, (_, roots) in enumerate(LAYERS):
        exact = module in roots
        if exact or (index > 0 and _within(module, roots)):
            return index
    return None


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_public_names_are_exactly_the_intended_ones(module: str) -> None:
    """Each public module's ``__all__`` is exactly its intended names, and each exists."""
    imported = importlib.import_module(module)
    assert set(imported.__all__) == PUBLIC_NAMES[module]
    assert len(imported.__all__) == len(set(imported.__all__))
    assert all(hasattr(imported, name) for name in imported.__all__)


def test_every_module_is_placed() -> None:
    """Each module belongs to a layer or to the tools (CLI, emulator, demo, report)."""
    tools = {*CLI_USERS, "routing_otel.emulator"}
    unplaced = [m for m in MODULES if _layer(m) is None and not _within(m, tools)]
    assert unplaced == []


def test_imports_run_one_way() -> None:
    """No layer imports one nearer the face (face → _dropin → … → _wire → shared)."""
    upward = {
        (i.source, i.target)
        for i in IMPORTS
        if (source := _layer(i.source)) is not None
        and (target := _layer(i.target)) is not None
        and target < source
    }
    lines = [str(i) for i in IMPORTS if (i.source, i.target) in upward ^ KNOWN_UPWARD]
    assert upward == KNOWN_UPWARD, (lines, "an import no longer made must leave KNOWN_UPWARD")


def test_instrumentation_imports_no_tools() -> None:
    """The instrumentation's layers import neither the CLI, the emulator nor the demo."""
    tools = {*CLI_USERS, "routing_otel.emulator"}
    wrong = [str(i) for i in IMPORTS if _layer(i.source) is not None and _within(i.target, tools)]
    assert wrong == []


def test_wire_imports_no_telemetry_or_http_client() -> None:
    """``_wire`` reads bytes only: no OpenTelemetry, no HTTP client library."""
    banned = {"opentelemetry", *HTTP_CLIENTS}
    wrong = [
        str(i)
        for i in IMPORTS
        if _within(i.source, {"routing_otel._wire"}) and _within(i.target, banned)
    ]
    assert wrong == []


def test_emulator_imports_nothing_of_the_instrumentation() -> None:
    """The emulator stands alone: it imports only itself from this package."""
    wrong = [
        str(i)
        for i in IMPORTS
        if _within(i.source, {"routing_otel.emulator"})
        and _within(i.target, {PACKAGE})
        and not _within(i.target, {"routing_otel.emulator"})
    ]
    assert wrong == []


def test_only_the_tools_import_the_cli() -> None:
    """Only the CLI itself, the demo and the report import the CLI modules."""
    wrong = [
        str(i)
        for i in IMPORTS
        if _within(i.target, CLI_MODULES) and not _within(i.source, CLI_USERS)
    ]
    assert wrong == []


def test_private_modules_are_small() -> None:
    """No private module is over 400 lines."""
    private = {m: p for m, p in MODULES.items() if any(s.startswith("_") for s in m.split("."))}
    too_long = {
        m: n
        for m, p in private.items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_PRIVATE_LINES
    }
    assert too_long == {}
