"""data/timetables/<CODE>.json: a spec page's classes in the lean shape the students' page reads,
and data/site.json, what the page needs of the semester.

data/<CODE>.json keeps its fields for whoever reads it already; these files carry each distinct
class once, with what the page shows of it, and each list of dates once. The page links to the
published calendars, so nothing here is there only to make an event.
"""
from __future__ import annotations

from typing import Any

from timetable_spider import calendar_rules
from timetable_spider.calendar_rules import Period
from timetable_spider.open_data import SITE, TIMETABLE
from timetable_spider.schedule import ScheduledClass, SpecSchedule
from timetable_spider.writers.ics import TIMEZONE


def spec_timetable(schedule: SpecSchedule, semester: str, directory: str,
                   written: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The classes of a spec page's published calendars, and each group's calendars; written maps
    the calendar files written to their label and event count."""
    timetable = schedule.timetable
    dated = [c for c in schedule.classes if c.dates]
    position = {c.uid: n for n, c in enumerate(dated)}
    date_lists: dict[tuple, int] = {}
    classes = [class_view(c, date_lists.setdefault(c.dates, len(date_lists))) for c in dated]
    groups = []
    for group in timetable.groups:
        calendars = [{"file": cal.file_name, "subgroup": cal.subgroup, "label": cal.label}
                     for cal in schedule.calendars if cal.group == group.name and cal.file_name in written]
        if not calendars:
            continue
        members = dict.fromkeys(position[c.uid] for cal in schedule.calendars if cal.group == group.name
                                for c in cal.classes if c.uid in position)
        groups.append({"name": group.name, "calendars": calendars, "classes": sorted(members)})
    return {
        "schema": TIMETABLE.url, "kind": "spec", "code": timetable.code, "name": timetable.name, "year": timetable.year,
        "degree": timetable.degree, "semester": semester, "directory": directory,
        "table": table_name(schedule.study_line, schedule.table_key),
        "groups": groups, "classes": classes,
        "dates": [[d.isoformat() for d in dates] for dates in date_lists],
    }


def class_view(scheduled: ScheduledClass, dates: int) -> dict[str, Any]:
    """One class as the page shows it; dates indexes the file's date lists."""
    entry = scheduled.entry
    return {
        "uid": scheduled.uid, "day": calendar_rules.weekday_number(entry.day), "start": entry.start,
        "end": entry.end, "parity": calendar_rules.week_parity(entry.frequency),
        "type": calendar_rules.event_type_letter(entry.kind), "kind": entry.kind,
        "subject": entry.subject, "subject_code": entry.subject_code, "room": entry.room,
        "room_code": entry.room_code, "location": scheduled.location, "teacher": entry.teacher,
        "teacher_code": entry.teacher_code, "formation": entry.formation, "dates": dates,
    }


def table_name(study_line: str, table_key: str) -> str:
    """How data/site.json names an academic-calendar table: "romanian semester_2"."""
    return f"{study_line} {table_key}"


def site_data(semester: str, academic_year: str, tables: dict[tuple[str, str], list[Period]],
              feeds_url: str, academic_year_calendars: dict[str, str]) -> dict[str, Any]:
    """The semester as the page needs it: each table's teaching weeks (week n is element n-1)
    and periods (to say why a week has no classes), where personal feeds are served ("" when
    they are not), and each spec page's academic-year calendar (code -> path)."""
    return {
        "schema": SITE.url, "semester": semester, "academic_year": academic_year, "timezone": TIMEZONE,
        "feeds_url": feeds_url,
        "academic_year_calendars": academic_year_calendars,
        "tables": {table_name(*key): {
            "weeks": [monday.isoformat() for monday in calendar_rules.teaching_weeks(periods)],
            "periods": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "label": p.label,
                         "notes": p.notes, "teaching": p.teaching,
                         "days_off": [d.isoformat() for d in p.holidays]} for p in periods],
        } for key, periods in tables.items()},
    }
