"""Writing one spec page's calendars and data file into the staging site.

This is the CPU-heavy part of a crawl, so the pipeline runs it in worker processes, off the
thread that downloads. It imports no Scrapy: a job and its result are plain, picklable data.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timetable_spider import changes, open_data, site_paths
from timetable_spider.changes import ClassFacts
from timetable_spider.calendar_rules import Period
from timetable_spider.items import Timetable
from timetable_spider.publishing import SiteFiles
from timetable_spider.schedule import (
    GroupCalendar, ScheduledClass, SemesterCalendar, SpecSchedule, schedule_timetable)
from timetable_spider.writers import json_data, timetables_json
from timetable_spider.writers.ics import CalendarWriter
from timetable_spider.writers.json_data import Stamp


@dataclass
class SemesterContext:
    """What every page of a crawl shares: the academic calendar, the rooms and where to write."""

    semester: str
    academic_year_start: int
    tables: dict[tuple[str, str], list[Period]]
    rooms: dict[str, str]
    programme_years: tuple[dict[str, int], dict[str, dict[str, int]]]  # see SemesterCalendar
    site_dir: str
    staging: str
    dtstamp: str  # for events that are new or changed, e.g. "20261123T080000Z"


@dataclass
class SpecPageResult:
    code: str
    record: dict[str, Any]  # what data/<CODE>.json holds, without the classes (json_data.record_summary)
    changes: list[dict[str, Any]] | None  # since the last crawl of this semester; None: none to compare with
    files_written: int
    files_kept: int


_prepared_for: SemesterContext | None = None
_prepared_tools: tuple[SemesterCalendar, CalendarWriter] | None = None


def write_spec_page(timetable: Timetable, context: SemesterContext) -> SpecPageResult:
    calendar, writer = _prepared(context)
    files = SiteFiles(context.site_dir, context.staging)
    schedule = schedule_timetable(timetable, calendar, context.rooms)
    directory = site_paths.spec_directory(timetable.name, timetable.year)
    data_path = site_paths.data_file_name(timetable.code)
    previous = open_data.load_record(files.read_published(data_path))
    schedule, last_stamps, change_log = _compare_with_last_crawl(
        schedule, previous if previous and previous["semester"] == context.semester else None)
    parts = {c.uid: writer.event_parts(c) for c in schedule.classes if c.dates}
    stamps = {uid: next_stamp(writer.fingerprint(p), last_stamps.get(uid), context.dtstamp) for uid, p in parts.items()}
    events = {uid: writer.stamped(p, stamps[uid].dtstamp, stamps[uid].sequence) for uid, p in parts.items()}
    written: dict[str, dict[str, Any]] = {}  # file name -> its label and event count
    for group_calendar in schedule.calendars:
        chosen = [events[c.uid] for c in group_calendar.classes if c.uid in events]
        if not chosen:
            continue  # a calendar with no events is not written
        name, description = calendar_title(timetable, group_calendar, context.semester)
        files.write(f"{directory}/{group_calendar.file_name}", writer.calendar(name, description, chosen))
        written[group_calendar.file_name] = {"label": group_calendar.label, "events": len(chosen)}
    record = json_data.spec_data(schedule, context.semester, directory, stamps, written)
    files.write(data_path, json_data.dumps(record, indent=None))
    files.write(site_paths.timetable_file_name(timetable.code), json_data.dumps(
        timetables_json.spec_timetable(schedule, context.semester, directory, written), indent=None))
    return SpecPageResult(code=timetable.code, record=json_data.record_summary(record), changes=change_log,
                          files_written=files.files_written, files_kept=files.files_kept)


def _compare_with_last_crawl(schedule: SpecSchedule, previous: open_data.Record | None
                             ) -> tuple[SpecSchedule, dict[str, Stamp], list[dict[str, Any]] | None]:
    """The schedule with its classes' UIDs carried from the last crawl of this semester, their
    stamps in that crawl (by UID), and the change log's entries for this page (None with no last
    crawl: a new semester or a new page, which the change log words itself)."""
    before = json_data.record_classes(previous)
    groups = schedule.groups_of()
    current = [facts_of(c, groups[c.uid]) for c in schedule.classes]
    matching = changes.match_classes([facts for facts, _, _ in before], current)
    carried = {schedule.classes[c].uid: before[p][1] for p, c in matching.same + matching.moved}
    schedule = schedule.with_uids(carried)
    last_stamps = {schedule.classes[c].uid: before[p][2] for p, c in matching.same + matching.moved}
    change_log = None if previous is None else changes.spec_changes(
        schedule.timetable.code, [facts for facts, _, _ in before], [uid for _, uid, _ in before], current,
        [c.uid for c in schedule.classes], matching)
    return schedule, last_stamps, change_log


def next_stamp(fingerprint: str, last: Stamp | None, now: str) -> Stamp:
    """An unchanged event keeps its DTSTAMP and SEQUENCE; a changed one (a move included) keeps
    its UID, gets DTSTAMP now and SEQUENCE + 1, so calendar apps apply the change; a new one has 0."""
    if last is None:
        return Stamp(fingerprint, now, 0)
    if last.fingerprint == fingerprint:
        return last
    return Stamp(fingerprint, now, last.sequence + 1)


def facts_of(scheduled: ScheduledClass, groups: tuple[str, ...]) -> ClassFacts:
    entry = scheduled.entry
    return ClassFacts(formation=entry.formation, day=entry.day, start=entry.start, end=entry.end,
                      frequency=entry.frequency, kind=entry.kind, subject=entry.subject, room=entry.room,
                      teacher=entry.teacher, location=scheduled.location,
                      dates=tuple(d.isoformat() for d in scheduled.dates), groups=groups,
                      subject_code=entry.subject_code)


def calendar_title(timetable: Timetable, group_calendar: GroupCalendar, semester: str) -> tuple[str, str]:
    """The calendar's name and description, as a calendar app lists it.

    No commas: they must be escaped in TEXT, and some apps show NAME and X-WR-CALNAME raw.
    """
    who = group_calendar.group if group_calendar.subgroup is None \
        else f"{group_calendar.group}/{group_calendar.subgroup}"
    name = f"{timetable.code} {who} · {timetable.name} · Year {timetable.year}"
    description = f"UBB FMI timetable {semester} · {timetable.name} · Year {timetable.year} · group {who}"
    return name, description


def _prepared(context: SemesterContext) -> tuple[SemesterCalendar, CalendarWriter]:
    """Teaching weeks, class dates and the VTIMEZONE, worked out once per process and crawl."""
    global _prepared_for, _prepared_tools
    if context != _prepared_for:
        _prepared_for = context
        _prepared_tools = (SemesterCalendar(context.tables, context.semester, context.programme_years),
                           CalendarWriter(context.academic_year_start))
    return _prepared_tools
