"""``routing-otel prices pull|show``, against the emulator on loopback (never Eden AI)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from typing import TYPE_CHECKING, ClassVar

import pytest

from routing_otel._cost.prices import (
    PRICES_FILE_ENV,
    ModelPrice,
    load_default_table,
    load_price_file,
)
from routing_otel.cli.prices import main
from routing_otel.emulator import CATALOGUE, Emulator, EmulatorConfig

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the real user's price file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv(PRICES_FILE_ENV, raising=False)
    monkeypatch.delenv("ROUTING_OTEL_TEST_KEY", raising=False)


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the class's canned status and body."""

    status: ClassVar[int] = 200
    body: ClassVar[bytes] = b""
    seen_headers: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen_headers.append(dict(self.headers))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        """Keep test output quiet."""


@pytest.fixture
def canned() -> Iterator[tuple[str, type[_Canned]]]:
    """A loopback server answering whatever a test sets on the handler class."""
    handler = type("Handler", (_Canned,), {"seen_headers": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v3", handler
    server.shutdown()
    server.server_close()
    thread.join()


# --- pull ---------------------------------------------------------------------------------


def test_pull_writes_the_default_file_the_library_reads(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pull writes $XDG_CONFIG_HOME/routing-otel/prices.json, and the default table uses it."""
    assert main(["pull", "--url", emu.base_url]) == 0
    path = tmp_path / "config" / "routing-otel" / "prices.json"
    out = capsys.readouterr().out
    assert out == f"wrote {len(CATALOGUE)} models to {path}\n"
    table = load_default_table()
    assert table.entries["openai/gpt-4o"].origin == str(path)
    assert table.resolve("gemini-flash-latest") == "google/gemini-2.5-flash"
    request = emu.requests[-1]
    assert (request.method, request.path) == ("GET", "/v3/models")
    assert request.query["view"] == "models"
    assert "authorization" not in {k.lower() for k in request.headers}


def test_pull_keeps_the_catalogue_and_notes_where_it_came_from(
    emu: Emulator, tmp_path: Path
) -> None:
    """The file is the /v3/models body plus its source URL and the time of the pull."""
    output = tmp_path / "p.json"
    assert main(["pull", "--url", emu.base_url + "/", "--output", str(output)]) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["object"] == "list"
    assert len(document["data"]) == len(CATALOGUE)
    assert document["source"] == f"{emu.base_url}/models?view=models"
    assert document["as_of"].endswith("+00:00")


def test_pull_uses_prices_after_the_account_discount(tmp_path: Path) -> None:
    """With a discounted account the pulled prices are the discounted ones."""
    output = tmp_path / "p.json"
    with Emulator(EmulatorConfig.fast(discount=0.5)) as emu:
        assert main(["pull", "--url", emu.base_url, "--output", str(output)]) == 0
    found = load_price_file(output).lookup("gpt-4o-2024-08-06")
    assert found == ("openai/gpt-4o", ModelPrice(1.25e-6, 5e-6, 6.25e-7, 0.0))


def test_pull_honours_the_env_path(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$ROUTING_OTEL_PRICES_FILE is where pull writes and where the library reads."""
    path = tmp_path / "deep" / "dir" / "prices.json"
    monkeypatch.setenv(PRICES_FILE_ENV, str(path))
    assert main(["pull", "--url", emu.base_url]) == 0
    assert load_default_table().entries["openai/gpt-4o"].origin == str(path)


def test_pull_to_another_path_says_how_to_use_it(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writing elsewhere than the default path tells the user how to point the library at it."""
    output = tmp_path / "elsewhere.json"
    assert main(["pull", "--url", emu.base_url, "--output", str(output)]) == 0
    assert f"{PRICES_FILE_ENV}={output}" in capsys.readouterr().out


def test_pull_replaces_the_file_atomically(emu: Emulator, tmp_path: Path) -> None:
    """A second pull replaces the first file and leaves no temporary files behind."""
    output = tmp_path / "p.json"
    output.write_text("old", encoding="utf-8")
    assert main(["pull", "--url", emu.base_url, "--output", str(output)]) == 0
    assert main(["pull", "--url", emu.base_url, "--output", str(output)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]
    assert len(load_price_file(output)) == len(CATALOGUE)


def test_pull_sends_the_key_from_the_named_variable(
    canned: tuple[str, type[_Canned]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--api-key-env NAME sends that variable's key as a bearer token."""
    url, handler = canned
    handler.body = json.dumps({"data": [{"id": "x/a", "pricing": _prices(1, 2)}]}).encode()
    monkeypatch.setenv("ROUTING_OTEL_TEST_KEY", "sk-eden-abc")
    argv = ["pull", "--url", url, "--output", str(tmp_path / "p.json")]
    assert main([*argv, "--api-key-env", "ROUTING_OTEL_TEST_KEY"]) == 0
    assert handler.seen_headers[-1]["Authorization"] == "Bearer sk-eden-abc"


# --- pull failures: one line, exit 1, nothing written -------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str], *message: str) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("routing-otel prices: error: ")
    assert captured.err.count("\n") == 1  # one line, no traceback
    assert "Traceback" not in captured.err
    for part in message:
        assert part in captured.err


def test_pull_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening: a one-line 'cannot reach' and exit 1, no file."""
    output = tmp_path / "p.json"
    url = f"http://127.0.0.1:{_free_port()}/v3"
    _fails(["pull", "--url", url, "--output", str(output)], capsys, "cannot reach", url)
    assert not output.exists()


def test_pull_http_error(emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An HTTP error status is reported with its code."""
    output = tmp_path / "p.json"
    argv = ["pull", "--url", emu.base_url + "/nowhere", "--output", str(output)]
    _fails(argv, capsys, "answered HTTP 404")
    assert not output.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>maintenance</html>", "did not answer JSON"),
        (b"\xff\xfe", "did not answer JSON"),
        (b'{"detail": "Not authenticated"}', "expected a /v3/models object with a 'data' list"),
        (b'{"data": []}', "no model prices found"),
        (b'{"data": [{"id": "x", "pricing": {"input_cost_per_token": "1"}}]}', "must be a number"),
    ],
)
def test_pull_refuses_what_is_not_a_price_table(
    canned: tuple[str, type[_Canned]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
    message: str,
) -> None:
    """Bad JSON or a JSON answer that is no price catalogue is refused; the old file stays."""
    url, handler = canned
    handler.body = body
    output = tmp_path / "p.json"
    output.write_text("previous", encoding="utf-8")
    _fails(["pull", "--url", url, "--output", str(output)], capsys, message)
    assert output.read_text(encoding="utf-8") == "previous"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc", "only http and https"),  # urllib would read local files
        ("http://", "only http and https"),
        ("127.0.0.1:8787/v3", "only http and https"),
        ("http://[::1/v3", "not a valid URL"),
    ],
)
def test_pull_refuses_what_is_not_an_http_url(
    capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    """Only http(s) URLs with a host are fetched; anything else is one line, exit 1."""
    _fails(["pull", "--url", url], capsys, message)


def test_pull_empty_key_variable(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """Naming an empty key variable is an error, not a silent anonymous pull."""
    argv = ["pull", "--url", emu.base_url, "--api-key-env", "ROUTING_OTEL_TEST_KEY"]
    _fails(argv, capsys, "ROUTING_OTEL_TEST_KEY")


def test_pull_unwritable_output(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output path that cannot be written is one line, exit 1."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    _fails(
        ["pull", "--url", emu.base_url, "--output", str(blocker / "p.json")], capsys, "cannot write"
    )


# --- show ---------------------------------------------------------------------------------


def test_show_resolves_a_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    """``show`` prints the canonical id, per-million prices and which source priced it."""
    assert main(["show", "claude-sonnet-4-5-20250929"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("anthropic/claude-sonnet-4-5 (from 'claude-sonnet-4-5-20250929')\n")
    assert "input        $3.00 per 1M tokens" in out
    assert "cache read   $0.30 per 1M tokens" in out
    assert "cache write  $3.75 per 1M tokens" in out
    assert "priced by    genai-prices\n" in out


def test_show_with_provider_and_input_price_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare name with --provider; a missing cache-write price shows the input fallback."""
    assert main(["show", "gpt-4o-mini-2024-07-18", "--provider", "openai"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("openai/gpt-4o-mini (from 'gpt-4o-mini-2024-07-18')\n")
    assert "cache write  $0.15 per 1M tokens (the input price)" in out


def test_show_lists_every_priced_model(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a model, one line per model of the tables, then where the others come from."""
    assert main(["show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 9
    assert lines[0].startswith("anthropic/claude-haiku-4-5 ")
    assert "genai-prices" in lines[-1]


def test_show_reads_the_pulled_file(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """After a pull, ``show`` includes the catalogue's models."""
    assert main(["pull", "--url", emu.base_url]) == 0
    capsys.readouterr()
    assert main(["show", "mistral-small-2503"]) == 0
    assert capsys.readouterr().out.startswith("mistral/mistral-small-latest (from ")


def test_show_with_a_litellm_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--file reads a LiteLLM-format file over the built-in table."""
    path = tmp_path / "litellm.json"
    path.write_text(json.dumps({"acme/m": _prices(1e-6, 2e-6)}), encoding="utf-8")
    assert main(["show", "acme/m", "--file", str(path)]) == 0
    assert f"from         {path}" in capsys.readouterr().out


def test_show_unknown_model(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown model is one line and exit 1."""
    _fails(["show", "acme/no-such-model"], capsys, "no price for 'acme/no-such-model'")


def test_show_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed price file is one line naming the file, exit 1."""
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    _fails(["show", "--file", str(path)], capsys, str(path), "not valid JSON")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """No subcommand or an unknown option is a usage error (2); --help exits 0."""
    assert main([]) == 2
    assert main(["pull", "--bogus"]) == 2
    assert main(["pull", "--timeout", "0"]) == 2
    assert main(["--help"]) == 0
    assert "pull" in capsys.readouterr().out


def _prices(input_: float, output: float) -> dict[str, float]:
    return {"input_cost_per_token": input_, "output_cost_per_token": output}
