"""Personal feeds: a published calendar tailored by a query. Plain functions: no Twisted, no I/O.

    /feeds/IE2/921-1.ics?hide=MLE5011&hide=MLE5028:L&take=MLE5015:2&add=IE3/931:MLE5012&periods=1

Subjects are the faculty's subject codes (the "../disc/<code>.html" links of the timetable).
Events are never re-serialized: a personal calendar is the published calendar's own header and
VTIMEZONE followed by published VEVENTs, byte for byte, chosen with the spec records' entries
(uid -> subject code, type, formation). So its UIDs, SEQUENCEs and DTSTAMPs are the published
ones, and a calendar client updates a personal feed exactly as it updates the published file.

Errors: BadQuery (HTTP 400) for a query that does not follow the grammar below, UnknownName
(HTTP 404) for a timetable, group or subgroup the published site does not have. A subject it
does not have is no error: subjects come and go during a semester, and a subscription that
stopped answering would leave the student's calendar silently stale for the rest of it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

from timetable_spider import calendar_rules, site_paths
from timetable_spider.open_data import Record, RecordEntry
from timetable_spider.writers.ics import fold

# The subject codes the crawl keeps (parsing.timetable_pages.CODE): no ":", "/", "&" or "..".
SUBJECT = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
KINDS = ("C", "S", "L")  # course, seminar, lab: the letters of the events' summaries
SUBGROUP = re.compile(r"[1-9][0-9]{0,2}")
# What a group or timetable code may be in add=: any printable text without "/" or ":" separators.
NAME = re.compile(r"[^/:\x00-\x1f\x7f]+")
PERSONAL_PREFIX = "Personal "

BEGIN_EVENT = b"BEGIN:VEVENT\r\n"
END_EVENT = b"END:VEVENT\r\n"
END_CALENDAR = b"END:VCALENDAR\r\n"


class BadQuery(ValueError):
    """The query does not follow the grammar: 400."""


class UnknownName(LookupError):
    """The query or path names something the published site does not have: 404."""


# -- the query --

@dataclass(frozen=True, order=True)
class Hide:
    subject: str
    kind: str = ""  # "C", "S" or "L"; "" hides every class of the subject

    def __str__(self) -> str:
        return f"{self.subject}:{self.kind}" if self.kind else self.subject


@dataclass(frozen=True, order=True)
class Take:
    subject: str
    subgroup: int

    def __str__(self) -> str:
        return f"{self.subject}:{self.subgroup}"


@dataclass(frozen=True, order=True)
class Add:
    code: str
    group: str  # "931", or "931/1" for a subgroup's calendar
    subject: str
    kind: str = ""  # "C", "S" or "L"; "" adds every class of the subject

    def __str__(self) -> str:
        return f"{self.code}/{self.group}:{self.subject}" + (f":{self.kind}" if self.kind else "")


@dataclass(frozen=True)
class Selection:
    """A student's choices, normalized: sorted, without repeats."""

    hide: tuple[Hide, ...] = ()
    take: tuple[Take, ...] = ()
    add: tuple[Add, ...] = ()
    periods: bool = False  # the spec page's academic year: its periods and days off

    def __bool__(self) -> bool:
        return bool(self.hide or self.take or self.add or self.periods)

    def query(self) -> str:
        """The canonical query string: equal choices, however written, give the same string."""
        pairs = [(name, str(value)) for name in ("hide", "take", "add") for value in getattr(self, name)]
        pairs += [("periods", "1")] * self.periods
        return "&".join(f"{name}={quote(value, safe='/:')}" for name, value in pairs)


@dataclass(frozen=True)
class Refusal:
    """One parameter of a query that the grammar refuses, and why (a key of REASONS)."""

    part: str  # as written, percent-decoded when it can be: "take=MLE5015:abc"
    reason: str

    def __str__(self) -> str:
        return f"{self.part}: {REASONS[self.reason]}"


