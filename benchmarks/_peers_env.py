"""The peers' virtual environment of benchmarks/peers.py, and its helper processes.

The environment (``.venv-peers/``, git-ignored) holds the OpenAI SDK and the OpenTelemetry SDK
at the main environment's versions, ``opentelemetry-instrumentation-openai-v2`` and this repo
(editable, so it always measures the current code). It is rebuilt only when its requirements
(or pyproject.toml) change: their hash is kept in ``.venv-peers/.ready``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import venv
from importlib.metadata import version
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11 on

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
ENV = REPO / ".venv-peers"
OPENAI_V2 = "opentelemetry-instrumentation-openai-v2==2.4b0"
# 2.4b0 imports opentelemetry.util.genai.instruments, which 1.2b0 and later no longer have;
# and it imports httpx for a type, while the OpenAI SDK 3.x speaks httpx2.
OPENAI_V2_NEEDS = ("opentelemetry-util-genai==1.1b0", f"httpx=={version('httpx')}")


def requirements() -> list[str]:
    """What the peers' environment holds."""
    return [
        "-e",
        f"{REPO}[httpx2]",
        f"openai=={version('openai')}",
        f"opentelemetry-sdk=={version('opentelemetry-sdk')}",
        OPENAI_V2,
        *OPENAI_V2_NEEDS,
    ]


def _digest() -> str:
    text = "\n".join([*requirements(), (REPO / "pyproject.toml").read_text(encoding="utf-8")])
    return hashlib.sha256(text.encode()).hexdigest()


def env_python(*, build: bool) -> Path | None:
    """The peers' interpreter, built or rebuilt first if needed and ``build``."""
    python, ready = ENV / "bin" / "python", ENV / ".ready"
    if ready.exists() and ready.read_text(encoding="ascii").strip() == _digest():
        return python
    if not build:  # --smoke never reaches for the network: an older build will do
        if python.exists():
            print(f"{ENV.name}/ predates its requirements; reused as is", file=sys.stderr)
            return python
        return None
    print(f"building {ENV.name}/ (once per change of its requirements)", file=sys.stderr)
    venv.create(ENV, with_pip=True, clear=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements()], check=True)
    ready.write_text(_digest() + "\n", encoding="ascii")
    return python


def installed(python: Path | str) -> dict[str, str]:
    """Versions of the measured packages in the interpreter's environment."""
    names = ["openai", "opentelemetry-sdk", "opentelemetry-instrumentation-openai-v2", "httpx2"]
    code = (
        "import json, importlib.metadata as m\n"
        "def v(n):\n    try: return m.version(n)\n    except m.PackageNotFoundError: return None\n"
        f"print(json.dumps({{n: v(n) for n in {names!r}}}))"
    )
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    found: dict[str, str] = json.loads(out.stdout)
    return {name: value for name, value in found.items() if value}


class Emulators:
    """The emulators, one process each (see _peers_emulator.py), stopped on exit."""

    def __init__(self, python: Path | str, modes: list[str]) -> None:
        self._processes: list[subprocess.Popen[str]] = []
        self.urls: dict[str, str] = {}
        for mode in modes:
            process = subprocess.Popen(
                [str(python), str(HERE / "_peers_emulator.py"), mode],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            self._processes.append(process)
            self.urls[mode] = _first_line(process.stdout)

    def __enter__(self) -> Self:
        """The started emulators."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close their stdin (they stop) and wait for them."""
        for process in self._processes:
            if process.stdin is not None:
                process.stdin.close()
        for process in self._processes:
            process.wait(timeout=30)


def _first_line(stream: IO[str] | None) -> str:
    assert stream is not None
    return stream.readline().strip()


def run_worker(python: Path | str, task: str, contestant: str, spec: dict[str, Any]) -> Any:
    """Run one fresh worker process and return what it printed (JSON)."""
    command = [str(python), str(HERE / "_peers_worker.py"), task, contestant, json.dumps(spec)]
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.splitlines()[-1])
