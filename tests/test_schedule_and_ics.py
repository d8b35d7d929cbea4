"""Saved pages -> schedule -> iCalendar files, read back as a calendar client would.

Every calendar of IE2 and I1 in both semesters of 2025-2026 is written with CalendarWriter,
parsed with icalendar and expanded with recurring_ical_events; the occurrences must be exactly
those listed in tests/fixtures/expected (start, end and summary exact; location and description
contained).
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from datetime import date, datetime
from functools import lru_cache

import icalendar
import pytest
import recurring_ical_events
from parsel import Selector

from tests.builders import table_row
from tests.saved_pages import EXPECTED, FIXTURES, saved_response
from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, ROMANIAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS)
from timetable_spider.items import Group, Timetable, TimetableEntry
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.parsing.timetable_pages import parse_room_legend, parse_timetable_page
from timetable_spider.schedule import SemesterCalendar, schedule_timetable
from timetable_spider.spec_pages import calendar_title
from timetable_spider.writers.ics import CalendarWriter
from timetable_spider.settings import PROGRAMME_YEARS as YEARS_BY_DEGREE, PROGRAMME_YEARS_BY_NAME

CASES = ["IE2-2025-1", "IE2-2025-2", "I1-2025-1", "I1-2025-2"]
EXPAND_FROM, EXPAND_TO = date(2025, 9, 1), date(2026, 9, 30)
DTSTAMP = "20260223T120000Z"
ROOT = "https://www.cs.ubbcluj.ro/files/orar"

PROGRAMME_YEARS = (YEARS_BY_DEGREE, PROGRAMME_YEARS_BY_NAME)


@lru_cache(maxsize=None)
def tables():
    page = saved_response(FIXTURES / "site" / "academic_calendar.html",
                          "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar")
    academic_year, parsed = parse_academic_calendar(page)
    assert academic_year == "2025-2026"
    return parsed


@lru_cache(maxsize=None)
def rooms():
    return parse_room_legend(saved_response(FIXTURES / "site" / "legenda.html", f"{ROOT}/2025-2/sali/legenda.html"))


def load_timetable(code: str, name: str, year: int, semester: str = "2025-2",
                   degree: str = "bachelor") -> Timetable:
    url = f"{ROOT}/{semester}/tabelar/{code}.html"
    _, groups, problems = parse_timetable_page(saved_response(FIXTURES / "site" / f"{code}.html", url))
    assert problems == []
    return Timetable(code=code, name=name, year=year, degree=degree, url=url, groups=groups)


def event_bytes(writer: CalendarWriter, scheduled, dtstamp: str = DTSTAMP) -> bytes:
    return writer.stamped(writer.event_parts(scheduled), dtstamp)


def write_calendars(schedule, semester: str) -> dict[str, bytes]:
    """Every non-empty calendar of a schedule, as the publishing pipeline writes them."""
    writer = CalendarWriter(2025)
    timetable = schedule.timetable
    events = {c.uid: event_bytes(writer, c) for c in schedule.classes if c.dates}
    files = {}
    for calendar in schedule.calendars:
        chosen = [events[c.uid] for c in calendar.classes if c.uid in events]
        if not chosen:
            continue
        files[calendar.file_name] = writer.calendar(*calendar_title(timetable, calendar, semester), chosen)
    return files


@lru_cache(maxsize=None)
def case(name: str):
    """(expected JSON, schedule, {file: ics bytes}, {file: parsed calendar}) for one expected file."""
    expected = json.loads((EXPECTED / f"{name}.json").read_text("utf-8"))
    spec, semester = expected["spec"], expected["semester"]
    timetable = load_timetable(spec["code"], spec["name"], spec["year"], semester)
    schedule = schedule_timetable(timetable, SemesterCalendar(tables(), semester, PROGRAMME_YEARS), rooms())
    files = write_calendars(schedule, semester)
    parsed = {file: icalendar.Calendar.from_ical(data) for file, data in files.items()}
    return expected, schedule, files, parsed


def occurrences(calendar: icalendar.Calendar):
    # keep_recurrence_attributes: the copies are cheaper, and RRULE/EXDATE are not compared
    return recurring_ical_events.of(calendar, keep_recurrence_attributes=True).between(EXPAND_FROM, EXPAND_TO)


@lru_cache(maxsize=None)
def expanded(name: str) -> dict[str, list[tuple[tuple[str, str, str], str, str]]]:
    """file -> every occurrence as ((start, end, summary), location, description)."""
    _, _, _, parsed = case(name)
    return {file: [(key(event), str(event.get("LOCATION", "")), str(event.get("DESCRIPTION", "")))
                   for event in occurrences(calendar)]
            for file, calendar in parsed.items()}


def text_value(prop) -> str:
    """A TEXT value, unescaped: icalendar leaves properties it has no type for (X-WR-CALNAME) raw."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), str(prop))


