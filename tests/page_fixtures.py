"""What the page tests share: one crawl of the simulated UBB site, the published site served
over HTTP, Debian's Chromium for Playwright, and the published calendars expanded as a calendar
app would, to compare the page with.

Not a test module: tests/test_page*.py import the fixtures from here (those named as
pytest-playwright's replace them).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import icalendar
import pytest
import recurring_ical_events
from playwright.sync_api import sync_playwright

from tests.crawling import free_port, run_crawl
from tests.serving import ServeProcess
from tests.page_server import PageServer
from tests.ubb_site import SimServer, build_site

# Debian's Chromium: Playwright's own browser download is not reachable here, and in CI a
# missing browser must fail the run (.ci/run installs it), never skip.
CHROMIUM = os.environ.get("PAGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SEMESTER_FROM, SEMESTER_TO = date(2026, 2, 1), date(2026, 9, 30)


@dataclass
class PublishedSite:
    root: Path
    server: PageServer

    def url(self, path: str = "") -> str:
        return self.server.url(path)

    def json(self, path: str):
        return json.loads((self.root / path).read_text("utf-8"))

    def timetable(self, code: str) -> dict:
        return self.json(f"data/timetables/{code}.json")

    def calendar_path(self, code: str, file: str) -> Path:
        return self.root / self.timetable(code)["directory"] / file

    def calendar_url(self, code: str, file: str) -> str:
        return self.url(quote(f"{self.timetable(code)['directory']}/{file}"))


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> PublishedSite:
    """The simulated site crawled once (semester 2025-2), then served like any static site."""
    tmp = tmp_path_factory.mktemp("page-site")
    with SimServer("2025-2", latency=0.02, jitter=0.01) as sim:
        result = run_crawl(sim, site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
    assert result.returncode == 0, result.output[-3000:]
    with PageServer(tmp / "site") as server:
        yield PublishedSite(tmp / "site", server)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The simulated site crawled with FEEDS_URL set to the address of the `scrapy serve` that then
    serves it: the page and the feeds from one origin, with stable subscriptions and push keys."""
    tmp = tmp_path_factory.mktemp("page-served")
    port = free_port()
    with SimServer("2025-2", latency=0.02, jitter=0.01) as sim:
        result = run_crawl(sim, site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache",
                                                                 "FEEDS_URL": f"http://127.0.0.1:{port}"})
    assert result.returncode == 0, result.output[-3000:]
    with ServeProcess(tmp / "site", {"SUBSCRIPTIONS_DB": tmp / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp / "vapid.pem"},
                      port=port) as server:
        yield server


# In IE2.html, Ingineria sistemelor soft's course in room 2/I; the changed site has it in C510.
COURSE_IN_2I = ('<td><a href="../sali/2-I.html" >2/I</a></td>\n<td>IE2</td>\n<td>Curs</td>\n'
                '<td><a href="../disc/MLE5011.html" >Ingineria sistemelor soft</a></td>')


