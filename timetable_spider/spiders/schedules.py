"""The `schedules` spider: navigates the timetable site and the academic calendar, yields items.

Everything is requested once and concurrently: the index, the room legend and the academic
calendar at once, then every spec page as soon as the index names it.
"""
from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from timetable_spider import calendar_rules
from timetable_spider.items import AcademicCalendar, CalendarTable, PageFailure, RoomLegend, Timetable
from timetable_spider.parsing.academic_calendar import CalendarLayoutError, parse_academic_calendar
from timetable_spider.parsing.timetable_pages import parse_index, parse_room_legend, parse_timetable_page


class SchedulesSpider(scrapy.Spider):
    name = "schedules"

    def __init__(self, semester: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.semester = semester or calendar_rules.default_semester(date.today())
        self.academic_year_start, self.semester_number = calendar_rules.parse_semester(self.semester)

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.get("HTTPCACHE_DIR"):
            # beside the site, so cron, Scrapyd and the command line share one cache wherever they run
            site = Path(settings.get("SITE_DIR")).absolute()
            settings.set("HTTPCACHE_DIR", str(site.parent / f".{site.name}-httpcache"), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        root = settings.get("TIMETABLE_ROOT").rstrip("/")
        spider.index_url = f"{root}/{spider.semester}/tabelar/index.html"
        spider.legend_url = f"{root}/{spider.semester}/sali/legenda.html"
        spider.academic_calendar_url = settings.get("ACADEMIC_CALENDAR_URL")
        spider.final_year_variant = settings.getint("FINAL_YEAR_VARIANT")
        spider.programme_years = (settings.getdict("PROGRAMME_YEARS"), settings.getdict("PROGRAMME_YEARS_BY_NAME"))
        return spider

    async def start(self):
        self.logger.info("Crawling semester %s from %s", self.semester, self.index_url)
        yield scrapy.Request(self.index_url, self.parse_index, errback=self.page_failed,
                             meta={"page_kind": "index"})
        yield scrapy.Request(self.legend_url, self.parse_legend, errback=self.page_failed,
                             meta={"page_kind": "legend"})
        yield scrapy.Request(self.academic_calendar_url, self.parse_academic_calendar,
                             errback=self.page_failed, meta={"page_kind": "academic calendar"})

    def parse_index(self, response: Response):
        response = self._readable(response)
        listings = parse_index(response, response.url)
        if not listings:
            yield self._failure(response.url, "index", "no specialization links found on the index")
            return
        self.crawler.stats.set_value("timetable_spider/specializations_listed", len(listings))
        self._check_programme_lengths(listings)
        for listing in listings:
            yield listing
            yield response.follow(listing.url, self.parse_timetable, errback=self.page_failed,
                                  cb_kwargs={"listing": listing}, meta={"page_kind": "timetable"})

    def parse_timetable(self, response: Response, listing):
        response = self._readable(response)
        title, groups, problems = parse_timetable_page(response)
        for problem in problems:
            if problem.kept:
                self.logger.warning("On %s: %s", response.url, problem)
                self.crawler.stats.inc_value("timetable_spider/unlinked_cells")
            else:
                self.logger.warning("Skipped on %s: %s", response.url, problem)
                self.crawler.stats.inc_value("timetable_spider/skipped_parts")
        if not groups:
            yield self._failure(response.url, "timetable layout", "no group tables found on the page")
            return
        yield Timetable(code=listing.code, name=listing.name, year=listing.year,
                        degree=listing.degree, url=response.url, groups=groups)

    def parse_legend(self, response: Response):
        response = self._readable(response)
        rooms = parse_room_legend(response)
        if not rooms:
            self.logger.warning("The room legend %s lists no rooms; locations will be room codes only",
                                response.url)
        yield RoomLegend(url=response.url, rooms=rooms)

    def parse_academic_calendar(self, response: Response):
        response = self._readable(response)
        try:
            academic_year, tables = parse_academic_calendar(response, self.final_year_variant)
        except CalendarLayoutError as error:
            yield self._failure(response.url, "academic calendar", str(error))
            return
        expected = f"{self.academic_year_start}-{self.academic_year_start + 1}"
        if academic_year != expected:
            yield self._failure(response.url, "academic calendar",
                                f"it is for academic year {academic_year}, but semester "
                                f"{self.semester} belongs to {expected}")
            return
        yield AcademicCalendar(url=response.url, academic_year=academic_year,
                               tables=[CalendarTable(line, key, periods) for (line, key), periods in tables.items()])

    def _check_programme_lengths(self, listings) -> None:
        """A year beyond a programme's length means PROGRAMME_YEARS is out of date: its final year is wrong."""
        for listing in listings:
            length = calendar_rules.programme_years(listing.degree, listing.name, *self.programme_years)
            if listing.year > length:
                self.logger.warning(
                    "The index lists %s year %d (%s), but PROGRAMME_YEARS gives it %d years, so its final "
                    "year is taken to be year %d: add a pattern to PROGRAMME_YEARS_BY_NAME",
                    listing.name, listing.year, listing.code, length, length)

    def _readable(self, response: Response) -> TextResponse:
        """The page as HTML text in the encoding its bytes are really in, with problems reported.

        A server that sends the wrong Content-Type gets a response class that cannot be parsed as
        HTML; the pages are HTML whatever it says. Every byte decodes as ISO-8859-2, so a page that
        says ISO-8859-2 but was saved as UTF-8 (a browser-edited copy) decodes without error into
        nonsense: its multi-byte UTF-8 sequences give it away. Undecodable bytes are reported, not guessed at.
        """
        if not isinstance(response, HtmlResponse):
            response = HtmlResponse(url=response.url, headers=response.headers, body=response.body,
                                    request=response.request, status=response.status)
        declared = codecs.lookup(response.encoding).name
        if declared != "utf-8" and not response.body.isascii() and _is_utf8(response.body):
            self.logger.warning("%s declares %s, but its bytes are UTF-8; read as UTF-8", response.url, declared)
            self.crawler.stats.inc_value("timetable_spider/encoding_problems")
            response = response.replace(encoding="utf-8")
        undecodable = response.text.count("\ufffd")
        if undecodable:
            self.logger.warning("%s: %d characters do not decode as %s, the encoding the page declares; "
                                "they show as \ufffd", response.url, undecodable, response.encoding)
            self.crawler.stats.inc_value("timetable_spider/encoding_problems")
        return response

    def page_failed(self, failure: Failure):
        response = getattr(failure.value, "response", None)
        reason = failure.getErrorMessage() or failure.type.__name__
        if failure.check(IgnoreRequest) and "robots.txt" in reason:  # RobotsTxtMiddleware's refusal
            reason = "disallowed by robots.txt"
        status = None
        if response is not None:
            status = response.status
            reason = f"HTTP {status}"
            if failure.request.meta.get("page_kind") == "index" and status == 404:
                reason += f" (is there a timetable for semester {self.semester}?)"
        yield self.failed_page(failure.request, reason, status)

    def failed_page(self, request: scrapy.Request, reason: str, status: int | None = None) -> PageFailure:
        """A page that could not be fetched, or whose callback raised (middlewares.CallbackErrorsAsFailedPages)."""
        listing = request.cb_kwargs.get("listing")
        return self._failure(request.url, request.meta.get("page_kind", "page"), reason,
                             code=listing.code if listing else "", status=status)

    def _failure(self, url: str, kind: str, reason: str, code: str = "", status: int | None = None) -> PageFailure:
        # A warning: whether it is an error is the run's to decide (run_outcome), which logs the one
        # ERROR of a failed or partial run. Between semesters the index and the legend answer 404
        # every day, and the academic calendar is last year's, and that is no error at all.
        self.logger.warning("Failed %s page %s: %s", kind, url, reason)
        self.crawler.stats.inc_value(f"timetable_spider/failed_pages/{kind}")
        return PageFailure(url=url, reason=reason, kind=kind, code=code, status=status)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