def key(event) -> tuple[str, str, str]:
    return event["DTSTART"].dt.isoformat(), event["DTEND"].dt.isoformat(), str(event["SUMMARY"])


# --- against the expected occurrences -----------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_calendar_files_are_the_expected_ones(name):
    expected, schedule, files, _ = case(name)
    assert list(files) == list(expected["calendars"])
    assert len(files) == 21  # 7 groups x (-1, -2, -all)


@pytest.mark.parametrize("name", CASES)
def test_occurrences_equal_the_expected_ones(name):
    expected = case(name)[0]
    mismatches = []
    for file, found in expanded(name).items():
        got = Counter(k for k, _, _ in found)
        want = Counter((o[0], o[1], o[2]) for o in expected["calendars"][file])
        if got != want:
            mismatches.append((file, sorted(want - got)[:3], sorted(got - want)[:3]))
    assert mismatches == []


@pytest.mark.parametrize("name", CASES)
def test_expected_location_and_description_are_contained(name):
    expected = case(name)[0]
    missing = []
    for file, found in expanded(name).items():
        by_key: dict[tuple, list] = {}
        for k, location, description in found:
            by_key.setdefault(k, []).append((location, description))
        for start, end, summary, location, description in expected["calendars"][file]:
            candidates = by_key.get((start, end, summary), [])
            if not any(location in loc and description in desc for loc, desc in candidates):
                missing.append((file, start, summary, location, description))
    assert missing == []


def test_expected_files_hold_thousands_of_occurrences():
    # a guard against comparing empty sets: the expected data is what we think it is
    totals = {name: sum(len(v) for v in case(name)[0]["calendars"].values()) for name in CASES}
    assert totals == {"IE2-2025-1": 4046, "IE2-2025-2": 4067, "I1-2025-1": 4616, "I1-2025-2": 4439}


def test_a_course_across_the_dst_change_keeps_its_local_time():
    # IE2 2025-2, 921-all: "Ingineria sistemelor soft", Mondays 14-16; DST starts 29.03.2026
    starts = sorted(k[0] for k, _, _ in expanded("IE2-2025-2")["921-all.ics"]
                    if k[2] == "[C] Ingineria sistemelor soft")
    assert starts[5:8] == [
        "2026-03-30T14:00:00+03:00", "2026-04-06T14:00:00+03:00", "2026-04-20T14:00:00+03:00"]
    assert starts[0] == "2026-02-23T14:00:00+02:00"
    assert len(starts) == 13  # 14 Mondays less 01.06.2026


# --- calendar structure -------------------------------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_every_event_has_uid_and_dtstamp(name):
    _, _, _, parsed = case(name)
    for calendar in parsed.values():
        events = calendar.walk("VEVENT")
        assert events
        assert all(str(event.get("UID", "")).endswith("@timetable-spider") for event in events)
        assert all(event["DTSTAMP"].dt == datetime.fromisoformat("2026-02-23T12:00:00+00:00")
                   for event in events)
        assert len({str(event["UID"]) for event in events}) == len(events)


