"""The README and docs/: every relative link leads to a file of the repository, and every
#anchor to a heading of that file, as GitHub renders them."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


def prose(path: Path) -> str:
    """The Markdown outside fenced code blocks."""
    return FENCE.sub("", path.read_text("utf-8"))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for heading in HEADING.findall(prose(path)):
        slug, n = anchor(heading), 1
        while slug in found:  # GitHub numbers repeated headings: -1, -2, ...
            slug, n = f"{anchor(heading)}-{n}", n + 1
        found.add(slug)
    return found


def relative_links(path: Path) -> list[str]:
    return [target for target in LINK.findall(prose(path)) if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_the_docs_folder_has_the_guides_the_readme_links():
    linked = {target.split("#")[0] for target in relative_links(ROOT / "README.md")}
    assert {f"docs/{path.name}" for path in DOCUMENTS[1:]} <= linked


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(document: Path):
    broken = []
    for target in relative_links(document):
        file_part, _, fragment = target.partition("#")
        linked = (document.parent / unquote(file_part)).resolve() if file_part else document
        if not linked.exists() or ROOT not in linked.parents and linked != ROOT:
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.relative_to(ROOT)}")
    assert broken == []


def test_the_readme_reads_in_five_minutes():
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 200
