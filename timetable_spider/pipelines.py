"""Item pipelines: dedupe the specializations, then build the site and publish it whole.

DedupeSpecializationsPipeline is the cleaning step. PublishSitePipeline converts: it hands
each spec page to the writers (spec_pages.py) as soon as the academic calendar and the room
legend are known, runs the whole-site writers (writers/site_writers.py) at the end, builds all
of it in a staging directory, and publishes it when the crawl finished and nothing blocking failed.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime, timezone
from functools import partial

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured

from timetable_spider import run_status, site_paths
from timetable_spider.items import (
    AcademicCalendar, PageFailure, RoomLegend, SpecializationListing, Timetable, tables_by_key)
from timetable_spider.publishing import PublishingRefused, SiteBuild, write_atomically
from timetable_spider.spec_pages import SemesterContext, write_spec_page
from timetable_spider.worker_processes import run_here, worker_pool
from timetable_spider.writers import CrawledSite, json_data
from timetable_spider.writers.site_writers import SiteWriters

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
    """Builds the site in a staging directory and publishes it on spider_closed.

    Spec pages are written by PUBLISH_WORKERS worker processes (spec_pages.py) as soon as the
    academic calendar and the room legend are in, so writing overlaps downloading and uses
    every core; with PUBLISH_WORKERS = 0 they are written in this process. The whole-site writers
    (writers/site_writers.py) hear of each page written, and write at the end.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.site_dir = settings.get("SITE_DIR")
        if not self.site_dir:
            raise NotConfigured("SITE_DIR is empty: there is nowhere to publish the site")
        self.max_shrink = settings.getfloat("PUBLISH_MAX_SHRINK")
        self.allow_shrink = settings.getbool("PUBLISH_ALLOW_SHRINK")
        self.workers = settings.getint("PUBLISH_WORKERS")
        self.listings: list[SpecializationListing] = []
        self.failures: list[PageFailure] = []
        self.pending: list[Timetable] = []
        self.jobs: dict[str, Future] = {}  # code -> its SpecPageResult
        self.results_taken: set[str] = set()  # codes whose job's result is in
        self.spec_records: dict[str, dict] = {}  # code -> what data/<CODE>.json holds
        self.changes: dict[str, list[dict]] = {}  # code -> what changed since the last crawl
        self.kept_previous: list[str] = []  # failed spec pages whose last published version is kept
        self.without_calendars: dict[str, str] = {}  # failed spec pages with none to keep -> why
        self.build_errors: list[str] = []  # exceptions while building the site: bugs, a full disk
        self.written_counts: dict[str, int] = {}  # what the whole-site writers wrote, for status.json
        self.tables = None
        self.rooms: dict[str, str] | None = None
        self.build: SiteBuild | None = None
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self):
        spider = self.crawler.spider
        self.semester = spider.semester
        self.academic_year_start = spider.academic_year_start
        self.programme_years = spider.programme_years
        self.started = datetime.now(timezone.utc)
        try:
            self.build = SiteBuild(self.site_dir)
        except PublishingRefused as refusal:  # before any request: nothing is crawled or touched
            logger.error("%s (outcome: %s)", refusal, refusal.outcome)
            self.crawler.stats.set_value("timetable_spider/outcome", refusal.outcome)
            raise CloseSpider(f"publishing_{refusal.outcome}") from None
        self.loop = asyncio.get_running_loop()  # the crawl's, where the workers' results are taken
        # started now, so the workers are up by the time the first spec page arrives
        self.pool = worker_pool(self.workers) if self.workers else None
        self.site_writers = SiteWriters(self.build.site_dir, self.build.path, self.academic_year_start,
                                        own_process=bool(self.workers))

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
        elif isinstance(item, Timetable):
            self.pending.append(item)
        self._start_pending()
        return item

    def _start_pending(self) -> None:
        """Spec pages wait only until both the academic calendar and the room legend are in."""
        if self.tables is None or self.rooms is None or not self.pending:
            return
        context = SemesterContext(
            semester=self.semester, academic_year_start=self.academic_year_start, tables=self.tables,
            rooms=self.rooms, programme_years=self.programme_years, site_dir=str(self.build.site_dir), staging=str(self.build.path),
            dtstamp=self.started.strftime("%Y%m%dT%H%M%SZ"))
        for timetable in self.pending:
            job = self.pool.submit(write_spec_page, timetable, context) if self.pool \
                else run_here(write_spec_page, timetable, context)
            self.jobs[timetable.code] = job
            job.add_done_callback(partial(self._written_in_worker, timetable.code))
        self.pending.clear()

    def _written_in_worker(self, code: str, job: Future) -> None:
        """In the worker pool's thread: the result is taken in the crawl's."""
        self.loop.call_soon_threadsafe(self._take_result, code, job)

    def _take_result(self, code: str, job: Future) -> None:
        """A spec page's result, taken as soon as its worker is done, so that what needs it is
        done while the crawl still downloads."""
        if code in self.results_taken:
            return
        self.results_taken.add(code)
        try:
            result = job.result()
        except Exception as error:  # a bug, not bad input: report it, publish nothing
            logger.error("Writing spec page %s failed", code, exc_info=error)
            self.failures.append(PageFailure(url=code, reason=repr(error), kind="writing"))
            return
        self.site_writers.page_written(code)
        self.spec_records[code] = result.record
        self.changes[code] = result.changes
        self.build.files_written += result.files_written
        self.build.files_kept += result.files_kept
        if len(self.results_taken) % 10 == 0:
            logger.info("Wrote %d of %d spec pages", len(self.results_taken), len(self.listings))

    async def close_spider(self):
        if self.build is None:
            return
        try:
            await self._build_site()
        except Exception as error:  # a bug or a full disk: nothing may be published
            logger.exception("Building the site failed")
            self.build_errors.append(f"building the site failed: {error!r}")
        finally:
            if self.pool:
                self.pool.shutdown()
            self.site_writers.close()

    async def _build_site(self) -> None:
        for code, job in self.jobs.items():
            await asyncio.wait([asyncio.wrap_future(job)])
            self._take_result(code, job)
        if self.pool:  # done: their memory is free for the end of the crawl
            self.pool.shutdown(wait=False)
        if self.pending:
            missing = [name for name, value in (("academic calendar", self.tables),
                                                ("room legend", self.rooms)) if value is None]
            logger.error("%d spec pages not written: no %s", len(self.pending), " and no ".join(missing))
            return
        if not self.spec_records:
            return
        self._keep_previous_versions()
        site = CrawledSite(semester=self.semester, academic_year=self.academic_year, started=self.started,
                           tables=self.tables, rooms=self.rooms, listings=self.listings,
                           records=self.spec_records, changes=self.changes,
                           finished=datetime.now(timezone.utc), settings=self.crawler.settings)
        self.written_counts = self.site_writers.write(self.build, site)
        self.build.flush()

    def _keep_previous_versions(self) -> None:
        """A spec page that failed keeps its last published calendars and data, if they are of
        this semester; otherwise it has no calendars this run (never last semester's)."""
        for failure in self.failures:
            if failure.kind != "timetable" or not failure.code or failure.code in self.spec_records:
                continue
            data_path = site_paths.data_file_name(failure.code)
            record = json_data.load_spec_record(self.build.read_published(data_path))
            if record is None or record["semester"] != self.semester:
                why = "no version of it was published before" if record is None else \
                    f"its last published version is of semester {record['semester']}"
                self.without_calendars[failure.code] = why
                logger.warning("%s has no calendars this run: it failed (%s), and %s",
                               failure.code, failure.url, why)
                continue
            files = [f"{record['directory']}/{c['file']}" for c in json_data.record_calendars(record)]
            timetable_path = site_paths.timetable_file_name(failure.code)
            for path in [data_path, *files, *[timetable_path] * self.build.is_published(timetable_path)]:
                self.build.keep_published(path)
            self.spec_records[failure.code] = record
            self.kept_previous.append(failure.code)
            logger.warning("Kept the last published version of %s (%d calendars): %s could not be fetched",
                           failure.code, len(files), failure.url)

    def published_counts(self) -> dict[str, int]:
        """What the new site would hold, spec pages kept from the last run included."""
        counts = {"specializations_listed": len(self.listings), "spec_pages": len(self.spec_records),
                  "spec_pages_written": len(self.spec_records) - len(self.kept_previous),
                  "spec_pages_kept_from_last_run": len(self.kept_previous),
                  "spec_pages_without_calendars": len(self.without_calendars),
                  "groups": 0, "calendars": 0, "events": 0}
        for record in self.spec_records.values():
            for key, value in json_data.record_counts(record).items():
                counts[key] += value
        return counts | self.written_counts

    def spider_closed(self, spider, reason):
        if self.build is None:  # refused before crawling
            return
        try:
            self._publish_or_keep_the_old_site(reason)
        finally:
            self.build.close()

    def _publish_or_keep_the_old_site(self, reason: str) -> None:
        """The outcome is "published" or "partial" only once the new site is in place."""
        counts = self.published_counts()
        previous = run_status.last_published(self.build.read_published(STATUS_FILE))
        blocking = self._blocking_problems(reason, counts, previous)
        page_problems = [
            f"{f.kind} page {f.url}: {f.reason}; its last published version was kept" if f.code in self.kept_previous
            else f"{f.kind} page {f.url}: {f.reason}; it has no calendars this run ({self.without_calendars[f.code]})"
            for f in self.failures if f.code in self.kept_previous or f.code in self.without_calendars]

        def status(outcome: str, problems: list[str]) -> bytes:
            return json_data.dumps(run_status.status_document(
                outcome=outcome, semester=self.semester, started=self.started.isoformat(timespec="seconds"),
                finished=datetime.now(timezone.utc).isoformat(timespec="seconds"), finish_reason=reason,
                problems=problems, counts=counts, previous=previous,
                failed_pages=[{"url": f.url, "kind": f.kind, "reason": f.reason} for f in self.failures]))

        if not blocking:
            outcome = "partial" if page_problems else "published"
            try:
                self.build.write(STATUS_FILE, status(outcome, page_problems))
                self.build.publish()
            except Exception as error:  # a failing swap or a full disk: the old site stays
                logger.exception("Publishing the new site failed")
                blocking.append(f"publishing failed: {error!r}")
            else:
                self._report(outcome, counts)
                logger.info("Published %d calendars (%d events) for %d spec pages, and the calendars of "
                            "%d teachers, %d rooms and %d subjects, to %s (%d files new or changed, %d unchanged)",
                            counts["calendars"], counts["events"], counts["spec_pages"], counts.get("teachers", 0),
                            counts.get("rooms", 0), counts.get("subjects", 0), self.build.site_dir,
                            self.build.files_written, self.build.files_kept)
                if page_problems:
                    logger.error("Published, but not everything is fresh:\n  %s", "\n  ".join(page_problems))
                return
        self.build.discard()
        self._report("failed", counts)
        logger.error("Nothing published; %s keeps its previous content. Problems:\n  %s",
                     self.build.site_dir, "\n  ".join(blocking))
        try:
            write_atomically(self.build.site_dir / STATUS_FILE, status("failed", blocking + page_problems),
                             self.build.site_dir.parent)
        except OSError:
            logger.exception("Could not write %s either", STATUS_FILE)

    def _blocking_problems(self, reason: str, counts: dict[str, int], previous: dict | None) -> list[str]:
        """What stops this crawl from being published at all."""
        blocking = [f"{f.kind} page {f.url}: {f.reason}" for f in self.failures if f.kind != "timetable"]
        blocking += self.build_errors
        if reason != "finished":
            blocking.append(f"the crawl ended early ({reason})")
        if self.pending:
            blocking.append(f"{len(self.pending)} spec pages could not be dated")
        if not counts["calendars"]:
            blocking.append("no calendars were produced")
        if not self.allow_shrink:
            blocking += run_status.shrink_problems(counts, (previous or {}).get("counts"), self.max_shrink)
        return blocking

    def _report(self, outcome: str, counts: dict[str, int]) -> None:
        stats = self.crawler.stats
        stats.set_value("timetable_spider/outcome", outcome)
        stats.set_value("timetable_spider/calendars", counts["calendars"])

