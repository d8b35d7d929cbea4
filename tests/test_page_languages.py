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
                                 launch_browser, playwright, published_site, wait_for_week, web_modules)

WEB = Path(__file__).resolve().parent.parent / "timetable_spider" / "web"
LANGUAGES = ("ro", "en", "hu", "de")
CODE, GROUP, ODD_WEEK = "IE2", "921", "2026-03-09"

# Strings a language may share with another: names of products, words both languages spell alike.
SAME_IN = {
    "google": set(LANGUAGES), "apple": set(LANGUAGES), "outlookCom": set(LANGUAGES), "thunderbird": set(LANGUAGES),
    "kindS": {"en", "ro", "de"},  # "Seminar"
    "typeS": {"ro", "de"},  # "Seminare"
    "master": {"en", "ro"},  # "Master"
    "linkAddress": {"en", "ro"},  # "Link"
}


def flat(table: dict, prefix: str = "") -> dict[str, str]:
    """{"periods.vacanta": "holiday", "title": …}: a table's strings by their dotted key. A
    language's search words are its own vocabulary (tested below), not strings to translate."""
    out = {}
    for key, value in table.items():
        if key == "searchWords":
            continue
        if isinstance(value, dict) and "other" in value:  # a count's plural forms: one string to read
            out[f"{prefix}{key}"] = " / ".join(value.values())
        elif isinstance(value, dict):
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


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_count_has_the_plural_forms_of_its_language(web_modules, code):
    forms = web_modules.evaluate("""async (code) => {
        const table = (await import(`/js/lang/${code}.js`)).default;
        const needed = new Intl.PluralRules(table.dateLocale).resolvedOptions().pluralCategories.sort();
        return Object.entries(table).filter(([, value]) => typeof value === "object" && "other" in value)
            .map(([key, value]) => [key, Object.keys(value).sort().join(" ") === needed.join(" ")]);
    }""", code)
    assert (len(forms) >= 3, [key for key, complete in forms if not complete]) == (True, [])


@pytest.mark.parametrize("code, one, many", [("en", "1 change", "3 changes"), ("ro", "1 modificare", "20 de modificări"),
                                             ("de", "1 Änderung", "3 Änderungen")])
def test_a_count_agrees_with_its_number(web_modules, code, one, many):
    said = web_modules.evaluate("""async ([code, counts]) => {
        document.documentElement.dataset.lang = code;
        const { t, setLanguage } = await import('/js/i18n.js');
        await setLanguage(code);
        return counts.map((n) => t('changesCount', { n }));
    }""", [code, [1, int(many.split()[0])]])
    assert said == [one, many]


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


# -- the search and the first screen in each language -------------------------------------------

@contextmanager
def first_visit(browser, site, locale: str):
    """The page with no choice made, on a phone whose language is locale."""
    context = phone_in(browser, locale)
    try:
        page = context.new_page()
        page.goto(site.url("index.html"))
        expect(page.locator("#largest li")).to_have_count(6)
        yield page
    finally:
        context.close()


def first_result(page, typed: str) -> str:
    page.locator("#search").fill(typed)
    return page.locator("#results [role=option] .result-main").first.inner_text()


@pytest.mark.parametrize("locale, typed, found", [
    ("hu-HU", "informatika magyar", "Informatica - linia de studiu maghiara"),
    ("hu-HU", "matematika-informatika magyar", "Matematica informatica - linia de studiu maghiara"),
    ("hu-HU", "mesterséges intelligencia", "Inteligenta Artificiala in limba engleza"),
    ("de-DE", "Informatik deutsch", "Informatica - in limba germana"),
    ("de-DE", "Künstliche Intelligenz", "Inteligenta Artificiala in limba engleza"),
    ("en-GB", "computer science hungarian", "Informatica - linia de studiu maghiara"),
    ("hu-HU", "informatica maghiara", "Informatica - linia de studiu maghiara"),  # the Romanian name, as ever
])
def test_the_search_finds_a_specialization_by_the_pages_languages_words(browser, published_site, locale, typed, found):
    with first_visit(browser, published_site, locale) as page:
        assert first_result(page, typed) == found


def test_each_languages_search_words_name_words_of_the_index(tables_with_search_words, published_site):
    index_words = {word for spec in published_site.json("data/index.json")
                   for word in re.sub(r"[^a-z0-9]+", " ", spec["name"].lower()).split()}
    unknown = {code: sorted({word for meaning in words.values() for word in meaning.split()} - index_words)
               for code, words in tables_with_search_words.items()}
    assert unknown == {code: [] for code in LANGUAGES}


@pytest.fixture(scope="module")
def tables_with_search_words(web_modules) -> dict[str, dict[str, str]]:
    return web_modules.evaluate("""async (codes) => Object.fromEntries(await Promise.all(codes.map(async (code) =>
        [code, (await import(`/js/lang/${code}.js`)).default.searchWords])))""", list(LANGUAGES))


@pytest.mark.parametrize("locale, line", [("hu-HU", "maghiara"), ("de-DE", "germana"), ("en-GB", "engleza"), ("ro-RO", "romana")])
def test_a_phones_first_screen_offers_the_largest_specializations_of_its_languages_line_first(browser, published_site, locale, line):
    with first_visit(browser, published_site, locale) as page:
        assert line in page.locator("#largest button").first.inner_text()


@pytest.mark.parametrize("locale", ["hu-HU", "de-DE"])
def test_a_phones_first_screen_has_the_search_and_no_empty_week(browser, published_site, locale):
    with first_visit(browser, published_site, locale) as page:
        search = page.locator("#search").bounding_box()
        assert (search["y"] + search["height"] < 400, page.locator("#week").is_visible()) == (True, False)


def test_a_largest_specialization_is_one_tap_from_its_years(browser, published_site):
    with first_visit(browser, published_site, "hu-HU") as page:
        page.locator("#largest button").first.click()
        expect(page.locator("#picked-spec")).to_contain_text("maghiara")
        expect(page.locator("#year")).to_be_focused()


def test_the_changes_badge_counts_one_change_in_the_singular(browser, published_site):
    with week_in(browser, published_site, "en-GB", "&take=MLE5013:2") as page:
        expect(page.locator("#changes-count")).to_have_text("1 change")
