"""Every word of a change sentence and of a break's wording comes from the page's language tables
(issue 28): the crawl's Romanian day names ("Marti") and the academic calendar's kinds and
lengths ("vacanță · 8 săptămâni") are translated; proper names of holidays stay Romanian, marked so.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_week, web_modules)

MOVED = {"change": "changed", "formation": "921/2", "fields": {"time": ["Marti 18:00-20:00", "Vineri 18:00-20:00"]},
         "class": {"subject": "Programare Web", "type": "Laborator", "day": "Vineri", "start": "18:00", "end": "20:00",
                   "room": "L002", "teacher": "Lect. NOU Ion"}}
ADDED = {**MOVED, "change": "added", "fields": {}}


@pytest.mark.parametrize("code, moved, added", [
    ("en", "Changed: [L] Programare Web (921/2): time Tuesday 18:00-20:00 → Friday 18:00-20:00",
     "New: [L] Programare Web (921/2), Friday 18:00–20:00, L002, Lect. NOU Ion"),
    ("ro", "Modificat: [L] Programare Web (921/2): ora Marți 18:00-20:00 → Vineri 18:00-20:00",
     "Nou: [L] Programare Web (921/2), Vineri 18:00–20:00, L002, Lect. NOU Ion"),
    ("de", "Geändert: [L] Programare Web (921/2): Uhrzeit Dienstag 18:00-20:00 → Freitag 18:00-20:00",
     "Neu: [L] Programare Web (921/2), Freitag 18:00–20:00, L002, Lect. NOU Ion"),
])
def test_a_change_sentence_names_the_days_in_the_pages_language(web_modules, code, moved, added):
    said = web_modules.evaluate("""async ([code, changes]) => {
        const { setLanguage } = await import('/js/i18n.js');
        await setLanguage(code);
        const { sentence } = await import('/js/changes.js');
        return changes.map(sentence);
    }""", [code, [MOVED, ADDED]])
    assert said == [moved, added]


@pytest.mark.parametrize("lang, date, wording", [
    ("en", "2026-08-10", "holiday · 8 weeks"),
    ("ro", "2026-08-10", "vacanță · 8 săptămâni"),
    ("de", "2026-06-10", "Prüfungszeit · 3 Wochen"),
])
def test_a_breaks_wording_is_in_the_pages_language(page: Page, published_site, lang, date, wording):
    page.add_init_script(f"localStorage.setItem('timetable-lang', '{lang}')")
    page.goto(published_site.url(f"index.html?code=IE2&group=921&subgroup=1&date={date}"))
    wait_for_week(page)
    expect(page.locator("#between p")).to_have_text(wording)
    expect(page.locator("#between p [lang]")).to_have_count(0)


def test_a_holidays_proper_name_stays_romanian_and_says_so(web_modules):
    parts = web_modules.evaluate("""async () => {
        const { setLanguage } = await import('/js/i18n.js');
        await setLanguage('en');
        const { describeBreak } = await import('/js/breaks.js');
        const table = { weeks: ['2026-04-20'], periods: [{ label: 'sesiune de examene', teaching: false,
            start: '2026-06-01', end: '2026-06-21', days_off: [],
            notes: '2 săptămâni (luni, 01.06.2026, a II-a zi de Rusalii și Ziua Copilului - zile libere)' }] };
        return describeBreak(table, '2026-06-01').wording;
    }""")
    assert parts == [[["exam session"]], [["2 weeks"]],
                     [["Monday 1 June: "], ["a II-a zi de Rusalii și Ziua Copilului", "ro"]]]
