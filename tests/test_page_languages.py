"""The page's four languages (ro, en, hu, de): the tables in timetable_spider/web/js/lang/ agree key
for key and leave nothing untranslated; in Debian's Chromium, each language at a phone's size, the
browser's language choosing, the switch remembering, and a link's lang= ruling.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_week)

WEB = Path(__file__).resolve().parent.parent / "timetable_spider" / "web"
LANGUAGES = ("ro", "en", "hu", "de")
CODE, GROUP, ODD_WEEK = "IE2", "921", "2026-03-09"

# Strings a language may share with another: names of products, words both languages spell alike.
SAME_IN = {
    "google": set(LANGUAGES), "apple": set(LANGUAGES), "outlook": set(LANGUAGES),
    "kindS": {"en", "ro", "de"},  # "Seminar"
    "typeS": {"ro", "de"},  # "Seminare"
    "master": {"en", "ro"},  # "Master"
    "linkAddress": {"en", "ro"},  # "Link"
}


def flat(table: dict, prefix: str = "") -> dict[str, str]:
    """{"periods.vacanta": "holiday", "title": …}: a table's strings by their dotted key."""
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.fixture(scope="module")
def tables(browser) -> dict[str, dict[str, str]]:
    """Each language module, as the browser imports it (served from the package's web folder)."""
    page = browser.new_page()
    page.route("http://page.test/js/lang/*.js", lambda route: route.fulfill(
        path=WEB / "js" / "lang" / route.request.url.rsplit("/", 1)[1], content_type="text/javascript"))
    page.route("http://page.test/", lambda route: route.fulfill(body="<!DOCTYPE html><title>tables</title>",
                                                                content_type="text/html"))
    page.goto("http://page.test/")
    loaded = page.evaluate("""async (codes) => Object.fromEntries(await Promise.all(codes.map(async (code) =>
        [code, (await import(`/js/lang/${code}.js`)).default])))""", list(LANGUAGES))
    page.close()
    return {code: flat(table) for code, table in loaded.items()}


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_language_has_every_key_the_others_have(tables, code):
    others = set().union(*(tables[other].keys() for other in LANGUAGES if other != code))
    assert sorted(others - tables[code].keys()) == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_language_has_a_key_the_others_lack(tables, code):
    for other in LANGUAGES:
        assert sorted(tables[code].keys() - tables[other].keys()) == [], other


def words(text: str) -> str:
    """The text without its {placeholders}, punctuation and digits: what a reader reads."""
    return re.sub(r"[\W\d_]+", "", re.sub(r"\{\w+\}", "", text))


@pytest.mark.parametrize("code", ["ro", "hu", "de"])
@pytest.mark.parametrize("other", ["en", "ro"])
def test_no_string_is_left_in_another_language(tables, code, other):
    if code == other:
        return
    left = [key for key, text in tables[code].items()
            if key != "dateLocale" and words(text) and text == tables[other][key]
            and code not in SAME_IN.get(key, set())]
    assert left == []


def test_each_language_names_its_own_locale_for_dates(tables):
    assert [tables[code]["dateLocale"].split("-")[0] for code in LANGUAGES] == list(LANGUAGES)


# -- in the browser ---------------------------------------------------------------------------------

def phone_in(browser, locale: str):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               device_scale_factor=2, locale=locale)


EXPECTED = {  # the week's title, Monday's tab, the Download button and the page's title, per language
    "ro": ("Săptămâna 3", "Lun.", "Descarcă .ics", "Orar FMI"),
    "en": ("Week 3", "Mon", "Download .ics", "FMI timetable"),
    "hu": ("3. hét", "H", ".ics letöltése", "MIK órarend"),
    "de": ("Woche 3", "Mo", ".ics herunterladen", "FMI-Stundenplan"),
}


@pytest.mark.parametrize("code, locale", [("ro", "ro-RO"), ("en", "en-GB"), ("hu", "hu-HU"), ("de", "de-DE")])
def test_each_language_at_a_phones_size_follows_the_browser(browser, published_site, code, locale):
    context = phone_in(browser, locale)
    try:
        page = context.new_page()
        page.goto(published_site.url(f"index.html?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}"))
        wait_for_week(page)
        week, monday, download, title = EXPECTED[code]
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("#week-title")).to_contain_text(week)
        expect(page.locator(".day-tab").first).to_contain_text(monday)
        expect(page.locator("#download")).to_have_text(download)
        expect(page).to_have_title(re.compile(title))
        expect(page.locator("#language")).to_have_value(code)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@contextmanager
def week_in(browser, site, locale: str, extra: str = "", date: str = ODD_WEEK):
    """The page of IE2 921/1's week of date, in a browser whose language is locale."""
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        page.goto(site.url(f"index.html?code={CODE}&group={GROUP}&subgroup=1&date={date}{extra}"))
        wait_for_week(page)
        yield page
    finally:
        context.close()


def test_the_switch_offers_all_four_and_remembers(browser, published_site):
    with week_in(browser, published_site, "en-GB") as page:
        assert page.locator("#language option").all_inner_texts() == ["Română", "English", "Magyar", "Deutsch"]
        page.locator("#language").select_option("de")
        expect(page.locator("#week-title")).to_contain_text("Woche 3")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        page.reload()
        wait_for_week(page)
        expect(page.locator("#week-title")).to_contain_text("Woche 3")


def test_a_links_lang_rules_and_stays_in_the_share_link(browser, published_site):
    with week_in(browser, published_site, "ro-RO", "&lang=hu") as page:
        expect(page.locator("#week-title")).to_contain_text("3. hét")
        page.locator("#share").click()
        expect(page.locator("#share-url")).to_have_value(re.compile(r"[?&]lang=hu\b"))


def test_academic_calendar_labels_are_translated(browser, published_site):
    with week_in(browser, published_site, "de-DE", date="2026-04-13") as page:
        expect(page.locator("#between")).to_contain_text("Osterferien")
