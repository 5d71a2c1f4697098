"""What a user sees when a client library is missing, and the emulator's own help."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Run in a fresh interpreter where ``blocked`` cannot be imported, as if not installed.
_PROBE = textwrap.dedent(
    """
    import importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == sys.argv[1]:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    try:
        __import__(sys.argv[2])
    except ModuleNotFoundError as error:
        print(f"{error.name}|{error}")
    else:
        print("imported")
    """
)


def _import_without(blocked: str, module: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, blocked, module],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("module", "client", "extra"),
    [
        ("routing_otel.httpx", "httpx", "httpx"),
        ("routing_otel.httpx2", "httpx2", "httpx2"),
        ("routing_otel.requests", "requests", "requests"),
    ],
)
def test_a_missing_client_names_the_extra_to_install(module: str, client: str, extra: str) -> None:
    """Importing our adapter without its client says which extra installs it."""
    name, _, message = _import_without(client, module).partition("|")
    assert name == client  # ModuleNotFoundError.name still names the missing package
    assert f"pip install 'routing-otel[{extra}]'" in message
    assert module in message


def test_a_broken_client_is_not_reported_as_missing() -> None:
    """A client whose own dependency is missing raises the original error, not our hint."""
    name, _, message = _import_without("idna", "routing_otel.httpx").partition("|")
    assert name == "idna"
    assert "routing-otel[" not in message


def test_the_library_imports_without_any_client() -> None:
    """``import routing_otel`` needs none of the optional clients."""
    for client in ("httpx", "httpx2", "requests"):
        assert _import_without(client, "routing_otel") == "imported"


def _help(*command: str) -> str:
    result = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout


def test_emulator_help_shows_the_installed_command() -> None:
    """``routing-otel emulator --help`` shows that command, not ``python -m ...``."""
    script = shutil.which("routing-otel", path=str(Path(sys.executable).parent))
    assert script is not None
    text = _help(script, "emulator")
    assert text.startswith("usage: routing-otel emulator ")
    assert "python -m" not in text


def test_emulator_help_under_python_m_shows_python_m() -> None:
    """``python -m routing_otel.emulator --help`` shows the command that was typed."""
    assert _help(sys.executable, "-m", "routing_otel.emulator").startswith(
        "usage: python -m routing_otel.emulator "
    )


def test_emulator_help_points_to_no_file_a_pip_install_lacks() -> None:
    """The help names its guide by URL, never as a path in a source checkout."""
    text = " ".join(_help(sys.executable, "-m", "routing_otel.emulator").split())
    assert "docs/emulator.md" in text
    assert " docs/" not in text
    assert "https://github.com/routing-otel/routing-otel/blob/main/docs/emulator.md" in text
