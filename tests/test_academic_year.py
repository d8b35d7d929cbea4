"""The academic year as a calendar: the events of a study line's tables (academic_year.py), and
academic-year/<CODE>.ics as the writer publishes it (writers/academic_year.py), imported back
with icalendar and recurring_ical_events, on the saved 2025-2026 academic-calendar page."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
import recurring_ical_events
from freezegun import freeze_time
from scrapy.settings import Settings

from tests.crawling import crawl_simulated_site
from tests.saved_pages import FIXTURES, saved_response
from timetable_spider import settings as project_settings
from timetable_spider.academic_year import day_off_name, period_kind, year_events, year_tables
from timetable_spider.calendar_rules import HUNGARIAN_GERMAN, ROMANIAN
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.publishing import SiteFiles
from timetable_spider.writers import CrawledSite
from timetable_spider.writers.academic_year import write_academic_year_calendars
from timetable_spider.writers.site_writers import write_site_data

URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
CRAWLED_AT = "2026-03-11T08:00:00Z"
SPECS = {  # code -> (name, year), as the saved index lists them
    "IE2": ("Informatica - in limba engleza", 2),
    "IE3": ("Informatica - in limba engleza", 3),
    "IM2": ("Informatica - linia de studiu maghiara", 2),
}


@pytest.fixture(scope="module")
def year_2025():
    return parse_academic_calendar(saved_response(FIXTURES / "site" / "academic_calendar.html", URL))


def event_named(events, summary: str):
    return next(e for e in events if e.summary == summary)


# -- the events of a table: plain functions ----------------------------------------------------

@pytest.fixture(scope="module")
def romanian_year_2(year_2025):
    academic_year, tables = year_2025
    return year_events(academic_year, ROMANIAN, year_tables(tables, ROMANIAN, final_year=False))


def test_exam_session_of_the_romanian_line_starts(romanian_year_2):
    assert [e.start for e in romanian_year_2 if e.summary == "Exam session"][-1] == date(2026, 6, 8)


def test_exam_session_of_the_romanian_line_ends(romanian_year_2):
    assert [e.end for e in romanian_year_2 if e.summary == "Exam session"][-1] == date(2026, 6, 28)


def test_every_period_of_both_semesters_is_an_event(romanian_year_2, year_2025):
    tables = year_2025[1]
    assert len([e for e in romanian_year_2 if e.category != "day off"]) == \
        len(tables[(ROMANIAN, "semester_1")]) + len(tables[(ROMANIAN, "semester_2")])


def test_days_off_of_teaching_periods_and_exam_sessions(romanian_year_2):
    assert [e.start for e in romanian_year_2 if e.category == "day off"] == [
        date(2025, 12, 1), date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 24),
        date(2026, 4, 10), date(2026, 5, 1), date(2026, 6, 1)]


def test_teaching_period_names_its_weeks(romanian_year_2):
    assert [e.summary for e in romanian_year_2 if e.category == "teaching"] == [
        "Teaching period (semester I, weeks 1–12)", "Teaching period (semester I, weeks 13–14)",
        "Teaching period (semester II, weeks 1–7)", "Teaching period (semester II, weeks 8–14)"]


def test_the_last_holiday_of_semester_ii_is_the_summer(romanian_year_2):
    assert event_named(romanian_year_2, "Summer holiday").start == date(2026, 8, 3)


def test_uids_are_distinct(romanian_year_2):
    assert len({e.uid for e in romanian_year_2}) == len(romanian_year_2)


def test_uids_do_not_depend_on_the_dates(year_2025):
    """The faculty moves the exam session by a week: the event keeps its UID."""
    academic_year, tables = year_2025
    moved = dict(tables)
    moved[(ROMANIAN, "semester_2")] = [
        p if p.label != "sesiune de examene" else type(p)(p.start.replace(day=15), p.end, p.label, p.notes, False)
        for p in tables[(ROMANIAN, "semester_2")]]
    before = [e for e in year_events(academic_year, ROMANIAN, year_tables(tables, ROMANIAN, False))
              if e.summary == "Exam session"][-1]
    after = [e for e in year_events(academic_year, ROMANIAN, year_tables(moved, ROMANIAN, False))
             if e.summary == "Exam session"][-1]
    assert after.uid == before.uid


@pytest.mark.parametrize("label, kind", [
    ("vacanța de Paști", ("Easter holiday", "holiday")),
    ("vacanță", ("Holiday", "holiday")),
    ("sesiune de restanțe*", ("Retake session", "retake session")),
    ("perioada de practică**", ("Internship period", "practice")),
    ("examen de licență/disertație", ("Licence or dissertation exam", "final exams")),
    ("a period nobody knew", ("A period nobody knew", "other")),
])
def test_period_kind(label, kind):
    assert period_kind(label) == kind


@pytest.mark.parametrize("notes, day, name", [
    ("7 săptămâni (vineri, 10.04.2026, Vinerea Mare - zi liberă)", date(2026, 4, 10), "Vinerea Mare"),
    ("8 săptămâni (vineri, 01.05.2026, Ziua Muncii și luni, 25.05.2026, a II-a zi de Rusalii și luni, "
     "01.06.2026, Ziua Copilului - zile libere)", date(2026, 5, 25), "a II-a zi de Rusalii"),
    ("zile libere: 24-26.12.2025", date(2025, 12, 25), "holiday"),
])
def test_day_off_name(notes, day, name):
    assert day_off_name(notes, day) == name


# -- academic-year/<CODE>.ics, written and imported back --------------------------------------

def crawled_site(year_2025, codes=SPECS) -> CrawledSite:
    academic_year, tables = year_2025
    records = {code: {"code": code, "name": name, "year": year, "degree": "bachelor", "groups": []}
               for code, (name, year) in codes.items()}
    return CrawledSite(
        semester="2025-2", academic_year=academic_year, started=datetime.now(timezone.utc), tables=tables,
        rooms={}, listings=[], records=records, changes={}, finished=datetime.now(timezone.utc),
        settings=Settings(project_settings.__dict__))


def publish(tmp_path, year_2025, run: str, when: str = CRAWLED_AT, codes=SPECS) -> tuple[SiteFiles, dict]:
    """Write the calendars into tmp_path/<run> over the site published at tmp_path/site, then make
    that the published site; the writer's counts."""
    files = SiteFiles(tmp_path / "site", tmp_path / run)
    with freeze_time(when):
        counts = write_academic_year_calendars(files, crawled_site(year_2025, codes))
    if (tmp_path / "site").exists():
        (tmp_path / "site").rename(tmp_path / f"before-{run}")
    (tmp_path / run).rename(tmp_path / "site")
    return files, counts


