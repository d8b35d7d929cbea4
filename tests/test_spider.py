"""The spider's callbacks, called directly on saved responses: no network, no engine."""
from __future__ import annotations

import asyncio
import json

import pytest
from freezegun import freeze_time
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.serialize import ScrapyJSONEncoder
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from tests.crawling import project_crawler
from tests.saved_pages import FIXTURES, saved_response
from timetable_spider.calendar_rules import ROMANIAN, SEMESTER_2_FINAL_YEARS
from timetable_spider.items import (
    AcademicCalendar, PageFailure, RoomLegend, SpecializationListing, Timetable, tables_by_key)
from timetable_spider.spiders.schedules import SchedulesSpider

ROOT = "https://www.cs.ubbcluj.ro/files/orar"
CALENDAR_URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
SETTINGS = {"TIMETABLE_ROOT": ROOT + "/", "ACADEMIC_CALENDAR_URL": CALENDAR_URL, "FINAL_YEAR_VARIANT": 1}


def make_spider(semester: str | None = "2025-2", **settings) -> SchedulesSpider:
    crawler = project_crawler(SchedulesSpider, **{**SETTINGS, **settings})
    if semester is None:
        return SchedulesSpider.from_crawler(crawler)
    return SchedulesSpider.from_crawler(crawler, semester=semester)


@pytest.fixture
def spider() -> SchedulesSpider:
    return make_spider("2025-2")


def stats(spider: SchedulesSpider) -> dict:
    return spider.crawler.stats.get_stats()


def ie2_listing() -> SpecializationListing:
    return SpecializationListing(code="IE2", name="Informatica - in limba engleza", year=2,
                                 degree="bachelor", url=f"{ROOT}/2025-2/tabelar/IE2.html")


# --- construction -------------------------------------------------------------------------

def test_urls_come_from_settings_and_semester(spider):
    assert spider.semester == "2025-2"
    assert (spider.academic_year_start, spider.semester_number) == (2025, 2)
    assert spider.index_url == f"{ROOT}/2025-2/tabelar/index.html"
    assert spider.legend_url == f"{ROOT}/2025-2/sali/legenda.html"
    assert spider.academic_calendar_url == CALENDAR_URL
    assert spider.final_year_variant == 1


def test_create_spider_through_the_crawler():
    crawler = get_crawler(SchedulesSpider, SETTINGS)
    spider = crawler._create_spider(semester="2025-1")
    assert spider.index_url == f"{ROOT}/2025-1/tabelar/index.html"


def test_a_bad_semester_argument_is_refused():
    with pytest.raises(ValueError, match="semester must look like"):
        make_spider("2025-3")


@freeze_time("2026-03-01")
def test_without_semester_argument_the_current_one_is_crawled():
    spider = make_spider(None)
    assert spider.semester == "2025-2"
    assert spider.index_url == f"{ROOT}/2025-2/tabelar/index.html"


@freeze_time("2025-10-15")
def test_without_semester_argument_in_october():
    assert make_spider(None).semester == "2025-1"


@freeze_time("2026-01-20")
def test_without_semester_argument_in_january():
    assert make_spider(None).semester == "2025-1"


def test_start_requests_the_three_entry_pages(spider):
    async def collect():
        return [request async for request in spider.start()]

    requests = asyncio.run(collect())
    assert [(r.url, r.meta["page_kind"]) for r in requests] == [
        (f"{ROOT}/2025-2/tabelar/index.html", "index"),
        (f"{ROOT}/2025-2/sali/legenda.html", "legend"),
        (CALENDAR_URL, "academic calendar"),
    ]
    assert [r.callback for r in requests] == [
        spider.parse_index, spider.parse_legend, spider.parse_academic_calendar]
    assert all(r.errback == spider.page_failed for r in requests)


# --- index --------------------------------------------------------------------------------

@pytest.fixture
def index_output(spider):
    response = saved_response(FIXTURES / "site" / "index.html", spider.index_url)
    return list(spider.parse_index(response))


def test_parse_index_yields_71_listings(index_output):
    listings = [item for item in index_output if isinstance(item, SpecializationListing)]
    assert len(listings) == 71
    assert (listings[0].code, listings[-1].code) == ("M1", "StEduIDm2")


def test_parse_index_yields_71_requests(index_output):
    requests = [item for item in index_output if isinstance(item, Request)]
    assert len(requests) == 71
    assert len(index_output) == 142


