"""teachers/<code>.ics, rooms/<code>.ics and subjects/<code>.ics, with teachers/index.json,
rooms/index.json and subjects/index.json; the page's data/timetables/<kind>/<code>.json; and
rooms/busy.json, for finding a free room. All from the crawl's spec records
(teachers_rooms_subjects.py), none from the pages again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from timetable_spider import calendar_rules
from timetable_spider.items import TimetableEntry
from timetable_spider.publishing import SiteFiles
from timetable_spider.schedule import ScheduledClass
from timetable_spider.site_paths import safe_component
from timetable_spider.teachers_rooms_subjects import (
    KINDS, Constituent, SharedClass, SharedTimetable, constituents, shared_timetables, shared_uid)
from timetable_spider.writers import CrawledSite
from timetable_spider.writers.ics import CalendarWriter, EventParts, description_of
from timetable_spider.writers.json_data import dumps

SINGULAR = {"teachers": "teacher", "rooms": "room", "subjects": "subject"}


@dataclass
class PreparedSpec:
    """A spec page's classes as teacher, room and subject calendars show them, made by the worker
    process that writes the page while the crawl still downloads, so that little is left to do
    when it ends: its constituents, and for each (by group-event uid) the page's JSON without its
    closing brace (uid and dates follow) and its finished event in each kind's calendar, when it
    is alone in its slot (most are; the rest are merged at the end)."""

    constituents: list[Constituent]
    ready: dict[str, tuple[bytes, tuple[bytes | None, ...]]]


def prepare(record: dict[str, Any], writer: CalendarWriter) -> PreparedSpec:
    found = constituents(record)
    ready = {}
    for constituent in found:
        parts, view = _made(constituent.shared, writer)
        ready[constituent.uid] = (view, tuple(
            writer.stamped(writer.with_uid(parts, shared_uid(kind, code, [constituent.uid])),
                           constituent.shared.dtstamp, constituent.shared.sequence) if code else None
            for kind, code in zip(KINDS, constituent.codes)))
    return PreparedSpec(found, ready)


def _made(shared: SharedClass, writer: CalendarWriter) -> tuple[EventParts, bytes]:
    scheduled = scheduled_class(shared)
    return writer.event_parts(scheduled), dumps(class_view(shared, scheduled), indent=None).rstrip()[:-1]


def write_teachers_rooms_subjects(files: SiteFiles, site: CrawledSite) -> dict[str, int]:
    """Returns how many teachers, rooms and subjects have a calendar, and their events."""
    writer = CalendarWriter(site.academic_year_start)
    gathered, alone = [], {}
    for code, record in site.records.items():
        prepared = site.prepared_classes.get(code) or prepare(record, writer)
        gathered += prepared.constituents
        alone.update((id(c.shared), prepared.ready[c.uid]) for c in prepared.constituents)
    merged: dict[int, tuple[EventParts, bytes]] = {}
    counts = {}
    for position, (kind, timetables) in enumerate(shared_timetables(gathered).items()):
        index = []
        for timetable in timetables:
            calendar, data = _paths(kind, timetable.code)
            events, views = [], []
            for event in timetable.events:
                ready = alone.get(id(event.shared))
                if ready:
                    views.append(ready[0])
                    events.append(ready[1][position])
                    continue
                parts, view = merged.get(id(event.shared)) or merged.setdefault(id(event.shared),
                                                                               _made(event.shared, writer))
                views.append(view)
                events.append(writer.stamped(writer.with_uid(parts, event.uid), event.shared.dtstamp,
                                             event.shared.sequence))
            files.write(calendar, writer.calendar(*calendar_title(timetable, site.semester), events))
            files.write(data, timetable_view(timetable, views, site.semester))
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
