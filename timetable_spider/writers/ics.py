"""iCalendar files: one VEVENT per class, a weekly RRULE with EXDATEs for the weeks it skips.

About 7,000 distinct classes go into 1,491 files per crawl, so events and calendar headers
are serialized here directly; icalendar's own serializer took ~50x longer. icalendar still
makes the VTIMEZONE, and tests/test_ics_writer.py proves the events byte-for-byte equal to
icalendar's serialization and every file equal to what icalendar parses back.
Each distinct class is serialized once per page; the -1, -2 and -all calendars share its bytes.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar

from timetable_spider.calendar_rules import week_parity
from timetable_spider.schedule import ScheduledClass

TIMEZONE = "Europe/Bucharest"
BUCHAREST = ZoneInfo(TIMEZONE)
PRODID = "-//timetable_spider//UBB Cluj FMI timetable//EN"
WEEK = timedelta(days=7)
PARITY_WORDS = {None: "every week", 1: "odd weeks (sapt. 1)", 2: "even weeks (sapt. 2)"}
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
LINE_LIMIT = 75  # octets, as icalendar counts them


class EventParts(NamedTuple):
    """A VEVENT's lines around its stamps: head, DTSTAMP, uid, SEQUENCE, rules, LAST-MODIFIED, tail."""

    head: bytes
    uid: bytes
    rules: bytes
    tail: bytes


class CalendarWriter:
    """Serializes classes and calendars for one academic year."""

    def __init__(self, academic_year_start: int):
        self.vtimezone = icalendar.Timezone.from_tzinfo(
            BUCHAREST, tzid=TIMEZONE, first_date=date(academic_year_start, 9, 1),
            last_date=date(academic_year_start + 1, 9, 30)).to_ical()

    @staticmethod
    def event_parts(scheduled: ScheduledClass) -> EventParts:
        """The VEVENT without its stamps, in pieces that go around them.

        DTSTAMP, SEQUENCE and LAST-MODIFIED depend on whether the rest changed since the last
        crawl, so the rest is fingerprinted without them. Properties are in icalendar's
        canonical order: SUMMARY DTSTART DTEND DTSTAMP UID SEQUENCE RRULE EXDATE, then the
        others by name, LAST-MODIFIED among them.
        """
        entry = scheduled.entry
        start_time = time.fromisoformat(entry.start)
        first, last = scheduled.dates[0], scheduled.dates[-1]
        # "22-24" ends at midnight, which is 00:00 of the next day
        end_day, end_time = (first + timedelta(days=1), time(0)) if entry.end == "24:00" \
            else (first, time.fromisoformat(entry.end))
        head = [
            "BEGIN:VEVENT",
            text_line("SUMMARY", scheduled.summary),
            f"DTSTART;TZID={TIMEZONE}:{_local(first, start_time)}",
            f"DTEND;TZID={TIMEZONE}:{_local(end_day, end_time)}",
        ]
        rules = []
        if len(scheduled.dates) > 1:
            until = datetime.combine(last, start_time, BUCHAREST).astimezone(timezone.utc)
            rules.append(f"RRULE:FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%SZ}")
            skipped = sorted(_weekly(first, last) - set(scheduled.dates))
            if skipped:
                rules.append(fold(f"EXDATE;TZID={TIMEZONE}:"
                                  + ",".join(_local(day, start_time) for day in skipped)))
        rules += [text_line("CATEGORIES", entry.kind), text_line("DESCRIPTION", description_of(scheduled))]
        return EventParts(head=content_lines(head), uid=content_lines([fold(f"UID:{scheduled.uid}")]), rules=content_lines(rules),
                          tail=content_lines([text_line("LOCATION", scheduled.location), "END:VEVENT"]))

    @staticmethod
    def uid_line(uid: str) -> bytes:
        return (fold(f"UID:{uid}") + "\r\n").encode()

    @staticmethod
    def fingerprint(parts: EventParts) -> str:
        """What the event says, without its stamps (the same as before events had a SEQUENCE)."""
        return hashlib.sha1(b"".join((parts.head, parts.uid, parts.rules, parts.tail))).hexdigest()[:16]

    @staticmethod
    def stamped(parts: EventParts, dtstamp: str, sequence: int = 0) -> bytes:
        """The whole VEVENT, with a DTSTAMP such as "20260223T120000Z" and its SEQUENCE.

        An event changed since it was first published (sequence > 0) says when, in LAST-MODIFIED:
        its DTSTAMP, the time of that change.
        """
        before, after = CalendarWriter.around_uid(parts, dtstamp, sequence)
        return b"".join((before, parts.uid, after))

    @staticmethod
    def around_uid(parts: EventParts, dtstamp: str, sequence: int = 0) -> tuple[bytes, bytes]:
        """stamped(), as the bytes before its UID line and after it: one class in several
        calendars, each with a UID of its own, is stamped once."""
        modified = b"LAST-MODIFIED:" + dtstamp.encode() + b"\r\n" if sequence else b""
        return (b"".join((parts.head, b"DTSTAMP:", dtstamp.encode(), b"\r\n")),
                b"".join((b"SEQUENCE:", str(sequence).encode(), b"\r\n", parts.rules, modified, parts.tail)))

    def calendar(self, name: str, description: str, events: list[bytes]) -> bytes:
        header = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            text_line("NAME", name),
            text_line("X-WR-CALNAME", name),
            text_line("X-WR-CALDESC", description),
            f"X-WR-TIMEZONE:{TIMEZONE}",
            # how often subscribers should look for changes (RFC 7986, and Outlook's own name)
            "REFRESH-INTERVAL;VALUE=DURATION:P1D",
            "X-PUBLISHED-TTL:P1D",
        ]
        return b"".join((content_lines(header), self.vtimezone, *events, b"END:VCALENDAR\r\n"))


def description_of(scheduled: ScheduledClass) -> str:
    entry = scheduled.entry
    lines = [entry.teacher, f"{entry.kind}, {entry.formation}", PARITY_WORDS[week_parity(entry.frequency)]]
    return "\n".join(line for line in lines if line)


def escape_text(value: str) -> str:
    """RFC 5545 TEXT escaping. Control characters become spaces, so no raw CR ever ends a line."""
    value = CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def text_line(name: str, value: str) -> str:
    return fold(f"{name}:{escape_text(value)}")


def fold(line: str) -> str:
    """Fold a content line as icalendar does: under 75 octets a line, never splitting an escape."""
    if line.isascii():
        return _fold_ascii(line)
    if len(line.encode()) < LINE_LIMIT:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= LINE_LIMIT:
            carried = current.pop() if len(current) > 1 and current[-1] in "\\^" else None
            pieces.append("".join(current))
            current = [carried] if carried else []
            size = len(carried.encode()) if carried else 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _fold_ascii(line: str) -> str:
    """fold() for ASCII, where characters are octets: plain slicing."""
    if len(line) < LINE_LIMIT:
        return line
    pieces, start = [], 0
    while len(line) - start >= LINE_LIMIT:
        cut = start + LINE_LIMIT - 1
        if line[cut - 1] in "\\^":
            cut -= 1
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def content_lines(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


@lru_cache(maxsize=4096)
def _local(day: date, at: time) -> str:
    return f"{day:%Y%m%d}T{at:%H%M%S}"


@lru_cache(maxsize=1024)
def _weekly(first: date, last: date) -> frozenset[date]:
    return frozenset(first + WEEK * n for n in range((last - first).days // 7 + 1))
