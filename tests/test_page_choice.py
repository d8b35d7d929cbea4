"""The student's choice in the page, in Debian's Chromium, against `scrapy serve` serving both the
page and the feeds: a shared link is a visit, a bad link opens what is valid and says what it
left out, the stable subscription follows every change of the student's own choice, and the
download is the personal feed of the same choices, byte for byte, online and offline."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, served, wait_for_async, wait_for_week)

MINE = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-10&hide=MLE5028:L"
FRIENDS = "index.html?code=M2&group=1113&subgroup=2&date=2026-03-10&hide=MLE5011B"


@pytest.fixture
def page(browser, served):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800}, accept_downloads=True)
    yield context.new_page()
    context.close()


def open_link(page, served, link: str) -> None:
    page.goto(f"{served.base_url}/{link}")
    wait_for_week(page)


def saved_choice(page) -> dict | None:
    return json.loads(page.evaluate("localStorage.getItem('timetable-choice')") or "null")


def make_mine_and_subscribe(page, served, link: str = MINE) -> str:
    open_link(page, served, link)
    page.get_by_role("button", name="Make it mine").click()
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    address = page.locator("#subscribe-url")
    expect(address).to_have_value(re.compile(r"/feeds/s/[A-Za-z0-9_-]{22}\.ics$"))
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    return address.input_value().removeprefix(served.base_url)


def serves(served, stable: str, feed: str) -> bool:
    return served.get(stable)[2] == served.get(feed)[2]


# -- a shared link is a visit ------------------------------------------------------------------

def test_a_friends_link_shows_their_timetable_under_a_bar(page, served):
    make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    expect(page.locator("#shared-text")).to_have_text(
        "You are looking at a shared timetable: M2 · 1113/2. Yours (IE2 · 921/1) stays as it is.")


def test_a_friends_link_names_the_subscription_make_it_mine_would_change(page, served):
    make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    expect(page.locator("#shared-subscription")).to_have_text("Making it yours also changes your calendar subscription to it.")


def test_a_friends_link_leaves_the_saved_choice_as_it_was(page, served):
    make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    assert saved_choice(page) == {"code": "IE2", "group": "921", "subgroup": 1, "hide": ["MLE5028:L"], "take": [], "add": []}


def test_a_friends_link_and_subscribe_there_leave_the_stable_subscription_alone(page, served):
    stable = make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    expect(page.locator("#subscribe-sync")).to_contain_text("choose “Make it mine” first")
    assert "/feeds/s/" not in page.locator("#subscribe-url").input_value()
    assert serves(served, stable, "/feeds/IE2/921-1.ics?hide=MLE5028:L")


def test_keep_mine_goes_back_to_the_saved_timetable(page, served):
    make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    page.get_by_role("button", name="Keep mine").click()
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/1")
    expect(page.locator("#shared-bar")).to_be_hidden()
    assert parse_qs(urlsplit(page.url).query)["hide"] == ["MLE5028:L"]


def test_make_it_mine_saves_the_link_and_the_subscription_follows(page, served):
    stable = make_mine_and_subscribe(page, served)
    open_link(page, served, FRIENDS)
    page.get_by_role("button", name="Make it mine").click()
    expect(page.locator("#shared-bar")).to_be_hidden()
    assert saved_choice(page) == {"code": "M2", "group": "1113", "subgroup": 2, "hide": ["MLE5011B"], "take": [], "add": []}
    wait_for_async(page, "async () => !JSON.parse(localStorage.getItem('timetable-subscription')).pending"
                         " && JSON.parse(localStorage.getItem('timetable-subscription')).calendar.startsWith('/feeds/M2/')")
    assert serves(served, stable, "/feeds/M2/1113-2.ics?hide=MLE5011B")


def test_a_shared_timetable_is_never_called_yours_until_it_is_made_so(page, served):
    open_link(page, served, FRIENDS)
    title = page.locator("#finder .summary-title")
    expect(title).to_have_text("Shared timetable")
    page.get_by_role("button", name="Make it mine").click()
    expect(title).to_have_text("Your timetable")


def test_a_link_to_the_saved_timetable_without_changes_opens_it_with_them(page, served):
    make_mine_and_subscribe(page, served)
    open_link(page, served, "index.html?code=IE2&group=921&subgroup=1&date=2026-03-24")  # a push alert's link
    expect(page.locator("#shared-bar")).to_be_hidden()
    assert parse_qs(urlsplit(page.url).query)["hide"] == ["MLE5028:L"]


SAVED = {"code": "IE2", "group": "921", "subgroup": 1, "hide": ["MLE5011:S", "MLE5028:L"], "take": [], "add": []}
VISITS = [  # (the saved choice, the link's query, whether it is a visit), by hand
    (None, "code=IE2&group=921&subgroup=1", True),
    (SAVED, "code=IE2&group=921&subgroup=1&hide=MLE5011:S&hide=MLE5028:L", False),
    (SAVED, "code=IE2&group=921&subgroup=1&hide=MLE5028:L&hide=MLE5011:S", False),  # another order
    (SAVED, "code=IE2&group=921&subgroup=1", False),  # a push alert's link
    (SAVED, "code=IE2&group=921&subgroup=2", True),
    (SAVED, "code=IE2&group=921&subgroup=1&hide=MLE5015", True),
    ({**SAVED, "subgroup": None, "hide": []}, "code=IE2&group=921&subgroup=all", False),
    (SAVED, "code=M2&group=1113&subgroup=2", True),
]


@pytest.mark.parametrize("saved, query, visit", VISITS)
def test_the_first_paint_keeps_the_bars_place_exactly_for_a_visit(page, served, saved, query, visit):
    page.goto(f"{served.base_url}/index.html")
    page.evaluate("(saved) => saved ? localStorage.setItem('timetable-choice', JSON.stringify(saved)) : localStorage.clear()", saved)
    page.add_init_script("document.addEventListener('DOMContentLoaded', () => "
                         "{ window.keptAtFirstPaint = document.documentElement.classList.contains('shared-link'); })")
    open_link(page, served, f"index.html?{query}&date=2026-03-10")
    assert (page.evaluate("window.keptAtFirstPaint"), page.locator("#shared-bar").is_visible()) == (visit, visit)


# -- the stable subscription follows the student's own choice ----------------------------------

def test_undo_all_changes_reaches_the_stable_subscription(page, served):
    stable = make_mine_and_subscribe(page, served)
    page.locator("#customize > summary").click()
    page.get_by_role("button", name=re.compile("Undo all")).click()
    wait_for_async(page, "async () => JSON.parse(localStorage.getItem('timetable-subscription')).calendar"
                         " === '/feeds/IE2/921-1.ics'")
    assert serves(served, stable, "/feeds/IE2/921-1.ics")


def test_after_an_undo_the_panel_shows_the_stable_link_and_when_it_took_the_change(page, served):
    stable = make_mine_and_subscribe(page, served)
    page.locator("#customize > summary").click()
    page.get_by_role("button", name=re.compile("Undo all")).click()
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    expect(page.locator("#subscribe-url")).to_have_value(served.base_url + stable)
    expect(page.locator("#subscribe-sync")).to_contain_text("Last updated with your changes")


def test_a_change_the_server_does_not_take_stays_pending_and_is_sent_at_the_next_visit(page, served):
    stable = make_mine_and_subscribe(page, served)
    page.route(re.compile(r".*/subscriptions/[^/]+$"), lambda route: route.fulfill(status=503, body="busy"))
    page.locator("#customize > summary").click()
    page.get_by_role("button", name=re.compile("Undo all")).click()
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    expect(page.locator("#subscribe-url")).to_have_value(served.base_url + stable)
    expect(page.locator("#subscribe-sync")).to_contain_text("have not reached this subscription yet (HTTP 503)")
    assert serves(served, stable, "/feeds/IE2/921-1.ics?hide=MLE5028:L")
    page.unroute(re.compile(r".*/subscriptions/[^/]+$"))
    page.goto(f"{served.base_url}/index.html")
    wait_for_async(page, "async () => !JSON.parse(localStorage.getItem('timetable-subscription')).pending")
    assert serves(served, stable, "/feeds/IE2/921-1.ics")


def test_with_no_answer_for_a_new_subscription_the_panel_never_calls_its_link_lasting(page, served):
    open_link(page, served, MINE)
    page.get_by_role("button", name="Make it mine").click()
    page.context.route(re.compile(r".*/subscriptions$"), lambda route: route.abort())
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    expect(page.locator("#subscribe-text")).to_contain_text("could not make your lasting link (making a subscription: no answer)")
    assert "/feeds/s/" not in page.locator("#subscribe-url").input_value()


# -- a bad link ---------------------------------------------------------------------------------

BAD_PARTS = "index.html?code=IE2&group=921&subgroup=7&take=MLE5015:abc&add=garbage&hide=MLE5028:L&date=2026-03-10"


def test_a_link_with_bad_parts_says_each_part_left_out_and_why(page, served):
    open_link(page, served, BAD_PARTS)
    expect(page.locator("#link-refused li")).to_have_text([
        "take=MLE5015:abc: no such subgroup (expected subject:subgroup, such as MLE5028:2)",
        "add=garbage: expected timetable/group:subject, such as IE3/931:MLE5012",
        "subgroup=7: the group has no such subgroup",
    ])


def test_a_link_with_bad_parts_opens_what_is_valid(page, served):
    open_link(page, served, BAD_PARTS)
    query = parse_qs(urlsplit(page.url).query)
    assert (query["subgroup"], query["hide"], "take" in query, "add" in query) == (["all"], ["MLE5028:L"], False, False)


def test_what_a_bad_link_makes_mine_is_only_its_valid_part(page, served):
    open_link(page, served, BAD_PARTS)
    assert saved_choice(page) is None
    page.get_by_role("button", name="Make it mine").click()
    assert saved_choice(page) == {"code": "IE2", "group": "921", "subgroup": None, "hide": ["MLE5028:L"], "take": [], "add": []}


def test_a_bad_part_is_explained_in_the_pages_language(page, served):
    open_link(page, served, BAD_PARTS + "&lang=ro")
    expect(page.locator("#link-refused li").first).to_have_text(
        "take=MLE5015:abc: nu există o asemenea semigrupă (se aștepta disciplină:semigrupă, ca MLE5028:2)")


@pytest.mark.parametrize("link, said", [
    ("index.html?code=NOPE&group=921", "code=NOPE: no such timetable is published"),
    ("index.html?code=IE2&group=999", "group=999: the timetable has no such group"),
    ("index.html?teacher=nobody", "teacher=nobody: nothing of that name is published"),
])
def test_a_link_to_nothing_published_says_so_and_offers_the_saved_timetable(page, served, link, said):
    make_mine_and_subscribe(page, served)
    page.goto(f"{served.base_url}/{link}")
    expect(page.locator("#link-refused li")).to_have_text([said])
    expect(page.locator("#week")).to_be_hidden()
    page.get_by_role("button", name="Open my timetable (IE2 · 921/1)").click()
    wait_for_week(page)
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/1")


def test_a_date_that_cannot_be_is_left_out(page, served):
    open_link(page, served, "index.html?code=IE2&group=921&subgroup=1&date=2026-13-45")
    expect(page.locator("#link-refused li")).to_have_text(["date=2026-13-45: no such date"])


def test_no_answer_for_a_links_timetable_says_so_and_offers_no_week_control(page, served):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(re.compile(r".*/data/timetables/IE2\.json$"), lambda route: route.abort())
    page.goto(f"{served.base_url}/{MINE}")
    expect(page.locator("#grid .grid-empty")).to_have_text(re.compile("could not be loaded"))
    expect(page.locator("#prev-week")).to_be_hidden()
    assert errors == []


def test_a_download_with_no_answer_keeps_the_week_and_says_so(browser, served):
    # without the worker, which keeps the calendars for a download offline
    context = browser.new_context(locale="en-GB", service_workers="block")
    page = context.new_page()
    open_link(page, served, MINE)
    classes = page.locator("#grid [data-uid]").count()
    page.route(re.compile(r".*\.ics$"), lambda route: route.abort())
    page.get_by_role("button", name=re.compile("Download")).click()
    expect(page.locator("#week-note")).to_have_text(re.compile("could not be loaded"))
    assert page.locator("#grid [data-uid]").count() == classes > 0
    context.close()


# -- the download is the feed of the same choices ---------------------------------------------

DOWNLOADS = [  # (the link's choices, the feed they make)
    ("subgroup=1", "/feeds/IE2/921-1.ics"),
    ("subgroup=1&hide=MLE5028:L", "/feeds/IE2/921-1.ics?hide=MLE5028:L"),
    ("subgroup=2&take=MLE5028:1&hide=MLE5011", "/feeds/IE2/921-2.ics?hide=MLE5011&take=MLE5028:1"),
    ("subgroup=1&hide=MLE5028&add=IE2/922:MLE5028", "/feeds/IE2/921-1.ics?hide=MLE5028&add=IE2/922:MLE5028"),
    ("subgroup=all&hide=MLE5011:S&add=I1/211/1:MLR5004:L", "/feeds/IE2/921-all.ics?hide=MLE5011:S&add=I1/211/1:MLR5004:L"),
]


def download(page) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Download")).click()
    return open(info.value.path(), "rb").read()


@pytest.mark.parametrize("choices, feed", DOWNLOADS)
def test_the_download_is_the_feed_of_the_same_choices_byte_for_byte(page, served, choices, feed):
    open_link(page, served, f"index.html?code=IE2&group=921&date=2026-03-10&{choices}")
    assert download(page) == served.get(feed)[2]


def test_offline_the_download_is_still_the_feed(page, served):
    choices, feed = DOWNLOADS[-1]
    open_link(page, served, f"index.html?code=IE2&group=921&date=2026-03-10&{choices}")
    page.get_by_role("button", name="Make it mine").click()
    wait_for_async(page, """async () => {
        const names = await caches.keys();
        const kept = await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)));
        return kept.flat().filter((url) => url.endsWith('.ics')).length >= 4;
    }""", timeout=20)
    page.context.set_offline(True)
    page.reload()
    wait_for_week(page)
    assert download(page) == served.get(feed)[2]