@pytest.fixture(scope="session")
def changed_site(tmp_path_factory) -> PublishedSite:
    """The simulated site crawled, then crawled again after a course moved room: its events
    have SEQUENCE 1 and LAST-MODIFIED, and the change log lists the move."""
    tmp = tmp_path_factory.mktemp("page-changed")
    www = tmp / "www"
    shutil.copytree(build_site("2025-2"), www)
    server = SimServer(root=www, latency=0.02, jitter=0.01)
    for edit in (False, True):
        if edit:
            page = www / "files" / "orar" / "2025-2" / "tabelar" / "IE2.html"
            text = page.read_bytes().decode("iso-8859-2")
            assert COURSE_IN_2I in text
            page.write_bytes(text.replace(COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<"))
                             .encode("iso-8859-2"))
        with server:
            result = run_crawl(server, site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
        assert result.returncode == 0, result.output[-3000:]
    with PageServer(tmp / "site") as pages:
        yield PublishedSite(tmp / "site", pages)


# pytest-playwright's fixtures, for one test module at a time: the sync API keeps an asyncio loop
# running in the main thread until it stops, and later test modules call asyncio.run().
@pytest.fixture(scope="module")
def playwright():
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **options: browser_type.launch(**{**browser_type_launch_args, **options})


@pytest.fixture(scope="module")
def browser(launch_browser):
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


WEB = Path(__file__).resolve().parent.parent / "timetable_spider" / "web"


@pytest.fixture(scope="module")
def web_modules(browser):
    """A blank page at http://page.test/ whose /js/… are the package's modules, for testing their
    pure functions alone: page.evaluate("async () => (await import('/js/clashes.js')).…")."""
    page = browser.new_page()
    page.route("http://page.test/js/**", lambda route: route.fulfill(
        path=WEB / route.request.url.split("http://page.test/", 1)[1], content_type="text/javascript"))
    page.route("http://page.test/", lambda route: route.fulfill(body="<!DOCTYPE html><title>modules</title>",
                                                                content_type="text/html"))
    page.goto("http://page.test/")
    yield page
    page.close()


@pytest.fixture(scope="module")
def browser_context_args():
    return {"locale": "en-GB", "viewport": {"width": 1280, "height": 800}, "accept_downloads": True}


def events_by_uid(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def occurrences(ics: bytes, start: date = SEMESTER_FROM, end: date = SEMESTER_TO,
                uids: set[str] | None = None) -> set[tuple]:
    """(UID, date, "HH:MM–HH:MM", SUMMARY, LOCATION, DESCRIPTION) of every occurrence in [start, end)."""
    calendar = icalendar.Calendar.from_ical(ics)
    found = set()
    for event in recurring_ical_events.of(calendar).between(start, end):
        uid = str(event["UID"])
        if uids is not None and uid not in uids:
            continue
        begin, finish = event["DTSTART"].dt, event["DTEND"].dt
        until = "24:00" if finish.date() > begin.date() else f"{finish:%H:%M}"
        found.add((uid, begin.date().isoformat(), f"{begin:%H:%M}–{until}", str(event["SUMMARY"]),
                   str(event["LOCATION"]), str(event["DESCRIPTION"])))
    return found


def week_of(ics: bytes, monday: str, uids: set[str] | None = None) -> set[tuple[str, str, str]]:
    """(UID, date, times) of a calendar's occurrences from monday to the Sunday after."""
    start = date.fromisoformat(monday)
    return {o[:3] for o in occurrences(ics, start, start + timedelta(days=7), uids)}


def vevents(ics: bytes) -> dict[str, bytes]:
    """Each VEVENT's exact bytes, by UID."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", ics, re.S)
    return {re.search(rb"\r\nUID:(.*?)\r\n", block.replace(b"\r\n ", b"")).group(1).decode(): block for block in blocks}


def header(ics: bytes) -> bytes:
    """Everything before the first VEVENT: the calendar's properties and VTIMEZONE."""
    return ics.split(b"BEGIN:VEVENT", 1)[0]


def shown_week(page) -> set[tuple[str, str, str]]:
    """(data-uid, date of its day, times) of every class the grid shows."""
    return {tuple(row) for row in page.eval_on_selector_all("#grid [data-uid]", """elements => elements.map(e =>
        [e.dataset.uid, e.closest('.day').dataset.date, e.querySelector('.class-time').textContent])""")}


def pick_ie2_921(page) -> None:
    """As a student does: types the specialization, presses Enter, picks year 2 and group 921."""
    search = page.get_by_role("combobox", name="Specialization or group")
    search.fill("informatica engleza")
    search.press("Enter")
    page.get_by_label("Year").select_option(label="Year 2")
    page.get_by_label("Group", exact=True).select_option("921")
    wait_for_week(page)


def wait_for_week(page) -> None:
    page.wait_for_selector("#week-title:not(:empty)")
    page.wait_for_function("!document.getElementById('grid').hasAttribute('aria-busy')")


def wait_for_async(page, expression: str, timeout: float = 10.0):
    """Polls an async function in the page until it returns something truthy, and returns that.
    page.wait_for_function takes the promise an async function returns as truthy at once."""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout} s: {expression}")
        page.wait_for_timeout(100)
    return value


def now(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