@pytest.mark.parametrize("name", CASES)
def test_calendar_header(name):
    expected, schedule, _, parsed = case(name)
    spec = expected["spec"]
    calendar = parsed["921-1.ics" if spec["code"] == "IE2" else "211-1.ics"]
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//timetable_spider//UBB Cluj FMI timetable//EN"
    group = "921" if spec["code"] == "IE2" else "211"
    assert text_value(calendar["X-WR-CALNAME"]) == (
        f"{spec['code']} {group}/1 · {spec['name']} · Year {spec['year']}")
    assert "\\" not in str(calendar["X-WR-CALNAME"])  # nothing escaped: apps that show it raw show it right
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Bucharest"]
    assert {sub.name for sub in timezones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}


@pytest.mark.parametrize("name", CASES)
def test_events_use_the_bucharest_timezone(name):
    _, _, files, _ = case(name)
    for data in files.values():
        text = data.decode()
        starts = re.findall(r"^DTSTART[;:][^\r\n]*", text, re.M)
        events = text.count("BEGIN:VEVENT\r\n")
        timezone_starts = [s for s in starts if s.startswith("DTSTART;TZID=Europe/Bucharest:")]
        assert len(timezone_starts) == events


@pytest.mark.parametrize("name", CASES)
def test_lines_end_with_crlf_and_are_at_most_75_octets(name):
    _, _, files, _ = case(name)
    for data in files.values():
        assert data.endswith(b"END:VCALENDAR\r\n")
        lines = data.split(b"\r\n")[:-1]
        assert all(b"\r" not in line and b"\n" not in line for line in lines)
        assert max(len(line) for line in lines) <= 75


def test_subgroup_calendar_holds_only_its_subgroup_and_the_rest():
    _, schedule, _, _ = case("IE2-2025-2")
    calendars = {c.file_name: c for c in schedule.calendars}
    formations_1 = {c.entry.formation for c in calendars["921-1.ics"].classes}
    formations_all = {c.entry.formation for c in calendars["921-all.ics"].classes}
    assert formations_1 == {"IE2", "921", "921/1"}
    assert formations_all == {"IE2", "921", "921/1", "921/2"}
    assert [c.label for c in schedule.calendars[:3]] == ["subgroup 1", "subgroup 2", "whole group"]


# --- UIDs ---------------------------------------------------------------------------------

def test_uids_are_stable_when_the_same_page_is_scheduled_twice():
    first = schedule_timetable(load_timetable("IE2", "Informatica - in limba engleza", 2),
                               SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    second = schedule_timetable(load_timetable("IE2", "Informatica - in limba engleza", 2),
                                SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert [c.uid for c in first.classes] == [c.uid for c in second.classes]
    assert len({c.uid for c in first.classes}) == len(first.classes)
    assert write_calendars(first, "2025-2") == write_calendars(second, "2025-2")


def test_uid_survives_a_change_of_teacher_and_room():
    timetable = load_timetable("IE2", "Informatica - in limba engleza", 2)
    before = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    course = timetable.groups[0].entries[2]  # Luni 14-16, IE2, Curs, Ingineria sistemelor soft
    changed = dataclasses.replace(course, teacher="Prof. ALTCINEVA", room="C335")
    for group in timetable.groups:
        group.entries = [changed if e == course else e for e in group.entries]
    after = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert [c.uid for c in after.classes] == [c.uid for c in before.classes]
    moved = [c for c in after.classes if c.entry == changed][0]
    assert moved.location == "C335, Campus, etaj 3 (str. T. Mihali)"


def test_uids_differ_between_semesters():
    timetable = load_timetable("IE2", "Informatica - in limba engleza", 2)
    one = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-1", PROGRAMME_YEARS), rooms())
    two = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert not {c.uid for c in one.classes} & {c.uid for c in two.classes}


# --- which calendar table a page gets -----------------------------------------------------

MONDAY_COURSE_2025_2 = [  # every Monday of the 14 teaching weeks, less 01.06.2026
    date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23),
    date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 20), date(2026, 4, 27), date(2026, 5, 4),
    date(2026, 5, 11), date(2026, 5, 18), date(2026, 5, 25)]


def monday_course(schedule):
    return [c for c in schedule.classes if c.summary == "[C] Ingineria sistemelor soft"][0]


