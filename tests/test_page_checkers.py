"""No accessibility violation and no HTML error (issue 28): axe-core in Debian's Chromium on every
main state of the page (first visit, search results, a week under a shared link's bar, a phone's
day without classes, Make it yours, each dialog, an exam-session week, a link with parts left
out, a bad link, a timetable that cannot load), light and dark, on a phone (412×915) and a
desktop (1280×900); the Nu HTML checker on every HTML page the crawl publishes. One browser,
one page a size, reused from state to state, to keep CI quick.
"""
from __future__ import annotations

import json
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.checkers import axe_script, vnu_command
from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, now, playwright, published_site, wait_for_week)

WEEK = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-09"
EXAM_WEEK = "index.html?code=IE2&group=921&subgroup=1&date=2026-06-10"
SIZES = {"phone": {"width": 412, "height": 915}, "desktop": {"width": 1280, "height": 900}}


def violations(page: Page, axe: str) -> list[str]:
    """axe-core's violations of the page as it is, light and dark: "rule (scheme): target" lines."""
    if not page.evaluate("Boolean(window.axe)"):
        page.add_script_tag(content=axe)
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        result = page.evaluate("""async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
            .map((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)).flat()""")
        found += [f"{line} ({scheme})" for line in result]
    return found


def states(page: Page, site):
    """Brings the page into each main state in turn, yielding its name."""
    page.goto(site.url("index.html"))
    expect(page.locator("#largest button").first).to_be_visible()
    yield "first visit"
    page.get_by_role("combobox", name="Specialization or group").fill("informatica")
    expect(page.locator("#results [role=option]").first).to_be_visible()
    yield "search results"
    page.goto(site.url(WEEK))
    wait_for_week(page)
    yield "a week"
    if page.locator("#day-tabs").is_visible():  # a phone: one day at a time
        page.locator("#day-tabs button").last.click()
        expect(page.locator(".day.selected [data-uid]")).to_have_count(0)
        yield "a phone's day without classes"
        page.locator("#day-tabs button").first.click()
    page.locator("#customize > summary").click()
    expect(page.locator("#customize-body input").first).to_be_visible()
    yield "Make it yours open"
    page.locator("#grid [data-uid]").first.click()
    expect(page.locator("#detail")).to_be_visible()
    yield "class detail"
    page.keyboard.press("Escape")
    page.locator("#subscribe").click()
    expect(page.locator("#subscribe-dialog")).to_be_visible()
    yield "subscribe"
    page.keyboard.press("Escape")
    page.locator("#share").click()
    expect(page.locator("#share-dialog")).to_be_visible()
    yield "share"
    page.keyboard.press("Escape")
    page.goto(site.url(EXAM_WEEK))
    wait_for_week(page)
    expect(page.locator("#between")).to_be_visible()
    yield "exam session week"
    page.goto(site.url("index.html?code=IE2&group=921&subgroup=7&take=MLE5015:abc&date=2026-03-10"))
    wait_for_week(page)
    expect(page.locator("#link-refused li")).to_have_count(2)
    yield "a shared link with parts left out"
    page.goto(site.url("index.html?code=NOPE&group=1"))
    expect(page.locator("#link-notice")).to_be_visible()
    yield "a bad link"
    page.route("**/data/timetables/**", lambda route: route.abort("internetdisconnected"))
    page.goto(site.url("index.html?code=I1&group=211&subgroup=1"))
    expect(page.locator("#week.failed")).to_have_count(1)
    page.unroute("**/data/timetables/**")
    yield "offline: the timetable cannot load"


@pytest.fixture(scope="module")
def axe():
    return axe_script()


@pytest.mark.parametrize("size", SIZES)
def test_no_accessibility_violation_in_any_main_state(browser, published_site, axe, size):
    # no service worker: its answers would bypass the route that takes the timetables away
    context = browser.new_context(viewport=SIZES[size], locale="en-GB", is_mobile=size == "phone", has_touch=size == "phone",
                                  service_workers="block", reduced_motion="reduce")  # no colour caught mid-transition
    try:
        page = context.new_page()
        page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))
        found = {state: violations(page, axe) for state in states(page, published_site)}
        assert len(found) == (12 if size == "phone" else 11)
        bad = [f"{state}: {line}" for state, lines in found.items() for line in lines]
        assert not bad, "\n" + "\n".join(bad)
    finally:
        context.close()


def test_every_published_html_page_has_no_nu_error(published_site):
    pages = sorted(published_site.root.rglob("*.html"))
    assert any(page.name == "index.html" for page in pages) and any(page.name == "calendars.html" for page in pages)
    run = subprocess.run([*vnu_command(), "--format", "json", *map(str, pages)], capture_output=True, text=True, timeout=120)
    messages = json.loads(run.stderr or "{}").get("messages", [])
    errors = [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert not errors, "\n" + "\n".join(errors)
