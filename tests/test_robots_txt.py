"""End to end: the crawl obeys robots.txt. It asks once per host, revalidates it through the HTTP
cache like the pages, never requests a page robots.txt disallows, and reports such a page as a
failed page whose last version is kept (exit 1)."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.crawling import run_crawl
from tests.ubb_site import SimServer, build_site

SEMESTER = "2025-2"
IE3 = f"/files/orar/{SEMESTER}/tabelar/IE3.html"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """The site crawled with no robots.txt (404); with one that allows all, twice; then with one that
    disallows IE3."""
    tmp = tmp_path_factory.mktemp("robots")
    www = tmp / "www"
    shutil.copytree(build_site(SEMESTER), www)
    server = SimServer(root=www, latency=0.02, jitter=0.01)
    results = {}

    def crawl(name):
        with server:
            results[name] = run_crawl(server, site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
        results[name].server = server.stats

    crawl("no robots.txt")
    (www / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    crawl("allowing")
    crawl("unchanged")
    (www / "robots.txt").write_text(f"User-agent: *\nDisallow: {IE3}\n")
    crawl("IE3 disallowed")
    return tmp / "site", results


def test_without_a_robots_txt_everything_is_allowed_and_published(crawls):
    result = crawls[1]["no robots.txt"]
    assert (result.returncode, result.server["paths"]["/robots.txt"]) == (0, 1)


def test_robots_txt_is_asked_once_per_host(crawls):
    """The timetable site and the academic calendar are one host in the simulated site."""
    assert (crawls[1]["allowing"].returncode, crawls[1]["allowing"].server["paths"]["/robots.txt"]) == (0, 1)


def test_an_unchanged_robots_txt_is_revalidated_with_a_304(crawls):
    """A re-crawl of an unchanged site: every answer is a 304, robots.txt's too."""
    stats = crawls[1]["unchanged"].server
    assert stats["not_modified_304"] == stats["requests"]


def test_a_disallowed_page_is_never_requested(crawls):
    assert IE3 not in crawls[1]["IE3 disallowed"].server["paths"]


def test_a_disallowed_page_fails_the_run(crawls):
    assert crawls[1]["IE3 disallowed"].returncode == 1


def status(crawls) -> dict:
    return json.loads((crawls[0] / "data/status.json").read_text("utf-8"))


def test_a_disallowed_page_is_named_in_the_status(crawls):
    named = [(p["kind"], p["reason"]) for p in status(crawls)["failed_pages"] if p["url"].endswith("/IE3.html")]
    assert (status(crawls)["outcome"], named) == ("partial", [("timetable", "disallowed by robots.txt")])


def test_a_disallowed_page_keeps_its_last_version(crawls):
    kept = status(crawls)["counts"]["spec_pages_kept_from_last_run"]
    assert (kept, (crawls[0] / "data/IE3.json").exists()) == (1, True)
