"""What the page's download and the personal feeds both do to a published calendar's head: fold
a line under 75 octets and name the calendar "Personal …". One table of hand-written cases, run
against writers/ics.py and personal_feeds.py and, in Chromium, against web/js/ics.js."""
from __future__ import annotations

import pytest

from tests.page_fixtures import browser, browser_type, browser_type_launch_args, launch_browser, playwright, web_modules  # noqa: F401
from timetable_spider.personal_feeds import personal_head
from timetable_spider.writers.ics import fold

FOLDS = [  # (line, its folded pieces)
    ("NAME:IE2 921/1", ["NAME:IE2 921/1"]),
    ("X" * 74, ["X" * 74]),
    ("X" * 75, ["X" * 74, "X"]),
    ("X" * 150, ["X" * 74, "X" * 74, "XX"]),
    ("A" * 73 + "\\," + "B" * 10, ["A" * 73, "\\," + "B" * 10]),  # an escape is never split
    ("NAME:" + "ă" * 40, ["NAME:" + "ă" * 34, "ă" * 6]),  # 2 octets a letter: 73 octets, then 75 would be too many
    ("NAME:" + "😀" * 20, ["NAME:" + "😀" * 17, "😀" * 3]),
]

# The NAME line, folded as published, unfolds and folds again after "Personal ": 74 octets
# ("·" is two) up to "gro", then the rest.
HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nNAME:IE2 921/1 · Informatica - in limba engleza · Year 2 · gr\r\n"
        " oup 921/1\r\nX-WR-CALNAME:IE2 921/1\r\nX-WR-TIMEZONE:Europe/Bucharest\r\n")
PERSONAL_HEAD = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nNAME:Personal IE2 921/1 · Informatica - in limba engleza · Year 2 · gro\r\n"
                 " up 921/1\r\nX-WR-CALNAME:Personal IE2 921/1\r\nX-WR-TIMEZONE:Europe/Bucharest\r\n")


@pytest.mark.parametrize("line, pieces", FOLDS)
def test_the_feeds_fold_as_the_table_says(line, pieces):
    assert fold(line) == "\r\n ".join(pieces)


def test_the_page_folds_as_the_table_says(web_modules):
    folded = web_modules.evaluate("async (lines) => { const { fold } = await import('/js/ics.js'); return lines.map(fold); }",
                                  [line for line, _ in FOLDS])
    assert folded == ["\r\n ".join(pieces) for _, pieces in FOLDS]


def test_the_feeds_name_a_personal_calendar_as_the_table_says():
    assert personal_head(HEAD.encode()) == PERSONAL_HEAD.encode()


def test_the_page_names_a_personal_calendar_as_the_table_says(web_modules):
    assert web_modules.evaluate("async (head) => (await import('/js/ics.js')).personalHead(head)", HEAD) == PERSONAL_HEAD