@pytest.fixture(scope="module")
def published(tmp_path_factory, year_2025):
    root = tmp_path_factory.mktemp("academic-year")
    publish(root, year_2025, "first")
    return root / "site"


def calendar_of(site, code: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site / "academic-year" / f"{code}.ics").read_bytes())


def occurrence(site, code: str, summary: str, start: date, end: date):
    """The one occurrence named summary between start and end, as a calendar app expands it."""
    found = [e for e in recurring_ical_events.of(calendar_of(site, code)).between(start, end)
             if str(e["SUMMARY"]) == summary]
    assert len(found) == 1, [str(e["SUMMARY"]) for e in found]
    return found[0]


def first_day(event) -> date:
    return event["DTSTART"].dt


def last_day(event) -> date:
    return date.fromordinal(event["DTEND"].dt.toordinal() - 1)  # DTEND of an all-day event is the day after


# The issue's dates: the Romanian line (IE2), the Hungarian line (IM2), a final year (IE3).
ISSUE_DATES = [
    ("IE2", "Exam session", date(2026, 6, 8), date(2026, 6, 28)),
    ("IE2", "Easter holiday", date(2026, 4, 13), date(2026, 4, 19)),
    ("IE2", "Day off: Vinerea Mare", date(2026, 4, 10), date(2026, 4, 10)),
    ("IM2", "Easter holiday", date(2026, 4, 6), date(2026, 4, 12)),
    ("IM2", "Day off: Vinerea Mare", date(2026, 4, 3), date(2026, 4, 3)),
    ("IE3", "Exam session", date(2026, 5, 25), date(2026, 6, 7)),
    ("IE3", "Licence or dissertation exam", date(2026, 6, 29), date(2026, 7, 5)),
]
AROUND = timedelta(days=10)  # the window an occurrence is looked for in, around its dates


@pytest.mark.parametrize("code, summary, first, last", ISSUE_DATES)
def test_first_day(published, code, summary, first, last):
    assert first_day(occurrence(published, code, summary, first - AROUND, last + AROUND)) == first


@pytest.mark.parametrize("code, summary, first, last", ISSUE_DATES)
def test_last_day(published, code, summary, first, last):
    assert last_day(occurrence(published, code, summary, first - AROUND, last + AROUND)) == last


def test_ie2_has_no_licence_exam(published):
    summaries = {str(e["SUMMARY"]) for e in calendar_of(published, "IE2").walk("VEVENT")}
    assert "Licence or dissertation exam" not in summaries


def test_events_are_all_day(published):
    assert {type(e["DTSTART"].dt) for e in calendar_of(published, "IE2").walk("VEVENT")} == {date}


def test_events_do_not_make_students_busy(published):
    assert {str(e["TRANSP"]) for e in calendar_of(published, "IE2").walk("VEVENT")} == {"TRANSPARENT"}


def test_events_stamped_with_the_crawl(published):
    assert {e["DTSTAMP"].dt for e in calendar_of(published, "IE2").walk("VEVENT")} == {
        datetime(2026, 3, 11, 8, 0, tzinfo=timezone.utc)}


