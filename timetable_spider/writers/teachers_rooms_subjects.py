"""teachers/<code>.ics, rooms/<code>.ics and subjects/<code>.ics, with teachers/index.json,
rooms/index.json and subjects/index.json; the page's data/timetables/<kind>/<code>.json; and
rooms/busy.json, for finding a free room. All from the crawl's spec records
(teachers_rooms_subjects.py), none from the pages again. The classes are made ready (prepare) by
the worker processes that write the spec pages, while the crawl still downloads, so that little
is left to do when the crawl ends.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from timetable_spider import calendar_rules
from timetable_spider.items import TimetableEntry
from timetable_spider.publishing import SiteFiles
from timetable_spider.schedule import ScheduledClass
from timetable_spider.site_paths import safe_component
from timetable_spider.teachers_rooms_subjects import SharedClass, SharedTimetable, constituents, shared_timetables
from timetable_spider.writers import CrawledSite
from timetable_spider.writers.ics import CalendarWriter, EventParts, description_of
from timetable_spider.writers.json_data import dumps

SINGULAR = {"teachers": "teacher", "rooms": "room", "subjects": "subject"}


def prepare(record: dict[str, Any], writer: CalendarWriter) -> dict[str, tuple[EventParts, bytes]]:
    """Each class of a spec record as teacher, room and subject calendars show it when it is alone
    in its slot (most are; the rest are merged at the end): its iCalendar, and the page's JSON
    without its closing brace (its uid and dates follow), by the class's group-event uid.

    Made in the worker process that writes the spec page, while the crawl still downloads, and
    sent back as bytes, which cost the crawl's process next to nothing to receive."""
    return {c.uid: _made(c.shared, writer) for c in constituents(record)}


def _made(shared: SharedClass, writer: CalendarWriter) -> tuple[EventParts, bytes]:
    scheduled = scheduled_class(shared)
    return writer.event_parts(scheduled), dumps(class_view(shared, scheduled), indent=None).rstrip()[:-1]


def write_teachers_rooms_subjects(files: SiteFiles, site: CrawledSite) -> dict[str, int]:
    """Returns how many teachers, rooms and subjects have a calendar, and their events."""
    writer = CalendarWriter(site.academic_year_start)
    gathered, made = [], {}
    for code, record in site.records.items():
        prepared = site.prepared_classes.get(code) or prepare(record, writer)
        for constituent in constituents(record):
            gathered.append(constituent)
            made[id(constituent.shared)] = prepared[constituent.uid]
    counts = {}
    for kind, timetables in shared_timetables(gathered).items():
        index = []
        for timetable in timetables:
            calendar, data = _paths(kind, timetable.code)
            pieces = [made.get(id(event.shared)) or made.setdefault(id(event.shared), _made(event.shared, writer))
                      for event in timetable.events]
            events = [writer.stamped(writer.with_uid(parts, event.uid), event.shared.dtstamp, event.shared.sequence)
                      for (parts, _), event in zip(pieces, timetable.events)]
            files.write(calendar, writer.calendar(*calendar_title(timetable, site.semester), events))
            files.write(data, timetable_view(timetable, [view for _, view in pieces], site.semester))
            index.append(index_entry(timetable, site.rooms))
        files.write(f"{kind}/index.json", dumps(index))
        if kind == "rooms":
            files.write("rooms/busy.json", dumps(busy(timetables, site.rooms), indent=None))
        counts[kind] = len(timetables)
        counts[f"{SINGULAR[kind]}_events"] = sum(len(t.events) for t in timetables)
    return counts


def _paths(kind: str, code: str) -> tuple[str, str]:
    stem = safe_component(code)
    return f"{kind}/{stem}.ics", f"data/timetables/{kind}/{stem}.json"


