"""The JSON data under data/: one file per specialization, the rooms and the index.

Text from the pages is escaped so that "<", ">" and "&" never appear raw, and the files can
be embedded in a page as they are.
"""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from timetable_spider import open_data
from timetable_spider.calendar_rules import event_type_letter
from timetable_spider.changes import ClassFacts
from timetable_spider.items import SpecializationListing
from timetable_spider.open_data import Record, RecordEntry, RecordGroup, distinct_entries, record_calendars
from timetable_spider.schedule import SpecSchedule
from timetable_spider.site_paths import data_file_name, timetable_file_name


class Stamp(NamedTuple):
    """An event's stamps: the fingerprint of what it says, and when it last changed and how often."""

    fingerprint: str
    dtstamp: str
    sequence: int


NO_STAMP = Stamp("", "", 0)


def dumps(data: Any, indent: int | None = 1) -> bytes:
    """indent=None for the large spec files: json's fast C encoder only runs without indentation."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n").encode()


def spec_data(schedule: SpecSchedule, semester: str, directory: str,
              stamps: dict[str, Stamp], written: dict[str, dict[str, Any]]) -> Record:
    """code, name, year and the groups with their calendars, entries and concrete dates.

    stamps maps a class's uid to its Stamp; the next crawl reads them back, so an unchanged event
    keeps its DTSTAMP and SEQUENCE. written maps the calendar files written to their label and
    event count.
    """
    timetable = schedule.timetable
    classes = {c.entry: c for c in schedule.classes}
    groups = []
    for group in timetable.groups:
        files = [open_data.RecordCalendar(file=cal.file_name, **written[cal.file_name])
                 for cal in schedule.calendars if cal.group == group.name and cal.file_name in written]
        entries = []
        for entry in dict.fromkeys(group.entries):
            scheduled = classes[entry]
            fingerprint, dtstamp, sequence = stamps.get(scheduled.uid, NO_STAMP)
            entries.append(RecordEntry(
                day=entry.day, start=entry.start, end=entry.end, frequency=entry.frequency, room=entry.room,
                location=scheduled.location, formation=entry.formation, type=event_type_letter(entry.kind),
                type_name=entry.kind, subject=entry.subject, teacher=entry.teacher, summary=scheduled.summary,
                room_code=entry.room_code, subject_code=entry.subject_code, teacher_code=entry.teacher_code,
                dates=[d.isoformat() for d in scheduled.dates], uid=scheduled.uid, fingerprint=fingerprint,
                dtstamp=open_data.instant_of_dtstamp(dtstamp) if dtstamp else None, sequence=sequence))
        groups.append(RecordGroup(name=group.name, calendars=files, entries=entries))
    return Record(
        schema=open_data.RECORD.url, semester=semester, code=timetable.code, name=timetable.name,
        year=timetable.year, degree=timetable.degree, study_line=schedule.study_line,
        calendar_table=schedule.table_key, source=timetable.url, directory=directory, groups=groups)


def record_classes(record: Record | None) -> list[tuple[ClassFacts, str, Stamp]]:
    """A published spec record's distinct classes: what they were, their uid and their stamps."""
    if not record:
        return []
    return [(ClassFacts(formation=e["formation"], day=e["day"], start=e["start"], end=e["end"],
                        frequency=e["frequency"], kind=e["type_name"], subject=e["subject"], room=e["room"],
                        teacher=e["teacher"], location=e["location"], dates=tuple(e["dates"]),
                        groups=tuple(groups), subject_code=e["subject_code"]),
             e["uid"], Stamp(e["fingerprint"], open_data.dtstamp_of_instant(e["dtstamp"]) if e["dtstamp"] else "",
                             e["sequence"]))
            for e, groups in distinct_entries(record)]


def record_summary(record: Record) -> dict[str, Any]:
    """A spec record without its classes: what the whole-site writers need of it (its groups'
    names and calendars). The crawl's process keeps these, not every class of the faculty (about
    40 MB as Python objects); the classes stay in data/<CODE>.json."""
    return record | {"groups": [{"name": group["name"], "calendars": group["calendars"]} for group in record["groups"]]}


def record_counts(record: Record) -> dict[str, int]:
    """The groups, calendars and events a spec record publishes, for the shrink guard."""
    calendars = record_calendars(record)
    return {"groups": len(record["groups"]), "calendars": len(calendars),
            "events": sum(c["events"] for c in calendars)}


def index_data(listings: list[SpecializationListing], records: dict[str, dict]) -> list[dict[str, Any]]:
    """Every specialization in the index's order, with its years, codes and where they are published."""
    specs: dict[tuple[str, str], dict[str, Any]] = {}
    for listing in listings:
        spec = specs.setdefault((listing.degree, listing.name),
                                {"name": listing.name, "degree": listing.degree, "years": []})
        record = records.get(listing.code)
        spec["years"].append({
            "year": listing.year, "code": listing.code,
            "directory": record["directory"] if record else None,
            "data": data_file_name(listing.code) if record else None,
            "calendars": [c["file"] for c in record_calendars(record)] if record else [],
            "groups": [g["name"] for g in record["groups"] if g["calendars"]] if record else [],
            "timetable": timetable_file_name(listing.code) if record else None,
        })
    return list(specs.values())
