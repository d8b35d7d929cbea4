"""writers/ics.py serializes events itself, for speed: prove it equals icalendar byte for byte."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta, timezone

import icalendar
import pytest
from parsel import Selector

from tests.saved_pages import FIXTURES
from timetable_spider.items import Timetable, TimetableEntry
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.parsing.timetable_pages import parse_room_legend, parse_timetable_page
from timetable_spider.schedule import ScheduledClass, SemesterCalendar, schedule_timetable
from timetable_spider.writers.ics import BUCHAREST, CalendarWriter, description_of, fold
from timetable_spider.settings import PROGRAMME_YEARS as YEARS_BY_DEGREE, PROGRAMME_YEARS_BY_NAME

DTSTAMP = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)

PROGRAMME_YEARS = (YEARS_BY_DEGREE, PROGRAMME_YEARS_BY_NAME)


def icalendar_event(scheduled: ScheduledClass, sequence: int = 0) -> bytes:
    """The reference: the same event built and serialized by icalendar."""
    entry = scheduled.entry
    start, end = time.fromisoformat(entry.start), time.fromisoformat(entry.end)
    first, last = scheduled.dates[0], scheduled.dates[-1]
    event = icalendar.Event()
    event.add("summary", scheduled.summary)
    event.add("dtstart", datetime.combine(first, start, BUCHAREST))
    event.add("dtend", datetime.combine(first, end, BUCHAREST))
    event.add("dtstamp", DTSTAMP)
    event.add("uid", scheduled.uid)
    event.add("sequence", sequence)
    if len(scheduled.dates) > 1:
        event.add("rrule", {"FREQ": "WEEKLY",
                            "UNTIL": datetime.combine(last, start, BUCHAREST).astimezone(timezone.utc)})
        weekly = {first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)}
        skipped = sorted(weekly - set(scheduled.dates))
        if skipped:
            event.add("exdate", [datetime.combine(d, start, BUCHAREST) for d in skipped])
    event.add("categories", [entry.kind])
    event.add("description", description_of(scheduled))
    if sequence:
        event.add("last-modified", DTSTAMP)
    event.add("location", scheduled.location)
    return event.to_ical()


def saved_classes() -> list[ScheduledClass]:
    site = FIXTURES / "site"
    _, tables = parse_academic_calendar(Selector(text=(site / "academic_calendar.html").read_text("utf-8")))
    rooms = parse_room_legend(Selector(text=(site / "legenda.html").read_bytes().decode("iso-8859-2")))
    classes = []
    for code, name, year in (("IE2", "Informatica - in limba engleza", 2),
                             ("I1", "Informatica - linia de studiu romana", 1)):
        _, groups, _ = parse_timetable_page(Selector(text=(site / f"{code}.html").read_bytes().decode("iso-8859-2")))
        timetable = Timetable(code=code, name=name, year=year, degree="bachelor", url="", groups=groups)
        for semester in ("2025-1", "2025-2"):
            classes += [c for c in schedule_timetable(timetable, SemesterCalendar(tables, semester, PROGRAMME_YEARS), rooms).classes
                        if c.dates]
    return classes


@pytest.mark.parametrize("sequence", [0, 1, 12])
def test_every_saved_class_serializes_exactly_as_icalendar_does(sequence):
    classes = saved_classes()
    assert len(classes) == 340
    for scheduled in classes:
        ours = CalendarWriter.stamped(CalendarWriter.event_parts(scheduled), "20261123T080000Z", sequence)
        assert ours == icalendar_event(scheduled, sequence), scheduled.entry


def test_the_fingerprint_leaves_out_the_stamps_and_is_what_it_was_before_sequences():
    scheduled = saved_classes()[0]
    parts = CalendarWriter.event_parts(scheduled)
    event = CalendarWriter.stamped(parts, "20261123T080000Z", 3)
    unstamped = b"".join(line + b"\r\n" for line in event.split(b"\r\n")
                         if line and not line.startswith((b"DTSTAMP:", b"SEQUENCE:", b"LAST-MODIFIED:")))
    assert CalendarWriter.fingerprint(parts) == hashlib.sha1(unstamped).hexdigest()[:16]


NASTY = [
    "Sisteme; de, gestiune\\a bazelor",
    "Line one\nline two\r\nline three",
    "Ziua Marii Uniri – Ștefan Țară Șoarece îăâ " * 4,  # multi-byte characters across a fold
    "x" * 73 + "\\" + "y" * 80,  # a backslash escape right at the fold
    "a" * 74, "a" * 75, "a" * 148, "",
]


@pytest.mark.parametrize("text", NASTY)
def test_hostile_text_serializes_exactly_as_icalendar_does(text):
    entry = TimetableEntry(day="Luni", start="08:00", end="10:00", frequency="sapt. 1", room=text,
                           formation="921/1", kind="Curs", subject=text, teacher=text)
    scheduled = ScheduledClass(entry=entry, uid="u1@timetable-spider", summary=f"[C] {text}",
                               location=text, dates=(date(2026, 2, 23), date(2026, 3, 9), date(2026, 4, 20)))
    ours = CalendarWriter.stamped(CalendarWriter.event_parts(scheduled), "20261123T080000Z")
    assert ours == icalendar_event(scheduled)


def test_control_characters_never_reach_a_line_raw():
    entry = TimetableEntry(day="Luni", start="08:00", end="10:00", frequency="", room="R\x00oom\rX",
                           formation="IE2", kind="Curs", subject="A\x07B\rATTENDEE:mailto:a@b", teacher="T")
    scheduled = ScheduledClass(entry=entry, uid="u2@timetable-spider", summary="[C] A\x07B\rATTENDEE:mailto:a@b",
                               location="R\x00oom\rX", dates=(date(2026, 2, 23),))
    event = CalendarWriter.stamped(CalendarWriter.event_parts(scheduled), "20261123T080000Z")
    assert b"\x00" not in event and b"\x07" not in event
    assert b"\r" not in event.replace(b"\r\n", b"")
    parsed = icalendar.Event.from_ical(event)
    assert "ATTENDEE" not in parsed
    assert str(parsed["summary"]) == "[C] A B\nATTENDEE:mailto:a@b"


def test_fold_keeps_lines_within_75_octets():
    for text in NASTY:
        for line in fold("DESCRIPTION:" + text.replace("\n", " ")).encode().split(b"\r\n"):
            assert len(line) <= 75


def test_calendar_parses_back_with_its_header():
    writer = CalendarWriter(2025)
    scheduled = saved_classes()[0]
    event = CalendarWriter.stamped(CalendarWriter.event_parts(scheduled), "20261123T080000Z")
    name = "IE2 921/1, Informatica - in limba engleza, Year 2; with, escapes"
    calendar = icalendar.Calendar.from_ical(writer.calendar(name, "desc", [event, event]))
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == "-//timetable_spider//UBB Cluj FMI timetable//EN"
    # icalendar 7 reads NAME and X-WR-CALNAME raw, without unescaping; calendar apps unescape TEXT
    assert str(calendar["name"]) == str(calendar["x-wr-calname"]) == "IE2 921/1\\, Informatica - in limba engleza\\, Year 2\\; with\\, escapes"
    assert str(calendar["x-published-ttl"]) == "P1D"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Bucharest"]
    assert len(calendar.walk("VEVENT")) == 2