def test_each_request_follows_its_listing(spider, index_output):
    pairs = list(zip(index_output[::2], index_output[1::2]))
    for listing, request in pairs:
        assert request.url == listing.url
        assert request.cb_kwargs == {"listing": listing}
        assert request.callback == spider.parse_timetable
        assert request.errback == spider.page_failed
        assert request.meta["page_kind"] == "timetable"
    assert pairs[29][1].url == f"{ROOT}/2025-2/tabelar/IE2.html"


def test_parse_index_counts_listings(spider, index_output):
    assert stats(spider)["timetable_spider/specializations_listed"] == 71


def test_an_index_without_links_is_a_failure(spider):
    response = HtmlResponse(url=spider.index_url, body=b"<html><body>Mentenanta</body></html>",
                            encoding="utf-8")
    assert list(spider.parse_index(response)) == [PageFailure(
        url=spider.index_url, reason="no specialization links found on the index", kind="index")]


def test_a_year_beyond_the_programme_length_is_reported(spider, caplog):
    index = (b'<table><tr><th>Studii Licenta</th></tr><tr><td>Informatica - in limba engleza</td>'
             b'<td><a href="IE3.html">Anul 3</a></td><td><a href="IE4.html">Anul 4</a></td></tr></table>')
    list(spider.parse_index(HtmlResponse(url=spider.index_url, body=index, encoding="utf-8")))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["The index lists Informatica - in limba engleza year 4 (IE4), but PROGRAMME_YEARS "
                        "gives it 3 years, so its final year is taken to be year 3: add a pattern to "
                        "PROGRAMME_YEARS_BY_NAME"]


def test_the_saved_index_fits_the_default_programme_lengths(caplog, spider):
    list(spider.parse_index(saved_response(FIXTURES / "site" / "index.html", spider.index_url)))
    assert not [r for r in caplog.records if "PROGRAMME_YEARS" in r.getMessage()]


def test_programme_patterns_can_be_given_as_json_on_the_command_line():
    spider = make_spider(PROGRAMME_YEARS_BY_NAME='{"bachelor": {"4 ani": 4, "artificiala": 4}}')
    assert spider.programme_years[1] == {"bachelor": {"4 ani": 4, "artificiala": 4}}


# --- spec pages ---------------------------------------------------------------------------

def test_parse_timetable_yields_a_timetable(spider):
    listing = ie2_listing()
    response = saved_response(FIXTURES / "site" / "IE2.html", listing.url)
    [item] = list(spider.parse_timetable(response, listing=listing))
    assert isinstance(item, Timetable)
    assert (item.code, item.name, item.year, item.degree, item.url) == (
        "IE2", "Informatica - in limba engleza", 2, "bachelor", listing.url)
    assert [group.name for group in item.groups] == ["921", "922", "923", "924", "925", "926", "927"]
    assert item.groups[0].entries[0].subject == "Sisteme de gestiune a bazelor de date"
    assert "timetable_spider/skipped_parts" not in stats(spider)


def test_parse_timetable_counts_skipped_rows(spider):
    listing = ie2_listing()
    body = (b"<html><body><h1>Grupa 921</h1><table>"
            b"<tr><td>Luni</td><td>8-10</td><td></td><td>2/I</td><td>IE2</td><td>Curs</td><td>A</td><td>T</td></tr>"
            b"<tr><td>Luni</td><td>abc</td><td></td><td>2/I</td><td>IE2</td><td>Curs</td><td>B</td><td>T</td></tr>"
            b"</table></body></html>")
    response = HtmlResponse(url=listing.url, body=body, encoding="iso-8859-2")
    [item] = list(spider.parse_timetable(response, listing=listing))
    assert [e.subject for e in item.groups[0].entries] == ["A"]
    assert stats(spider)["timetable_spider/skipped_parts"] == 1


def test_a_spec_page_without_groups_is_a_failure(spider):
    listing = ie2_listing()
    response = HtmlResponse(url=listing.url, body=b"<html><body><h1>Orar</h1></body></html>",
                            encoding="utf-8")
    [item] = list(spider.parse_timetable(response, listing=listing))
    assert isinstance(item, PageFailure)
    assert (item.url, item.reason) == (listing.url, "no group tables found on the page")
    assert item.kind == "timetable layout"


# --- legend -------------------------------------------------------------------------------