# Why a parameter is refused. The students' page says the same in its language tables
# (refused.<reason>), and tests/fixtures/choice_queries.json holds cases that both grammars run.
REASONS = {
    "not-a-pair": "expected name=value",
    "bad-encoding": "a percent-escape that is malformed or not UTF-8",
    "unknown-parameter": "not a choice: use hide, take, add or periods",
    "bad-hide": "expected a subject code, optionally with :C, :S or :L",
    "bad-take": "expected <subject>:<subgroup>, such as MLE5028:2",
    "take-twice": "the subject is already taken with another subgroup",
    "bad-add": "expected <CODE>/<group>[/<subgroup>]:<subject>[:C|:S|:L], such as IE3/931:MLE5012",
    "bad-periods": "periods=1 adds the academic year; leave it out to add none",
}
MALFORMED_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def read_query(query: str) -> tuple[Selection, tuple[Refusal, ...]]:
    """The choices of a query, and each parameter it refuses (docs/choices.md):

    hide=<subject>[:C|S|L], take=<subject>:<subgroup>, add=<CODE>/<group>[/<subgroup>]:<subject>[:C|S|L],
    periods=1; each may repeat, in any order, and empty parameters ("a=1&&b=2") are skipped. A
    second take= of a subject already taken is refused; the first stands.
    """
    parsers = {"hide": _parse_hide, "take": _parse_take, "add": _parse_add}
    chosen: dict[str, set] = {"hide": set(), "add": set()}
    taken: dict[str, Take] = {}
    periods, refused = False, []
    for raw in query.split("&"):
        if not raw:
            continue
        decoded = _decoded(raw)
        if decoded is None:
            refused.append(Refusal(raw, "bad-encoding"))
            continue
        name, equals, value = decoded
        part = f"{name}={value}"
        if not equals:
            refused.append(Refusal(name, "not-a-pair"))
        elif name in parsers:
            choice = parsers[name](value)
            if choice is None:
                refused.append(Refusal(part, f"bad-{name}"))
            elif name != "take":
                chosen[name].add(choice)
            elif taken.setdefault(choice.subject, choice) != choice:
                refused.append(Refusal(part, "take-twice"))
        elif name == "periods" and value == "1":
            periods = True
        else:
            refused.append(Refusal(part, "bad-periods" if name == "periods" else "unknown-parameter"))
    selection = Selection(tuple(sorted(chosen["hide"])), tuple(sorted(taken.values())), tuple(sorted(chosen["add"])), periods)
    return selection, tuple(refused)


def parse_query(query: str) -> Selection:
    """The choices of a query that follows the grammar (read_query); raises BadQuery naming every
    parameter it refuses."""
    selection, refused = read_query(query)
    if refused:
        raise BadQuery("; ".join(map(str, refused)))
    return selection


def _decoded(raw: str) -> tuple[str, str, str] | None:
    """(name, "=", value) percent-decoded ("+" is a space), "=" empty when there is none; None
    for a malformed escape or one that is not UTF-8."""
    if MALFORMED_ESCAPE.search(raw):
        return None
    name, equals, value = raw.partition("=")
    try:
        return unquote_plus(name, errors="strict"), equals, unquote_plus(value, errors="strict")
    except UnicodeDecodeError:
        return None


def _parse_hide(value: str) -> Hide | None:
    subject, colon, kind = value.partition(":")
    if not SUBJECT.fullmatch(subject) or (colon and kind not in KINDS):
        return None
    return Hide(subject, kind)


def _parse_take(value: str) -> Take | None:
    subject, _, subgroup = value.partition(":")
    if not SUBJECT.fullmatch(subject) or not SUBGROUP.fullmatch(subgroup):
        return None
    return Take(subject, int(subgroup))


def _parse_add(value: str) -> Add | None:
    where, _, chosen = value.partition(":")
    subject, colon, kind = chosen.partition(":")
    code, slash, group = where.partition("/")
    parts = group.split("/")
    if (not SUBJECT.fullmatch(subject) or (colon and kind not in KINDS) or not slash or not NAME.fullmatch(code)
            or len(parts) > 2 or not all(NAME.fullmatch(part) for part in parts)):
        return None
    return Add(code, group, subject, kind)


# -- the published calendars --

@dataclass(frozen=True)
class Event:
    """One published VEVENT and what its spec record says of the class."""

    uid: str
    subject: str  # the faculty's subject code
    kind: str  # "C", "S" or "L"
    formation: str  # "IE2", "921" or "921/1"
    text: bytes  # the VEVENT as published, BEGIN to END, CRLF and folding included


@dataclass(frozen=True)
class Calendar:
    code: str
    file: str
    group: str
    subgroup: int | None  # None: the whole group's calendar
    head: bytes  # VCALENDAR's properties and the VTIMEZONE, as published
    events: tuple[Event, ...]
    tail: bytes

    def published(self) -> bytes:
        """The published file, byte for byte."""
        return b"".join((self.head, *(e.text for e in self.events), self.tail))


@dataclass(frozen=True)
class Group:
    name: str
    subgroups: tuple[int, ...]
    events: tuple[Event, ...]  # every class of the group that has a date, in timetable order
    calendars: dict[int | None, Calendar]  # by subgroup; None: the whole group


