"""Item pipelines: dedupe the specializations, then build the site and publish it whole.

DedupeSpecializationsPipeline is the cleaning step. PublishSitePipeline converts: it hands
each spec page to the writers (spec_pages.py) as soon as the academic calendar and the room
legend are known, runs the whole-site writers (writers/site_writers.py) at the end, builds all
of it in a staging directory, and has run_outcome.py publish it or keep the old site.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from timetable_spider import calendar_rules
from timetable_spider.failed_pages import KeptPages, keep_previous_versions, page_problems
from timetable_spider.items import (
    AcademicCalendar, PageFailure, RoomLegend, SpecializationListing, Timetable, tables_by_key)
from timetable_spider.publishing import PublishingRefused, SiteBuild
from timetable_spider.run_outcome import RunOutcome, RunReport
from timetable_spider.spec_page_jobs import SpecPageJobs
from timetable_spider.spec_pages import SemesterContext
from timetable_spider.writers import CrawledSite, json_data
from timetable_spider.writers.site_writers import SiteWriters

logger = logging.getLogger(__name__)


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
    """Builds the site in a staging directory and publishes it on spider_closed.

    An orchestrator: spec pages are written by worker jobs (spec_page_jobs.py) as soon as the
    academic calendar and the room legend are in, so writing overlaps downloading; the whole-site
    writers (writers/site_writers.py) hear of each page written and write at the end; failed
    spec pages keep their last version or none (failed_pages.py); and run_outcome.py decides
    whether the build is published and writes the status.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.site_dir = settings.get("SITE_DIR")
        if not self.site_dir:
            raise NotConfigured("SITE_DIR is empty: there is nowhere to publish the site")
        self.workers = settings.getint("PUBLISH_WORKERS")
        self.outcome = RunOutcome(settings, crawler.stats)
        self.listings: list[SpecializationListing] = []
        self.failures: list[PageFailure] = []
        self.spec_records: dict[str, dict] = {}  # code -> what data/<CODE>.json holds
        self.changes: dict[str, list[dict]] = {}  # code -> what changed since the last crawl
        self.kept = KeptPages()
        self.build_errors: list[str] = []  # exceptions while building the site: bugs, a full disk
        self.written_counts: dict[str, int] = {}  # what the whole-site writers wrote, for status.json
        self.tables = None
        self.academic_year = None
        self.rooms: dict[str, str] | None = None
        self.build: SiteBuild | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.semester, self.academic_year_start = spider.semester, spider.academic_year_start
        self.programme_years = spider.programme_years
        self.started = datetime.now(timezone.utc)
        try:
            self.build = SiteBuild(self.site_dir)
        except PublishingRefused as refusal:  # before any request: nothing is crawled or touched
            logger.error("%s (outcome: %s)", refusal, refusal.outcome)
            self.crawler.stats.set_value("timetable_spider/outcome", refusal.outcome)
            raise CloseSpider(f"publishing_{refusal.outcome}") from None
        self.jobs = SpecPageJobs(self.workers, self._page_written, self._page_not_written)
        self.site_writers = SiteWriters(self.build, self.academic_year_start, own_process=bool(self.workers))

    def process_item(self, item):
        if isinstance(item, SpecializationListing):
            self.listings.append(item)
        elif isinstance(item, PageFailure):
            self.failures.append(item)
        elif isinstance(item, RoomLegend):
            self.rooms = ItemAdapter(item)["rooms"]
        elif isinstance(item, AcademicCalendar):
            self.tables = tables_by_key(ItemAdapter(item)["tables"])
            self.academic_year = ItemAdapter(item)["academic_year"]
        if isinstance(item, Timetable):
            self.jobs.add(item, self._context())
        elif self.jobs.waiting and self._context():
            self.jobs.start_waiting(self._context())
        return item

    def _context(self) -> SemesterContext | None:
        """What a spec page needs to be written: the academic calendar and the room legend."""
        if self.tables is None or self.rooms is None:
            return None
        return SemesterContext(
            semester=self.semester, academic_year_start=self.academic_year_start, tables=self.tables,
            rooms=self.rooms, programme_years=self.programme_years, site_dir=str(self.build.site_dir),
            staging=str(self.build.path), dtstamp=self.started.strftime("%Y%m%dT%H%M%SZ"))

    def _page_written(self, code: str, result) -> None:
        self.site_writers.page_written(code)
        self.spec_records[code] = result.record
        self.changes[code] = result.changes
        self.build.count(written=result.files_written, kept=result.files_kept)
        if len(self.spec_records) % 10 == 0:
            logger.info("Wrote %d of %d spec pages", len(self.spec_records), len(self.listings))

    def _page_not_written(self, code: str, error: BaseException) -> None:
        """A bug, not bad input: reported, and nothing is published."""
        logger.warning("Writing spec page %s failed", code, exc_info=error)  # the run's ERROR names it
        self.failures.append(PageFailure(url=code, reason=repr(error), kind="writing"))

    async def close_spider(self):
        if self.build is None:
            return
        try:
            await self._build_site()
        except Exception as error:  # a bug or a full disk: nothing may be published
            logger.warning("Building the site failed", exc_info=True)  # the run's ERROR names it
            self.build_errors.append(f"building the site failed: {error!r}")
        finally:
            self.jobs.close()
            self.site_writers.close()

    async def _build_site(self) -> None:
        await self.jobs.finish()
        if self.jobs.waiting:
            missing = [name for name, value in (("academic calendar", self.tables),
                                                ("room legend", self.rooms)) if value is None]
            logger.warning("%d spec pages not written: no %s", len(self.jobs.waiting), " and no ".join(missing))
            return
        if not self.spec_records:
            return
        self.kept = keep_previous_versions(self.failures, set(self.spec_records), self.build, self.semester)
        self.spec_records.update(self.kept.records)
        site = CrawledSite(semester=self.semester, academic_year=self.academic_year, started=self.started,
                           tables=self.tables, rooms=self.rooms, listings=self.listings,
                           records=self.spec_records, changes=self.changes,
                           finished=datetime.now(timezone.utc), settings=self.crawler.settings)
        self.written_counts = self.site_writers.write(self.build, site)
        self.build.flush()

    def published_counts(self) -> dict[str, int]:
        """What the new site would hold, spec pages kept from the last run included."""
        counts = {"specializations_listed": len(self.listings), "spec_pages": len(self.spec_records),
                  "spec_pages_written": len(self.spec_records) - len(self.kept.records),
                  "spec_pages_kept_from_last_run": len(self.kept.records),
                  "spec_pages_without_calendars": len(self.kept.without_calendars),
                  "groups": 0, "calendars": 0, "events": 0}
        for record in self.spec_records.values():
            for key, value in json_data.record_counts(record).items():
                counts[key] += value
        return counts | self.written_counts

    def spider_closed(self, spider, reason):
        if self.build is None:  # refused before crawling
            return
        report = RunReport(
            semester=self.semester, started=self.started, finish_reason=reason, counts=self.published_counts(),
            first_teaching_day=calendar_rules.first_teaching_day(self.tables or {}, self.semester),
            failures=self.failures, page_problems=page_problems(self.failures, self.kept),
            build_errors=self.build_errors, unwritten=len(self.jobs.waiting), warnings=self.build.warnings)
        try:
            self.outcome.conclude(self.build, report)
        finally:
            self.build.close()
