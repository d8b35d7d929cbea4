"""The students' page between teaching weeks, in Debian's Chromium through Playwright: every
non-teaching period of the saved 2025-2026 academic calendar, for the Romanian line (IE2), the
Hungarian line (IM2) and final years (IE3, IM3), shown as what that time is, with the next
teaching week one tap away; and the academic-year calendar offered beside Download and Subscribe.

Semester II's periods are checked on a crawl of semester 2025-2, semester I's on one of 2025-1.
The page's "today" is frozen with Playwright's clock.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.crawling import run_crawl
from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 PublishedSite, launch_browser, now, playwright, published_site, wait_for_week)
from tests.page_server import PageServer
from tests.serving import ServeProcess
from tests.ubb_site import SimServer


@pytest.fixture(scope="module")
def semester_1_site(tmp_path_factory) -> PublishedSite:
    """The simulated site of semester 2025-1, crawled once, served like any static site."""
    tmp = tmp_path_factory.mktemp("page-site-2025-1")
    with SimServer("2025-1", latency=0.02, jitter=0.01) as sim:
        result = run_crawl(sim, semester="2025-1", site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
    assert result.returncode == 0, result.output[-3000:]
    with PageServer(tmp / "site") as server:
        yield PublishedSite(tmp / "site", server)


@pytest.fixture
def sites(published_site, semester_1_site):
    return {"2025-2": published_site, "2025-1": semester_1_site}


def open_on(page: Page, site: PublishedSite, code: str, day: str) -> None:
    """Opens the first group of code on the page as it is on day, at noon in Cluj."""
    group = site.timetable(code)["groups"][0]
    subgroup = group["calendars"][0]["subgroup"]
    page.clock.set_fixed_time(now(f"{day}T12:00:00+03:00"))
    page.goto(site.url(f"index.html?code={code}&group={group['name']}&subgroup={subgroup or 'all'}"))
    wait_for_week(page)


# (semester crawled, code, a day, what the week shows, the next teaching week's Monday and number or None)
BREAKS = [
    # Romanian line, semester II
    ("2025-2", "IE2", "2026-04-15", "Easter holiday, 13–19 April", ("2026-04-20", 8)),
    ("2025-2", "IE2", "2026-06-10", "Exam session, 8–28 June", None),
    ("2025-2", "IE2", "2026-07-01", "Holiday, 29 June – 5 July", None),
    ("2025-2", "IE2", "2026-07-08", "Retake session, 6–12 July", None),
    ("2025-2", "IE2", "2026-07-22", "Internship period, 13 July – 2 August", None),
    ("2025-2", "IE2", "2026-08-12", "Summer holiday: semester I begins on 28 September", None),
    # Hungarian line: its Easter is a week earlier
    ("2025-2", "IM2", "2026-04-08", "Easter holiday, 6–12 April", ("2026-04-13", 7)),
    ("2025-2", "IM2", "2026-06-10", "Exam session, 8–28 June", None),
    ("2025-2", "IM2", "2026-07-01", "Holiday, 29 June – 5 July", None),
    ("2025-2", "IM2", "2026-07-08", "Retake session, 6–12 July", None),
    ("2025-2", "IM2", "2026-07-22", "Internship period, 13 July – 2 August", None),
    ("2025-2", "IM2", "2026-08-12", "Summer holiday: semester I begins on 28 September", None),
    # final years: their own table
    ("2025-2", "IE3", "2026-04-15", "Easter holiday, 13–19 April", ("2026-04-20", 8)),
    ("2025-2", "IE3", "2026-05-27", "Exam session, 25 May – 7 June", None),
    ("2025-2", "IE3", "2026-06-10", "Retake session, 8–14 June", None),
    ("2025-2", "IE3", "2026-06-17", "Preparing the licence or dissertation exam, 15–28 June", None),
    ("2025-2", "IE3", "2026-07-01", "Licence or dissertation exam, 29 June – 5 July", None),
    ("2025-2", "IM3", "2026-04-08", "Easter holiday, 6–12 April", ("2026-04-13", 7)),
    ("2025-2", "IM3", "2026-05-27", "Exam session, 25 May – 7 June", None),
    ("2025-2", "IM3", "2026-06-10", "Retake session, 8–14 June", None),
    ("2025-2", "IM3", "2026-06-17", "Preparing the licence or dissertation exam, 15–28 June", None),
    ("2025-2", "IM3", "2026-07-01", "Licence or dissertation exam, 29 June – 5 July", None),
    # semester I, both lines
    ("2025-1", "IE2", "2025-09-03", "Summer holiday: semester I begins on 29 September", ("2025-09-29", 1)),
    ("2025-1", "IE2", "2025-09-24", "Preparing the academic year, 25–26 September", ("2025-09-29", 1)),
    ("2025-1", "IE2", "2025-12-24", "Christmas holiday, 22 December – 4 January", ("2026-01-05", 13)),
    ("2025-1", "IE2", "2026-01-21", "Exam session, 19 January – 8 February", None),
    ("2025-1", "IE2", "2026-02-11", "Holiday, 9–15 February", None),
    ("2025-1", "IE2", "2026-02-18", "Retake session, 16–22 February", None),
    ("2025-1", "IM2", "2025-12-30", "Christmas holiday, 22 December – 4 January", ("2026-01-05", 13)),
    ("2025-1", "IM2", "2026-01-21", "Exam session, 19 January – 8 February", None),
    ("2025-1", "IE3", "2026-01-21", "Exam session, 19 January – 8 February", None),
]
ids = [f"{code}-{day}" for _, code, day, _, _ in BREAKS]


@pytest.mark.parametrize("semester, code, day, title, _", BREAKS, ids=ids)
def test_the_week_says_what_that_time_is(page: Page, sites, semester, code, day, title, _):
    open_on(page, sites[semester], code, day)
    expect(page.locator("#between h3")).to_have_text(title)


@pytest.mark.parametrize("semester, code, day, _, next_week", BREAKS, ids=ids)
def test_no_empty_grid_between_teaching_weeks(page: Page, sites, semester, code, day, _, next_week):
    open_on(page, sites[semester], code, day)
    expect(page.locator("#between h3")).to_be_visible()
    expect(page.locator("#grid")).to_be_hidden()


@pytest.mark.parametrize("semester, code, day, _, next_week", [b for b in BREAKS if b[4]],
                         ids=[i for i, b in zip(ids, BREAKS) if b[4]])
def test_the_next_teaching_week_is_one_tap_away(page: Page, sites, semester, code, day, _, next_week):
    monday, number = next_week
    open_on(page, sites[semester], code, day)
    page.get_by_role("button", name=re.compile(r"^Next teaching week")).click()
    expect(page.locator("#week-title")).to_contain_text(f"Week {number} ")
    assert page.locator(".day").first.get_attribute("data-date") == monday


@pytest.mark.parametrize("semester, code, day, _, next_week", [b for b in BREAKS if not b[4]],
                         ids=[i for i, b in zip(ids, BREAKS) if not b[4]])
def test_after_the_last_teaching_week_there_is_no_next_one_to_tap(page: Page, sites, semester, code, day, _, next_week):
    open_on(page, sites[semester], code, day)
    expect(page.locator("#between h3")).to_be_visible()
    expect(page.locator("#between button")).to_have_count(0)


def test_the_faculty_wording_is_under_the_title_in_the_pages_language(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-06-10")
    expect(page.locator("#between p")).to_have_text("exam session · 3 weeks")


def test_in_romanian_the_week_is_named_in_the_tables_words(page: Page, published_site):
    page.add_init_script("localStorage.setItem('timetable-lang', 'ro')")
    open_on(page, published_site, "IE2", "2026-06-10")
    expect(page.locator("#between h3")).to_have_text("Sesiunea de examene, 8–28 iunie")


def test_a_teaching_week_shows_the_grid_not_a_break(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-03-11")
    expect(page.locator("#grid [data-uid]").first).to_be_visible()
    expect(page.locator("#between")).to_be_hidden()


def test_paging_from_a_break_into_teaching_shows_the_classes(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-04-15")
    page.get_by_role("button", name="Next week").click()
    expect(page.locator("#grid [data-uid]").first).to_be_visible()


def test_the_summer_is_as_far_as_the_week_pages(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-09-23")
    expect(page.get_by_role("button", name="Next week")).to_be_disabled()


# -- the academic-year calendar beside Download and Subscribe -----------------------------------

def test_the_academic_year_is_offered_beside_download_and_subscribe(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-03-11")
    page.get_by_role("button", name="Academic year").click()
    expect(page.locator("#subscribe-url")).to_have_value(published_site.url("academic-year/IE2.ics"))


def test_the_offered_academic_year_calendar_has_the_lines_exam_session(page: Page, published_site):
    open_on(page, published_site, "IM2", "2026-03-11")
    page.get_by_role("button", name="Academic year").click()
    expect(page.locator("#subscribe-url")).to_have_value(re.compile(r"academic-year/IM2\.ics$"))
    with urlopen(page.locator("#subscribe-url").input_value()) as answer:
        calendar = icalendar.Calendar.from_ical(answer.read())
    easter = [e.decoded("DTSTART") for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Easter holiday"]
    assert easter == [date(2026, 4, 6)]


def test_the_academic_year_can_be_downloaded(page: Page, published_site):
    open_on(page, published_site, "IE2", "2026-03-11")
    page.get_by_role("button", name="Academic year").click()
    with page.expect_download() as download:
        page.locator("#subscribe-file a").click()
    assert download.value.suggested_filename == "IE2.ics"


def test_a_teachers_week_offers_no_academic_year(page: Page, published_site):
    teacher = published_site.timetable("IE2")["classes"][0]["teacher_code"]
    page.goto(published_site.url(f"index.html?teacher={teacher}&date=2026-03-11"))
    wait_for_week(page)
    expect(page.get_by_role("button", name="Academic year")).to_be_hidden()


# -- with personal feeds: the academic year in the same subscription (periods=1) ------------------

def with_feeds_url(site, feeds_url: str) -> None:
    """The site's data/site.json says where personal feeds are served."""
    settings = json.loads((site / "data" / "site.json").read_text("utf-8"))
    settings["feeds_url"] = feeds_url
    (site / "data" / "site.json").write_text(json.dumps(settings), "utf-8")


