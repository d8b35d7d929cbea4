"""The JSON data under data/: one file per specialization, the rooms and the index.

Text from the pages is escaped so that "<", ">" and "&" never appear raw, and the files can
be embedded in a page as they are.
"""
from __future__ import annotations

import json
from typing import Any

from timetable_spider.schedule import SpecSchedule

SCHEMA_VERSION = 1


def dumps(data: Any, indent: int | None = 1) -> bytes:
    """indent=None for the large spec files: json's fast C encoder only runs without indentation."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n").encode()


def spec_data(schedule: SpecSchedule, semester: str, directory: str,
              stamps: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """code, name, year and the groups with their entries and concrete dates.

    stamps maps a class's uid to (fingerprint, DTSTAMP); the next crawl reads them back, so
    an unchanged event keeps its DTSTAMP.
    """
    timetable = schedule.timetable
    classes = {c.entry: c for c in schedule.classes}
    groups = []
    for group in timetable.groups:
        files = [cal.file_name for cal in schedule.calendars if cal.group == group.name]
        entries = []
        for entry in dict.fromkeys(group.entries):
            scheduled = classes[entry]
            fingerprint, dtstamp = stamps.get(scheduled.uid, ("", ""))
            entries.append({
                "day": entry.day, "start": entry.start, "end": entry.end,
                "frequency": entry.frequency, "room": entry.room, "location": scheduled.location,
                "formation": entry.formation, "type": entry.kind, "subject": entry.subject,
                "teacher": entry.teacher, "summary": scheduled.summary,
                "dates": [d.isoformat() for d in scheduled.dates],
                "uid": scheduled.uid, "fingerprint": fingerprint, "dtstamp": dtstamp,
            })
        groups.append({"name": group.name, "calendars": files, "entries": entries})
    return {
        "schema": SCHEMA_VERSION, "semester": semester, "code": timetable.code,
        "name": timetable.name, "year": timetable.year, "degree": timetable.degree,
        "study_line": schedule.study_line, "calendar_table": schedule.table_key,
        "source": timetable.url, "directory": directory, "groups": groups,
    }


def previous_stamps(published: bytes | None) -> dict[str, tuple[str, str]]:
    """uid -> (fingerprint, DTSTAMP) from a previously published spec file."""
    if not published:
        return {}
    try:
        data = json.loads(published)
        return {e["uid"]: (e["fingerprint"], e["dtstamp"])
                for g in data["groups"] for e in g["entries"] if e.get("dtstamp")}
    except (ValueError, KeyError, TypeError):
        return {}
