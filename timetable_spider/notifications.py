"""Which of a crawl's changes touch a subscription's calendar, and the one push that tells of
them. Plain functions, no I/O: a change touches the calendar when the personal feed would have
the class, by the feeds' own rules (personal_feeds.keeps and personal_feeds.adds)."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence
from urllib.parse import urlencode

from timetable_spider import calendar_rules
from timetable_spider.personal_feeds import Selection, adds, keeps

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANGED_FIELDS = ("time", "room", "teacher", "weeks", "location")


def touches(change: Mapping[str, Any], code: str, group: str, subgroup: int | None, selection: Selection) -> bool:
    """Whether the personal calendar (the calendar of group/subgroup of timetable code, with the
    choices) has the class the change is about."""
    facts = change["class"]
    subject, kind = facts.get("subject_code", ""), calendar_rules.event_type_letter(facts["type"]) or ""
    formation, groups = change["formation"], change["groups"]
    if change["code"] == code and group in groups:
        in_calendar = calendar_rules.attends(formation, group, subgroup)
        if keeps(selection, subject, kind, formation, group, in_calendar):
            return True
    for add in selection.add:
        if change["code"] != add.code or not adds(add, subject, kind):
            continue
        if add.group in groups:  # the whole group's calendar has every class of the group
            return True
        name, _, number = add.group.rpartition("/")
        if name in groups and number.isdigit() and calendar_rules.attends(formation, name, int(number)):
            return True
    return False


def describe(change: Mapping[str, Any], next_date: date | None) -> str:
    """One line: "Tue 10 Mar, [L] Programare Web moved to L439"."""
    facts = change["class"]
    kind = calendar_rules.event_type_letter(facts["type"]) or facts["type"]
    when = (next_date.strftime("%a %-d %b") if next_date
            else f"{DAYS[calendar_rules.WEEKDAYS.get(calendar_rules.plain(facts['day']), 0)]} {facts['start']}")
    what = f"[{kind}] {facts['subject']}"
    if change["change"] == "added":
        return f"{when}, {what}: new, in {facts['room']}"
    if change["change"] == "removed":
        return f"{when}, {what}: no longer held"
    fields = change.get("fields", {})
    if set(fields) <= {"room", "location"} and "room" in fields:
        return f"{when}, {what} moved to {fields['room'][1]}"
    parts = [f"{name} {fields[name][1] if name != 'weeks' else fields[name][1][0]}" for name in CHANGED_FIELDS
             if name in fields and name != "location"]
    return f"{when}, {what}: {', '.join(parts) or 'changed'}"


def message(code: str, group: str, subgroup: int | None, changes: Sequence[Mapping[str, Any]],
            next_dates: Mapping[str, date | None], page: str = "index.html") -> dict[str, str]:
    """The push's payload, {"title", "body", "url"}: the first change's line as the title, every
    change a line of the body, and the page's week of the first change as the url."""
    who = f"{code} {group}" if subgroup is None else f"{code} {group}/{subgroup}"
    lines = [describe(change, next_dates.get(change["uid"])) for change in changes]
    query = {"code": code, "group": group, "subgroup": "all" if subgroup is None else subgroup}
    first = next_dates.get(changes[0]["uid"])
    if first:
        query["date"] = first.isoformat()
    title = f"{who}: {lines[0]}" if len(lines) == 1 else f"{who}: {len(lines)} changes to your timetable"
    return {"title": title, "body": "\n".join(lines), "url": f"{page}?{urlencode(query)}"}


def next_date(dates: Sequence[str], today: date) -> date | None:
    """The class's first date from today, or its last one when all are past."""
    upcoming = [date.fromisoformat(d) for d in dates if d >= today.isoformat()]
    return upcoming[0] if upcoming else (date.fromisoformat(dates[-1]) if dates else None)
