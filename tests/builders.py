"""Items built by hand, and the publishing pipeline run over them in-process, for tests that need
a real published site without a crawl."""
from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path

from tests.crawling import project_crawler
from tests.saved_pages import FIXTURES, saved_response
from timetable_spider.items import (
    AcademicCalendar, CalendarTable, Group, RoomLegend, SpecializationListing, Timetable, TimetableEntry)
from timetable_spider.parsing.academic_calendar import parse_academic_calendar
from timetable_spider.pipelines import PublishSitePipeline
from timetable_spider.spiders.schedules import SchedulesSpider

CALENDAR_URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
LEGEND = RoomLegend(url="https://example.invalid/legenda.html", rooms={"2/I": "Cladirea Centrala"})


@lru_cache(maxsize=None)
def academic_calendar() -> AcademicCalendar:
    """The saved 2025-2026 academic calendar, as the spider yields it."""
    year, tables = parse_academic_calendar(saved_response(FIXTURES / "site" / "academic_calendar.html",
                                                          CALENDAR_URL))
    return AcademicCalendar(url=CALENDAR_URL, academic_year=year,
                            tables=[CalendarTable(line, key, periods) for (line, key), periods in tables.items()])


def entry(subject: str = "Algebra", *, day: str = "Luni", start: str = "08:00", end: str = "10:00",
          room: str = "2/I", formation: str = "Y1", kind: str = "Curs", teacher: str = "Prof. ALFA Ana",
          frequency: str = "") -> TimetableEntry:
    """A row as the parser gives it, with the codes its links would have (code_of its texts)."""
    return TimetableEntry(day=day, start=start, end=end, frequency=frequency, room=room,
                          formation=formation, kind=kind, subject=subject, teacher=teacher,
                          room_code=code_of(room), subject_code=code_of(subject), teacher_code=code_of(teacher))


def listing(code: str, name: str, year: int = 1, semester: str = "2025-2") -> SpecializationListing:
    return SpecializationListing(code=code, name=name, year=year, degree="bachelor",
                                 url=f"https://www.cs.ubbcluj.ro/files/orar/{semester}/tabelar/{code}.html")


def spec_items(specs: list[tuple[SpecializationListing, list[Group]]]) -> list:
    """The listing and the timetable a crawl yields for each spec page."""
    items = []
    for spec, groups in specs:
        items += [spec, Timetable(code=spec.code, name=spec.name, year=spec.year, degree=spec.degree,
                                  url=spec.url, groups=groups)]
    return items


def spider_crawler(semester: str = "2025-2", **settings):
    crawler = project_crawler(SchedulesSpider, **settings)
    crawler.spider = crawler._create_spider(semester=semester)
    return crawler


def run_pipeline(site: Path, items: list, *, semester: str = "2025-2", reason: str = "finished", **settings):
    """PublishSitePipeline over a crawl's items, as Scrapy drives it; returns the crawler (its stats
    say the outcome). The room legend and the academic calendar come first unless items has them."""
    crawler = spider_crawler(semester, SITE_DIR=str(site), PUBLISH_WORKERS=0, **settings)
    if not any(isinstance(item, (RoomLegend, AcademicCalendar)) for item in items):
        items = [LEGEND, academic_calendar(), *items]
    asyncio.run(drive_pipeline(PublishSitePipeline.from_crawler(crawler), items, reason))
    return crawler


async def drive_pipeline(pipeline: PublishSitePipeline, items: list, reason: str = "finished") -> None:
    """The pipeline's calls in a crawl's order, on a running event loop as in a crawl."""
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item)
    await pipeline.close_spider()
    pipeline.spider_closed(pipeline.crawler.spider, reason)


def outcome(crawler) -> str | None:
    return crawler.stats.get_value("timetable_spider/outcome")


def group(name: str, *entries: TimetableEntry) -> Group:
    return Group(name=name, entries=list(entries) or [entry(formation=name)])


LINKED_COLUMNS = {3: "sali", 6: "disc", 7: "cadre"}  # room, subject and teacher link to the faculty's pages


def code_of(text: str) -> str:
    """The code a test page gives a room, subject or teacher: its text with dashes for the rest."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def table_row(*cells: str) -> str:
    """A timetable row; as on the real site, a full row's room, subject and teacher cells are links."""
    if len(cells) == 8:
        cells = tuple(f'<a href="../{LINKED_COLUMNS[n]}/{code_of(cell)}.html">{cell}</a>'
                      if n in LINKED_COLUMNS and code_of(cell) else cell for n, cell in enumerate(cells))
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"