def scheduled_class(shared: SharedClass) -> ScheduledClass:
    """The event's content in the shape the ICS writer takes (its UID is set per calendar); its
    formation line lists them all."""
    formations = ", ".join(f"{f.formation} ({f.name}, Year {f.year})"
                           for f in dict.fromkeys(shared.formations))
    entry = TimetableEntry(day=shared.day, start=shared.start, end=shared.end, frequency=shared.frequency,
                           room=shared.room, formation=formations, kind=shared.kind, subject=shared.subject,
                           teacher=shared.teacher)
    letter = calendar_rules.event_type_letter(shared.kind)
    return ScheduledClass(entry=entry, uid="", summary=f"[{letter}] {shared.subject} ({shared.formation_names})",
                          location=shared.location, dates=tuple(date.fromisoformat(d) for d in shared.dates))


def calendar_title(timetable: SharedTimetable, semester: str) -> tuple[str, str]:
    """Name and description as a calendar app lists them (no commas: some apps show NAME raw)."""
    who = " ".join(timetable.name.replace(",", " ").split())
    return (f"{who} · UBB FMI timetable {semester}",
            f"Every class of {SINGULAR[timetable.kind]} {who} in the UBB FMI timetable of semester {semester}")


def index_entry(timetable: SharedTimetable, rooms: dict[str, str]) -> dict[str, Any]:
    calendar, data = _paths(timetable.kind, timetable.code)
    entry = {"code": timetable.code, "name": timetable.name, "classes": len(timetable.events),
             "calendar": calendar, "timetable": data}
    if timetable.kind == "rooms":
        entry["location"] = rooms.get(timetable.name, "")
    if timetable.kind == "subjects":
        entry["specializations"] = timetable.specializations()
    return entry


def class_view(shared: SharedClass, event: ScheduledClass) -> dict[str, Any]:
    return {
        "day": calendar_rules.weekday_number(shared.day), "start": shared.start,
        "end": shared.end, "parity": calendar_rules.week_parity(shared.frequency),
        "type": calendar_rules.event_type_letter(shared.kind), "kind": shared.kind,
        "subject": shared.subject, "subject_code": shared.subject_code, "room": shared.room,
        "room_code": shared.room_code, "location": shared.location, "teacher": shared.teacher,
        "teacher_code": shared.teacher_code, "formation": shared.formation_names,
        "summary": event.summary, "description": description_of(event),
        "dtstamp": shared.dtstamp, "sequence": shared.sequence, "table": shared.table,
        "formations": [{"code": f.code, "name": f.name, "year": f.year, "formation": f.formation}
                       for f in shared.formations],
    }


def timetable_view(timetable: SharedTimetable, views: list[bytes], semester: str) -> bytes:
    """The page's data for one teacher, room or subject, shaped as a spec page's (timetables_json).

    Each class's JSON was made once (views); here it gets its uid and its dates' index.
    """
    date_lists: dict[tuple[str, ...], int] = {}
    classes = b", ".join(b'%s, "uid": "%s", "dates": %d}' % (view, event.uid.encode(),
                                                              date_lists.setdefault(event.shared.dates, len(date_lists)))
                         for view, event in zip(views, timetable.events))
    head = dumps({"kind": SINGULAR[timetable.kind], "code": timetable.code, "name": timetable.name,
                  "semester": semester, "calendar": _paths(timetable.kind, timetable.code)[0],
                  "dates": [list(dates) for dates in date_lists]}, indent=None).rstrip()[:-1]
    return head + b', "classes": [' + classes + b"]}\n"


def busy(rooms: list[SharedTimetable], locations: dict[str, str]) -> dict[str, Any]:
    """When each room has a class: [start, end, dates index] per class; the dates listed once."""
    date_lists: dict[tuple[str, ...], int] = {}
    return {
        "rooms": [{"code": room.code, "name": room.name, "location": locations.get(room.name, ""),
                   "busy": [[e.shared.start, e.shared.end, date_lists.setdefault(e.shared.dates, len(date_lists))]
                            for e in room.events]}
                  for room in rooms],
        "dates": [list(dates) for dates in date_lists],
    }
