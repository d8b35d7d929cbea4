"""data/timetables/<CODE>.json and data/site.json: the lean data the students' page reads.

Checked against what the calendars hold, on the saved IE2 page: every event is a class of the
page's data, with the same place, kind and dates.
"""
from __future__ import annotations

from datetime import date

import icalendar
import pytest

from tests.saved_pages import FIXTURES, saved_response
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.parsing.timetable_pages import parse_room_legend, parse_timetable_page
from timetable_spider.schedule import SemesterCalendar, schedule_timetable
from timetable_spider.settings import PROGRAMME_YEARS, PROGRAMME_YEARS_BY_NAME
from timetable_spider.spec_pages import calendar_title
from timetable_spider.items import Timetable
from timetable_spider.writers.ics import CalendarWriter
from timetable_spider.writers.timetables_json import site_data, spec_timetable

ROOT = "https://www.cs.ubbcluj.ro/files/orar/2025-2"
DTSTAMP = "20260220T080000Z"


@pytest.fixture(scope="module")
def tables():
    page = saved_response(FIXTURES / "site" / "academic_calendar.html", "https://www.ubbcluj.ro/x")
    return parse_academic_calendar(page)[1]


@pytest.fixture(scope="module")
def schedule(tables):
    _, groups, _ = parse_timetable_page(saved_response(FIXTURES / "site" / "IE2.html", f"{ROOT}/tabelar/IE2.html"))
    timetable = Timetable(code="IE2", name="Informatica - in limba engleza", year=2, degree="bachelor",
                          url=f"{ROOT}/tabelar/IE2.html", groups=groups)
    rooms = parse_room_legend(saved_response(FIXTURES / "site" / "legenda.html", f"{ROOT}/sali/legenda.html"))
    return schedule_timetable(timetable, SemesterCalendar(tables, "2025-2", (PROGRAMME_YEARS, PROGRAMME_YEARS_BY_NAME)),
                              rooms)


@pytest.fixture(scope="module")
def view(schedule):
    written = {cal.file_name: {} for cal in schedule.calendars}
    return spec_timetable(schedule, "2025-2", "Informatica - in limba engleza/Year 2", written)


def test_each_published_event_is_its_class_in_the_page_data(schedule, view):
    """Which classes a calendar holds is the page's picker's test (tests/test_page_picker.py);
    here, that each class says what its event says."""
    writer = CalendarWriter(2025)
    classes = {c["uid"]: c for c in view["classes"]}
    for calendar in schedule.calendars:
        events = [writer.stamped(writer.event_parts(c), DTSTAMP) for c in calendar.classes if c.dates]
        ics = icalendar.Calendar.from_ical(writer.calendar(*calendar_title(schedule.timetable, calendar, "2025-2"),
                                                           events))
        for event in ics.walk("VEVENT"):
            shown = classes[str(event["UID"])]
            assert str(event["SUMMARY"]) == f"[{shown['type']}] {shown['subject']}"
            assert str(event["LOCATION"]) == shown["location"]
            assert str(event["CATEGORIES"].cats[0]) == shown["kind"]
            assert event["DTSTART"].dt.date() == date.fromisoformat(view["dates"][shown["dates"]][0])


def test_each_group_lists_its_calendars_with_their_subgroups(view):
    [g921] = [g for g in view["groups"] if g["name"] == "921"]
    assert g921["calendars"] == [{"file": "921-1.ics", "subgroup": 1, "label": "subgroup 1"},
                                 {"file": "921-2.ics", "subgroup": 2, "label": "subgroup 2"},
                                 {"file": "921-all.ics", "subgroup": None, "label": "whole group"}]
    assert [g["name"] for g in view["groups"]] == [str(n) for n in range(921, 928)]


def test_a_class_carries_what_the_page_shows_and_its_codes(view):
    [course] = [c for c in view["classes"] if c["subject"] == "Ingineria sistemelor soft" and c["type"] == "C"]
    assert {k: course[k] for k in ("day", "start", "end", "parity", "type", "kind", "room", "room_code",
                                   "subject_code", "teacher", "teacher_code", "formation")} == {
        "day": 0, "start": "14:00", "end": "16:00", "parity": None, "type": "C", "kind": "Curs", "room": "2/I",
        "room_code": "2-I", "subject_code": "MLE5011", "teacher": "Lect. ZSIGMOND Imre", "teacher_code": "zsim",
        "formation": "IE2"}
    assert view["dates"][course["dates"]][:2] == ["2026-02-23", "2026-03-02"]


def test_a_class_carries_nothing_only_an_event_needs(view):
    """The page links to the published calendars: SUMMARY, DESCRIPTION, DTSTAMP and SEQUENCE are
    theirs, not the page's."""
    assert set(view["classes"][0]) == {"uid", "day", "start", "end", "parity", "type", "kind", "subject",
                                       "subject_code", "room", "room_code", "location", "teacher",
                                       "teacher_code", "formation", "dates"}


def test_each_list_of_dates_is_written_once(view):
    lists = [tuple(dates) for dates in view["dates"]]
    assert len(lists) == len(set(lists)) < len(view["classes"])


def test_site_data_has_each_tables_weeks(tables):
    data = site_data("2025-2", "2025-2026", tables, "", {})
    table = data["tables"]["romanian semester_2"]
    assert table["weeks"][6:8] == ["2026-04-06", "2026-04-20"]  # week 8 follows Easter
    assert [p["label"] for p in table["periods"]][:2] == ["activitate didactică", "vacanța de Paști"]
    assert table["periods"][0]["days_off"] == ["2026-04-10"]
    assert len(data["tables"]) == 6
