"""run_outcome.py: what blocks publishing, and a new semester the faculty has not published yet
("waiting"), as plain decisions and through the publishing pipeline with time frozen."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.builders import group, listing, outcome, run_pipeline, spec_items
from tests.crawling import snapshot
from timetable_spider import calendar_rules
from timetable_spider.commands.crawl import EXIT_STATUS
from timetable_spider.items import PageFailure
from timetable_spider.run_outcome import RunReport, blocking_problems, waiting_for

INDEX_2025_2 = "https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/index.html"
FIRST_TEACHING_DAY_2025_2 = date(2026, 2, 23)  # the saved 2025-2026 academic calendar, semester II
COUNTS = {"calendars": 10, "events": 100, "spec_pages": 2, "groups": 4}


def index_failure(status: int | None = 404) -> PageFailure:
    return PageFailure(url=INDEX_2025_2, kind="index", status=status,
                       reason=f"HTTP {status}" if status else "Connection refused")


def report(*failures: PageFailure, first_teaching_day: date = FIRST_TEACHING_DAY_2025_2, **changes) -> RunReport:
    fields = dict(semester="2025-2", started=datetime(2026, 3, 1, tzinfo=timezone.utc), finish_reason="finished",
                  counts=dict(COUNTS), failures=list(failures), first_teaching_day=first_teaching_day)
    return RunReport(**(fields | changes))


def published(semester: str) -> dict:
    return {"outcome": "published", "last_published": {"semester": semester, "counts": COUNTS}}


# -- waiting_for ---------------------------------------------------------------------------------------

def test_an_index_404_with_last_semester_published_is_waiting():
    waiting = waiting_for(report(index_failure()), published("2025-1"), date(2026, 2, 25), 21)
    assert (waiting.semester, waiting.published_semester) == ("2025-2", "2025-1")


def test_waiting_counts_the_days_since_the_first_teaching_day():
    assert waiting_for(report(index_failure()), published("2025-1"), date(2026, 3, 5), 21).days == 10


def test_before_the_first_teaching_day_no_day_is_counted():
    assert waiting_for(report(index_failure()), published("2025-1"), date(2026, 2, 10), 21).days == 0


def test_the_wait_is_overdue_after_semester_wait_days():
    waited = {day: waiting_for(report(index_failure()), published("2025-1"), day, 21).overdue
              for day in (date(2026, 3, 16), date(2026, 3, 17))}
    assert waited == {date(2026, 3, 16): False, date(2026, 3, 17): True}


@pytest.mark.parametrize("status", [500, 503, None], ids=["500", "503", "network error"])
def test_a_server_or_network_error_is_no_wait(status):
    assert waiting_for(report(index_failure(status)), published("2025-1"), date(2026, 2, 25), 21) is None


def test_an_index_404_with_this_semester_published_is_no_wait():
    """The index of a semester already published gone: a changed layout, not a late faculty."""
    assert waiting_for(report(index_failure()), published("2025-2"), date(2026, 2, 25), 21) is None


def test_an_index_404_with_nothing_published_is_no_wait():
    assert waiting_for(report(index_failure()), {}, date(2026, 2, 25), 21) is None


def test_an_index_404_with_an_older_semester_published_is_no_wait():
    assert waiting_for(report(index_failure()), published("2024-2"), date(2026, 2, 25), 21) is None


def test_without_the_academic_calendar_the_wait_counts_from_1_march():
    no_tables = calendar_rules.first_teaching_day({}, "2025-2")
    waiting = waiting_for(report(index_failure(), first_teaching_day=no_tables), published("2025-1"), date(2026, 3, 25), 21)
    assert (waiting.since, waiting.days, waiting.overdue) == (date(2026, 3, 1), 24, True)


def test_without_the_academic_calendar_semester_1_waits_from_1_october():
    report_1 = report(index_failure(), first_teaching_day=calendar_rules.first_teaching_day({}, "2026-1"), semester="2026-1")
    waiting = waiting_for(report_1, published("2025-2"), date(2026, 9, 22), 21)
    assert (waiting.since, waiting.days, waiting.overdue) == (date(2026, 10, 1), 0, False)


# -- blocking_problems ----------------------------------------------------------------------------------

def test_a_whole_crawl_is_not_blocked():
    assert blocking_problems(report(), published("2025-2")["last_published"], max_shrink=0.2, allow_shrink=False) == []


def test_a_failed_spec_page_does_not_block():
    spec = PageFailure(url="IE2.html", kind="timetable", code="IE2", reason="HTTP 500", status=500)
    assert blocking_problems(report(spec), None, max_shrink=0.2, allow_shrink=False) == []


def test_a_failed_index_blocks():
    assert blocking_problems(report(index_failure(500)), None, max_shrink=0.2, allow_shrink=False) == [
        f"index page {INDEX_2025_2}: HTTP 500"]


def test_a_crawl_cut_short_blocks():
    assert blocking_problems(report(finish_reason="shutdown"), None, max_shrink=0.2, allow_shrink=False) == [
        "the crawl ended early (shutdown)"]


def test_no_calendars_block():
    assert blocking_problems(report(counts=dict(COUNTS, calendars=0)), None, max_shrink=0.2, allow_shrink=False) == [
        "no calendars were produced"]


def test_a_shrink_blocks_unless_allowed():
    before = {"calendars": 100, "events": 100, "spec_pages": 2, "groups": 4}
    blocked = [bool(blocking_problems(report(), {"counts": before}, max_shrink=0.2, allow_shrink=allow))
               for allow in (False, True)]
    assert blocked == [True, False]


# -- through the pipeline ------------------------------------------------------------------------------

SPECS_2025_1 = [(listing("A1", "Alpha", semester="2025-1"), [group("111"), group("112")])]


@pytest.fixture
def site_of_2025_1(tmp_path) -> Path:
    site = tmp_path / "site"
    assert outcome(run_pipeline(site, spec_items(SPECS_2025_1), semester="2025-1")) == "published"
    return site


def crawl_before_2025_2_is_published(site: Path, today: str, **settings):
    with freeze_time(today):
        return run_pipeline(site, [index_failure()], **settings)


def test_a_crawl_before_the_semester_is_published_waits_and_exits_0(site_of_2025_1):
    crawler = crawl_before_2025_2_is_published(site_of_2025_1, "2026-02-25")
    assert (outcome(crawler), EXIT_STATUS.get(outcome(crawler), 1)) == ("waiting", 0)


def test_a_waiting_crawl_changes_only_the_status(site_of_2025_1):
    before = snapshot(site_of_2025_1, skip=("data/status.json",))
    crawl_before_2025_2_is_published(site_of_2025_1, "2026-02-25")
    assert snapshot(site_of_2025_1, skip=("data/status.json",)) == before


def test_a_waiting_status_says_which_semester_and_how_long(site_of_2025_1):
    crawl_before_2025_2_is_published(site_of_2025_1, "2026-03-02")
    status = json.loads((site_of_2025_1 / "data/status.json").read_text("utf-8"))
    assert (status["outcome"], status["waiting"], status["last_published"]["semester"]) == (
        "waiting", {"semester": "2025-2", "published_semester": "2025-1", "since": "2026-02-23", "days": 7,
                    "wait_days": 21}, "2025-1")


def test_a_waiting_crawl_has_its_own_stat(site_of_2025_1):
    crawler = crawl_before_2025_2_is_published(site_of_2025_1, "2026-03-02")
    assert crawler.stats.get_value("timetable_spider/waiting_days") == 7


def test_a_waiting_crawl_logs_a_warning_not_an_error(site_of_2025_1, caplog):
    crawl_before_2025_2_is_published(site_of_2025_1, "2026-02-25")
    assert [r.levelname for r in caplog.records if "not published yet" in r.getMessage()] == ["WARNING"]


def test_waiting_longer_than_semester_wait_days_fails(site_of_2025_1):
    crawler = crawl_before_2025_2_is_published(site_of_2025_1, "2026-03-17")
    status = json.loads((site_of_2025_1 / "data/status.json").read_text("utf-8"))
    assert (outcome(crawler), status["outcome"], "still not published, 22 days after 2026-02-23" in status["problems"][0]) == (
        "failed", "failed", True)


def test_semester_wait_days_is_a_setting(site_of_2025_1):
    crawler = crawl_before_2025_2_is_published(site_of_2025_1, "2026-03-17", SEMESTER_WAIT_DAYS=30)
    assert outcome(crawler) == "waiting"


def test_the_first_crawl_that_finds_the_semester_publishes_it_and_the_change_log_says_it_began(site_of_2025_1):
    crawl_before_2025_2_is_published(site_of_2025_1, "2026-02-25")
    with freeze_time("2026-02-26"):
        crawler = run_pipeline(site_of_2025_1, spec_items([(listing("A1", "Alpha"), [group("111"), group("112")])]))
    log = json.loads((site_of_2025_1 / "data/changes.json").read_text("utf-8"))
    assert (outcome(crawler), log[0]["semester"], log[0].get("began")) == ("published", "2025-2", True)
