"""Item pipelines: dedupe the specializations, then build the site and publish it whole.

DedupeSpecializationsPipeline is the cleaning step. PublishSitePipeline converts: it hands
each spec page to the writers (writers/ics.py, writers/json_data.py, writers/index_page.py)
as soon as the academic calendar and the room legend are known, builds the site in a
staging directory, and publishes it only when the crawl finished and nothing failed.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from timetable_spider import site_paths
from timetable_spider.items import (
    AcademicCalendar, PageFailure, RoomLegend, SpecializationListing, Timetable)
from timetable_spider.publishing import SiteBuild, write_atomically
from timetable_spider.schedule import SemesterCalendar, SpecSchedule, schedule_timetable
from timetable_spider.writers import index_page, json_data
from timetable_spider.writers.ics import CalendarWriter

logger = logging.getLogger(__name__)
STATUS_FILE = "data/status.json"


class DedupeSpecializationsPipeline:
    """A code listed twice is written once; every listing still reaches the index."""

    def __init__(self):
        self.codes: set[str] = set()

    def process_item(self, item):
        if isinstance(item, Timetable):
            code = ItemAdapter(item)["code"]
            if code in self.codes:
                raise DropItem(f"timetable {code} was already processed")
            self.codes.add(code)
        return item


class PublishSitePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.site_dir = crawler.settings.get("SITE_DIR")
        if not self.site_dir:
            raise NotConfigured("SITE_DIR is empty: there is nowhere to publish the site")
        self.listings: list[SpecializationListing] = []
        self.failures: list[PageFailure] = []
        self.pending: list[Timetable] = []
        self.schedules: dict[str, SpecSchedule] = {}
        self.directories: dict[str, str] = {}
        self.calendar: SemesterCalendar | None = None
        self.rooms: dict[str, str] | None = None
        self.calendars_written = 0
        self.events_written = 0

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.semester = spider.semester
        self.started = datetime.now(timezone.utc)
        self.dtstamp = self.started.strftime("%Y%m%dT%H%M%SZ")
        self.writer = CalendarWriter(spider.academic_year_start)
        self.build = SiteBuild(self.site_dir)

    def process_item(self, item):
        if isinstance(item, SpecializationListing):
            self.listings.append(item)
        elif isinstance(item, PageFailure):
            self.failures.append(item)
        elif isinstance(item, RoomLegend):
            self.rooms = ItemAdapter(item)["rooms"]
        elif isinstance(item, AcademicCalendar):
            self.calendar = SemesterCalendar(ItemAdapter(item)["tables"], self.semester)
        elif isinstance(item, Timetable):
            self.pending.append(item)
        self._write_pending()
        return item

    def _write_pending(self) -> None:
        """Spec pages wait only until both the academic calendar and the room legend are in."""
        if self.calendar is None or self.rooms is None:
            return
        while self.pending:
            self._write_timetable(self.pending.pop(0))

    def _write_timetable(self, timetable: Timetable) -> None:
        schedule = schedule_timetable(timetable, self.calendar, self.rooms)
        directory = site_paths.spec_directory(timetable.name, timetable.year)
        data_path = site_paths.data_file_name(timetable.code)
        previous = json_data.previous_stamps(self.build.read_published(data_path))

        events: dict[str, bytes] = {}
        stamps: dict[str, tuple[str, str]] = {}
        for scheduled in schedule.classes:
            if not scheduled.dates:
                continue
            parts = self.writer.event_parts(scheduled)
            fingerprint = self.writer.fingerprint(parts)
            old_fingerprint, old_stamp = previous.get(scheduled.uid, ("", ""))
            dtstamp = old_stamp if old_fingerprint == fingerprint else self.dtstamp
            stamps[scheduled.uid] = (fingerprint, dtstamp)
            events[scheduled.uid] = self.writer.stamped(parts, dtstamp)

        for calendar in schedule.calendars:
            chosen = [events[c.uid] for c in calendar.classes if c.uid in events]
            if not chosen:
                continue  # a calendar with no events is not written
            who = calendar.group if calendar.subgroup is None else f"{calendar.group}/{calendar.subgroup}"
            name = f"{timetable.code} {who}, {timetable.name}, Year {timetable.year}"
            description = f"UBB FMI timetable, semester {self.semester}: {timetable.name}, " \
                          f"Year {timetable.year}, group {who}"
            self.build.write(f"{directory}/{calendar.file_name}",
                             self.writer.calendar(name, description, chosen))
            self.calendars_written += 1
            self.events_written += len(chosen)
        self.build.write(data_path, json_data.dumps(
            json_data.spec_data(schedule, self.semester, directory, stamps), indent=None))
        self.schedules[timetable.code] = schedule
        self.directories[timetable.code] = directory
        if len(self.schedules) % 10 == 0:
            logger.info("Wrote %d specialization pages (%d calendars) so far",
                        len(self.schedules), self.calendars_written)

    def close_spider(self):
        if self.pending:
            missing = [name for name, value in (("academic calendar", self.calendar),
                                                ("room legend", self.rooms)) if value is None]
            logger.error("%d spec pages not written: no %s", len(self.pending), " and no ".join(missing))
            return
        if not self.schedules:
            return
        self.build.write("data/rooms.json", json_data.dumps(self.rooms))
        self.build.write("data/index.json", json_data.dumps(self._index_data()))
        self.build.write("index.html", index_page.render(
            self._index_links(), self.semester, self.started.strftime("%Y-%m-%d %H:%M UTC")))

    def _index_data(self) -> list[dict]:
        specs: dict[tuple[str, str], dict] = {}
        for listing in self.listings:
            spec = specs.setdefault((listing.degree, listing.name), {
                "name": listing.name, "degree": listing.degree, "years": []})
            spec["years"].append({"year": listing.year, "code": listing.code,
                                  "directory": self.directories.get(listing.code),
                                  "data": site_paths.data_file_name(listing.code)
                                  if listing.code in self.schedules else None})
        return list(specs.values())

    def _index_links(self) -> list[index_page.SpecLink]:
        specs: dict[tuple[str, str], index_page.SpecLink] = {}
        for listing in self.listings:
            spec = specs.setdefault((listing.degree, listing.name),
                                    index_page.SpecLink(name=listing.name, degree=listing.degree))
            year = index_page.YearLink(year=listing.year, code=listing.code,
                                       directory=self.directories.get(listing.code, ""))
            schedule = self.schedules.get(listing.code)
            if schedule:
                for calendar in schedule.calendars:
                    if not any(c.dates for c in calendar.classes):
                        continue
                    if not year.groups or year.groups[-1][0] != calendar.group:
                        year.groups.append((calendar.group, []))
                    label = ("whole group" if "/" not in calendar.group else "calendar") \
                        if calendar.subgroup is None else f"subgroup {calendar.subgroup}"
                    year.groups[-1][1].append((calendar.file_name, label))
            spec.years.append(year)
        return list(specs.values())

    def spider_closed(self, spider, reason):
        problems = [f"{f.kind} page {f.url}: {f.reason}" for f in self.failures]
        if reason != "finished":
            problems.append(f"the crawl ended early ({reason})")
        if self.pending:
            problems.append(f"{len(self.pending)} spec pages could not be dated")
        if not self.calendars_written:
            problems.append("no calendars were produced")
        published = not problems
        status = self._status(reason, problems, published)
        stats = self.crawler.stats
        stats.set_value("timetable_spider/outcome", "published" if published else "failed")
        stats.set_value("timetable_spider/calendars", self.calendars_written)
        if published:
            self.build.write(STATUS_FILE, json_data.dumps(status))
            self.build.publish()
            logger.info("Published %d calendars (%d events) for %d spec pages to %s "
                        "(%d files new or changed, %d unchanged)", self.calendars_written,
                        self.events_written, len(self.schedules), self.build.site_dir,
                        self.build.files_written, self.build.files_kept)
        else:
            self.build.discard()
            status_path = self.build.site_dir / STATUS_FILE
            if status_path.parent.is_dir():
                write_atomically(status_path, json_data.dumps(status), self.build.site_dir.parent)
            logger.error("Nothing published; %s keeps its previous content. Problems:\n  %s",
                         self.build.site_dir, "\n  ".join(problems))

    def _status(self, reason: str, problems: list[str], published: bool) -> dict:
        previous = json.loads(self.build.read_published(STATUS_FILE) or "{}")
        finished = datetime.now(timezone.utc)
        return {
            "semester": self.semester,
            "started": self.started.isoformat(timespec="seconds"),
            "finished": finished.isoformat(timespec="seconds"),
            "outcome": "published" if published else "failed",
            "finish_reason": reason,
            "problems": problems,
            "failed_pages": [{"url": f.url, "kind": f.kind, "reason": f.reason} for f in self.failures],
            "counts": {"specializations_listed": len(self.listings),
                       "spec_pages_written": len(self.schedules),
                       "calendars": self.calendars_written, "events": self.events_written},
            "last_published": finished.isoformat(timespec="seconds") if published
            else previous.get("last_published"),
        }
