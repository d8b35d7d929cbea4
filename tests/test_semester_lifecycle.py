"""End to end: the real crawl between semesters. The site holds 2025-1; the faculty's server does
not have 2025-2's index yet (404), so a crawl for 2025-2 waits, and exits 0, until
SEMESTER_WAIT_DAYS after the semester's first teaching day (23 February 2026), then fails."""
from __future__ import annotations

import json

import pytest

from tests.crawling import run_crawl, snapshot
from tests.ubb_site import SimServer


@pytest.fixture(scope="module")
def between_semesters(tmp_path_factory):
    """A site of 2025-1, and the server that has only 2025-1's pages."""
    tmp = tmp_path_factory.mktemp("between")
    server = SimServer("2025-1", latency=0.02, jitter=0.01)
    with server:
        result = run_crawl(server, semester="2025-1", site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
    assert result.returncode == 0, result.output[-3000:]
    return tmp, server


def crawl_2025_2(between_semesters, **settings):
    tmp, server = between_semesters
    with server:
        return run_crawl(server, semester="2025-2", site_dir=tmp / "site",
                         settings={"HTTPCACHE_DIR": tmp / "cache", **settings})


def status(between_semesters) -> dict:
    return json.loads((between_semesters[0] / "site/data/status.json").read_text("utf-8"))


def test_within_the_wait_the_crawl_waits_exits_0_and_keeps_the_site(between_semesters):
    """Today is long past 23 February 2026, so the wait is made longer than that."""
    site = between_semesters[0] / "site"
    before = snapshot(site, skip=("data/status.json",))
    result = crawl_2025_2(between_semesters, SEMESTER_WAIT_DAYS=100_000)
    assert (result.returncode, status(between_semesters)["outcome"], snapshot(site, skip=("data/status.json",)) == before) == (
        0, "waiting", True), result.output[-3000:]
    assert "semester 2025-2 is not published yet; the site keeps semester 2025-1" in result.output


def test_past_the_wait_the_crawl_fails_naming_the_wait(between_semesters):
    result = crawl_2025_2(between_semesters)
    assert (result.returncode, status(between_semesters)["outcome"]) == (1, "failed")
    assert "semester 2025-2 is still not published" in status(between_semesters)["problems"][0]
