"""writers/index_page.py: calendars.html says when its list of calendars last changed, so a crawl
that changes nothing leaves the file as it was."""
from __future__ import annotations

from datetime import datetime, timezone

from timetable_spider.writers.index_page import SpecLink, YearLink, page

MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)
TUESDAY = datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)


def specs(*groups: str) -> list[SpecLink]:
    year = YearLink(year=1, code="A1", directory="Alpha/Year 1",
                    groups=[(group, [(f"{group}-all.ics", "whole group")]) for group in groups])
    return [SpecLink(name="Alpha", degree="bachelor", years=[year])]


def test_an_unchanged_list_keeps_the_published_page_and_its_date():
    published = page(specs("111"), "2025-2", MONDAY, None)
    assert page(specs("111"), "2025-2", TUESDAY, published) == published


def test_the_page_says_when_its_list_changed():
    published = page(specs("111"), "2025-2", MONDAY, None)
    assert b'<time class=changed datetime="2026-03-03T06:00Z">2026-03-03 06:00 UTC</time>' in \
        page(specs("111", "112"), "2025-2", TUESDAY, published)


def test_a_new_semester_is_a_change():
    published = page(specs("111"), "2025-2", MONDAY, None)
    assert b'datetime="2026-03-03T06:00Z"' in page(specs("111"), "2026-1", TUESDAY, published)


def test_a_page_an_older_version_wrote_without_the_date_is_written_anew():
    older = b"<footer><p>Generated 2026-03-02 06:00 UTC from the faculty's timetable pages.</p></footer>"
    assert b'datetime="2026-03-03T06:00Z"' in page(specs("111"), "2025-2", TUESDAY, older)


def test_a_published_date_that_is_no_date_is_replaced():
    published = page(specs("111"), "2025-2", MONDAY, None).replace(b"2026-03-02T06:00Z", b"2026-13-45T06:00Z")
    assert b'datetime="2026-03-03T06:00Z"' in page(specs("111"), "2025-2", TUESDAY, published)
