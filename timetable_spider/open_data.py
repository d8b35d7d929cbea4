"""The published JSON documents as an open data API (docs/data.md): which schema each follows,
and the shapes of the documents Python code both writes and reads back (the spec record and the
change log), so that a field is named here and nowhere else. Plain code, no I/O but the schema
files shipped in the package.

Versions: a schema's major version is in its name ("record-v3"). Within a major version a schema
only gains fields; a rename, a removal or a new meaning of a field is a new major version, under
a new name, and the old schema stays published beside it. Every document that is a JSON object
names its schema's path in "schema"; the arrays and maps (data/index.json, data/changes.json,
data/rooms.json and the teachers', rooms' and subjects' indexes) cannot carry a field without
changing shape, and docs/data.md names their schemas.

Instants are ISO 8601 with an offset ("2026-02-23T08:00:00+00:00"), dates "YYYY-MM-DD".
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from importlib import resources
from typing import Iterator, NamedTuple, TypedDict

from timetable_spider.calendar_rules import event_type_letter


class Schema(NamedTuple):
    name: str
    major: int

    @property
    def path(self) -> str:
        """Where the schema is published, relative to the site's root (and shipped in the package)."""
        return f"schema/{self.name}-v{self.major}.json"

    @property
    def url(self) -> str:
        """The schema's $id, and what a document's "schema" field holds: a path on the site."""
        return f"/{self.path}"

    def text(self) -> bytes:
        return resources.files("timetable_spider").joinpath(self.path).read_bytes()


# 3: "type" is the letter C, S or L and "type_name" the word the page prints; "dtstamp" an instant
# in ISO 8601 (2: "type" was the word; 1: calendars were bare file names, never read again)
RECORD = Schema("record", 3)  # data/<CODE>.json
INDEX = Schema("index", 1)  # data/index.json
ROOMS = Schema("rooms", 1)  # data/rooms.json
SITE = Schema("site", 1)  # data/site.json
STATUS = Schema("status", 1)  # data/status.json
CHANGE_LOG = Schema("change-log", 1)  # data/changes.json
PAGE_CHANGES = Schema("page-changes", 1)  # changes/<CODE>.json
TIMETABLE = Schema("timetable", 1)  # data/timetables/<CODE>.json
SHARED_TIMETABLE = Schema("shared-timetable", 1)  # data/timetables/{teachers,rooms,subjects}/<code>.json
TEACHER_INDEX = Schema("teacher-index", 1)  # teachers/index.json
ROOM_INDEX = Schema("room-index", 1)  # rooms/index.json
SUBJECT_INDEX = Schema("subject-index", 1)  # subjects/index.json
BUSY_ROOMS = Schema("busy-rooms", 1)  # rooms/busy.json
SCHEMAS = (RECORD, INDEX, ROOMS, SITE, STATUS, CHANGE_LOG, PAGE_CHANGES, TIMETABLE, SHARED_TIMETABLE,
           TEACHER_INDEX, ROOM_INDEX, SUBJECT_INDEX, BUSY_ROOMS)

# Which schema each published JSON document follows, by its path relative to the site's root,
# "*" standing for one name: the first that matches
DOCUMENTS = (
    ("data/index.json", INDEX), ("data/rooms.json", ROOMS), ("data/site.json", SITE), ("data/status.json", STATUS),
    ("data/changes.json", CHANGE_LOG), ("data/timetables/teachers/*.json", SHARED_TIMETABLE),
    ("data/timetables/rooms/*.json", SHARED_TIMETABLE), ("data/timetables/subjects/*.json", SHARED_TIMETABLE),
    ("data/timetables/*.json", TIMETABLE), ("data/*.json", RECORD), ("changes/*.json", PAGE_CHANGES),
    ("teachers/index.json", TEACHER_INDEX), ("rooms/index.json", ROOM_INDEX), ("subjects/index.json", SUBJECT_INDEX),
    ("rooms/busy.json", BUSY_ROOMS),
)


