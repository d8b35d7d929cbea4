"""Which of a crawl's changes touch a subscription's calendar, and the one push that tells of
them. Plain functions, no I/O: a change touches the calendar when the personal feed would have
the class, by the feeds' own rules (personal_feeds.keeps, adds and calendar_added_from)."""
from __future__ import annotations

from datetime import date
from typing import Mapping, Sequence
from urllib.parse import urlencode

from timetable_spider import calendar_rules
from timetable_spider.open_data import Change
from timetable_spider.personal_feeds import Calendar, Selection, Spec, UnknownName, adds, calendar_added_from, keeps

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANGED_FIELDS = ("time", "room", "teacher", "weeks", "location")


def touches(change: Change, calendar: Calendar, selection: Selection, faculty: Mapping[str, Spec]) -> bool:
    """Whether the personal calendar (the published calendar with the choices) has the class the
    change is about; faculty is the published site's, where add= finds the calendars it adds from."""
    facts = change["class"]
    subject, kind, formation = facts["subject_code"], facts["type"], change["formation"]
    if (change["code"] == calendar.code and calendar.group in change["groups"]
            and keeps(selection, subject, kind, formation, calendar.group, _holds(calendar, change))):
        return True
    for add in selection.add:
        if not adds(add, subject, kind):
            continue
        try:
            added_from = calendar_added_from(add, faculty)
        except UnknownName:  # the feed answers 404: there is no calendar to tell of
            continue
        if added_from.code == change["code"] and _holds(added_from, change):
            return True
    return False


def _holds(calendar: Calendar, change: Change) -> bool:
    """Whether a group's calendar (a subgroup's, or the whole group's) has the changed class."""
    return calendar.group in change["groups"] and calendar_rules.attends(change["formation"], calendar.group,
                                                                          calendar.subgroup)


def describe(change: Change, next_date: date | None) -> str:
    """One line: "Tue 10 Mar, [L] Programare Web moved to L439"."""
    facts = change["class"]
    when = (next_date.strftime("%a %-d %b") if next_date
            else f"{DAYS[calendar_rules.WEEKDAYS.get(calendar_rules.plain(facts['day']), 0)]} {facts['start']}")
    what = f"[{facts['type']}] {facts['subject']}"
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


def message(code: str, group: str, subgroup: int | None, changes: Sequence[Change],
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
