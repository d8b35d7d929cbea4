"""A spec page turned into dated classes and the calendars that hold them. No Scrapy, no I/O.

The ICS and JSON writers both start from here, so the dates are worked out once per page,
and the teaching weeks once per academic-calendar table.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from timetable_spider import calendar_rules
from timetable_spider.calendar_rules import Period
from timetable_spider.items import Timetable, TimetableEntry
from timetable_spider.site_paths import calendar_file_name

UID_DOMAIN = "@timetable-spider"


@dataclass(frozen=True)
class ScheduledClass:
    """A timetable row with everything a calendar event needs."""

    entry: TimetableEntry
    uid: str
    summary: str
    location: str
    dates: tuple[date, ...]


@dataclass
class GroupCalendar:
    group: str
    subgroup: int | None  # None: the whole group ("-all", or a group without subgroups)
    file_name: str
    classes: list[ScheduledClass]

    @property
    def label(self) -> str:
        """How the index page names this calendar."""
        if self.subgroup is not None:
            return f"subgroup {self.subgroup}"
        return "calendar" if "/" in self.group else "whole group"


@dataclass
class SpecSchedule:
    timetable: Timetable
    table_key: str
    study_line: str
    classes: list[ScheduledClass]  # distinct, in page order
    calendars: list[GroupCalendar]

    def groups_of(self) -> dict[str, tuple[str, ...]]:
        """uid -> the groups whose table lists the class."""
        by_entry = {c.entry: c.uid for c in self.classes}
        groups: dict[str, list[str]] = {c.uid: [] for c in self.classes}
        for group in self.timetable.groups:
            for entry in dict.fromkeys(group.entries):
                groups[by_entry[entry]].append(group.name)
        return {uid: tuple(names) for uid, names in groups.items()}

    def with_uids(self, carried: dict[str, str]) -> "SpecSchedule":
        """The schedule with the UIDs its classes had in the last crawl (carried: uid -> last uid).

        A class that moved keeps its UID, so calendar apps update it rather than add a new one;
        a new class whose UID a moved one now carries gets another.
        """
        taken = set(carried.values())
        renamed: dict[str, ScheduledClass] = {}
        for scheduled in self.classes:
            uid = carried.get(scheduled.uid)
            if uid is None:
                uid = scheduled.uid
                while uid in taken:
                    uid = hashlib.sha1(f"{uid}\x1fagain".encode()).hexdigest()[:20] + UID_DOMAIN
                taken.add(uid)
            renamed[scheduled.uid] = replace(scheduled, uid=uid)
        return replace(self, classes=[renamed[c.uid] for c in self.classes],
                       calendars=[replace(cal, classes=[renamed[c.uid] for c in cal.classes])
                                  for cal in self.calendars])


class SemesterCalendar:
    """The academic calendar's tables for one semester, with class dates computed once per table.

    programme_years is (PROGRAMME_YEARS, PROGRAMME_YEARS_BY_NAME), which decide the final years.
    """

    def __init__(self, tables: dict[tuple[str, str], list[Period]], semester: str,
                 programme_years: tuple[dict[str, int], dict[str, dict[str, int]]]):
        self.tables = tables
        self.semester = semester
        self.programme_years = programme_years
        self.semester_number = calendar_rules.parse_semester(semester)[1]
        self._dates: dict[tuple[str, str, int, int | None], tuple[date, ...]] = {}

    def table_key(self, timetable: Timetable) -> str:
        length = calendar_rules.programme_years(timetable.degree, timetable.name, *self.programme_years)
        final = calendar_rules.is_final_year(timetable.year, length)
        return calendar_rules.calendar_table_key(self.semester_number, final)

    def class_dates(self, line: str, key: str, weekday: int, parity: int | None) -> tuple[date, ...]:
        """The dates of a weekly class; the same few dozen answers serve every page."""
        cache_key = (line, key, weekday, parity)
        if cache_key not in self._dates:
            self._dates[cache_key] = tuple(calendar_rules.class_dates(self.tables[(line, key)], weekday, parity))
        return self._dates[cache_key]


def schedule_timetable(timetable: Timetable, calendar: SemesterCalendar,
                       rooms: dict[str, str]) -> SpecSchedule:
    line = calendar_rules.study_line(timetable.name)
    key = calendar.table_key(timetable)

    scheduled: dict[TimetableEntry, ScheduledClass] = {}
    uids: set[str] = set()
    for group in timetable.groups:
        for entry in group.entries:
            if entry not in scheduled:
                uid = _unique_uid(calendar.semester, timetable.code, entry, uids)
                scheduled[entry] = ScheduledClass(
                    entry=entry, uid=uid, summary=summary_of(entry), location=location_of(entry, rooms),
                    dates=calendar.class_dates(line, key, calendar_rules.weekday_number(entry.day),
                                               calendar_rules.week_parity(entry.frequency)))

    calendars = []
    for group in timetable.groups:
        formations = [e.formation for e in group.entries]
        for subgroup in (*calendar_rules.subgroups_of(group.name, formations), None):
            classes = [scheduled[e] for e in dict.fromkeys(group.entries)
                       if calendar_rules.attends(e.formation, group.name, subgroup)]
            has_subgroups = "/" not in group.name
            calendars.append(GroupCalendar(
                group=group.name, subgroup=subgroup, classes=classes,
                file_name=calendar_file_name(group.name, subgroup, has_subgroups)))
    return SpecSchedule(timetable=timetable, table_key=key, study_line=line,
                        classes=list(scheduled.values()), calendars=calendars)


def summary_of(entry: TimetableEntry) -> str:
    return f"[{calendar_rules.event_type_letter(entry.kind)}] {entry.subject}"


def location_of(entry: TimetableEntry, rooms: dict[str, str]) -> str:
    where = rooms.get(entry.room)
    return f"{entry.room}, {where}" if where else entry.room


def _unique_uid(semester: str, code: str, entry: TimetableEntry, taken: set[str]) -> str:
    """Stable across crawls for the same class on the same slot; room and teacher only break ties."""
    slot = (semester, code, entry.formation, calendar_rules.plain(entry.day), entry.start, entry.end,
            calendar_rules.plain(entry.frequency), calendar_rules.plain(entry.kind), entry.subject)
    for parts in (slot, (*slot, entry.room), (*slot, entry.room, entry.teacher)):
        uid = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20] + UID_DOMAIN
        if uid not in taken:
            taken.add(uid)
            return uid
    raise AssertionError("distinct entries always differ in some part")  # pragma: no cover
