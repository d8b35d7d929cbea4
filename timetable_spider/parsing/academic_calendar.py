"""Parsing of the university's academic-calendar page ("Structura anului universitar").

The page holds, per study line, a table for semester I, one for semester II and one for
semester II of final years. Each table is found by the heading text before it, never by
its position, and a layout that does not yield all six tables is refused with a clear error.
"""
from __future__ import annotations

import re
from datetime import date

from parsel import Selector

from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, ROMANIAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS, Period, plain)
from timetable_spider.parsing.timetable_pages import text_of

DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
RANGE = re.compile(DATE + r"\s*[-\u2013\u2014]\s*" + DATE + r"\s*(.*)$")
ACADEMIC_YEAR = re.compile(r"structura anului universitar\s+(\d{4})\s*[-\u2013]\s*(\d{4})")
SEMESTER_HEADING = re.compile(r"^semestrul\s+(ii|i)\b(.*)$")
VARIANT = re.compile(r"\bvarianta\s+(\d+)")
REQUIRED = [(line, key) for line in (ROMANIAN, HUNGARIAN_GERMAN)
            for key in (SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS)]


class CalendarLayoutError(ValueError):
    """The page is not laid out as the parser knows; nothing should be guessed from it."""


def parse_academic_calendar(page: Selector, final_year_variant: int = 1
                            ) -> tuple[str, dict[tuple[str, str], list[Period]]]:
    """The academic year ("2025-2026") and the six tables, keyed by (study line, table key).

    Where final years come in variants ("Varianta 1", "Varianta 2"), final_year_variant picks one.
    """
    tables: dict[tuple[str, str], list[Period]] = {}
    line = key = None
    variant = None
    for node in page.xpath("//h2 | //h3 | //p[not(ancestor::table)] | //table[not(ancestor::table)]"):
        text = plain(text_of(node))
        if node.root.tag in ("h2", "h3"):
            line = _study_line(text) or line
            key = None
        elif node.root.tag == "p":
            semester = SEMESTER_HEADING.match(text)
            if semester:
                final = "terminal" in semester.group(2)
                key = SEMESTER_1 if semester.group(1) == "i" else (
                    SEMESTER_2_FINAL_YEARS if final else SEMESTER_2)
            found = VARIANT.search(text)
            if found and (semester or key == SEMESTER_2_FINAL_YEARS):
                variant = int(found.group(1))
            elif semester:
                variant = None
        elif line and key:
            if key != SEMESTER_2_FINAL_YEARS or variant in (None, final_year_variant):
                tables.setdefault((line, key), _periods(node))
            key = None if key != SEMESTER_2_FINAL_YEARS else key

    missing = [f"{line} {key}" for line, key in REQUIRED if not tables.get((line, key))]
    if missing:
        raise CalendarLayoutError(
            "academic calendar layout not recognised: no table found for " + ", ".join(missing)
            + " (expected headings 'Linia de studiu Română' / 'Liniile de studiu Maghiară și Germană',"
              " each followed by 'SEMESTRUL I', 'SEMESTRUL II' and 'SEMESTRUL II - Anii terminali')")
    heading = ACADEMIC_YEAR.search(plain(" ".join(page.xpath("//h1//text() | //title//text()").getall())))
    if heading:
        academic_year = f"{heading.group(1)}-{heading.group(2)}"
    else:  # a trimmed copy: the year starts with semester I
        first = tables[(ROMANIAN, SEMESTER_1)][0].start.year
        academic_year = f"{first}-{first + 1}"
    return academic_year, tables


def _study_line(heading: str) -> str | None:
    if "linia de studiu romana" in heading or "liniile de studiu romana" in heading:
        return ROMANIAN
    if "maghiara" in heading or "germana" in heading:
        return HUNGARIAN_GERMAN
    return None


def _periods(table: Selector) -> list[Period]:
    periods = []
    for row in table.xpath("./tr | ./tbody/tr"):
        cells = [text_of(td) for td in row.xpath("./td")]
        match = RANGE.search(" ".join(cells))
        if not match:
            continue
        start = _date(*match.group(1, 2, 3))
        end = _date(*match.group(4, 5, 6))
        if len(cells) >= 2 and RANGE.search(cells[0]):
            label, notes = cells[1], " ".join(cells[2:])
        else:
            label, notes = match.group(7), ""
        teaching = plain(label).startswith("activitate didactica")
        days_off = tuple(_date(*d) for d in re.findall(DATE, label + " " + notes)) if teaching else ()
        periods.append(Period(start=start, end=end, label=label, notes=notes,
                              teaching=teaching, holidays=days_off))
    return periods


def _date(day: str, month: str, year: str) -> date:
    return date(int(year), int(month), int(day))
