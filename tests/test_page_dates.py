"""The page's dates are written by Intl alone (issue 28): a week's span says its year once, or
both years across New Year, in each of the page's languages; a phone leaves the year out."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_week, web_modules)


def ranges(web_modules, code: str, spans: list[list[str]], year: bool) -> list[str]:
    return web_modules.evaluate("""async ([code, spans, year]) => {
        const { dateRange, setLanguage } = await import('/js/i18n.js');
        await setLanguage(code);
        return spans.map(([from, to]) => dateRange(from, to, { year }).replace(/\\s+/g, ' '));
    }""", [code, spans, year])


@pytest.mark.parametrize("code, one_year, new_year", [
    ("en", "9 – 14 Mar 2026", "28 Dec 1998 – 2 Jan 1999"),
    ("ro", "9 – 14 mar. 2026", "28 dec. 1998 – 2 ian. 1999"),
    ("de", "9.–14. März 2026", "28. Dez. 1998 – 2. Jan. 1999"),
    ("hu", "2026. márc. 9–14.", "1998. dec. 28. – 1999. jan. 2."),
])
def test_a_week_says_its_year_once_or_both_across_new_year(web_modules, code, one_year, new_year):
    found = ranges(web_modules, code, [["2026-03-09", "2026-03-14"], ["1998-12-28", "1999-01-02"]], True)
    # Intl's spacing around the dash differs between ICU versions: compare without it
    assert [text.replace(" – ", "–").replace(" –", "–").replace("– ", "–") for text in found] == \
        [text.replace(" – ", "–").replace(" –", "–").replace("– ", "–") for text in (one_year, new_year)]
    for text, years in zip(found, (["2026"], ["1998", "1999"])):
        assert [year for year in ("1998", "1999", "2026") if year in text] == years
        assert all(text.count(year) == 1 for year in years)


def test_the_week_title_shows_the_year_once_on_a_desktop_and_none_on_a_phone(browser, published_site):
    for viewport, shown in (({"width": 1280, "height": 900}, "2026"), ({"width": 412, "height": 915}, None)):
        context = browser.new_context(viewport=viewport, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(published_site.url("index.html?code=IE2&group=921&subgroup=1&date=2026-03-09"))
            wait_for_week(page)
            title = page.locator("#week-title").inner_text()
            assert title.count("2026") == (1 if shown else 0), title
            assert title.startswith("Week 3 · 9"), title  # the space after the dot kept (a phone's title is a flex box)
            expect(page.locator("#week-title")).to_contain_text("Week 3")
        finally:
            context.close()
