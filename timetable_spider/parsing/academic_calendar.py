"""Parsing of the university's academic-calendar page ("Structura anului universitar").

The page holds, per study line, a table for semester I, one for semester II and one for
semester II of final years. Each table is found by the heading text before it, never by
its position, and a layout that does not yield all six tables is refused with a clear error.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from parsel import Selector

from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, ROMANIAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS, Period, plain)
from timetable_spider.parsing.timetable_pages import text_of

DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
DASH = r"\s*[-\u2013\u2014]\s*"
RANGE = re.compile(DATE + DASH + DATE + r"\s*(.*)$")
# In the notes: "zi liberă" / "zile libere" (folded), the clauses that name the days off.
FREE_DAYS = re.compile(r"\bzi(?:le)? liber[ae]\b")
# Dates in the notes: "24.12.2025 - 26.12.2025", "24.12 - 26.12.2025", "24-26.12.2025" or one day.
NOTED_DAYS = re.compile(r"(\d{1,2})(?:\.(\d{1,2}))?(?:\.(\d{4}))?" + DASH + DATE + "|" + DATE)
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
        days_off = days_off_in(f"{label} {notes}") if teaching else ()
        periods.append(Period(start=start, end=end, label=label, notes=notes,
                              teaching=teaching, holidays=days_off))
    return periods


def days_off_in(notes: str) -> tuple[date, ...]:
    """The days a period's notes call free ("zi liberă", "zile libere"), ranges in full.

    Notes name other dates too (a make-up day, a deadline), so a date counts only in a clause
    that ends in the mark ("luni, 01.12.2025, Ziua Marii Uniri - zi liberă") or that the mark
    opens with a colon ("zile libere: 24-26.12.2025"). Clauses end at ";", "(" and ")".
    """
    days: list[date] = []
    for clause in re.split(r"[;()]", plain(notes)):
        marks = list(FREE_DAYS.finditer(clause))
        if not marks:
            continue
        free = clause[:marks[-1].end()]
        free += "".join(clause[m.end():] for m in marks[-1:] if clause[m.end():].lstrip().startswith(":"))
        for found in NOTED_DAYS.finditer(free):
            days.extend(_noted_days(found.groups()))
    return tuple(sorted(set(days)))


def _noted_days(groups: tuple[str | None, ...]) -> list[date]:
    first_day, first_month, first_year, day, month, year, single_day, single_month, single_year = groups
    if single_day:
        return [_date(single_day, single_month, single_year)]
    last = _date(day, month, year)
    first = _date(first_day, first_month or month, first_year or year)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _date(day: str, month: str, year: str) -> date:
    return date(int(year), int(month), int(day))
