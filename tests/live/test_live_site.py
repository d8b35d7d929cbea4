"""The faculty's live site, as recorded (tests/live/conftest.py): every page the crawl needs
parses whole, with sane counts. When the faculty changes its layout, these fail the day the
cassettes are recorded again, instead of a crawl failing in production."""
from __future__ import annotations

import pytest

from tests.live.conftest import ACADEMIC_CALENDAR_URL, INDEX_URL, LEGEND_URL, SEMESTER, spec_pages
from timetable_spider import calendar_rules
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.parsing.timetable_pages import parse_index, parse_room_legend, parse_timetable_page

SPEC_PAGES = spec_pages()


@pytest.mark.parametrize("url", [INDEX_URL], ids=["index"])
def test_index(response):
    listings = parse_index(response, response.url)
    codes = [listing.code for listing in listings]
    sane = {(1 <= listing.year <= 4, listing.degree in ("bachelor", "master")) for listing in listings}
    assert (len(listings) >= 20, len(set(codes)) == len(codes), sane) == (True, True, {(True, True)}), codes


@pytest.mark.parametrize("url", [LEGEND_URL], ids=["legend"])
def test_room_legend(response):
    assert len(parse_room_legend(response)) >= 20


@pytest.mark.parametrize("url", [ACADEMIC_CALENDAR_URL], ids=["calendar"])
def test_academic_calendar(response):
    year, tables = parse_academic_calendar(response)
    start, number = calendar_rules.parse_semester(SEMESTER)
    key = calendar_rules.calendar_table_key(number, final_year=False)
    lines = {line for line, table in tables if table == key}
    assert (year, lines) == (f"{start}-{start + 1}", {calendar_rules.ROMANIAN, calendar_rules.HUNGARIAN_GERMAN})


@pytest.mark.parametrize("url", [listing.url for listing in SPEC_PAGES], ids=[listing.code for listing in SPEC_PAGES])
def test_spec_page(response):
    title, groups, problems = parse_timetable_page(response)
    rows = {group.name: len(group.entries) for group in groups}
    assert [str(problem) for problem in problems] == []  # no skipped row, no unlinked cell
    assert (1 <= len(groups) <= 20, all(3 <= count <= 80 for count in rows.values())) == (True, True), rows
