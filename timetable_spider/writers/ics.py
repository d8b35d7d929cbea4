"""iCalendar files: one VEVENT per class, a weekly RRULE with EXDATEs for the weeks it skips.

icalendar does the escaping, folding and VTIMEZONE. Each distinct class is serialized once
per page and its bytes are shared by the -1, -2 and -all calendars that hold it.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar

from timetable_spider.calendar_rules import week_parity
from timetable_spider.schedule import ScheduledClass

TIMEZONE = "Europe/Bucharest"
BUCHAREST = ZoneInfo(TIMEZONE)
PRODID = "-//timetable_spider//UBB Cluj FMI timetable//EN"
WEEK = timedelta(days=7)
PARITY_WORDS = {None: "every week", 1: "odd weeks (sapt. 1)", 2: "even weeks (sapt. 2)"}


class CalendarWriter:
    """Serializes classes and calendars for one academic year."""

    def __init__(self, academic_year_start: int):
        self._vtimezone = icalendar.Timezone.from_tzinfo(
            BUCHAREST, tzid=TIMEZONE, first_date=date(academic_year_start, 9, 1),
            last_date=date(academic_year_start + 1, 9, 30)).to_ical()

    @staticmethod
    def event_body(scheduled: ScheduledClass) -> bytes:
        """The VEVENT without its DTSTAMP, which depends on whether this body changed."""
        entry = scheduled.entry
        start_time, end_time = time.fromisoformat(entry.start), time.fromisoformat(entry.end)
        first, last = scheduled.dates[0], scheduled.dates[-1]
        event = icalendar.Event()
        event.add("uid", scheduled.uid)
        event.add("dtstart", datetime.combine(first, start_time, BUCHAREST))
        event.add("dtend", datetime.combine(first, end_time, BUCHAREST))
        if len(scheduled.dates) > 1:
            until = datetime.combine(last, start_time, BUCHAREST).astimezone(timezone.utc)
            event.add("rrule", {"FREQ": "WEEKLY", "UNTIL": until})
            skipped = sorted(_weekly(first, last) - set(scheduled.dates))
            if skipped:
                event.add("exdate", [datetime.combine(d, start_time, BUCHAREST) for d in skipped])
        event.add("summary", scheduled.summary)
        event.add("location", scheduled.location)
        event.add("description", description_of(scheduled))
        event.add("categories", [entry.kind])
        return event.to_ical()

    @staticmethod
    def fingerprint(body: bytes) -> str:
        return hashlib.sha1(body).hexdigest()[:16]

    @staticmethod
    def stamped(body: bytes, dtstamp: str) -> bytes:
        """The event with its DTSTAMP ("20260223T120000Z") put right after BEGIN:VEVENT."""
        head = b"BEGIN:VEVENT\r\n"
        return head + b"DTSTAMP:" + dtstamp.encode() + b"\r\n" + body[len(head):]

    def calendar(self, name: str, description: str, events: list[bytes]) -> bytes:
        header = icalendar.Calendar()
        header.add("prodid", PRODID)
        header.add("version", "2.0")
        header.add("calscale", "GREGORIAN")
        header.add("method", "PUBLISH")
        header.add("name", name)
        header.add("x-wr-calname", name)
        header.add("x-wr-caldesc", description)
        header.add("x-wr-timezone", TIMEZONE)
        header.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
        header.add("x-published-ttl", timedelta(days=1))
        opening = header.to_ical()[: -len(b"END:VCALENDAR\r\n")]
        return b"".join((opening, self._vtimezone, *events, b"END:VCALENDAR\r\n"))


def description_of(scheduled: ScheduledClass) -> str:
    entry = scheduled.entry
    lines = [entry.teacher, f"{entry.kind}, {entry.formation}",
             PARITY_WORDS[week_parity(entry.frequency)]]
    return "\n".join(line for line in lines if line)


def _weekly(first: date, last: date) -> set[date]:
    days, day = set(), first
    while day <= last:
        days.add(day)
        day += WEEK
    return days
