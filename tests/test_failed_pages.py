"""failed_pages.py: a failed spec page keeps its last published version of this semester, or none."""
from __future__ import annotations

import json

from timetable_spider.failed_pages import keep_previous_versions, page_problems
from timetable_spider.items import PageFailure
from timetable_spider.open_data import RECORD as RECORD_SCHEMA

RECORD = {"schema": RECORD_SCHEMA.url, "semester": "2025-2", "directory": "Alpha/Year 1",
          "groups": [{"name": "111", "calendars": [{"file": "111-1.ics"}, {"file": "111-2.ics"}]}]}


class PublishedSite:
    """The published files, by path; what the policy kept."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.kept = files, []

    def read_published(self, relative):
        return self.files.get(relative)

    def is_published(self, relative):
        return relative in self.files

    def keep_published(self, relative):
        self.kept.append(relative)


def failed(code: str = "A1", kind: str = "timetable") -> PageFailure:
    return PageFailure(url=f"https://example.invalid/{code}.html", kind=kind, code=code, reason="HTTP 500", status=500)


def site_with(record: dict | None, timetable: bool = True) -> PublishedSite:
    files = {} if record is None else {"data/A1.json": json.dumps(record).encode()}
    if timetable:
        files["data/timetables/A1.json"] = b"{}"
    return PublishedSite(files)


def test_a_page_of_this_semester_keeps_its_data_calendars_and_timetable():
    site = site_with(RECORD)
    keep_previous_versions([failed()], set(), site, "2025-2")
    assert site.kept == ["data/A1.json", "Alpha/Year 1/111-1.ics", "Alpha/Year 1/111-2.ics", "data/timetables/A1.json"]


def test_a_kept_page_brings_its_record_into_the_new_site():
    assert keep_previous_versions([failed()], set(), site_with(RECORD), "2025-2").records == {"A1": RECORD}


def test_a_page_of_last_semester_keeps_nothing_and_says_why():
    site = site_with(RECORD | {"semester": "2025-1"})
    kept = keep_previous_versions([failed()], set(), site, "2025-2")
    assert (site.kept, kept.without_calendars) == ([], {"A1": "its last published version is of semester 2025-1"})


def test_a_page_never_published_keeps_nothing_and_says_why():
    kept = keep_previous_versions([failed()], set(), site_with(None, timetable=False), "2025-2")
    assert kept.without_calendars == {"A1": "no version of it was published before"}


def test_a_page_written_after_all_is_not_kept_from_the_last_run():
    site = site_with(RECORD)
    assert (keep_previous_versions([failed()], {"A1"}, site, "2025-2").records, site.kept) == ({}, [])


def test_a_failure_that_is_not_a_spec_page_keeps_nothing():
    site = site_with(RECORD)
    assert keep_previous_versions([failed(kind="legend")], set(), site, "2025-2").records == {}


def test_the_status_names_what_happened_to_each_failed_page():
    kept = keep_previous_versions([failed("A1"), failed("B1")], set(), site_with(RECORD), "2025-2")
    assert page_problems([failed("A1"), failed("B1")], kept) == [
        "timetable page https://example.invalid/A1.html: HTTP 500; its last published version was kept",
        "timetable page https://example.invalid/B1.html: HTTP 500; it has no calendars this run "
        "(no version of it was published before)"]
