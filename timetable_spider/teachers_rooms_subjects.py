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
from sys import intern
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from timetable_spider.calendar_rules import plain
from timetable_spider.open_data import Record, RecordEntry, distinct_entries, dtstamp_of_instant
from timetable_spider.schedule import UID_DOMAIN

KINDS = {"teachers": "teacher_code", "rooms": "room_code", "subjects": "subject_code"}  # in Constituent's order
UNSPECIFIED_ROOM = "neprecizat"  # "unspecified": no room, so no room calendar
UNKNOWN_TEACHER = "necunoscut"  # the pages' "- Necunoscut": no teacher, so no teacher calendar


def unknown_teacher(name: str) -> bool:
    """Whether a teacher cell names nobody ("- Necunoscut"): a calendar of that "teacher" would
    lump unrelated classes together."""
    return plain(name.strip(" -")) == UNKNOWN_TEACHER


@dataclass(frozen=True, slots=True)
class Formation:
    """Who a class is for: a formation ("921/1", "921", "IE2") of a spec page."""

    code: str  # the spec page's code
    name: str  # its specialization
    year: int
    formation: str


@dataclass(frozen=True, slots=True)
class SharedClass:
    """What an event of a teacher, room or subject calendar says: the group events it gathers, merged.

    The same for the teacher's, the room's and the subject's calendar when they gather the same
    group events, so it is made, and written as iCalendar, once for all three.
    """

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
    formations: tuple[Formation, ...]

    @property
    def formation_names(self) -> str:
        """As a summary names them: "921/1", or "IE2, MIE2"."""
        return ", ".join(dict.fromkeys(f.formation for f in self.formations))


@dataclass(frozen=True, slots=True)
class SharedEvent:
    uid: str
    shared: SharedClass


@dataclass
class SharedTimetable:
    """A teacher's, a room's or a subject's classes."""

    kind: str  # "teachers", "rooms" or "subjects"
    code: str
    name: str  # as the pages show it (the most frequent spelling)
    events: list[SharedEvent]

    def specializations(self) -> list[dict[str, Any]]:
        """The spec pages it is taught in, each once: {"code", "name", "year"}."""
        seen = dict.fromkeys((f.code, f.name, f.year) for e in self.events for f in e.shared.formations)
        return [{"code": code, "name": name, "year": year} for code, name, year in seen]


@dataclass(frozen=True, slots=True)
class Constituent:
    """A group event, as the teacher, room and subject calendars gather it. Made from one spec
    record (in the worker process that writes the page), gathered with all the others at the end."""

    slot: tuple  # day, hours, frequency, room, subject and type: the same slot is the same class
    uid: str  # the group event's
    codes: tuple[str, ...]  # its teacher's, room's and subject's codes, in KINDS order ("" for none)
    names: tuple[str, ...]  # their names as the page shows them
    shared: SharedClass  # what the event says when it gathers this one alone


def constituents(record: Record) -> list[Constituent]:
    """A spec record's dated classes, each once (a year-wide course is in every group's table)."""
    found = []
    dates: dict[tuple[str, ...], tuple[str, ...]] = {}  # one copy of each list of dates: most classes share theirs
    for entry, _groups in distinct_entries(record):
        if not entry["dates"]:
            continue
        codes = tuple(intern(entry[field]) for field in KINDS.values())
        if plain(codes[1]) == UNSPECIFIED_ROOM:
            codes = (codes[0], "", codes[2])
        days = tuple(intern(day) for day in entry["dates"])
        found.append(Constituent(
            slot=tuple(map(intern, (plain(entry["day"]), entry["start"], entry["end"], plain(entry["frequency"]),
                                    entry["room"], entry["subject_code"] or entry["subject"], plain(entry["type_name"])))),
            uid=entry["uid"], codes=codes, names=tuple(map(intern, (entry["teacher"], entry["room"], entry["subject"]))),
            shared=_alone(record, entry, dates.setdefault(days, days))))
    return found


