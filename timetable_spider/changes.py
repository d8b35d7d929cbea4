"""What changed in a spec page between two crawls: plain functions, no Scrapy, no I/O.

A class is the same class in both crawls when it sits in the same slot: formation, day, hours,
frequency, type and subject (room and teacher only tell apart classes that share a slot). One
that left its slot is the same class as one that appeared in another slot when it is the only
class of its subject, type and formation to do so: it moved. The rest were added or removed.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from timetable_spider.calendar_rules import event_type_letter, plain
from timetable_spider.open_data import Change, ChangedClass

# The fields a change lists, before and after.
TRACKED = ("time", "room", "teacher", "weeks", "location")


@dataclass(frozen=True)
class ClassFacts:
    """What a student sees of a class, from a scheduled class or from a published record."""

    formation: str
    day: str
    start: str
    end: str
    frequency: str
    kind: str
    subject: str
    room: str
    teacher: str
    location: str
    dates: tuple[str, ...]
    groups: tuple[str, ...] = field(default=(), compare=False)
    # the faculty's code, as personal feeds and subscriptions name a subject (hide=, take=, add=)
    subject_code: str = field(default="", compare=False)

    @property
    def slot(self) -> tuple[str, ...]:
        return (self.formation, plain(self.day), self.start, self.end, plain(self.frequency), plain(self.kind),
                self.subject)

    def tracked(self) -> dict[str, str | list[str]]:
        """The fields a change lists. Weeks are the frequency and the Mondays of the weeks the class
        meets, so a class that moves to another day in the same weeks has the same weeks."""
        mondays = sorted({(date.fromisoformat(d) - timedelta(days=date.fromisoformat(d).weekday())).isoformat()
                          for d in self.dates})
        return {"time": f"{self.day} {self.start}-{self.end}", "room": self.room, "teacher": self.teacher,
                "weeks": [self.frequency or "every week", *mondays], "location": self.location}


@dataclass
class Matching:
    """Index pairs (previous, current) of the same class; moved pairs changed slot."""

    same: list[tuple[int, int]]
    moved: list[tuple[int, int]]
    added: list[int]
    removed: list[int]


def match_classes(previous: Sequence[ClassFacts], current: Sequence[ClassFacts]) -> Matching:
    """Pair each class of the last crawl with its class in this one, where there is one."""
    left_previous, left_current = set(range(len(previous))), set(range(len(current)))
    same: list[tuple[int, int]] = []
    for key in (lambda c: c.slot, lambda c: (*c.slot, c.room), lambda c: (*c.slot, c.room, c.teacher)):
        same += _unique_pairs(previous, current, left_previous, left_current, key)
    moved = _unique_pairs(previous, current, left_previous, left_current,
                          lambda c: (c.subject, plain(c.kind), c.formation))
    return Matching(same=same, moved=moved, added=sorted(left_current), removed=sorted(left_previous))


def _unique_pairs(previous: Sequence[ClassFacts], current: Sequence[ClassFacts], left_previous: set[int],
                  left_current: set[int], key: Callable[[ClassFacts], Any]) -> list[tuple[int, int]]:
    """Pairs whose key is held by exactly one class left on each side; they leave the sets."""
    by_key_previous, by_key_current = _by_key(previous, left_previous, key), _by_key(current, left_current, key)
    pairs = [(by_key_previous[k][0], found[0]) for k, found in by_key_current.items()
             if len(found) == 1 and len(by_key_previous.get(k, ())) == 1]
    for p, c in pairs:
        left_previous.discard(p)
        left_current.discard(c)
    return pairs


def _by_key(classes: Sequence[ClassFacts], indexes: Iterable[int], key) -> dict[Any, list[int]]:
    found: dict[Any, list[int]] = defaultdict(list)
    for n in sorted(indexes):
        found[key(classes[n])].append(n)
    return found


def changed_fields(before: ClassFacts, after: ClassFacts) -> dict[str, list]:
    """The tracked fields that differ, each as [before, after].

    A class that moved to another day meets in other weeks only where a day off falls on one of
    the two days, which is no news: its weeks count as changed only if its frequency did.
    """
    old, new = before.tracked(), after.tracked()
    fields = {name: [old[name], new[name]] for name in TRACKED if old[name] != new[name]}
    if "time" in fields and "weeks" in fields and old["weeks"][0] == new["weeks"][0]:
        del fields["weeks"]
    return fields


def describe(change: str, facts: ClassFacts, code: str, uid: str, fields: dict[str, list] | None = None) -> Change:
    """One entry of the change log: which spec page, groups, formation and class, and what changed."""
    described = Change({
        "change": change, "code": code, "groups": list(facts.groups), "formation": facts.formation, "uid": uid,
        "class": ChangedClass(subject=facts.subject, subject_code=facts.subject_code,
                              type=event_type_letter(facts.kind), type_name=facts.kind, day=facts.day,
                              start=facts.start, end=facts.end, room=facts.room, teacher=facts.teacher,
                              weeks=facts.frequency or "every week"),
    })
    if fields:
        described["fields"] = fields
    return described


def spec_changes(code: str, previous: Sequence[ClassFacts], previous_uids: Sequence[str],
                 current: Sequence[ClassFacts], current_uids: Sequence[str], matching: Matching) -> list[Change]:
    """The change log's entries for one spec page: added, removed, and changed (a move included)."""
    entries = []
    for p, c in sorted(matching.same + matching.moved, key=lambda pair: pair[1]):
        fields = changed_fields(previous[p], current[c])
        if fields:
            entries.append(describe("changed", current[c], code, current_uids[c], fields))
    entries += [describe("added", current[c], code, current_uids[c]) for c in matching.added]
    entries += [describe("removed", previous[p], code, previous_uids[p]) for p in matching.removed]
    return entries


def sentence(change: Change) -> str:
    """A change in one line of English, as a feed reader shows it:
    "Changed: [C] Programare Web (IE2): room 2/I → C510"."""
    about = change["class"]
    what = f"[{about['type']}] {about['subject']} ({change['formation']})"
    if change["change"] != "changed":
        return (f"{change['change'].capitalize()}: {what}, {about['day']} {about['start']}-{about['end']}, "
                f"{about['room']}, {about['teacher']}")
    parts = []
    for name, (before, after) in change["fields"].items():
        if name == "weeks":
            before, after = before[0], after[0]
            if before == after:
                parts.append("the dates of its weeks")
                continue
        parts.append(f"{name} {before} → {after}")
    return f"Changed: {what}: {'; '.join(parts)}"
