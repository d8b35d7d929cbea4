"""What the spider yields. Pipelines read these through ItemAdapter."""
from __future__ import annotations

from dataclasses import dataclass, field

from timetable_spider.calendar_rules import Period


@dataclass
class SpecializationListing:
    """One "Anul N" link of the timetable index: a specialization's year and its page."""

    code: str
    name: str
    year: int
    degree: str  # "bachelor" or "master", from the index section
    url: str


@dataclass(frozen=True)
class TimetableEntry:
    """One row of a group's table, validated but kept as the page words it."""

    day: str
    start: str  # "HH:MM", Europe/Bucharest
    end: str
    frequency: str  # "", "sapt. 1" or "sapt. 2"
    room: str
    formation: str  # year-wide code ("IE2"), group ("921") or subgroup ("921/1")
    kind: str  # "Curs", "Seminar" or "Laborator"
    subject: str
    teacher: str
    # The faculty's stable codes, from the links of the room, subject and teacher cells
    # ("../sali/2-I.html" -> "2-I"); "" when the cell has no link the crawl can read.
    room_code: str = ""
    subject_code: str = ""
    teacher_code: str = ""


@dataclass
class Group:
    name: str
    entries: list[TimetableEntry] = field(default_factory=list)


@dataclass
class Timetable:
    """One spec page (a specialization's year) with its groups."""

    code: str
    name: str
    year: int
    degree: str
    url: str
    groups: list[Group] = field(default_factory=list)


@dataclass
class RoomLegend:
    url: str
    rooms: dict[str, str] = field(default_factory=dict)


@dataclass
class CalendarTable:
    """One table of the academic calendar: a study line's periods for a semester."""

    study_line: str  # calendar_rules.ROMANIAN or HUNGARIAN_GERMAN
    table: str  # calendar_rules.SEMESTER_1, SEMESTER_2 or SEMESTER_2_FINAL_YEARS
    periods: list[Period]


@dataclass
class AcademicCalendar:
    """The academic year's tables (a list, so feed exports can write the item as JSON)."""

    url: str
    academic_year: str  # "2025-2026"
    tables: list[CalendarTable] = field(default_factory=list)


def tables_by_key(tables: list[CalendarTable]) -> dict[tuple[str, str], list[Period]]:
    """(study line, table) -> periods, as the calendar rules look tables up."""
    return {(t.study_line, t.table): t.periods for t in tables}


@dataclass
class PageFailure:
    """A page that could not be fetched or understood, for the run's status."""

    url: str
    reason: str
    # "index", "legend", "academic calendar", "timetable layout" (a page with no group tables),
    # or "timetable" (a spec page that could not be fetched: its last published version is kept)
    kind: str
    code: str = ""  # the spec page's code, for "timetable"
    status: int | None = None  # the HTTP status it answered with, if it answered
