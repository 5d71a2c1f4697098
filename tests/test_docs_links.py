"""Every relative link of the documentation a user reads resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    {
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        ROOT / "dashboards" / "README.md",
        ROOT / "dashboards" / "runbook.md",
        ROOT / "examples" / "README.md",
        *(ROOT / "docs").glob("*.md"),
    }
)
# [text](target) and ![alt](target), not inside code; and <img src="target">.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|<img[^>]*\ssrc=\"([^\"]+)\"")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE):
        slug = _slug(heading)
        n = 1
        candidate = slug
        while candidate in found:  # GitHub numbers repeated headings: x, x-1, x-2
            candidate = f"{slug}-{n}"
            n += 1
        found.add(candidate)
    return found


def _links(path: Path) -> list[str]:
    text = _CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [a or b for a, b in _LINK.findall(text)]


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:, ...


CASES = [
    pytest.param(path, target, id=f"{path.relative_to(ROOT)}->{target}")
    for path in DOCS
    if path.exists()
    for target in _links(path)
    if _relative(target)
]


def test_the_documents_have_relative_links() -> None:
    """The check below sees links (guards its own parsing)."""
    assert len(CASES) > 10
    assert (ROOT / "docs" / "telemetry.md") in DOCS


@pytest.mark.parametrize(("path", "target"), CASES)
def test_relative_link_resolves(path: Path, target: str) -> None:
    """The linked file exists in the repository, and so does the heading an anchor names."""
    file_part, _, anchor = target.partition("#")
    linked = (path.parent / file_part).resolve() if file_part else path
    assert linked.is_relative_to(ROOT), f"{target} leaves the repository (users lack it)"
    assert linked.exists(), f"{target}: no such file"
    if anchor and linked.suffix == ".md":
        assert anchor in _anchors(linked), f"{target}: no heading #{anchor}"