def test_parse_legend(spider):
    response = saved_response(FIXTURES / "site" / "legenda.html", spider.legend_url)
    [item] = list(spider.parse_legend(response))
    assert isinstance(item, RoomLegend)
    assert item.url == spider.legend_url
    assert len(item.rooms) == 63
    assert item.rooms["2/I"] == "Sala Nicolae Iorga, Cladirea Centrala, etaj 1 (Str. M. Kogalniceanu)"


# --- academic calendar --------------------------------------------------------------------

def test_parse_academic_calendar(spider):
    response = saved_response(FIXTURES / "site" / "academic_calendar.html", CALENDAR_URL)
    [item] = list(spider.parse_academic_calendar(response))
    assert isinstance(item, AcademicCalendar)
    assert (item.url, item.academic_year) == (CALENDAR_URL, "2025-2026")
    assert len(item.tables) == 6


def test_the_academic_calendar_item_exports_as_json(spider):
    # Scrapyd's feed export writes every item as JSON; a dict with tuple keys would not serialize
    response = saved_response(FIXTURES / "site" / "academic_calendar.html", CALENDAR_URL)
    [item] = list(spider.parse_academic_calendar(response))
    exported = json.loads(ScrapyJSONEncoder().encode(item))
    assert exported["academic_year"] == "2025-2026"
    assert [(t["study_line"], t["table"]) for t in exported["tables"]][:3] == [
        ("romanian", "semester_1"), ("romanian", "semester_2"), ("romanian", "semester_2_final_years")]
    assert exported["tables"][1]["periods"][0]["start"] == "2026-02-23"


def test_academic_calendar_of_another_year_is_a_failure():
    spider = make_spider("2026-1")
    response = saved_response(FIXTURES / "site" / "academic_calendar.html", CALENDAR_URL)
    assert list(spider.parse_academic_calendar(response)) == [PageFailure(
        url=CALENDAR_URL, kind="academic calendar",
        reason="it is for academic year 2025-2026, but semester 2026-1 belongs to 2026-2027")]
    assert stats(spider)["timetable_spider/failed_pages/academic calendar"] == 1


def test_academic_calendar_in_an_unknown_layout_is_a_failure(spider):
    response = saved_response(FIXTURES / "other" / "faculty-structura-anului-2019-2020.html", CALENDAR_URL)
    [item] = list(spider.parse_academic_calendar(response))
    assert isinstance(item, PageFailure)
    assert item.kind == "academic calendar"
    assert item.reason.startswith("academic calendar layout not recognised: no table found for romanian semester_1")


@pytest.mark.parametrize("variant, fourth_row", [(1, "sesiune de examene"),
                                                 (2, "preg\u0103tirea examenului de licen\u021b\u0103/"
                                                     "diserta\u021bie (activitate didactic\u0103)")])
def test_final_year_variant_setting_picks_the_table(variant, fourth_row):
    spider = make_spider("2026-2", FINAL_YEAR_VARIANT=variant)
    response = saved_response(FIXTURES / "other" / "academic_calendar_2026-2027-reconstructed.html",
                              CALENDAR_URL)
    [item] = list(spider.parse_academic_calendar(response))
    assert item.academic_year == "2026-2027"
    assert tables_by_key(item.tables)[(ROMANIAN, SEMESTER_2_FINAL_YEARS)][3].label == fourth_row


# --- download failures --------------------------------------------------------------------

def failure_for(request: Request, error: Exception) -> Failure:
    failure = Failure(error)
    failure.request = request
    return failure


def test_index_404_names_the_semester(spider):
    request = Request(spider.index_url, meta={"page_kind": "index"})
    response = HtmlResponse(url=spider.index_url, status=404, body=b"", request=request)
    [item] = list(spider.page_failed(failure_for(request, HttpError(response, "Ignoring non-200"))))
    assert item == PageFailure(url=spider.index_url, kind="index",
                               reason="HTTP 404 (is there a timetable for semester 2025-2?)", status=404)


def test_a_network_error_has_no_http_status(spider):
    request = Request(spider.index_url, meta={"page_kind": "index"})
    [item] = list(spider.page_failed(failure_for(request, DNSLookupError("no such host"))))
    assert item.status is None


def test_spec_page_network_error_names_the_code(spider):
    listing = ie2_listing()
    request = Request(listing.url, meta={"page_kind": "timetable"}, cb_kwargs={"listing": listing})
    [item] = list(spider.page_failed(failure_for(request, DNSLookupError("no such host"))))
    assert (item.url, item.kind, item.code) == (listing.url, "timetable", "IE2")
    assert "no such host" in item.reason
