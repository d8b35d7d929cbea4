"""Clashes: the pure function (js/clashes.js) on made-up classes, with both parities and a day
off; then in Debian's Chromium, clashes made with take= and with add= on the simulated site's
IE2 921/1, named before Download and Subscribe and marked side by side in the week.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_week, web_modules)

# Tuesdays of teaching weeks 1-4 (odd, even, odd, even); 2026-03-17 stands for a day off, absent
# from the dates of every class, as the published timetables leave days off out.
TUESDAYS = ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24"]
ODD, EVEN = TUESDAYS[0::2], TUESDAYS[1::2]


def item(uid: str, start: str, end: str, dates: list[str], added: bool = False, taken: bool = False) -> dict:
    return {"class": {"uid": uid, "start": start, "end": end, "type": "L", "subject": uid, "formation": "921"},
            "dates": dates, "from": "IE2/922" if added else None, "taken": taken}


def clashes(web_modules, items: list[dict]) -> list[dict]:
    """findClashes(items), each clash as {first, second, start, dates} with the items' uids."""
    return web_modules.evaluate("""async (items) => (await import('/js/clashes.js')).findClashes(items)
        .map((c) => ({ first: c.first.class.uid, second: c.second.class.uid, start: c.start, dates: c.dates }))""", items)


def test_an_added_class_at_an_hour_of_ones_own_clashes_on_every_shared_date(web_modules):
    found = clashes(web_modules, [item("own", "16:00", "18:00", TUESDAYS), item("added", "17:00", "19:00", ODD, added=True)])
    assert found == [{"first": "added", "second": "own", "start": 17 * 60, "dates": ODD}]


def test_an_odd_week_class_and_an_even_week_class_at_the_same_hour_do_not_clash(web_modules):
    assert clashes(web_modules, [item("own", "16:00", "18:00", ODD), item("added", "16:00", "18:00", EVEN, added=True)]) == []


def test_a_day_off_is_no_clash(web_modules):
    without_day_off = [day for day in TUESDAYS if day != "2026-03-17"]
    found = clashes(web_modules, [item("own", "16:00", "18:00", without_day_off),
                                  item("taken", "16:00", "18:00", without_day_off, taken=True)])
    assert found[0]["dates"] == ["2026-03-03", "2026-03-10", "2026-03-24"]


def test_classes_that_only_touch_do_not_clash(web_modules):
    assert clashes(web_modules, [item("own", "16:00", "18:00", TUESDAYS), item("added", "18:00", "20:00", TUESDAYS, added=True)]) == []


def test_two_of_ones_own_classes_together_are_the_facultys_timetable_not_a_clash(web_modules):
    assert clashes(web_modules, [item("course", "08:00", "10:00", TUESDAYS), item("lab", "08:00", "10:00", TUESDAYS)]) == []


def test_two_added_classes_together_are_one_clash(web_modules):
    found = clashes(web_modules, [item("first", "08:00", "10:00", ODD, added=True), item("second", "09:00", "11:00", ODD, taken=True)])
    assert [(c["first"], c["second"]) for c in found] == [("first", "second")]


def test_clashes_come_by_first_date_then_time(web_modules):
    found = clashes(web_modules, [item("own-late", "16:00", "18:00", EVEN), item("own-early", "08:00", "10:00", TUESDAYS),
                                  item("late", "16:00", "18:00", EVEN, added=True), item("early", "08:00", "10:00", EVEN, added=True)])
    assert [c["first"] for c in found] == ["early", "late"]


# -- on the page ---------------------------------------------------------------------------------

CODE, GROUP = "IE2", "921"
# take= Medii de proiectare si programare's lab with subgroup 2: Thursdays 08:00, with the course
# of Didactica Informaticii, every teaching week.
TAKE_LAB_OF_2 = "MLE5013:2"
# add= 922/2's Programare Web lab: Mondays 12:00 in odd weeks, with 921/1's own lab of Sisteme de
# gestiune a bazelor de date.
ADD_FROM_922 = "IE2/922/2:MLE5015:L"