def schema_of(path: str) -> Schema | None:
    """The schema a published document follows, by its path relative to the site's root."""
    return next((schema for pattern, schema in DOCUMENTS
                 if re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]+"), path)), None)


# The record version before RECORD, which a deployed site holds until its next crawl: read as RECORD.
PREVIOUS_RECORD_VERSION = 2


def instant(moment: datetime) -> str:
    """An instant as every document writes it: ISO 8601 to the second, with its offset."""
    return moment.isoformat(timespec="seconds")


def instant_of_dtstamp(dtstamp: str) -> str:
    """A DTSTAMP ("20261123T080000Z") as an instant ("2026-11-23T08:00:00+00:00")."""
    return instant(datetime.strptime(dtstamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc))


def dtstamp_of_instant(moment: str) -> str:
    """An instant written by instant() as the DTSTAMP of an event."""
    return datetime.fromisoformat(moment).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# -- data/<CODE>.json --

class RecordCalendar(TypedDict):
    file: str
    label: str
    events: int


class RecordEntry(TypedDict):
    """One class of a group, as the spec page lists it and as its calendar events have it."""

    day: str
    start: str
    end: str
    frequency: str
    room: str
    location: str
    formation: str
    type: str  # "C", "S" or "L" (parsing refuses a page naming another type)
    type_name: str  # as the page prints it: "Curs", "Seminar", "Laborator"
    subject: str
    teacher: str
    summary: str
    room_code: str
    subject_code: str
    teacher_code: str
    dates: list[str]
    uid: str
    fingerprint: str
    dtstamp: str | None  # None for a class with no dates: it has no event
    sequence: int


class RecordGroup(TypedDict):
    name: str
    calendars: list[RecordCalendar]
    entries: list[RecordEntry]


class Record(TypedDict):
    schema: str
    semester: str
    code: str
    name: str
    year: int
    degree: str
    study_line: str
    calendar_table: str
    source: str
    directory: str
    groups: list[RecordGroup]


def load_record(published: bytes | None) -> Record | None:
    """A published data/<CODE>.json, in this version's shape (one of the previous version read as
    this one); None when there is none or it is not a record this or the previous version wrote."""
    try:
        record = json.loads(published) if published else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    if record.get("schema") == PREVIOUS_RECORD_VERSION:
        return _from_previous_version(record)
    return record if record.get("schema") == RECORD.url else None


def _from_previous_version(record: dict) -> Record:
    for group in record["groups"]:
        for entry in group["entries"]:
            entry["type_name"], entry["type"] = entry["type"], event_type_letter(entry["type"])
            entry["dtstamp"] = instant_of_dtstamp(entry["dtstamp"]) if entry["dtstamp"] else None
    return record | {"schema": RECORD.url}


def distinct_entries(record: Record) -> Iterator[tuple[RecordEntry, list[str]]]:
    """Each class of the record once (a year's course is in every group), with its groups' names."""
    entries: dict[str, tuple[RecordEntry, list[str]]] = {}
    for group in record["groups"]:
        for entry in group["entries"]:
            entries.setdefault(entry["uid"], (entry, []))[1].append(group["name"])
    return iter(entries.values())


def record_calendars(record: Record) -> list[RecordCalendar]:
    """The calendars a spec record lists, across its groups."""
    return [c for g in record["groups"] for c in g["calendars"]]


# -- data/changes.json and changes/<CODE>.json --

class ChangedClass(TypedDict):
    subject: str
    subject_code: str
    type: str  # as in RecordEntry
    type_name: str
    day: str
    start: str
    end: str
    room: str
    teacher: str
    weeks: str  # the frequency, or "every week"


# functional syntax: "class" is a keyword
ChangeFacts = TypedDict("ChangeFacts", {
    "change": str,  # "added", "removed" or "changed"
    "code": str,
    "groups": list[str],
    "formation": str,
    "uid": str,
    "class": ChangedClass,
})


class Change(ChangeFacts, total=False):
    fields: dict[str, list]  # only for "changed": each tracked field's [before, after]


class Crawl(TypedDict, total=False):
    finished: str
    semester: str
    began: bool  # only on the first crawl of a semester
    changes: list[Change]


def load_change_log(published: bytes | None) -> list[Crawl]:
    """A published data/changes.json, newest crawl first; [] when there is none or it is not a log."""
    try:
        log = json.loads(published or b"[]")
    except ValueError:
        return []
    return change_log(log) if isinstance(log, list) else []


def change_log(log: list) -> list[Crawl]:
    """The crawls of a change log as read from JSON; changes logged before "type" was the letter
    (as a deployed site holds until its next crawl) are read with the letter."""
    for crawl in log:
        for change in crawl["changes"]:
            about = change["class"]
            if "type_name" not in about:
                about["type_name"], about["type"] = about["type"], event_type_letter(about["type"])
    return log