@dataclass(frozen=True)
class Spec:
    code: str
    groups: dict[str, Group]
    calendars: dict[str, Calendar]  # by file name
    periods: tuple[Event, ...] | None = None  # its academic year's events; None: not published


def spec_feeds(record: Record, calendar_texts: Mapping[str, bytes], academic_year: bytes | None = None) -> Spec:
    """A spec page's groups and calendars, from its data/<CODE>.json record and the published
    bytes of every calendar file the record lists (by file name), and its academic year's events
    from academic-year/<CODE>.ics (None when the site has none: published before they existed).

    Raises ValueError when the record and the calendars disagree: a calendar that is not named
    as the crawl names a group's calendars, or an event whose UID is not one of its group's entries.
    """
    code = record["code"]
    groups: dict[str, Group] = {}
    calendars: dict[str, Calendar] = {}
    events: dict[str, Event] = {}  # one per class: the year's course is in every group's calendars
    for group in record["groups"]:
        name = group["name"]
        entries = {e["uid"]: e for e in group["entries"]}
        subgroups = calendar_rules.subgroups_of(name, [e["formation"] for e in group["entries"]])
        group_calendars: dict[int | None, Calendar] = {}
        for file, subgroup in _calendar_files(code, name, subgroups, [c["file"] for c in group["calendars"]]):
            head, texts, tail = split_calendar(calendar_texts[file])
            chosen = tuple(_event(f"{code} {file}", text, entries, events) for text in texts)
            group_calendars[subgroup] = calendars[file] = Calendar(code, file, name, subgroup, head, chosen, tail)
        group_events = {e.uid: e for calendar in group_calendars.values() for e in calendar.events}
        groups[name] = Group(name, subgroups, tuple(group_events.values()), group_calendars)
    periods = None if academic_year is None else \
        tuple(Event(event_uid(text), "", "", "", text) for text in split_calendar(academic_year)[1])
    return Spec(code, groups, calendars, periods)


def _calendar_files(code: str, group: str, subgroups: tuple[int, ...], listed: list[str]) -> list[tuple[str, int | None]]:
    """(file, subgroup) of the calendars a group lists, the whole group's first (it is in timetable order)."""
    named = {site_paths.calendar_file_name(group, subgroup, "/" not in group): subgroup
             for subgroup in (None, *subgroups)}
    strays = [file for file in listed if file not in named]
    if strays:
        raise ValueError(f"{code}: calendars {strays} are not named as group {group}'s calendars")
    return [(file, subgroup) for file, subgroup in named.items() if file in listed]


def _event(where: str, text: bytes, entries: Mapping[str, RecordEntry], events: dict[str, Event]) -> Event:
    """The spec's Event for a VEVENT of a calendar, made the first time its class is seen."""
    uid = event_uid(text)
    if uid not in entries:
        raise ValueError(f"{where} has an event {uid} that its group does not list")
    event = events.get(uid)
    if event is None:
        entry = entries[uid]
        event = events[uid] = Event(uid, entry["subject_code"], entry["type"], entry["formation"], text)
    elif event.text != text:
        raise ValueError(f"{where}: event {uid} differs from the same class in another calendar")
    return event


def split_calendar(text: bytes) -> tuple[bytes, list[bytes], bytes]:
    """(head, events, tail) of a calendar as the crawl writes it: its VEVENTs one after another,
    after the head and before "END:VCALENDAR". Joined again, they are the same bytes."""
    if not text.endswith(END_CALENDAR):
        raise ValueError("a calendar must end with END:VCALENDAR")
    tail_at = len(text) - len(END_CALENDAR)
    first = text.find(b"\r\n" + BEGIN_EVENT)
    position = tail_at if first < 0 else first + 2
    head, events = text[:position], []
    while position < tail_at:
        if not text.startswith(BEGIN_EVENT, position):
            raise ValueError(f"something other than a VEVENT at byte {position}")
        end = text.find(b"\r\n" + END_EVENT, position)
        if end < 0:
            raise ValueError(f"a VEVENT at byte {position} does not end")
        end += 2 + len(END_EVENT)
        events.append(text[position:end])
        position = end
    return head, events, text[tail_at:]


def event_uid(event: bytes) -> str:
    """The UID of a VEVENT, unfolded."""
    start = event.find(b"\r\nUID:")
    if start < 0:
        raise ValueError("a VEVENT without a UID")
    lines = []
    for line in event[start + len(b"\r\nUID:"):].split(b"\r\n"):
        if lines and not line.startswith((b" ", b"\t")):
            break
        lines.append(line[1:] if lines else line)
    return b"".join(lines).decode()


