"""teachers/<code>.ics, rooms/<code>.ics and subjects/<code>.ics, with teachers/index.json,
rooms/index.json and subjects/index.json; the page's data/timetables/<kind>/<code>.json; and
rooms/busy.json, for finding a free room. All from the crawl's spec records
(teachers_rooms_subjects.py), none from the pages again.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from timetable_spider import calendar_rules
from timetable_spider.items import TimetableEntry
from timetable_spider.publishing import SiteFiles
from timetable_spider.schedule import ScheduledClass
from timetable_spider.site_paths import safe_component
from timetable_spider.teachers_rooms_subjects import SharedClass, SharedTimetable, shared_timetables
from timetable_spider.writers import CrawledSite
from timetable_spider.writers.ics import CalendarWriter, description_of
from timetable_spider.writers.json_data import dumps

SINGULAR = {"teachers": "teacher", "rooms": "room", "subjects": "subject"}


def write_teachers_rooms_subjects(files: SiteFiles, site: CrawledSite) -> dict[str, int]:
    """Returns how many teachers, rooms and subjects have a calendar, and their events."""
    writer = CalendarWriter(site.academic_year_start)
    counts = {}
    for kind, timetables in shared_timetables(site.records.values()).items():
        index = []
        for timetable in timetables:
            calendar, data = _paths(kind, timetable.code)
            scheduled = [scheduled_class(c) for c in timetable.classes]
            events = [writer.stamped(writer.event_parts(s), c.dtstamp, c.sequence)
                      for s, c in zip(scheduled, timetable.classes)]
            files.write(calendar, writer.calendar(*calendar_title(timetable, site.semester), events))
            files.write(data, dumps(timetable_view(timetable, scheduled, site.semester), indent=None))
            index.append(index_entry(timetable, site.rooms))
        files.write(f"{kind}/index.json", dumps(index))
        if kind == "rooms":
            files.write("rooms/busy.json", dumps(busy(timetables, site.rooms), indent=None))
        counts[kind] = len(timetables)
        counts[f"{SINGULAR[kind]}_events"] = sum(len(t.classes) for t in timetables)
    return counts


def _paths(kind: str, code: str) -> tuple[str, str]:
    stem = safe_component(code)
    return f"{kind}/{stem}.ics", f"data/timetables/{kind}/{stem}.json"


def scheduled_class(shared: SharedClass) -> ScheduledClass:
    """The event's content in the shape the ICS writer takes; its formation line lists them all."""
    formations = ", ".join(f"{f.formation} ({f.name}, Year {f.year})"
                           for f in dict.fromkeys(shared.formations))
    entry = TimetableEntry(day=shared.day, start=shared.start, end=shared.end, frequency=shared.frequency,
                           room=shared.room, formation=formations, kind=shared.kind, subject=shared.subject,
                           teacher=shared.teacher)
    letter = calendar_rules.event_type_letter(shared.kind)
    return ScheduledClass(entry=entry, uid=shared.uid, summary=f"[{letter}] {shared.subject} ({shared.formation_names})",
                          location=shared.location, dates=tuple(date.fromisoformat(d) for d in shared.dates))


def calendar_title(timetable: SharedTimetable, semester: str) -> tuple[str, str]:
    """Name and description as a calendar app lists them (no commas: some apps show NAME raw)."""
    who = " ".join(timetable.name.replace(",", " ").split())
    return (f"{who} · UBB FMI timetable {semester}",
            f"Every class of {SINGULAR[timetable.kind]} {who} in the UBB FMI timetable of semester {semester}")


def index_entry(timetable: SharedTimetable, rooms: dict[str, str]) -> dict[str, Any]:
    calendar, data = _paths(timetable.kind, timetable.code)
    entry = {"code": timetable.code, "name": timetable.name, "classes": len(timetable.classes),
             "calendar": calendar, "timetable": data}
    if timetable.kind == "rooms":
        entry["location"] = rooms.get(timetable.name, "")
    if timetable.kind == "subjects":
        entry["specializations"] = timetable.specializations()
    return entry


def timetable_view(timetable: SharedTimetable, scheduled: list[ScheduledClass], semester: str) -> dict[str, Any]:
    """The page's data for one teacher, room or subject, shaped as a spec page's (timetables_json)."""
    date_lists: dict[tuple[str, ...], int] = {}
    classes = []
    for shared, event in zip(timetable.classes, scheduled):
        classes.append({
            "uid": shared.uid, "day": calendar_rules.weekday_number(shared.day), "start": shared.start,
            "end": shared.end, "parity": calendar_rules.week_parity(shared.frequency),
            "type": calendar_rules.event_type_letter(shared.kind), "kind": shared.kind,
            "subject": shared.subject, "subject_code": shared.subject_code, "room": shared.room,
            "room_code": shared.room_code, "location": shared.location, "teacher": shared.teacher,
            "teacher_code": shared.teacher_code, "formation": shared.formation_names,
            "summary": event.summary, "description": description_of(event),
            "dates": date_lists.setdefault(shared.dates, len(date_lists)), "dtstamp": shared.dtstamp,
            "sequence": shared.sequence, "table": shared.table,
            "formations": [{"code": f.code, "name": f.name, "year": f.year, "formation": f.formation}
                           for f in shared.formations],
        })
    return {"kind": SINGULAR[timetable.kind], "code": timetable.code, "name": timetable.name, "semester": semester,
            "calendar": _paths(timetable.kind, timetable.code)[0], "classes": classes,
            "dates": [list(dates) for dates in date_lists]}


def busy(rooms: list[SharedTimetable], locations: dict[str, str]) -> dict[str, Any]:
    """When each room has a class: [start, end, dates index] per class; the dates listed once."""
    date_lists: dict[tuple[str, ...], int] = {}
    return {
        "rooms": [{"code": room.code, "name": room.name, "location": locations.get(room.name, ""),
                   "busy": [[c.start, c.end, date_lists.setdefault(c.dates, len(date_lists))] for c in room.classes]}
                  for room in rooms],
        "dates": [list(dates) for dates in date_lists],
    }
