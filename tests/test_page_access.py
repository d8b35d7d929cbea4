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
