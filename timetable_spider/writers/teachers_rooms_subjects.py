"""teachers/<code>.ics, rooms/<code>.ics and subjects/<code>.ics, with teachers/index.json,
rooms/index.json and subjects/index.json; the page's data/timetables/<kind>/<code>.json; and
rooms/busy.json, for finding a free room. All from the crawl's spec records
(teachers_rooms_subjects.py), none from the pages again.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

from timetable_spider import calendar_rules, open_data, site_paths
from timetable_spider.items import TimetableEntry
from timetable_spider.publishing import BackgroundSiteFiles, SiteFiles
from timetable_spider.schedule import ScheduledClass
from timetable_spider.site_paths import safe_component
from timetable_spider.teachers_rooms_subjects import (
    KINDS, Constituent, Gathering, SharedClass, SharedTimetable, constituents, unknown_teacher)
from timetable_spider.worker_processes import run_here, worker_pool
from timetable_spider.writers import CrawledSite, timetables_json
from timetable_spider.writers.ics import CalendarWriter
from timetable_spider.writers.json_data import dumps

SINGULAR = {"teachers": "teacher", "rooms": "room", "subjects": "subject"}
BUSY = "rooms/busy.json"


class TeacherRoomSubjectCalendars:
    """The teacher, room and subject calendars, gathered while the crawl still downloads: each
    spec page as soon as its worker has written its data file, in a process of their own so that
    the crawl's stays free (with own_process; else in this one). write() assembles the files."""

    def __init__(self, site_dir: Path, staging: Path, academic_year_start: int, *, own_process: bool):
        self._pool = worker_pool(1, _start_gatherer, (site_dir, staging, academic_year_start)) if own_process else None
        self._gatherer = None if own_process else Gatherer(site_dir, staging, academic_year_start)
        self._gathering: list[Future] = []

    def page_written(self, code: str) -> None:
        self._gathering.append(self._call("add_page", code))

    def write(self, files: SiteFiles, site: CrawledSite) -> dict[str, int]:
        """Returns how many teachers, rooms and subjects have a calendar, and their events."""
        return self.begin(site)(files)

    def begin(self, site: CrawledSite) -> Callable[[SiteFiles], dict[str, int]]:
        """Starts writing the files (in the gatherer's process, when it has one, so the crawl's
        own process can write the rest meanwhile); the function returned waits for them and
        returns what write() does."""
        for gathered in self._gathering:
            gathered.result()  # a page that could not be gathered is a bug: nothing is published
        writing = self._call("write", list(site.records), site.semester, site.rooms)

        def finish(files: SiteFiles) -> dict[str, int]:
            counts, written, kept = writing.result()
            files.count(written=written, kept=kept)
            return counts
        return finish

    def close(self) -> None:
        if self._pool:
            self._pool.shutdown(cancel_futures=True)

    def _call(self, method: str, *args) -> Future:
        if self._pool:
            return self._pool.submit(_in_gatherer_process, method, *args)
        return run_here(getattr(self._gatherer, method), *args)


_gatherer: Gatherer | None = None  # in the gatherer's own process


def _start_gatherer(site_dir: Path, staging: Path, academic_year_start: int) -> None:
    global _gatherer
    _gatherer = Gatherer(site_dir, staging, academic_year_start)


def _in_gatherer_process(method: str, *args):
    return getattr(_gatherer, method)(*args)


