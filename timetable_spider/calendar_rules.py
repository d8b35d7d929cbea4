"""The faculty's calendar rules, as plain functions: no Scrapy, no I/O.

Teaching weeks, week parity, holidays, study lines, final years and subgroup
filtering all live here, so each rule can be tested with dates worked out by hand.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

WEEKDAYS = {"luni": 0, "marti": 1, "miercuri": 2, "joi": 3, "vineri": 4, "sambata": 5, "duminica": 6}
EVENT_TYPES = {"curs": "C", "seminar": "S", "laborator": "L"}
DEFAULT_SUBGROUPS = (1, 2)

# Table keys of the academic calendar, per study line.
ROMANIAN = "romanian"
HUNGARIAN_GERMAN = "hungarian_german"
SEMESTER_1 = "semester_1"
SEMESTER_2 = "semester_2"
SEMESTER_2_FINAL_YEARS = "semester_2_final_years"


@dataclass(frozen=True)
class Period:
    """One row of an academic-calendar table."""

    start: date
    end: date
    label: str
    notes: str
    teaching: bool
    holidays: tuple[date, ...] = ()


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Lower-case ASCII folding, so "Marți", "marti" and "Marþi" compare equal."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).strip().lower()


def weekday_number(day: str) -> int | None:
    return WEEKDAYS.get(plain(day))


def event_type_letter(kind: str) -> str | None:
    return EVENT_TYPES.get(plain(kind))


def week_parity(frequency: str) -> int | None:
    """1 for odd weeks ("sapt. 1"), 2 for even weeks ("sapt. 2"), None for every week.

    Raises ValueError for any other text, so an unknown frequency is reported, not guessed.
    """
    text = plain(frequency)
    if not text:
        return None
    match = re.fullmatch(r"sapt(?:amana)?\.?\s*([12])", text)
    if not match:
        raise ValueError(f"unknown frequency {frequency!r}")
    return int(match.group(1))


def teaching_weeks(periods: Iterable[Period]) -> list[date]:
    """The Mondays of the teaching weeks, in order; week n is element n-1.

    A week counts when its Monday to Friday touches a teaching period, and the count
    goes on across vacations (the first week after Easter follows the last before it).
    """
    teaching = [p for p in periods if p.teaching]
    if not teaching:
        return []
    first = min(p.start for p in teaching)
    last = max(p.end for p in teaching)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        friday = monday + timedelta(days=4)
        if any(p.start <= friday and p.end >= monday for p in teaching):
            weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def holidays(periods: Iterable[Period]) -> frozenset[date]:
    """Days off named in the notes of teaching periods."""
    return frozenset(day for p in periods if p.teaching for day in p.holidays)


def class_dates(periods: Sequence[Period], weekday: int, parity: int | None) -> list[date]:
    """Every date a weekly class meets: its weekday in each teaching week of the right parity,
    when that day itself falls in a teaching period and is not a day off.

    A period that starts on a Wednesday numbers that partial week 1, but its Monday and Tuesday
    are still before the semester; one that ends on a Friday has its Saturday in the vacation.
    """
    teaching = [p for p in periods if p.teaching]
    days_off = holidays(teaching)
    dates = []
    for number, monday in enumerate(teaching_weeks(teaching), start=1):
        if parity is not None and number % 2 != parity % 2:
            continue
        day = monday + timedelta(days=weekday)
        if day not in days_off and any(p.start <= day <= p.end for p in teaching):
            dates.append(day)
    return dates


def study_line(spec_name: str) -> str:
    """Hungarian and German programmes share the calendar tables of their own lines."""
    name = plain(spec_name)
    if "maghiar" in name or "german" in name:
        return HUNGARIAN_GERMAN
    return ROMANIAN


def programme_years(degree: str, spec_name: str, years_by_degree: Mapping[str, int],
                    years_by_name: Mapping[str, Mapping[str, int]]) -> int:
    """How many years a programme lasts: the first of its degree's name patterns found in its
    name (case and diacritics ignored), else its degree's default.

    The names do not always say it: "Ingineria Informatiei" is a 4-year (240-credit) bachelor.
    """
    name = plain(spec_name)
    for pattern, years in years_by_name.get(degree, {}).items():
        if plain(pattern) in name:
            return int(years)
    if degree not in years_by_degree:
        raise ValueError(f"no programme length for degree {degree!r} (PROGRAMME_YEARS)")
    return int(years_by_degree[degree])


def is_final_year(year: int, programme_length: int) -> bool:
    """The last year of a programme, which has its own academic-calendar table in semester II."""
    return year == programme_length


def calendar_table_key(semester_number: int, final_year: bool) -> str:
    if semester_number == 1:
        return SEMESTER_1
    return SEMESTER_2_FINAL_YEARS if final_year else SEMESTER_2


def default_semester(today: date) -> str:
    """September to January is semester 1 of the year that starts in September; else semester 2."""
    if today.month >= 9:
        return f"{today.year}-1"
    if today.month == 1:
        return f"{today.year - 1}-1"
    return f"{today.year - 1}-2"


def parse_semester(semester: str) -> tuple[int, int]:
    """"2025-2" -> (2025, 2): the academic year's first calendar year and the semester number."""
    match = re.fullmatch(r"(\d{4})-([12])", semester.strip())
    if not match:
        raise ValueError(f"semester must look like 2025-1 or 2025-2, not {semester!r}")
    return int(match.group(1)), int(match.group(2))


def subgroups_of(group: str, formations: Iterable[str]) -> tuple[int, ...]:
    """A group's subgroups: always 1 and 2 (students' links rely on them), plus any other named.

    A group whose own name contains "/" is already a subgroup and has none.
    """
    if "/" in group:
        return ()
    named = {int(f.split("/", 1)[1]) for f in formations
             if f.startswith(group + "/") and f.split("/", 1)[1].isdigit()}
    return tuple(sorted(named.union(DEFAULT_SUBGROUPS)))


def attends(formation: str, group: str, subgroup: int | None) -> bool:
    """Whether a subgroup (or, with None, the whole group) attends a class held for a formation.

    A subgroup attends year-wide classes, its group's classes and its own subgroup's classes.
    """
    if subgroup is None or "/" not in formation:
        return True
    return formation == f"{group}/{subgroup}"


def previous_semester(semester: str) -> str:
    """"2026-2" -> "2026-1"; "2026-1" -> "2025-2"."""
    year, number = parse_semester(semester)
    return f"{year}-1" if number == 2 else f"{year - 1}-2"


def first_teaching_day(tables: Mapping[tuple[str, str], Sequence[Period]], semester: str) -> date:
    """The earliest first teaching day of a semester over the study lines' tables (the final
    years' start with everyone else). Without tables for it (the academic calendar not yet of the
    semester's year), 1 October or 1 March: later than any first teaching day the faculty has had
    (late September, late February), so that a wait measured from it never ends early."""
    year, number = parse_semester(semester)
    key = calendar_table_key(number, final_year=False)
    starts = [period.start for (line, table), periods in tables.items() if table == key
              for period in periods if period.teaching]
    return min(starts, default=date(year, 10, 1) if number == 1 else date(year + 1, 3, 1))
