"""The page for keyboard and screen-reader users (issue 28): focus after every action lands on the
control that changed or on the new content, never on <body>, and one polite live region says
what changed. In Debian's Chromium through Playwright, against the crawl of the simulated UBB site.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, now, playwright, published_site, wait_for_week)


def focused(page: Page) -> str:
    """The focused element, as "tag#id.class[data-key]", failing when it is <body>."""
    described = page.evaluate("""() => { const e = document.activeElement;
        return e === document.body || !e ? 'body' : `${e.tagName.toLowerCase()}#${e.id}[${e.dataset.key ?? e.dataset.uid ?? e.value ?? ''}]`; }""")
    assert described != "body"
    return described


def tab_to(page: Page, selector: str, backwards: bool = False, limit: int = 40) -> None:
    """Presses Tab (or Shift+Tab) until selector has focus; focus is never on <body> on the way."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused(page)
    raise AssertionError(f"{selector} not reached with the keyboard")


def said(page: Page):
    return expect(page.locator("#announcer"))


def test_a_keyboard_journey_keeps_focus_and_says_what_changed(page: Page, published_site):
    page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))
    page.goto(published_site.url("index.html"))
    expect(page.locator("#language option")).to_have_count(4)  # the page has started
    expect(page.locator("#announcer")).to_have_attribute("aria-live", "polite")
    tab_to(page, "#search")
    page.keyboard.type("informatica engl")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # the spec: its years
    expect(page.locator("#year")).to_be_focused()
    page.keyboard.press("ArrowDown")  # Year 1
    page.keyboard.press("ArrowDown")  # Year 2
    expect(page.locator("#year")).to_have_value("IE2")
    page.keyboard.press("Tab")
    expect(page.locator("#group")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the year's first group, 921
    wait_for_week(page)
    expect(page.locator("#group")).to_have_value("921")
    expect(page.locator("#group")).to_be_focused()
    said(page).to_have_text(re.compile(r"^Showing IE2 · 921: Week 3 · 9 ?– ?14 Mar 2026, odd week \(sapt. 1\)$"))

    page.keyboard.press("Tab")  # the subgroups, the whole group checked
    expect(page.get_by_role("radio", name="Whole group")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/2")
    expect(page.get_by_role("radio", name="Subgroup 2")).to_be_focused()
    said(page).to_have_text(re.compile(r"^Showing IE2 · 921/2: Week 3 · 9 ?– ?14 Mar 2026, odd week \(sapt. 1\)$"))

    tab_to(page, "#next-week")
    page.keyboard.press("Enter")
    expect(page.locator("#next-week")).to_be_focused()
    said(page).to_have_text(re.compile(r"^Week 4 · 16 ?– ?21 Mar 2026, even week \(sapt. 2\)$"))
    page.keyboard.press("Tab")
    expect(page.locator("#today")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#today")).to_be_focused()
    said(page).to_contain_text("Week 3")

    tab_to(page, "#grid [data-uid]")
    uid = page.evaluate("document.activeElement.dataset.uid")
    page.keyboard.press("Enter")
    expect(page.locator("#detail")).to_be_visible()
    assert page.evaluate("document.getElementById('detail').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_be_hidden()
    expect(page.locator(f'#grid [data-uid="{uid}"]')).to_be_focused()

    tab_to(page, "#customize > summary", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#customize")).to_have_attribute("open", "")
    expect(page.locator('#customize [data-key="type:C"]')).to_be_visible()  # its module loads when first opened
    page.keyboard.press("Tab")
    expect(page.locator('#customize [data-key="type:C"]')).to_be_focused()
    page.keyboard.press("Space")  # hide the courses
    expect(page.locator('#customize [data-key="type:C"]')).not_to_be_checked()
    expect(page.locator('#customize [data-key="type:C"]')).to_be_focused()
    said(page).to_have_text("Courses hidden")
    assert page.locator("#grid .class.type-C").count() == 0
    page.keyboard.press("Space")
    said(page).to_have_text("Courses shown")
    expect(page.locator('#customize [data-key="type:C"]')).to_be_focused()


def test_the_break_cards_next_teaching_week_moves_focus_to_the_week_and_says_it(page: Page, published_site):
    page.goto(published_site.url("index.html?code=IE2&group=921&subgroup=1&date=2026-04-13"))  # Easter
    wait_for_week(page)
    button = page.locator("#between button")
    expect(button).to_contain_text("Next teaching week")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#week")).to_be_focused()
    said(page).to_have_text(re.compile(r"^Week 8 · 20 ?– ?25 Apr 2026, even week \(sapt. 2\)$"))


def test_a_phone_day_tab_keeps_focus_and_says_the_days_classes(browser, published_site):
    context = browser.new_context(viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(published_site.url("index.html?code=IE2&group=921&subgroup=1&date=2026-03-09"))
        wait_for_week(page)
        tuesday = page.get_by_role("button", name="Tue 10", exact=True)
        tuesday.focus()
        page.keyboard.press("Enter")
        expect(tuesday).to_be_focused()
        count = page.locator('.day[data-date="2026-03-10"] [data-uid]').count()
        said(page).to_have_text(f"Tuesday 10 Mar: {count} class{'es' if count != 1 else ''}")
        page.get_by_role("button", name="Sat 14", exact=True).focus()
        page.keyboard.press("Enter")
        # a swipe past Saturday draws the next week: focus goes to its Monday's tab
        page.evaluate("""() => { const grid = document.getElementById('grid');
            const touch = (x) => new Touch({identifier: 1, target: grid, clientX: x, clientY: 400});
            grid.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(300)], changedTouches: [touch(300)], bubbles: true}));
            grid.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(100)], bubbles: true})); }""")
        expect(page.get_by_role("button", name="Mon 16", exact=True)).to_be_focused()
        said(page).to_contain_text("Week 4")
    finally:
        context.close()