class Gatherer:
    """Gathers spec records from the staging site, making each class's event and JSON as its page
    comes in, and a class shared with pages already in when it merges. The end only assembles
    the files."""

    def __init__(self, site_dir: Path, staging: Path, academic_year_start: int):
        self.files = BackgroundSiteFiles(site_dir, staging)
        self.writer = CalendarWriter(academic_year_start)
        self.gathering = Gathering()
        self.codes: set[str] = set()
        self.named: set[tuple[str, str]] = set()  # (kind, code) of every teacher, room and subject met so far
        self.files.reserve([*map(_index_path, KINDS), BUSY])
        # by id of a SharedClass some event says: the class (held, so the id stays its own), its
        # event stamped, before and after the UID line, and its JSON
        self.made: dict[int, tuple[SharedClass, tuple[bytes, bytes], bytes]] = {}

    def add_page(self, code: str) -> None:
        """Gathers data/<CODE>.json as written (or kept from the last run) in the staging site."""
        self.codes.add(code)
        path = site_paths.data_file_name(code)
        record = open_data.load_record(self.files.read_staged(path))
        if record is None:
            raise ValueError(f"{path} in the new site is not a spec record this version wrote")
        found = constituents(record)
        self._reserve_files(found)
        said, unsaid = self.gathering.add(found)
        for shared in unsaid:  # merged into a bigger class: nothing will write it
            del self.made[id(shared)]
        for shared in said:
            if id(shared) not in self.made:
                self.made[id(shared)] = (shared, *_made(shared, self.writer))

    def _reserve_files(self, found: list[Constituent]) -> None:
        """The files of the teachers, rooms and subjects this page is the first to name: created
        now, while the crawl downloads, so that the end only fills them (SiteFiles.reserve)."""
        new = {(kind, constituent.codes[position]) for constituent in found
               for position, kind in enumerate(KINDS) if constituent.codes[position]} - self.named
        self.named |= new
        self.files.reserve([path for kind, code in sorted(new) for path in _paths(kind, code)])

    def write(self, codes: list[str], semester: str, rooms: dict[str, str]) -> tuple[dict[str, int], int, int]:
        """Writes every calendar, timetable and index; returns their counts, and how many files
        were written and kept."""
        for code in codes:
            if code not in self.codes:  # kept from the last run: no worker wrote it
                self.add_page(code)
        counts = {}
        for kind, timetables in self.gathering.timetables().items():
            index = []
            for timetable in timetables:
                calendar, data = _paths(kind, timetable.code)
                events, classes, date_lists = self._assemble(timetable)
                self.files.write(calendar, self.writer.calendar(*calendar_title(timetable, semester), events))
                self.files.write(data, timetable_view(timetable, classes, date_lists, semester))
                index.append(index_entry(timetable, rooms))
            # compact, like data/index.json: the page loads it, and the fast C encoder makes it
            self.files.write(_index_path(kind), dumps(index, indent=None))
            if kind == "rooms":
                self.files.write(BUSY, dumps(busy(timetables, rooms), indent=None))
            counts[kind] = len(timetables)
            counts[f"{SINGULAR[kind]}_events"] = sum(len(t.events) for t in timetables)
        # in status.json, so an administrator sees how many classes no teacher calendar holds ("- Necunoscut")
        counts["unknown_teacher_classes"] = sum(unknown_teacher(c.names[0]) for slot in self.gathering.slots.values()
                                                for c in slot)
        self.files.flush()
        return counts, self.files.files_written, self.files.files_kept

    def _assemble(self, timetable: SharedTimetable) -> tuple[list[bytes], list[bytes], dict[tuple[str, ...], int]]:
        """Each class's event under the UID it has in this timetable, and its JSON for the page
        with that uid and the index of its dates in date_lists, the timetable's lists of dates."""
        events, classes = [], []
        date_lists: dict[tuple[str, ...], int] = {}
        for event in timetable.events:
            _shared, (before, after), view = self.made[id(event.shared)]
            events.append(b"".join((before, self.writer.uid_line(event.uid), after)))
            classes.append(b'%s, "uid": "%s", "dates": %d}' % (
                view, event.uid.encode(), date_lists.setdefault(event.shared.dates, len(date_lists))))
        return events, classes, date_lists


def _made(shared: SharedClass, writer: CalendarWriter) -> tuple[tuple[bytes, bytes], bytes]:
    """The class's event, stamped, around its UID line (each calendar gives it a UID of its own),
    and its JSON for the page without its closing brace (each calendar adds the uid and dates)."""
    scheduled = scheduled_class(shared)
    return (writer.around_uid(writer.event_parts(scheduled), shared.dtstamp, shared.sequence),
            dumps(class_view(shared, scheduled), indent=None).rstrip()[:-1])


def _index_path(kind: str) -> str:
    return f"{kind}/index.json"


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
                           teacher=shared.teacher, room_code=shared.room_code, subject_code=shared.subject_code,
                           teacher_code=shared.teacher_code)
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
    """A spec timetable's class view (timetables_json), naming its formations in short and listing
    them with their spec pages, and with its academic-calendar table; uid and dates are per calendar."""
    view = timetables_json.class_view(event, dates=0)
    del view["uid"], view["dates"]
    return view | {"formation": shared.formation_names, "table": shared.table,
                   "formations": [{"code": f.code, "name": f.name, "year": f.year, "formation": f.formation}
                                  for f in shared.formations]}


def timetable_view(timetable: SharedTimetable, classes: list[bytes], date_lists: dict[tuple[str, ...], int],
                   semester: str) -> bytes:
    """The page's data for one teacher, room or subject, shaped as a spec page's (timetables_json):
    its classes' JSON, each naming its dates by their index in date_lists."""
    head = dumps({"schema": open_data.SHARED_TIMETABLE.url, "kind": SINGULAR[timetable.kind], "code": timetable.code, "name": timetable.name,
                  "semester": semester, "calendar": _paths(timetable.kind, timetable.code)[0],
                  "dates": [list(dates) for dates in date_lists]}, indent=None).rstrip()[:-1]
    return head + b', "classes": [' + b", ".join(classes) + b"]}\n"


def busy(rooms: list[SharedTimetable], locations: dict[str, str]) -> dict[str, Any]:
    """When each room has a class: [start, end, dates index] per class; the dates listed once."""
    date_lists: dict[tuple[str, ...], int] = {}
    return {
        "schema": open_data.BUSY_ROOMS.url,
        "rooms": [{"code": room.code, "name": room.name, "location": locations.get(room.name, ""),
                   "busy": [[e.shared.start, e.shared.end, date_lists.setdefault(e.shared.dates, len(date_lists))]
                            for e in room.events]}
                  for room in rooms],
        "dates": [list(dates) for dates in date_lists],
    }
