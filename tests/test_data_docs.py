"""docs/data.md's examples, run as its readers would: each code block against a crawl of the
simulated site served on 127.0.0.1, in place of the docs' https://timetable.example.org, must
print the text block that follows it. So the examples cannot drift from the published data."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import crawl_simulated_site
from tests.page_server import PageServer

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "data.md"
EXAMPLE = re.compile(r"^```(sh|python|js)\n(.*?)^```\n\n```text\n(.*?)^```$", re.M | re.S)
PLACEHOLDER = "https://timetable.example.org"
# Each language's program; jq, curl and node are Debian packages .ci/run installs: none may be missing.
RUN = {"sh": ("sh", "-c"), "python": (sys.executable, "-c"), "js": ("node", "--input-type=module", "-e")}
NEEDS = {"sh": ("curl", "jq"), "python": (), "js": ("node",)}


def examples() -> list[tuple[str, str, str]]:
    return EXAMPLE.findall(DOCUMENT.read_text("utf-8"))


@pytest.fixture(scope="module")
def site_url(tmp_path_factory) -> str:
    site = crawl_simulated_site(tmp_path_factory.mktemp("data-docs"))
    with PageServer(site) as server:
        yield server.base.rstrip("/")


def test_the_docs_show_a_shell_a_python_and_a_javascript_example():
    assert [language for language, _code, _output in examples()] == ["sh", "python", "js"]


@pytest.mark.parametrize("language, code, output", examples(), ids=lambda value: value if value in RUN else "")
def test_an_example_prints_what_the_docs_say(site_url, language, code, output):
    for program in NEEDS[language]:
        assert shutil.which(program), f"{program} is missing: .ci/run installs it"
    assert PLACEHOLDER in code
    done = subprocess.run([*RUN[language], code.replace(PLACEHOLDER, site_url)], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", output)
