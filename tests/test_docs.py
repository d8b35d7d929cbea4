"""The README and docs/: every relative link leads to a file of the repository, and every
#anchor to a heading of that file, as GitHub renders them; every setting they name exists, and
every path of the published site they name is in a crawl of the simulated site."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.crawling import crawl_simulated_site

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


# -- what the docs name: settings, and the published site's paths ------------------------------------

SETTING = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
# Capitals the docs name that are not Scrapy settings, and the file each lives in.
NOT_SETTINGS = {
    "CRAWL_PYTHON": "scripts/cron-crawl.sh", "LOCK_FILE": "scripts/cron-crawl.sh",  # the cron script's environment
    "CRAWL_ARGS": "deploy/systemd/timetable-crawl.service",  # the crawl unit's environment file
    "CHROME_PATH": "benchmarks/page_weight.py", "LIVE_SEMESTER": "tests/live/conftest.py",  # environment too
    "SAME_IN": "tests/test_page_languages.py",  # a test's list
    "SCHEDULE_ROOT": "benchmarks/crawl.py",  # the replaced generator's, which the benchmark sets
    "O_TRUNC": "timetable_spider/publishing.py", "RENAME_EXCHANGE": "timetable_spider/publishing.py",  # the kernel's
}
BACKTICKED = re.compile(r"`([^`\n]+)`")
# Where the docs place the published site: `site/…`, `SITE_DIR/…`, the deployed SITE_DIR.
SITE_PREFIX = re.compile(r"^(?:site/|SITE_DIR/|/var/lib/timetable_spider/site/)")
SITE_FILE = re.compile(r"^[\w.<>… -]+(?:/[\w.<>… -]+)*/?$")
# The site's top-level directories: a path starting with one is taken for one of the site's.
TOP_LEVEL = {"data", "teachers", "rooms", "subjects", "changes", "academic-year", "js", "icons"}
SITE_SUFFIXES = (".json", ".ics", ".atom", ".html", ".js", ".css", ".webmanifest")
# Files the docs name by name that are not the published site's, and where each is instead.
NOT_SITE_FILES = {
    "IE2.html": "tests/fixtures/site/IE2.html",  # a faculty page
    "semester.txt": "tests/fixtures/cassettes/live/semester.txt",
    "listjobs.json": None,  # Scrapyd's API, not a file
}


@pytest.fixture(scope="module")
def crawled_site(tmp_path_factory) -> set[str]:
    """Every path of a crawl of the simulated site, relative to SITE_DIR; directories end in "/"."""
    site = crawl_simulated_site(tmp_path_factory.mktemp("docs-crawl"))
    return {p.relative_to(site).as_posix() + ("/" if p.is_dir() else "") for p in site.rglob("*")}


def pattern(path: str) -> re.Pattern:
    """A documented path as a pattern: a one-word placeholder (<CODE>, <group>, <n>) stands for one
    name, with no "-" (so <group>.ics is not 921-1.ics); one of several words (<Spec name>) for any
    text but "/"; "…" for anything."""
    parts = re.split(r"(<[^>]+>|…)", path)
    return re.compile("".join(
        ".+" if part == "…" else ("[^/]+" if " " in part else "[^/-]+") if part.startswith("<") else re.escape(part)
        for part in parts))


def published_block_paths(text: str) -> list[str]:
    """The paths of the "What is published" block: each line's first column, items separated by ", ";
    an item with no "/" is in the previous one's directory, "-2.ics" the previous name's other ending,
    "…/" the previous one's directory, and "(or <name> …)" an alternative in the same directory."""
    found = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            if not line.startswith("site/"):
                continue
            column, *rest = re.split(r"\s{2,}", line)
            first, *others = column.split(", ")
            found.append(previous := first)
            for item in others:
                if item == "…":
                    continue
                if item.startswith("…/"):
                    item = previous.rsplit("/", 1)[0] + item[1:]
                elif item.startswith("-"):
                    item = previous.rsplit("-", 1)[0] + item
                elif "/" not in item.rstrip("/"):
                    item = first.rsplit("/", 1)[0] + "/" + item
                elif not item.startswith("site/"):
                    item = "site/" + item
                found.append(previous := item)
            alternative = re.match(r"\(or (\S+)", rest[0]) if rest else None
            if alternative:
                found.append(previous.rsplit("/", 1)[0] + "/" + alternative.group(1))
    return [SITE_PREFIX.sub("", path) for path in found]


def site_paths_named(document: Path) -> list[str]:
    """The published site's paths a document names: in backticks with a site prefix, or starting
    with a top-level directory of the site; and the "What is published" block's."""
    named = []
    for token in BACKTICKED.findall(prose(document)):
        path = SITE_PREFIX.sub("", token)
        if SITE_FILE.match(path) and "/" in path.rstrip("/") and (path != token or path.split("/")[0] in TOP_LEVEL):
            named.append(path)
    return named + published_block_paths(document.read_text("utf-8"))



def test_every_setting_named_in_the_docs_exists():
    from scrapy.settings import default_settings
    from timetable_spider import settings
    known = {name for module in (default_settings, settings) for name in dir(module)}
    unknown = sorted(name for document in DOCUMENTS for name in set(SETTING.findall(document.read_text("utf-8")))
                     if name not in known and not (name in NOT_SETTINGS and name in (ROOT / NOT_SETTINGS[name]).read_text()))
    assert unknown == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_site_path_named_in_the_docs_is_published(document: Path, crawled_site):
    missing = [path for path in site_paths_named(document)
               if not any(pattern(path).fullmatch(published) for published in crawled_site)]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_site_file_named_in_the_docs_by_its_name_is_published(document: Path, crawled_site):
    names = {published.rstrip("/").rsplit("/", 1)[-1] for published in crawled_site}
    missing = [token for token in BACKTICKED.findall(prose(document))
               if re.fullmatch(r"[\w.-]+", token) and token.endswith(SITE_SUFFIXES) and not token.startswith(".")
               and token not in names
               and not (token in NOT_SITE_FILES and (NOT_SITE_FILES[token] is None or (ROOT / NOT_SITE_FILES[token]).exists()))]
    assert missing == []
