"""The academic year as calendar events: a study line's periods and days off. No Scrapy, no I/O.

A spec page follows its study line's semester I table, then its semester II table, or the final
years' one when the page is a programme's last year. Each period becomes one all-day event and
each day off another. UIDs name what an event is, never its dates, so a period the faculty
moves keeps its UID (and its SEQUENCE grows, see writers/academic_year.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from collections.abc import Mapping

from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS, Period, plain, teaching_weeks)
from timetable_spider.parsing.academic_calendar import days_off_in
from timetable_spider.schedule import UID_DOMAIN

# The tables' wording (folded, footnote marks dropped) -> the event's summary and category.
# Longest first: "vacanta de pasti" before "vacanta".
PERIOD_KINDS = (
    ("activitate didactica", "Teaching period", "teaching"),
    ("vacanta de craciun", "Christmas holiday", "holiday"),
    ("vacanta de pasti", "Easter holiday", "holiday"),
    ("vacanta", "Holiday", "holiday"),
    ("sesiune de examene", "Exam session", "exam session"),
    ("sesiune de restante", "Retake session", "retake session"),
    ("perioada de practica", "Internship period", "practice"),
    ("pregatirea anului universitar", "Preparing the academic year", "preparation"),
    ("pregatirea examenului de licenta", "Preparing the licence or dissertation exam", "final exams"),
    ("examen de licenta", "Licence or dissertation exam", "final exams"),
)
SEMESTER_NAMES = {SEMESTER_1: "semester I", SEMESTER_2: "semester II", SEMESTER_2_FINAL_YEARS: "semester II"}
LINE_NAMES = {HUNGARIAN_GERMAN: "Hungarian and German lines"}
WEEKDAY = r"(?:luni|marti|miercuri|joi|vineri|sambata|duminica)"
# What ends a day's name in the notes: ")", the next day ("și luni, 01.06.2026"), the mark itself.
NAME_END = re.compile(rf"\)|,\s*{WEEKDAY}\b|\s+si\s+{WEEKDAY}\b|\s*-\s*zi(?:le)?\s+liber")


@dataclass(frozen=True)
class YearEvent:
    """An all-day event of the academic year, from start to end inclusive."""

    uid: str
    start: date
    end: date
    summary: str
    description: str
    category: str


def year_tables(tables: Mapping[tuple[str, str], list[Period]], line: str,
                final_year: bool) -> list[tuple[str, list[Period]]]:
    """The tables a spec page's year follows, by table key: semester I, then its semester II."""
    second = SEMESTER_2_FINAL_YEARS if final_year else SEMESTER_2
    return [(SEMESTER_1, tables[(line, SEMESTER_1)]), (second, tables[(line, second)])]


def year_events(academic_year: str, line: str, tables: list[tuple[str, list[Period]]]) -> list[YearEvent]:
    """One event per period of the tables, and one per day off, in date order."""
    where = f"UBB academic year {academic_year} · {LINE_NAMES.get(line, 'Romanian line')}"
    events: list[YearEvent] = []
    days_off: dict[date, YearEvent] = {}
    for key, periods in tables:
        weeks = teaching_weeks(periods)
        seen: dict[str, int] = {}  # summary -> how many periods of that kind so far, for the UID
        for period in periods:
            kind, category = period_kind(period.label)
            seen[kind] = seen.get(kind, 0) + 1
            summary = kind
            if period.teaching:
                numbers = [n for n, monday in enumerate(weeks, start=1)
                           if monday <= period.end and monday + timedelta(days=4) >= period.start]
                summary += f" ({SEMESTER_NAMES[key]}" + (
                    f", weeks {numbers[0]}–{numbers[-1]})" if len(numbers) > 1 else f", week {numbers[0]})")
            elif kind == "Holiday" and period is periods[-1] and key == SEMESTER_2:
                summary = "Summer holiday"
            wording = " · ".join(part for part in (period.label.rstrip("* "), period.notes) if part)
            events.append(YearEvent(
                uid=f"academic-year-{academic_year}-{line}-{key}-{_slug(kind)}-{seen[kind]}{UID_DOMAIN}",
                start=period.start, end=period.end, summary=summary,
                description=f"{wording}\n{where}", category=category))
            for day in period.holidays or days_off_in(f"{period.label} {period.notes}"):
                days_off[day] = YearEvent(
                    uid=f"academic-year-{academic_year}-{line}-day-off-{day:%Y%m%d}{UID_DOMAIN}",
                    start=day, end=day, summary=f"Day off: {day_off_name(period.notes, day)}",
                    description=f"{period.notes}\n{where}", category="day off")
    events += days_off.values()
    return sorted(events, key=lambda e: (e.start, e.category != "day off", e.end))


def period_kind(label: str) -> tuple[str, str]:
    """A table's wording of a period ("vacanța de Paști") -> its summary and category."""
    folded = plain(label).rstrip("* ")
    for wording, summary, category in PERIOD_KINDS:
        if folded.startswith(wording):
            return summary, category
    return label.rstrip("* ").capitalize(), "other"


def day_off_name(notes: str, day: date) -> str:
    """What the notes call a day: "7 săptămâni (vineri, 10.04.2026, Vinerea Mare - zi liberă)"
    gives "Vinerea Mare" for 10 April 2026; "holiday" when the notes do not name it."""
    written = f"{day:%d.%m.%Y}"
    at = notes.find(written)
    if at < 0:
        return "holiday"
    rest = notes[at + len(written):].lstrip(" ,")
    end = NAME_END.search(plain(rest))  # folding keeps the length: the positions match
    name = (rest if end is None else rest[:end.start()]).strip(" ,-")
    return name or "holiday"


def _slug(summary: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", plain(summary)).strip("-")