def test_second_year_gets_the_full_semester():
    schedule = schedule_timetable(load_timetable("IE2", "Informatica - in limba engleza", 2),
                                  SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert (schedule.study_line, schedule.table_key) == (ROMANIAN, SEMESTER_2)
    assert list(monday_course(schedule).dates) == MONDAY_COURSE_2025_2


def test_final_year_stops_on_24_05_2026():
    schedule = schedule_timetable(load_timetable("IE2", "Informatica - in limba engleza", 3),
                                  SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert schedule.table_key == SEMESTER_2_FINAL_YEARS
    assert list(monday_course(schedule).dates) == MONDAY_COURSE_2025_2[:12]
    calendar = icalendar.Calendar.from_ical(write_calendars(schedule, "2025-2")["921-all.ics"])
    mondays = sorted(e["DTSTART"].dt.date() for e in occurrences(calendar)
                     if str(e["SUMMARY"]) == "[C] Ingineria sistemelor soft")
    assert mondays == MONDAY_COURSE_2025_2[:12]


def test_four_year_programme_year_3_is_not_final():
    schedule = schedule_timetable(
        load_timetable("IE2", "Matematica-Informatica 4 ani - linia de studiu romana", 3),
        SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert schedule.table_key == SEMESTER_2


@pytest.mark.parametrize("name", ["Ingineria Informatiei in limba engleza", "Ingineria Informatiei in limba maghiara"])
def test_ingineria_informatiei_year_3_is_not_final_and_has_the_whole_semester(name):
    schedule = schedule_timetable(load_timetable("IE2", name, 3), SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS),
                                  rooms())
    assert schedule.table_key == SEMESTER_2
    assert max(d for c in schedule.classes for d in c.dates) == date(2026, 6, 5)  # the last Friday


def test_ingineria_informatiei_year_4_is_final():
    schedule = schedule_timetable(load_timetable("IE2", "Ingineria Informatiei in limba engleza", 4),
                                  SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert schedule.table_key == SEMESTER_2_FINAL_YEARS


def test_hungarian_line_gets_its_own_easter_and_whit_monday():
    # Hungarian/German line: Easter break 06.04-12.04, days off 25.05 and 01.06.2026
    schedule = schedule_timetable(load_timetable("IE2", "Informatica - linia de studiu maghiara", 2),
                                  SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), rooms())
    assert (schedule.study_line, schedule.table_key) == (HUNGARIAN_GERMAN, SEMESTER_2)
    assert list(monday_course(schedule).dates) == [
        date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23),
        date(2026, 3, 30), date(2026, 4, 13), date(2026, 4, 20), date(2026, 4, 27), date(2026, 5, 4),
        date(2026, 5, 11), date(2026, 5, 18)]


def test_semester_1_table():
    schedule = schedule_timetable(load_timetable("IE2", "Informatica - in limba engleza", 3, "2025-1"),
                                  SemesterCalendar(tables(), "2025-1", PROGRAMME_YEARS), rooms())
    assert schedule.table_key == SEMESTER_1
    assert monday_course(schedule).dates[-3:] == (date(2025, 12, 15), date(2026, 1, 5), date(2026, 1, 12))


# --- text that could break the file -------------------------------------------------------

NASTY_SUBJECT = ("Analiză; matematică, I\\II\r\nX-INJECTED:evil\rEND:VEVENT\nBEGIN:VEVENT\t"
                 + "ăîșț" * 25)
NASTY_ROOM = 'C:\\Sala\\New; "A", B\r\nX-ROOM:1'
NASTY_TEACHER = "Prof. X\r\nATTENDEE:mailto:x@example.org"


def nasty_calendar() -> tuple[bytes, icalendar.Calendar]:
    entry = TimetableEntry(day="Luni", start="08:00", end="10:00", frequency="", room=NASTY_ROOM,
                           formation="921", kind="Curs", subject=NASTY_SUBJECT, teacher=NASTY_TEACHER)
    timetable = Timetable(code="T1", name="Informatica - in limba engleza", year=2, degree="bachelor",
                          url="", groups=[Group(name="921", entries=[entry])])
    schedule = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), {})
    writer = CalendarWriter(2025)
    data = writer.calendar("T1; 921, \\ x\r\nX-CAL:1", "d", [event_bytes(writer, schedule.classes[0])])
    return data, icalendar.Calendar.from_ical(data)