def test_calendar_name(published):
    assert str(calendar_of(published, "IM2")["X-WR-CALNAME"]) == \
        "IM2 academic year 2025-2026 · Informatica - linia de studiu maghiara · Year 2"


def test_calendar_refreshes_daily_like_the_group_calendars(published):
    assert str(calendar_of(published, "IE2")["REFRESH-INTERVAL"].to_ical().decode()) == "P1D"


def test_writer_counts_the_calendars_for_status_json(tmp_path, year_2025):
    assert publish(tmp_path, year_2025, "first")[1] == {"academic_year_calendars": 3}


def test_an_unchanged_crawl_keeps_the_same_bytes(tmp_path, year_2025):
    publish(tmp_path, year_2025, "first")
    files, _ = publish(tmp_path, year_2025, "second", when="2026-03-12T08:00:00Z")
    assert (files.files_written, files.files_kept) == (0, 3)


def publish_with_the_exam_session_shortened(tmp_path, year_2025) -> None:
    """Publish, then publish again a day later with the Romanian line's June session ending on the 21st."""
    publish(tmp_path, year_2025, "first")
    academic_year, tables = year_2025
    moved = dict(tables)
    moved[(ROMANIAN, "semester_2")] = [
        p if p.label != "sesiune de examene" else type(p)(p.start, p.end.replace(day=21), p.label, p.notes, False)
        for p in tables[(ROMANIAN, "semester_2")]]
    publish(tmp_path, (academic_year, moved), "second", when="2026-03-12T08:00:00Z")


def test_a_moved_period_keeps_its_uid_and_its_sequence_grows(tmp_path, year_2025):
    publish_with_the_exam_session_shortened(tmp_path, year_2025)
    event = occurrence(tmp_path / "site", "IE2", "Exam session", date(2026, 6, 1), date(2026, 7, 1))
    assert (last_day(event), event["SEQUENCE"], event["DTSTAMP"].dt) == (
        date(2026, 6, 21), 1, datetime(2026, 3, 12, 8, 0, tzinfo=timezone.utc))


def test_an_unmoved_period_keeps_its_stamp_when_another_moves(tmp_path, year_2025):
    publish_with_the_exam_session_shortened(tmp_path, year_2025)
    event = occurrence(tmp_path / "site", "IE2", "Easter holiday", date(2026, 4, 1), date(2026, 5, 1))
    assert (event["SEQUENCE"], event["DTSTAMP"].dt) == (0, datetime(2026, 3, 11, 8, 0, tzinfo=timezone.utc))


def test_site_json_lists_the_calendars(tmp_path, year_2025):
    files = SiteFiles(tmp_path / "site", tmp_path / "staging")
    with freeze_time(CRAWLED_AT):
        write_site_data(files, crawled_site(year_2025))
    listed = json.loads((tmp_path / "staging" / "data" / "site.json").read_bytes())["academic_year_calendars"]
    assert listed == {"IE2": "academic-year/IE2.ics", "IE3": "academic-year/IE3.ics", "IM2": "academic-year/IM2.ics"}


def test_site_json_lists_them_by_code_whatever_order_the_pages_were_written_in(tmp_path, year_2025):
    files = SiteFiles(tmp_path / "site", tmp_path / "staging")
    with freeze_time(CRAWLED_AT):
        write_site_data(files, crawled_site(year_2025, dict(reversed(SPECS.items()))))
    listed = json.loads((tmp_path / "staging" / "data" / "site.json").read_bytes())["academic_year_calendars"]
    assert list(listed) == ["IE2", "IE3", "IM2"]


def test_the_hungarian_line_has_its_own_whit_monday(year_2025):
    academic_year, tables = year_2025
    events = year_events(academic_year, HUNGARIAN_GERMAN, year_tables(tables, HUNGARIAN_GERMAN, False))
    assert event_named(events, "Day off: a II-a zi de Rusalii").start == date(2026, 5, 25)


# -- a crawl of the simulated site --------------------------------------------------------------

@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawl_simulated_site(tmp_path_factory.mktemp("academic-year-crawl"))


def test_a_crawl_lists_a_calendar_for_every_spec_page(crawled):
    listed = json.loads((crawled / "data" / "site.json").read_bytes())["academic_year_calendars"]
    index = [y["code"] for spec in json.loads((crawled / "data" / "index.json").read_bytes()) for y in spec["years"]]
    assert sorted(listed) == sorted(index)


def test_a_crawl_writes_every_listed_calendar(crawled):
    listed = json.loads((crawled / "data" / "site.json").read_bytes())["academic_year_calendars"]
    assert [path for path in listed.values() if not (crawled / path).is_file()] == []


def test_a_crawl_counts_them_in_status_json(crawled):
    counts = json.loads((crawled / "data" / "status.json").read_bytes())["counts"]
    assert counts["academic_year_calendars"] == 71