def test_with_personal_feeds_subscribe_can_add_the_academic_year(page: Page, published_site, tmp_path):
    shutil.copytree(published_site.root, tmp_path / "site")
    with_feeds_url(tmp_path / "site", "https://feeds.example.org/orar")
    with PageServer(tmp_path / "site") as server:
        page.clock.set_fixed_time(now("2026-03-11T12:00:00+02:00"))
        page.goto(server.url("index.html?code=IE2&group=921&subgroup=1"))
        wait_for_week(page)
        page.get_by_role("button", name=re.compile("Subscribe")).click()
        page.get_by_label("Add the holidays, exam sessions and days off").check()
        expect(page.locator("#subscribe-url")).to_have_value(re.compile(r"periods=1"))
        url = page.locator("#subscribe-url").input_value()
    assert parse_qs(urlsplit(url).query) == {"periods": ["1"]}


def test_the_subscription_with_the_academic_year_round_trips_through_scrapy_serve(page: Page, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    with ServeProcess(site) as server:
        with_feeds_url(site, server.base_url)
        page.clock.set_fixed_time(now("2026-03-11T12:00:00+02:00"))
        page.goto(f"{server.base_url}/index.html?code=IE2&group=921&subgroup=1")
        wait_for_week(page)
        page.get_by_role("button", name="Make it mine").click()  # a stable link follows one's own choice only
        page.get_by_role("button", name=re.compile("Subscribe")).click()
        page.get_by_label("Add the holidays, exam sessions and days off").check()
        # a stable subscription, whose stored calendar adds the academic year
        page.wait_for_function("JSON.parse(localStorage.getItem('timetable-subscription') || '{}').calendar?.includes('periods=1')")
        parts = urlsplit(page.locator("#subscribe-url").input_value())
        status, _headers, feed = server.get(parts.path)
    assert status == 200
    sessions = [e.decoded("DTSTART") for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")
                if str(e["SUMMARY"]) == "Exam session"]
    assert sessions == [date(2026, 1, 19), date(2026, 6, 8)]
