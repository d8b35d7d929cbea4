"""academic-year/<CODE>.ics: each spec page's academic year, its periods and days off, all day.

Written like the group calendars (writers/ics.py): the same header, VTIMEZONE and serializer, and
an event keeps its DTSTAMP and SEQUENCE while it says the same; a changed one gets DTSTAMP now and
SEQUENCE + 1, read back from the calendar last published. Events are transparent, so a holiday
does not make a student look busy.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from timetable_spider import calendar_rules, site_paths
from timetable_spider.academic_year import YearEvent, year_events, year_tables
from timetable_spider.personal_feeds import event_uid, split_calendar
from timetable_spider.publishing import SiteFiles
from timetable_spider.writers import CrawledSite
from timetable_spider.writers.ics import CalendarWriter, EventParts, content_lines, fold, text_line
from timetable_spider.writers.json_data import Stamp
from timetable_spider.spec_pages import next_stamp

STAMP_LINES = (b"DTSTAMP:", b"SEQUENCE:", b"LAST-MODIFIED:")


def calendar_files(site: CrawledSite) -> dict[str, str]:
    """code -> its academic-year calendar, for every spec page the site publishes, by code (the
    pages come in as their workers finish: unsorted, data/site.json would change every crawl)."""
    return {code: site_paths.academic_year_file_name(code) for code in sorted(site.records)}


def write_academic_year_calendars(files: SiteFiles, site: CrawledSite) -> dict[str, int]:
    writer = CalendarWriter(site.academic_year_start)
    lengths = (site.settings.getdict("PROGRAMME_YEARS"), site.settings.getdict("PROGRAMME_YEARS_BY_NAME"))
    dtstamp = site.started.strftime("%Y%m%dT%H%M%SZ")
    parts_by_table: dict[tuple[str, bool], list[tuple[str, EventParts]]] = {}  # (line, final) -> uid, parts
    for code, path in calendar_files(site).items():
        record = site.records[code]
        line = calendar_rules.study_line(record["name"])
        final = calendar_rules.is_final_year(
            record["year"], calendar_rules.programme_years(record["degree"], record["name"], *lengths))
        if (line, final) not in parts_by_table:
            parts_by_table[(line, final)] = [(e.uid, event_parts(e)) for e in year_events(
                site.academic_year, line, year_tables(site.tables, line, final))]
        last = published_stamps(files.read_published(path))
        events = []
        for uid, parts in parts_by_table[(line, final)]:
            stamp = next_stamp(writer.fingerprint(parts), last.get(uid), dtstamp)
            events.append(writer.stamped(parts, stamp.dtstamp, stamp.sequence))
        name, description = calendar_title(record, site.academic_year, line, final)
        files.write(path, writer.calendar(name, description, events))
    return {"academic_year_calendars": len(site.records)}


def event_parts(event: YearEvent) -> EventParts:
    """An all-day VEVENT (DTEND is the day after the last, RFC 5545 3.6.1), without its stamps."""
    head = ["BEGIN:VEVENT", text_line("SUMMARY", event.summary),
            f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.end + timedelta(days=1):%Y%m%d}"]
    rules = [text_line("CATEGORIES", event.category), text_line("DESCRIPTION", event.description)]
    return EventParts(head=content_lines(head), uid=content_lines([fold(f"UID:{event.uid}")]), rules=content_lines(rules),
                      tail=content_lines(["TRANSP:TRANSPARENT", "END:VEVENT"]))


def published_stamps(published: bytes | None) -> dict[str, Stamp]:
    """uid -> the Stamp of each event of a published academic-year calendar: the fingerprint of
    its lines without DTSTAMP, SEQUENCE and LAST-MODIFIED, as CalendarWriter.fingerprint makes it."""
    if not published:
        return {}
    stamps = {}
    for text in split_calendar(published)[1]:
        lines = text.split(b"\r\n")
        values = {line.split(b":", 1)[0]: line.split(b":", 1)[1].decode() for line in lines
                  if line.startswith(STAMP_LINES)}
        rest = b"\r\n".join(line for line in lines if not line.startswith(STAMP_LINES))
        stamps[event_uid(text)] = Stamp(hashlib.sha1(rest).hexdigest()[:16], values.get(b"DTSTAMP", ""),
                                        int(values.get(b"SEQUENCE", "0")))
    return stamps


def calendar_title(record: dict[str, Any], academic_year: str, line: str, final: bool) -> tuple[str, str]:
    """The calendar's name and description; no commas, as in spec_pages.calendar_title."""
    name = f"{record['code']} academic year {academic_year} · {record['name']} · Year {record['year']}"
    which = "Hungarian and German lines" if line == calendar_rules.HUNGARIAN_GERMAN else "Romanian line"
    description = f"UBB academic year {academic_year} · {which}" + (" · final year" if final else "")
    return name, description