def open_choice(page: Page, site, extra: str, date: str) -> None:
    page.goto(site.url(f"index.html?code={CODE}&group={GROUP}&subgroup=1&{extra}&date={date}"))
    wait_for_week(page)


def test_a_take_that_clashes_is_named_before_download_and_subscribe(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    expect(page.locator("#clashes li").first).to_contain_text(
        "Thu 26 Feb 08:00: [L] Medii de proiectare si programare (921/2) and [C] Didactica Informaticii (IE2)")


def test_a_clash_notice_comes_before_the_actions(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    assert page.evaluate("""() => Boolean(document.getElementById('clashes').compareDocumentPosition(
        document.getElementById('download')) & Node.DOCUMENT_POSITION_FOLLOWING)""")


def test_a_take_that_clashes_marks_both_classes_that_day(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    marked = page.eval_on_selector_all(".day[data-date='2026-03-12'] .class.clash .class-subject",
                                       "all => all.map(e => e.textContent).sort()")
    assert marked == ["Didactica Informaticii", "Medii de proiectare si programare"]


def test_clashing_classes_sit_side_by_side(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    boxes = [button.bounding_box() for button in page.locator(".day[data-date='2026-03-12'] .class.clash").all()]
    assert (boxes[0]["y"] == boxes[1]["y"], boxes[0]["x"] != boxes[1]["x"]) == (True, True)


def test_a_clashing_class_says_so_to_a_screen_reader(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    # named by what it shows (the ⚠ too), its kind and the clash said around it
    expect(page.locator(".class.clash").first).to_have_accessible_name(re.compile(
        r"^Course: ⚠ 08:00–10:00 Didactica Informaticii C · DPPD-205 · IE2 ?, Thursday, at the same time as another of your classes$"))


def test_the_notice_names_the_other_dates_of_a_clash(page: Page, published_site):
    open_choice(page, published_site, f"take={TAKE_LAB_OF_2}", "2026-03-09")
    expect(page.locator("#clashes .clash-also").first).to_contain_text("5 Mar, 12 Mar, 19 Mar")


def test_an_add_that_clashes_is_named_with_its_group(page: Page, published_site):
    open_choice(page, published_site, f"add={ADD_FROM_922}", "2026-03-09")
    expect(page.locator("#clashes li").first).to_contain_text(
        "Mon 23 Feb 12:00: [L] Programare Web (922/2) and [L] Sisteme de gestiune a bazelor de date (921/1)")


def test_a_clash_opens_its_first_week_in_one_tap(page: Page, published_site):
    open_choice(page, published_site, f"add={ADD_FROM_922}", "2026-03-16")
    page.locator("#clashes li button").first.click()
    expect(page.locator(".day[data-date='2026-02-23'] .class.clash")).to_have_count(2)


def test_an_add_in_the_other_weeks_parity_is_no_clash(page: Page, published_site):
    # 922/2's Programare Web lab on the even Mondays of 921/2's lab, not 921/1's
    open_choice(page, published_site, f"add={ADD_FROM_922}", "2026-03-16")
    expect(page.locator(".day[data-date='2026-03-16'] .class.clash")).to_have_count(0)


def test_a_take_in_the_other_parity_shows_no_notice(page: Page, published_site):
    # Ingineria sistemelor soft's lab of subgroup 2 is on the Fridays at 12:00 of even weeks; the
    # seminar of Sisteme de gestiune a bazelor de date at that hour is on the odd weeks
    open_choice(page, published_site, "take=MLE5011:2", "2026-03-09")
    expect(page.locator("#clashes")).to_be_hidden()


def test_no_changes_no_notice(page: Page, published_site):
    open_choice(page, published_site, "", "2026-03-09")
    expect(page.locator("#clashes")).to_be_hidden()