# -- applying the choices --

def personal_events(calendar: Calendar, selection: Selection, faculty: Mapping[str, Spec]) -> list[Event]:
    """The events of the calendar with the student's choices applied, in this order:

    take=X:T  the calendar's classes of X become those subgroup T of its group attends (the
              course and the group's seminar stay; the own subgroup's lab becomes T's);
    hide=X    removes every class of X left; hide=X:C, :S or :L only its course, seminar or lab;
    add=CODE/G[/T]:X  adds the classes of X from group G's calendar (subgroup T's, when given) of
              timetable CODE (add=...:X:L only its lab); hide does not remove them, so
              "hide=X&add=IE3/931:X" moves X to 931;
    periods=1 adds the calendar's own timetable's academic year (academic-year/<CODE>.ics):
              its periods and days off, all day.

    A subgroup must be one of the group's, and a calendar added from must exist; a subject the
    timetable no longer has changes nothing. No event appears twice: a class the calendar already
    has (the year's course) is not added again.
    """
    group = faculty[calendar.code].groups[calendar.group]
    for take in selection.take:
        if take.subgroup not in group.subgroups:
            raise UnknownName(f"{calendar.code} group {group.name} has no subgroup {take.subgroup}")

    own = {e.uid for e in calendar.events}
    chosen = [e for e in group.events if keeps(selection, e.subject, e.kind, e.formation, group.name, e.uid in own)]
    present = {e.uid for e in chosen}
    for add in selection.add:
        adding = [e for e in calendar_added_from(add, faculty).events if adds(add, e.subject, e.kind)]
        chosen += [e for e in adding if e.uid not in present]
        present.update(e.uid for e in adding)
    if selection.periods:
        periods = faculty[calendar.code].periods
        if periods is None:
            raise UnknownName(f"{calendar.code} has no academic-year calendar yet: the next crawl publishes it")
        chosen += periods
    return chosen


def keeps(selection: Selection, subject: str, kind: str, formation: str, group: str, in_calendar: bool) -> bool:
    """Whether a class of the calendar's group is in the personal calendar: take= decides which
    subgroup's classes of a subject it has (else the calendar's own, in_calendar), then hide= removes."""
    taken = {t.subject: t.subgroup for t in selection.take}
    attended = calendar_rules.attends(formation, group, taken[subject]) if subject in taken else in_calendar
    return attended and not any(h.subject == subject and h.kind in ("", kind) for h in selection.hide)


def adds(add: Add, subject: str, kind: str) -> bool:
    """Whether add= brings in a class of the calendar it adds from."""
    return subject == add.subject and add.kind in ("", kind)


def calendar_added_from(add: Add, faculty: Mapping[str, Spec]) -> Calendar:
    """The calendar add= names: a group's, or a subgroup's ("931/1"). Raises UnknownName."""
    spec = faculty.get(add.code)
    if spec is None:
        raise UnknownName(f"no timetable {add.code}")
    group, subgroup = spec.groups.get(add.group), None
    if group is None:  # "931/1": group 931, subgroup 1 (a group's own name may hold a "/")
        name, _, number = add.group.rpartition("/")
        group = spec.groups.get(name)
        subgroup = int(number) if SUBGROUP.fullmatch(number) else None
        if group is None or subgroup is None:
            raise UnknownName(f"{add.code} has no group {add.group}")
    calendar = group.calendars.get(subgroup)
    if calendar is None:
        raise UnknownName(f"{add.code} has no calendar for {add.group}")
    return calendar


def personal_calendar(calendar: Calendar, events: list[Event]) -> bytes:
    """The calendar's published head, with a name that says it is personal, then the events."""
    return b"".join((personal_head(calendar.head), *(e.text for e in events), calendar.tail))


def personal_head(head: bytes) -> bytes:
    """The head with NAME and X-WR-CALNAME prefixed by "Personal "; every other line as published."""
    logical: list[list[bytes]] = []
    for line in head.split(b"\r\n")[:-1]:
        if line.startswith((b" ", b"\t")) and logical:
            logical[-1].append(line)
        else:
            logical.append([line])
    lines = []
    for physical in logical:
        if physical[0].startswith((b"NAME:", b"X-WR-CALNAME:")):
            name, _, value = b"".join([physical[0], *(p[1:] for p in physical[1:])]).decode().partition(":")
            lines.append(fold(f"{name}:{PERSONAL_PREFIX}{value}").encode())
        else:
            lines.append(b"\r\n".join(physical))
    return b"\r\n".join(lines) + b"\r\n"
