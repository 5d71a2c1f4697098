"""The pictures in dashboards/img show the committed dashboards, not an older state."""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import TYPE_CHECKING

import pytest

from tests.dashboards import support

if TYPE_CHECKING:
    from pathlib import Path

IMAGES = support.ROOT / "img"
DASHBOARDS = ("routing-overview", "cost")
DIGEST_KEY = "routing-otel-dashboard-sha256"  # what dashboards/render.py writes
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_text(path: Path) -> dict[str, str]:
    """The tEXt, zTXt and iTXt chunks of a PNG file, by keyword."""
    data = path.read_bytes()
    assert data.startswith(_SIGNATURE), f"{path} is not a PNG"
    found: dict[str, str] = {}
    offset = len(_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            found[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\0")  # language tag
            _, _, text = rest.partition(b"\0")  # translated keyword
            found[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode(
                "utf-8"
            )
        elif kind == b"IEND":
            break
    return found


@pytest.mark.parametrize("name", DASHBOARDS)
def test_picture_was_drawn_from_the_committed_dashboard(name: str) -> None:
    """Each picture records the hash of the dashboard JSON it shows; it is today's JSON."""
    recorded = png_text(IMAGES / f"{name}.png").get(DIGEST_KEY)
    committed = hashlib.sha256((support.GRAFANA / f"{name}.json").read_bytes()).hexdigest()
    assert recorded is not None, f"{name}.png records no dashboard hash: run 'make images'"
    assert recorded == committed, f"{name}.png shows an older {name}.json: run 'make images'"


def test_the_test_knows_every_dashboard() -> None:
    """Every committed dashboard has a picture checked here."""
    assert {p.stem for p in support.GRAFANA.glob("*.json")} == set(DASHBOARDS)


def test_the_renderer_records_what_this_test_reads() -> None:
    """dashboards/render.py writes the same key, the same hash, for the same dashboards."""
    from dashboards import render  # noqa: PLC0415  (matplotlib: only this test needs it)

    assert render.DIGEST_KEY == DIGEST_KEY
    assert render.DASHBOARDS == DASHBOARDS
    assert render.digest(b"{}") == hashlib.sha256(b"{}").hexdigest()
