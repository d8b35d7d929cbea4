"""The page's stable subscription and push alerts, in Debian's Chromium, against `scrapy serve`
serving both the page and the feeds (FEEDS_URL is its own address). Chromium has no push service
here, so the push is delivered through the DevTools protocol (ServiceWorker.deliverPushMessage)."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, served, wait_for_async, wait_for_week)

WEEK = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-10"


@pytest.fixture
def context(browser, served):
    made = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    made.grant_permissions(["notifications"], origin=served.base_url)
    yield made
    made.close()


def subscribe(page, served, choices: str) -> str:
    """Opens a link with the choices, makes it the student's own, and subscribes."""
    page.goto(f"{served.base_url}/{WEEK}&{choices}")
    wait_for_week(page)
    page.get_by_role("button", name="Make it mine").click()
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    address = page.locator("#subscribe-url")
    expect(address).to_have_value(re.compile(r"/feeds/s/[A-Za-z0-9_-]{22}\.ics$"))
    return address.input_value()


def test_subscribe_gives_a_stable_link_with_the_choices(context, served):
    page = context.new_page()
    link = subscribe(page, served, "hide=MLE5028:L")
    path = link.removeprefix(served.base_url)
    assert served.get(path)[2] == served.get("/feeds/IE2/921-1.ics?hide=MLE5028:L")[2]


def test_the_edit_key_is_kept_in_this_browser(context, served):
    page = context.new_page()
    subscribe(page, served, "hide=MLE5028:L")
    kept = json.loads(page.evaluate("localStorage.getItem('timetable-subscription')"))
    assert (sorted(kept), len(kept["key"]) >= 32) == (["calendar", "feed", "id", "key", "synced"], True)


def test_changing_the_choices_keeps_the_link_and_changes_what_it_serves(context, served):
    page = context.new_page()
    first = subscribe(page, served, "hide=MLE5028:L")
    again = subscribe(page, served, "hide=MLE5015")
    assert (again, served.get(again.removeprefix(served.base_url))[2]) == (
        first, served.get("/feeds/IE2/921-1.ics?hide=MLE5015")[2])


def test_the_panel_says_the_link_stays_the_same(context, served):
    page = context.new_page()
    subscribe(page, served, "hide=MLE5028:L")
    expect(page.locator("#subscribe-text")).to_contain_text("stays the same")


def test_a_push_shows_a_notification_whose_click_opens_the_week_of_the_change(context, served):
    page = context.new_page()
    page.goto(f"{served.base_url}/{WEEK}")
    wait_for_week(page)
    page.evaluate("navigator.serviceWorker.ready")
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    registration = next(r for r in registrations if not r.get("isDeleted"))
    alert = {"title": "IE2 921/1: Tue 17 Mar, [C] Ingineria sistemelor soft moved to C510",
             "body": "Tue 17 Mar, [C] Ingineria sistemelor soft moved to C510",
             "url": "index.html?code=IE2&group=921&subgroup=1&date=2026-03-17"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": served.base_url + "/",
                                                  "registrationId": registration["registrationId"],
                                                  "data": json.dumps(alert)})
    shown = wait_for_async(page, """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                                    .map((n) => [n.title, n.body, new URL(n.data.url, location.href).href])""")
    week = f"{served.base_url}/{alert['url']}"
    assert shown == [[alert["title"], alert["body"], week]]
    # A click opens data.url (sw.js: clients.openWindow, which needs a real click, so it is not
    # simulated here): that address shows the week of the change.
    page.goto(week)
    wait_for_week(page)
    expect(page.locator("#week-title")).to_contain_text("16 – 21 Mar")


# Chromium here has no push service, so pushManager.subscribe fails; where the test needs the
# browser's part to succeed, it answers with a made-up PushSubscription.
FAKE_PUSH_SERVICE = """PushManager.prototype.subscribe = async () => ({
  endpoint: "https://fcm.googleapis.com/fcm/send/made-up", toJSON() { return { endpoint: this.endpoint, keys: {} }; } });"""


@pytest.mark.parametrize("refused, status, said", [
    ("**/push/key", 503, "The server cannot turn alerts on right now"),
    ("**/subscriptions/*/push", 409, "Alerts already come to as many browsers as they can"),
])
def test_a_server_that_cannot_turn_alerts_on_is_not_blamed_on_the_browser(context, served, refused, status, said):
    page = context.new_page()
    page.add_init_script(FAKE_PUSH_SERVICE)
    subscribe(page, served, "hide=MLE5028:L")
    page.route(refused, lambda route: route.fulfill(status=status, body="refused\n", content_type="text/plain"))
    page.get_by_role("button", name="Notify me of changes").click()
    expect(page.locator("#subscribe-alerts-status")).to_contain_text(said)


def test_notify_me_says_at_once_that_it_waits_and_when_the_push_service_never_answers(context, served):
    """Notifications allowed, but a push service that never answers (as in a browser without one)."""
    page = context.new_page()
    page.add_init_script("PushManager.prototype.subscribe = () => new Promise(() => {});")
    page.clock.install()
    subscribe(page, served, "hide=MLE5028:L")
    button = page.get_by_role("button", name="Notify me of changes")
    button.click()
    expect(page.locator("#subscribe-alerts-status")).to_have_text("Turning alerts on…")
    expect(button).to_be_disabled()
    page.clock.run_for(16_000)
    expect(page.locator("#subscribe-alerts-status")).to_contain_text("push service did not answer")
    expect(button).to_be_enabled()
