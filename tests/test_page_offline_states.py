"""Honest offline and waiting states (issue 28): the teacher, room and subject search and Find a
free room say they are offline (not "nothing matches" or "not published") and try again when the
connection is back; Notify me says at once that it is waiting, and when the push service never
answers; while the next semester's timetable is not published, the page opens on today.
"""
from __future__ import annotations

import json
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, now, playwright, published_site, wait_for_week)
from tests.page_server import PageServer

TEACHER = "susa"  # typed, it finds a teacher once the lists load


@pytest.fixture
def offline_page(browser, published_site):
    """A page whose lists of teachers, rooms and subjects and whose rooms/busy.json cannot be reached
    until back_online() (no service worker: its answers would bypass the routes)."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    cut = lambda route: route.abort("internetdisconnected")  # noqa: E731
    for pattern in ("**/teachers/index.json", "**/rooms/index.json", "**/subjects/index.json", "**/rooms/busy.json"):
        page.route(pattern, cut)

    def back_online():
        page.unroute_all()
        # the event a browser fires when its connection is back; going offline and online for
        # real instead raced with the network coming back (a fetch at the event could still fail)
        page.evaluate("dispatchEvent(new Event('online'))")
    page.back_online = back_online
    yield page
    context.close()


def test_the_search_says_offline_and_finds_the_teacher_when_the_connection_is_back(offline_page, published_site):
    page = offline_page
    teachers = published_site.json("teachers/index.json")
    teacher = next(entry for entry in teachers if len(entry["name"].split()) >= 2)
    typed = teacher["name"].split()[-1]
    page.goto(published_site.url("index.html"))
    page.get_by_role("combobox", name="Specialization or group").fill(typed)
    expect(page.locator("#results")).to_contain_text("You are offline")
    page.back_online()
    expect(page.get_by_role("option", name=re.compile(re.escape(teacher["name"])))).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text("You are offline")


def test_free_rooms_say_offline_not_unpublished_and_load_when_back(offline_page, published_site):
    page = offline_page
    page.goto(published_site.url("index.html"))
    page.locator("#free-rooms > summary").click()
    expect(page.locator(".free-count")).to_have_text("You are offline: the free rooms are looked up when the connection is back.")
    page.back_online()
    expect(page.locator(".free-count")).to_contain_text("rooms with classes this semester are free then")


def test_while_the_next_semester_is_not_published_the_page_opens_on_today(browser, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    status = json.loads((site / "data/status.json").read_text("utf-8"))
    status.update(outcome="waiting", semester="2026-1",
                  waiting={"semester": "2026-1", "published_semester": "2025-2", "since": "2026-09-28", "days": 30,
                           "wait_days": 60})
    (site / "data/status.json").write_text(json.dumps(status), "utf-8")
    server = PageServer(site).start()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(now("2026-10-28T09:00:00+02:00"))
        page.goto(server.url("index.html?code=IE2&group=921&subgroup=1"))
        wait_for_week(page)
        assert page.locator(".day").first.get_attribute("data-date") == "2026-10-26"
        expect(page.locator("#week-title")).not_to_contain_text("Week")
        expect(page.locator("#week-note")).to_have_text("No classes: outside the semester.")
        expect(page.locator("#trust .outcome")).to_have_text("The 2026-1 timetable is not published yet; this is 2025-2's.")
    finally:
        context.close()
        server.stop()
