"""The page on a student's phone (issue 28): the day flows with the page, nothing hides under the
fixed action bar, a cue says when classes lie below the fold; the subgroup is asked right after
the group. In Debian's Chromium through Playwright, against the crawl of the simulated UBB site.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, now, playwright, published_site, shown_week, wait_for_week)

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
    page.screenshot(path="/work/notes/shots/phone-412x667-before-scroll.png")
    page.mouse.wheel(0, 5000)
    page.wait_for_function("scrollY > 0")
    expect(cue).to_be_hidden()
    assert uncovered(page, evening)
    page.screenshot(path="/work/notes/shots/phone-412x667-scrolled.png")
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