def test_special_characters_survive_a_round_trip():
    _, calendar = nasty_calendar()
    [event] = calendar.walk("VEVENT")
    # CR, LF and CRLF all become one newline; a tab becomes a space; nothing else changes
    assert str(event["SUMMARY"]) == (
        "[C] Analiză; matematică, I\\II\nX-INJECTED:evil\nEND:VEVENT\nBEGIN:VEVENT " + "ăîșț" * 25)
    assert str(event["LOCATION"]) == 'C:\\Sala\\New; "A", B\nX-ROOM:1'
    assert str(event["DESCRIPTION"]) == (
        "Prof. X\nATTENDEE:mailto:x@example.org\nCurs, 921\nevery week")
    assert text_value(calendar["X-WR-CALNAME"]) == "T1; 921, \\ x\nX-CAL:1"


def test_special_characters_inject_no_property_or_component():
    data, calendar = nasty_calendar()
    [event] = calendar.walk("VEVENT")
    assert set(event) == {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "RRULE", "EXDATE",
                          "CATEGORIES", "DESCRIPTION", "LOCATION"}
    assert "X-CAL" not in calendar
    lines = data.decode().split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert not [line for line in lines
                if line.startswith(("X-INJECTED", "X-ROOM", "ATTENDEE", "X-CAL"))]
    assert all(len(line.encode()) <= 75 for line in lines)


def test_text_is_escaped_and_the_rule_written_as_rfc_5545_says():
    data, _ = nasty_calendar()
    lines = data.decode().replace("\r\n ", "").split("\r\n")  # unfolded
    assert ("SUMMARY:[C] Analiză\\; matematică\\, I\\\\II\\nX-INJECTED:evil\\nEND:VEVENT\\nBEGIN:VEVENT "
            + "ăîșț" * 25) in lines
    assert 'LOCATION:C:\\\\Sala\\\\New\\; "A"\\, B\\nX-ROOM:1' in lines
    assert "DTSTART;TZID=Europe/Bucharest:20260223T080000" in lines
    assert "DTEND;TZID=Europe/Bucharest:20260223T100000" in lines
    # last class Monday 25.05.2026 08:00 EEST (UTC+3) = 05:00 UTC; the Easter Monday is skipped
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260525T050000Z" in lines
    assert "EXDATE;TZID=Europe/Bucharest:20260413T080000" in lines
    assert "DTSTAMP:20260223T120000Z" in lines


def test_special_characters_event_still_expands():
    _, calendar = nasty_calendar()
    starts = sorted(e["DTSTART"].dt.date() for e in occurrences(calendar))
    assert starts == MONDAY_COURSE_2025_2


def test_a_class_until_midnight_ends_at_midnight_of_its_own_day():
    """Live pages have classes until 24:00; refusing them would drop real classes from calendars."""
    header = ("<tr><th>Ziua</th><th>Orele</th><th>Frecventa</th><th>Sala</th><th>Formatia</th>"
              "<th>Tipul</th><th>Disciplina</th><th>Cadrul didactic</th></tr>")
    row = table_row("Luni", "22-24", "", "2/I", "IE2", "Curs", "Curs tarziu", "T")  # linked, as on the live pages
    html = f"<html><body><h1>Grupa 921</h1><table>{header}{row}</table></body></html>"
    _, groups, problems = parse_timetable_page(Selector(text=html))
    assert problems == []
    timetable = Timetable(code="T1", name="Informatica - in limba engleza", year=2, degree="bachelor",
                          url="", groups=groups)
    schedule = schedule_timetable(timetable, SemesterCalendar(tables(), "2025-2", PROGRAMME_YEARS), {})
    calendar = icalendar.Calendar.from_ical(write_calendars(schedule, "2025-2")["921-all.ics"])
    first = min(occurrences(calendar), key=lambda e: e["DTSTART"].dt)
    assert first["DTSTART"].dt.isoformat() == "2026-02-23T22:00:00+02:00"
    assert first["DTEND"].dt.isoformat() == "2026-02-24T00:00:00+02:00"
