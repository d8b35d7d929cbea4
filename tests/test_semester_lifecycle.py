"""End to end: the real crawl between semesters. The site holds 2025-1; the faculty's server does
not have 2025-2's index yet (404), so a crawl for 2025-2 waits, and exits 0, until
SEMESTER_WAIT_DAYS after the semester's first teaching day (23 February 2026), then fails."""
from __future__ import annotations

import json

import pytest

from tests.crawling import error_lines, run_crawl, snapshot
from tests.ubb_site import SimServer


@pytest.fixture(scope="module")
def between_semesters(tmp_path_factory):
    """A site of 2025-1, and the server that has only 2025-1's pages."""
    tmp = tmp_path_factory.mktemp("between")
    server = SimServer("2025-1", latency=0.02, jitter=0.01)
    with server:
        result = run_crawl(server, semester="2025-1", site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
    assert result.returncode == 0, result.output[-3000:]
    return tmp, server, result.output


def crawl_2025_2(between_semesters, **settings):
    tmp, server, _output = between_semesters
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


# -- the journal: ERROR only for a real failure, so an administrator can alert on it ---------------

def test_a_crawl_that_publishes_logs_no_error(between_semesters):
    """Teaching weeks, holidays, exam sessions and the summer alike: the pages are there."""
    assert error_lines(between_semesters[2]) == []


def test_waiting_for_a_semester_logs_no_error(between_semesters):
    """The index and the room legend answer 404 every day of the wait: expected, not an error."""
    result = crawl_2025_2(between_semesters, SEMESTER_WAIT_DAYS=100_000)
    assert (result.returncode, error_lines(result.output)) == (0, []), result.output[-3000:]


def test_waiting_in_september_logs_no_error(tmp_path):
    """The site holds 2025-2; 2026-1 is not published, nor is the 2026-2027 academic calendar."""
    with SimServer("2025-2", latency=0.02, jitter=0.01) as server:
        published = run_crawl(server, semester="2025-2", site_dir=tmp_path / "site",
                              settings={"HTTPCACHE_DIR": tmp_path / "cache"})
        assert published.returncode == 0, published.output[-3000:]
        result = run_crawl(server, semester="2026-1", site_dir=tmp_path / "site",
                           settings={"HTTPCACHE_DIR": tmp_path / "cache", "SEMESTER_WAIT_DAYS": 100_000})
    assert (result.returncode, error_lines(result.output)) == (0, []), result.output[-3000:]
    assert "it is for academic year 2025-2026, but semester 2026-1 belongs to 2026-2027" in result.output


def test_past_the_wait_one_error_line_says_so(between_semesters):
    result = crawl_2025_2(between_semesters)
    assert ["semester 2025-2 is still not published" in line for line in error_lines(result.output)] == [True]
