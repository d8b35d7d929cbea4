"""The Subscribe panel by platform, in Debian's Chromium with each platform's user agent: what
works there first, with its how-to, and every other calendar app one tap away; and platformOf
(js/platform.js) on its own.
"""
from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_week, web_modules)

ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
IPAD = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
MAC = IPAD
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
THUNDERBIRD = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.0"
LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
CHROMEBOOK = "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

QUERY = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-09"
GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/r/settings/addbyurl"


@pytest.mark.parametrize(("agent", "touch_points", "platform"), [
    (ANDROID, 5, "android"), (IPHONE, 5, "ios"), (IPAD, 5, "ios"), (MAC, 0, "macos"), (WINDOWS, 0, "windows"),
    (THUNDERBIRD, 0, "thunderbird"), (LINUX, 0, "linux"), (CHROMEBOOK, 0, "other"), ("", 0, "other"),
])
def test_platform_of_a_user_agent(web_modules, agent, touch_points, platform):
    assert web_modules.evaluate("async ([agent, points]) => (await import('/js/platform.js')).platformOf(agent, points)",
                                [agent, touch_points]) == platform


@contextmanager
def subscribe_panel(browser, site, agent: str, phone: bool):
    size = {"width": 412, "height": 915} if phone else {"width": 1280, "height": 800}
    context = browser.new_context(user_agent=agent, viewport=size, is_mobile=phone, has_touch=phone, locale="en-GB",
                                  service_workers="block")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url("").rstrip("/"))
    page = context.new_page()
    try:
        page.goto(site.url(QUERY))
        wait_for_week(page)
        page.get_by_role("button", name="Subscribe").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        yield page
    finally:
        context.close()


def first_app(page) -> str:
    return page.locator("#subscribe-apps .app-option").first.get_attribute("data-app")


def offered(page) -> list[str]:
    return page.eval_on_selector_all("#subscribe-apps .app-option", "all => all.map(e => e.dataset.app)")


def test_android_offers_google_calendars_add_by_url_page_first(browser, published_site):
    with subscribe_panel(browser, published_site, ANDROID, phone=True) as page:
        assert first_app(page) == "google"


def test_androids_google_button_opens_the_add_by_url_page(browser, published_site):
    with subscribe_panel(browser, published_site, ANDROID, phone=True) as page:
        expect(page.locator("#subscribe-apps .app-option.first a")).to_have_attribute("href", GOOGLE_ADD_BY_URL)


def test_android_shows_a_two_line_how_to(browser, published_site):
    with subscribe_panel(browser, published_site, ANDROID, phone=True) as page:
        how_to = page.locator("#subscribe-apps .app-option.first .how-to")
        expect(how_to).to_be_visible()
        assert len(how_to.inner_text().strip().splitlines()) == 2


def test_androids_google_button_copies_the_https_link_and_confirms(browser, published_site):
    with subscribe_panel(browser, published_site, ANDROID, phone=True) as page:
        page.context.route("https://calendar.google.com/**", lambda route: route.fulfill(body="Google Calendar", content_type="text/html"))
        with page.context.expect_page() as google:
            page.locator("#subscribe-google").click()
        assert google.value.url == GOOGLE_ADD_BY_URL
        expect(page.locator("#subscribe-copied")).to_have_text("Link copied.")
        assert page.evaluate("navigator.clipboard.readText()") == page.locator("#subscribe-url").input_value()


def test_android_hides_the_webcal_link_that_opens_nothing_there(browser, published_site):
    with subscribe_panel(browser, published_site, ANDROID, phone=True) as page:
        expect(page.locator("#subscribe-webcal")).to_be_hidden()


def test_ios_offers_webcal_first(browser, published_site):
    with subscribe_panel(browser, published_site, IPHONE, phone=True) as page:
        https = page.locator("#subscribe-url").input_value()
        first = page.locator("#subscribe-apps .app-option.first a")
        expect(first).to_have_attribute("href", "webcal:" + https.split(":", 1)[1])


def test_ios_names_apple_calendar_first(browser, published_site):
    with subscribe_panel(browser, published_site, IPHONE, phone=True) as page:
        assert first_app(page) == "apple"


def test_a_windows_desktop_offers_outlooks_subscribe_page_with_the_https_link(browser, published_site):
    with subscribe_panel(browser, published_site, WINDOWS, phone=False) as page:
        https = page.locator("#subscribe-url").input_value()
        href = page.locator("#subscribe-apps .app-option.first a").get_attribute("href")
        assert (first_app(page), href.split("?")[0], parse_qs(urlsplit(href).query)["url"]) == (
            "outlook", "https://outlook.office.com/calendar/0/addfromweb", [https])


def test_outlook_com_has_its_own_subscribe_page(browser, published_site):
    with subscribe_panel(browser, published_site, WINDOWS, phone=False) as page:
        https = page.locator("#subscribe-url").input_value()
        expect(page.get_by_role("link", name="Outlook.com")).to_have_attribute(
            "href", f"https://outlook.live.com/calendar/0/addfromweb?url={quote(https, safe='')}&name=IE2%20921%2F1")


def test_thunderbird_offers_webcal_first(browser, published_site):
    with subscribe_panel(browser, published_site, THUNDERBIRD, phone=False) as page:
        assert (first_app(page), page.locator("#subscribe-thunderbird").get_attribute("href").split(":")[0]) == (
            "thunderbird", "webcal")


@pytest.mark.parametrize("agent", [ANDROID, IPHONE, WINDOWS, THUNDERBIRD])
def test_every_platform_keeps_every_app_one_tap_away(browser, published_site, agent):
    with subscribe_panel(browser, published_site, agent, phone=agent in (ANDROID, IPHONE)) as page:
        visible = page.eval_on_selector_all("#subscribe-apps .app-option a", "all => all.filter(a => a.checkVisibility()).length")
        assert (sorted(offered(page)), visible) == (["apple", "google", "outlook", "outlookCom", "thunderbird"], 5)


def test_only_the_first_app_shows_its_how_to(browser, published_site):
    with subscribe_panel(browser, published_site, WINDOWS, phone=False) as page:
        assert page.eval_on_selector_all("#subscribe-apps .how-to", "all => all.filter(e => e.checkVisibility()).length") == 1


def test_the_panel_says_a_download_never_updates(browser, published_site):
    with subscribe_panel(browser, published_site, WINDOWS, phone=False) as page:
        expect(page.get_by_role("dialog")).to_contain_text("a downloaded file is a copy that never updates")


def test_the_copy_button_confirms_the_copy(browser, published_site):
    with subscribe_panel(browser, published_site, WINDOWS, phone=False) as page:
        page.get_by_role("dialog").get_by_role("button", name="Copy link").click()
        expect(page.get_by_role("dialog").get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == page.locator("#subscribe-url").input_value()
