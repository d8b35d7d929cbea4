"""The page on a student's phone (issue 28): the day flows with the page, nothing hides under the
fixed action bar, a cue says when classes lie below the fold; the subgroup is asked right after
the group. In Debian's Chromium through Playwright, against the crawl of the simulated UBB site.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, now, pick_ie2_921, playwright, published_site, shown_week, wait_for_week,
                                 week_of)

# I1 216, the whole group, Monday 16 March 2026: its last class is 18:00–20:00
EVENING = "?code=I1&group=216&subgroup=all&date=2026-03-16"


@pytest.fixture(scope="module")
def small_phone(browser):
    """A phone with a short screen (412×667), reused by this module's phone tests."""
    context = browser.new_context(viewport={"width": 412, "height": 667}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="en-GB")
    page = context.new_page()
    page.clock.set_fixed_time(now("2026-03-16T09:00:00+02:00"))
    yield page
    context.close()


def uncovered(page: Page, selector: str) -> bool:
    """Whether the element is in the viewport and what is drawn at its centre is itself (not the action bar)."""
    return page.eval_on_selector(selector, """element => {
        const box = element.getBoundingClientRect();
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        return y >= 0 && y < innerHeight && element.contains(document.elementFromPoint(x, y));
    }""")


def test_an_evening_class_is_reached_by_scrolling_the_page_not_hidden_under_the_action_bar(small_phone, published_site):
    page = small_phone
    page.goto(published_site.url(f"index.html{EVENING}"))
    wait_for_week(page)
    evening = '.day[data-date="2026-03-16"] [data-uid]:has(.class-time:text-is("18:00–20:00"))'
    expect(page.locator(evening)).to_have_count(1)
    assert not uncovered(page, evening)
    # the grid is no scroller of its own: the day is as tall as its hours
    assert page.eval_on_selector("#grid", "grid => grid.scrollHeight <= grid.clientHeight + 1")
    cue = page.locator("#more-below")
    expect(cue).to_be_visible()
    expect(cue).to_contain_text("more class")
    page.mouse.wheel(0, 5000)
    page.wait_for_function("scrollY > 0")
    expect(cue).to_be_hidden()
    assert uncovered(page, evening)
    # the very end of the page is above the action bar too
    assert uncovered(page, ".bottom a")


def test_the_cue_brings_the_next_class_below_into_view(small_phone, published_site):
    page = small_phone
    page.goto(published_site.url(f"index.html{EVENING}"))
    wait_for_week(page)
    page.evaluate("scrollTo(0, 0)")
    page.locator("#more-below").click()
    focused = page.evaluate("document.activeElement.matches('#grid [data-uid]')")
    assert focused
    assert uncovered(page, "#grid [data-uid]:focus")


def test_desktop_keeps_the_whole_week_side_by_side(browser, published_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(published_site.url(f"index.html{EVENING}"))
        wait_for_week(page)
        assert page.eval_on_selector_all(".day", "days => days.filter(d => d.offsetParent).length") == 6
        expect(page.locator("#more-below")).to_be_hidden()
        expect(page.locator(".actions")).not_to_have_css("position", "fixed")
    finally:
        context.close()


def test_on_a_phone_the_subgroup_is_asked_right_after_the_group(browser, published_site):
    context = browser.new_context(viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True, locale="en-GB")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))
        page.goto(published_site.url("index.html"))
        pick_ie2_921(page)
        # the finder stays open on the subgroup step, whose choice has focus
        expect(page.locator("#finder")).to_have_attribute("open", "")
        expect(page.get_by_role("group", name="Subgroup")).to_be_in_viewport()
        expect(page.get_by_role("radio", name="Whole group")).to_be_focused()
        page.get_by_text("Subgroup 2", exact=True).tap()
        expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/2")
        expect(page.locator("#finder")).not_to_have_attribute("open", "")
        expect(page.locator("#week")).to_be_focused()
        ics = published_site.calendar_path("IE2", next(c["file"] for g in published_site.timetable("IE2")["groups"]
                                                         if g["name"] == "921" for c in g["calendars"] if c["subgroup"] == 2))
        assert shown_week(page) == week_of(ics.read_bytes(), "2026-03-09")
    finally:
        context.close()


def test_on_a_phone_a_group_without_subgroups_closes_the_finder_at_once(browser, published_site):
    """The simulated site's groups all have subgroups: IE2's timetable is served with 921's taken away."""
    context = browser.new_context(viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True, locale="en-GB")
    try:
        page = context.new_page()
        timetable = published_site.timetable("IE2")
        for group in timetable["groups"]:
            if group["name"] == "921":
                group["calendars"] = [c for c in group["calendars"] if c["subgroup"] is None]
        page.route("**/data/timetables/IE2.json", lambda route: route.fulfill(json=timetable))
        page.goto(published_site.url("index.html"))
        pick_ie2_921(page)
        expect(page.locator("#choice-summary")).to_have_text("IE2 · 921")
        expect(page.locator("#finder")).not_to_have_attribute("open", "")
        expect(page.locator("#week")).to_be_focused()
    finally:
        context.close()