class Gathering:
    """Group events gathered by slot as spec pages come in. Each slot's events are worked out as
    soon as a page adds to it (merging the classes several group events share), so what is made
    of them can be made while the crawl still downloads; timetables() only assembles them."""

    def __init__(self) -> None:
        self.slots: dict[tuple, list[Constituent]] = {}
        self.merged: dict[tuple[str, ...], SharedClass] = {}  # by the UIDs of its group events
        # by slot: each of its events with its kind, code and the names the pages give that code
        self.events: dict[tuple, list[tuple[str, str, SharedEvent, list[str]]]] = {}
        self.merges_of: dict[tuple, set[tuple[str, ...]]] = {}  # by slot: the keys of self.merged its events use

    def add(self, found: Iterable[Constituent]) -> tuple[list[SharedClass], list[SharedClass]]:
        """Gathers a spec page's constituents. Returns, for the slots it added to, the classes
        their events now say, and those they no longer do (merged into a bigger class)."""
        touched = {}
        for constituent in found:
            self.slots.setdefault(constituent.slot, []).append(constituent)
            touched[constituent.slot] = True
        now: dict[int, SharedClass] = {}
        before: dict[int, SharedClass] = {}
        for slot in touched:
            before.update((id(event.shared), event.shared) for _, _, event, _ in self.events.get(slot, ()))
            gathered = self.slots[slot]
            # in a fixed order, whatever order the spec pages come in, so the files keep their bytes
            gathered.sort(key=lambda c: (c.shared.formations[0].code, c.shared.formations[0].formation, c.uid))
            self.events[slot] = []
            merges = set()
            for position, kind, code, members in _by_code(gathered):
                uids = tuple(c.uid for c in members)
                if len(members) > 1:
                    merges.add(uids)
                shared = members[0].shared if len(members) == 1 else \
                    self.merged.get(uids) or self.merged.setdefault(uids, merge([c.shared for c in members]))
                event = SharedEvent(shared_uid(kind, code, uids), shared)
                self.events[slot].append((kind, code, event, [c.names[position] for c in members]))
                now[id(shared)] = shared
            for replaced in self.merges_of.get(slot, set()) - merges:  # a merge a bigger one replaced
                del self.merged[replaced]
            self.merges_of[slot] = merges
        return list(now.values()), [shared for key, shared in before.items() if key not in now]

    def timetables(self) -> dict[str, list[SharedTimetable]]:
        """Every teacher's, room's and subject's timetable, by kind and sorted by name.

        A class gathering a single group event is that event's SharedClass itself, so whatever
        was made of it already serves again; one gathering several is its merge.
        """
        events: dict[str, dict[str, list[SharedEvent]]] = {kind: {} for kind in KINDS}
        names: dict[str, dict[str, list[str]]] = {kind: {} for kind in KINDS}  # each spelling as often as it is used
        for slot_events in self.events.values():
            for kind, code, event, spellings in slot_events:
                events[kind].setdefault(code, []).append(event)
                names[kind].setdefault(code, []).extend(spellings)
        return {kind: sorted((SharedTimetable(kind, code, Counter(names[kind][code]).most_common(1)[0][0],
                                              sorted(found, key=_in_week_order))
                              for code, found in by_kind.items()), key=lambda t: (plain(t.name), t.code))
                for kind, by_kind in events.items()}


def shared_timetables(found: Iterable[Constituent]) -> dict[str, list[SharedTimetable]]:
    """Gathering.timetables() of constituents gathered at once."""
    gathering = Gathering()
    gathering.add(found)
    return gathering.timetables()


def _by_code(gathered: list[Constituent]) -> Iterator[tuple[int, str, str, list[Constituent]]]:
    """A slot's constituents as each kind's calendars gather them: the kind's position in KINDS,
    the kind, a code, and the constituents with that code."""
    for position, kind in enumerate(KINDS):
        by_code: dict[str, list[Constituent]] = {}
        for constituent in gathered:
            if constituent.codes[position]:
                by_code.setdefault(constituent.codes[position], []).append(constituent)
        for code, members in by_code.items():
            yield position, kind, code, members


def shared_uid(kind: str, code: str, uids: Iterable[str]) -> str:
    """The UID of a teacher's, room's or subject's event, made of the group events' UIDs."""
    return hashlib.sha1("\x1f".join((kind, code, *sorted(uids))).encode()).hexdigest()[:20] + UID_DOMAIN


def _in_week_order(event: SharedEvent) -> tuple:
    return event.shared.dates[0], event.shared.start, event.shared.subject, event.uid


def _alone(record: Record, entry: RecordEntry, dates: tuple[str, ...]) -> SharedClass:
    # interned: the same subject, room, teacher and hours come back in thousands of classes, and
    # each page's JSON gives them strings of their own, which the gathering would hold to the end
    text = lambda name: intern(entry[name])  # noqa: E731
    return SharedClass(
        day=text("day"), start=text("start"), end=text("end"), frequency=text("frequency"),
        kind=text("type_name"), subject=text("subject"), subject_code=text("subject_code"),
        room=text("room"), room_code=text("room_code"), location=text("location"),
        teacher=text("teacher"), teacher_code=text("teacher_code"),
        table=intern(f"{record['study_line']} {record['calendar_table']}"), dates=dates,
        dtstamp=intern(dtstamp_of_instant(entry["dtstamp"])), sequence=entry["sequence"],
        formations=(Formation(code=intern(record["code"]), name=intern(record["name"]), year=record["year"],
                              formation=text("formation")),))


def merge(classes: list[SharedClass]) -> SharedClass:
    """One class given to several formations at once: the first's details, everyone's dates and
    formations, the latest DTSTAMP and the SEQUENCEs summed."""
    first = classes[0]
    teachers = dict.fromkeys(c.teacher for c in classes if c.teacher)
    return replace(
        first, teacher=", ".join(teachers), teacher_code=first.teacher_code if len(teachers) == 1 else "",
        dates=tuple(sorted({day for c in classes for day in c.dates})),
        dtstamp=max(c.dtstamp for c in classes), sequence=sum(c.sequence for c in classes),
        formations=tuple(f for c in classes for f in c.formations))
