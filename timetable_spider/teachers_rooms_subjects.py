"""Every class of a teacher, a room or a subject, across all spec pages, each once. No Scrapy, no I/O.

Built from the spec records of a crawl (what data/<CODE>.json holds), never from the pages again.
Teachers, rooms and subjects are known by the faculty's codes from the pages' links
(../cadre/susa.html is teacher "susa"); a class whose cell had no readable link is in its group
calendars only.

The same class is often given to several formations or spec pages at once: same day, hours,
frequency, room, subject and type. That is one event here, listing the formations. Its UID is
made of the UIDs of the group events it gathers, which are stable across crawls (they survive a
change of room or teacher, and a move), so this one is too; its SEQUENCE is theirs summed and its
DTSTAMP the latest of theirs, so it changes exactly when one of them does.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from timetable_spider.calendar_rules import plain

KINDS = {"teachers": "teacher_code", "rooms": "room_code", "subjects": "subject_code"}
UNSPECIFIED_ROOM = "neprecizat"  # "unspecified": no room, so no room calendar


@dataclass(frozen=True)
class Formation:
    """Who a class is for: a formation ("921/1", "921", "IE2") of a spec page."""

    code: str  # the spec page's code
    name: str  # its specialization
    year: int
    formation: str


@dataclass
class SharedClass:
    """One event of a teacher, room or subject calendar: the group events it gathers, merged."""

    uid: str
    day: str
    start: str
    end: str
    frequency: str
    kind: str
    subject: str
    subject_code: str
    room: str
    room_code: str
    location: str
    teacher: str
    teacher_code: str
    table: str  # the academic-calendar table of its first spec page ("romanian semester_2")
    dates: tuple[str, ...]
    dtstamp: str
    sequence: int
    formations: list[Formation] = field(default_factory=list)

    @property
    def formation_names(self) -> str:
        """As a summary names them: "921/1", or "IE2, MIE2"."""
        return ", ".join(dict.fromkeys(f.formation for f in self.formations))


@dataclass
class SharedTimetable:
    """A teacher's, a room's or a subject's classes."""

    kind: str  # "teachers", "rooms" or "subjects"
    code: str
    name: str  # as the pages show it (the most frequent spelling)
    classes: list[SharedClass]

    def specializations(self) -> list[dict[str, Any]]:
        """The spec pages it is taught in, each once: {"code", "name", "year"}."""
        seen = dict.fromkeys((f.code, f.name, f.year) for c in self.classes for f in c.formations)
        return [{"code": code, "name": name, "year": year} for code, name, year in seen]


def shared_timetables(records: Iterable[dict[str, Any]]) -> dict[str, list[SharedTimetable]]:
    """Every teacher's, room's and subject's timetable, by kind and sorted by name, from the spec records."""
    gathered: dict[str, dict[str, dict[tuple, list[tuple[dict, dict]]]]] = {kind: {} for kind in KINDS}
    for record in records:
        for entry in _distinct_entries(record):
            if not entry["dates"]:
                continue
            slot = (plain(entry["day"]), entry["start"], entry["end"], plain(entry["frequency"]), entry["room"],
                    entry.get("subject_code") or entry["subject"], plain(entry["type"]))
            for kind, code_field in KINDS.items():
                code = entry.get(code_field, "")
                if code and not (kind == "rooms" and plain(code) == UNSPECIFIED_ROOM):
                    gathered[kind].setdefault(code, {}).setdefault(slot, []).append((record, entry))
    return {kind: _timetables(kind, by_code) for kind, by_code in gathered.items()}


def _timetables(kind: str, by_code: dict[str, dict[tuple, list[tuple[dict, dict]]]]) -> list[SharedTimetable]:
    timetables = []
    for code, slots in by_code.items():
        classes = [_merged(kind, code, constituents) for constituents in slots.values()]
        classes.sort(key=lambda c: (c.dates[0], c.start, c.subject, c.uid))
        names = Counter(entry[_NAME_FIELDS[kind]] for constituents in slots.values() for _, entry in constituents)
        timetables.append(SharedTimetable(kind=kind, code=code, name=names.most_common(1)[0][0], classes=classes))
    return sorted(timetables, key=lambda t: (plain(t.name), t.code))


_NAME_FIELDS = {"teachers": "teacher", "rooms": "room", "subjects": "subject"}


def _distinct_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's classes, each once (a year-wide course is listed in every group's table)."""
    return list({entry["uid"]: entry for group in record["groups"] for entry in group["entries"]}.values())


def _merged(kind: str, code: str, constituents: list[tuple[dict, dict]]) -> SharedClass:
    # in a fixed order, whatever order the spec pages were written in, so the files keep their bytes
    constituents = sorted(constituents, key=lambda found: (found[0]["code"], found[1]["formation"], found[1]["uid"]))
    record, first = constituents[0]
    uids = sorted(entry["uid"] for _, entry in constituents)
    uid = hashlib.sha1("\x1f".join((kind, code, *uids)).encode()).hexdigest()[:20] + "@timetable-spider"
    teachers = dict.fromkeys(entry["teacher"] for _, entry in constituents if entry["teacher"])
    return SharedClass(
        uid=uid, day=first["day"], start=first["start"], end=first["end"], frequency=first["frequency"],
        kind=first["type"], subject=first["subject"], subject_code=first.get("subject_code", ""),
        room=first["room"], room_code=first.get("room_code", ""), location=first["location"],
        teacher=", ".join(teachers), teacher_code=first.get("teacher_code", "") if len(teachers) == 1 else "",
        table=f"{record['study_line']} {record['calendar_table']}",
        dates=tuple(sorted({day for _, entry in constituents for day in entry["dates"]})),
        dtstamp=max(entry["dtstamp"] for _, entry in constituents),
        sequence=sum(entry.get("sequence", 0) for _, entry in constituents),
        formations=[Formation(code=record["code"], name=record["name"], year=record["year"],
                              formation=entry["formation"]) for record, entry in constituents])

