"""Parsing of the faculty's timetable site: the index, the spec pages and the room legend.

Functions take a parsel Selector (a Scrapy response is one) and return plain data. A row
that does not parse is skipped and reported as a RowProblem, so the good rows around it
still land and the caller can name the page and the row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin

from parsel import Selector

from timetable_spider import calendar_rules
from timetable_spider.items import Group, SpecializationListing, TimetableEntry
from timetable_spider.teachers_rooms_subjects import unknown_teacher

COLUMNS = ("ziua", "orele", "frecventa", "sala", "formatia", "tipul", "disciplina", "cadrul didactic")
GROUP_HEADING = re.compile(r"^Grupa\s+(\S.*)$")
HOURS = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*-\s*(\d{1,2})(?:[:.](\d{2}))?$")
SPEC_LINK = re.compile(r"^([A-Za-z0-9_-]+)\.html$")
YEAR_LINK = re.compile(r"Anul\s+(\d+)", re.IGNORECASE)
DEGREES = {"studii licenta": "bachelor", "studii master": "master"}
# The faculty's pages a row links to, by column: "../sali/2-I.html", "../disc/MLE5028.html", "../cadre/susa.html".
LINKED_COLUMNS = {"sala": ("sali", "room"), "disciplina": ("disc", "subject"), "cadrul didactic": ("cadre", "teacher")}
PAGE_LINK = re.compile(r"(?:^|/)(sali|disc|cadre)/([^/?#]+)\.html?$")
# A code becomes a file name (teachers/<code>.ics): nothing but letters, digits and . _ -, no "..".
CODE = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class RowProblem:
    """A part of a page that was skipped, and why."""

    where: str  # e.g. "group 921, row 4" or "table 3"
    reason: str
    text: str = ""
    kept: bool = False  # the row is kept, with this noted (a link the crawl cannot read)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" + (f" ({self.text!r})" if self.text else "")


def text_of(node: Selector) -> str:
    """The visible text of a node, whitespace (and &nbsp;) collapsed."""
    return _cell_text(node.root)  # lxml's own: parsel makes a Selector of every text node


def parse_index(page: Selector, base_url: str) -> list[SpecializationListing]:
    """Every "Anul N" link of the index's sections, in the page's order."""
    listings = []
    for table in page.xpath("//table"):
        rows = table.xpath("./tr | ./tbody/tr")
        if not rows:
            continue
        degree = DEGREES.get(calendar_rules.plain(text_of(rows[0].xpath("./th|./td")[0]))) \
            if rows[0].xpath("./th|./td") else None
        if degree is None:
            continue
        for row in rows[1:]:
            cells = row.xpath("./td")
            if not cells:
                continue
            name = text_of(cells[0])
            for link in row.xpath(".//a[@href]"):
                href = link.attrib["href"].strip()
                code = SPEC_LINK.match(href.rsplit("/", 1)[-1])
                year = YEAR_LINK.search(text_of(link))
                if not (name and code and year):
                    continue
                listings.append(SpecializationListing(
                    code=code.group(1), name=name, year=int(year.group(1)), degree=degree,
                    url=urljoin(base_url, href)))
    return listings


def parse_room_legend(page: Selector) -> dict[str, str]:
    """Room code -> location, from the legend's two-column table."""
    rooms = {}
    for row in page.xpath("//tr[td]"):
        cells = row.xpath("./td")
        if len(cells) >= 2:
            # the location keeps its inner spacing: students search for it as the page words it
            room, location = text_of(cells[0]), "".join(cells[1].xpath(".//text()").getall()).strip()
            if room:
                rooms[room] = location
    return rooms


def parse_timetable_page(page: Selector) -> tuple[str, list[Group], list[RowProblem]]:
    """The page's title and its groups, each from a "Grupa N" heading and the table after it."""
    title = text_of(page.xpath("//title")[0]) if page.xpath("//title") else ""
    groups: list[Group] = []
    problems: list[RowProblem] = []
    pending: str | None = None
    tables = 0
    for node in page.xpath("//h1 | //table[not(ancestor::table)]"):
        if node.root.tag == "h1":
            heading = GROUP_HEADING.match(text_of(node))
            if heading:
                if pending is not None:
                    problems.append(RowProblem(f"group {pending}", "group heading with no table"))
                pending = heading.group(1)
            continue
        tables += 1
        if pending is None:
            problems.append(RowProblem(f"table {tables}", "table with no group heading"))
            continue
        entries, row_problems = _parse_group_table(node, pending)
        groups.append(Group(name=pending, entries=entries))
        problems.extend(row_problems)
        pending = None
    if pending is not None:
        problems.append(RowProblem(f"group {pending}", "group heading with no table"))
    return title, groups, problems


def _parse_group_table(table: Selector, group: str) -> tuple[list[TimetableEntry], list[RowProblem]]:
    # lxml directly: this loop runs for every cell of ~70 pages, parsel's per-node XPath is 10x slower
    rows = [tr for part in (table.root, *table.root.iterchildren("thead", "tbody"))
            for tr in part.iterchildren("tr")]
    columns = list(range(len(COLUMNS)))
    if rows and rows[0].find("th") is not None:
        names = [calendar_rules.plain(_cell_text(th)) for th in rows[0].iter("th")]
        if all(c in names for c in COLUMNS):
            columns = [names.index(c) for c in COLUMNS]
        rows = rows[1:]
    # where each linked column's cell is in a row: (what the code names, the faculty's directory, index)
    linked = [(what, directory, columns[COLUMNS.index(column)])
              for column, (directory, what) in LINKED_COLUMNS.items()]
    entries, problems = [], []
    for number, row in enumerate(rows, start=1):
        tds = row.findall("td")
        cells = [_cell_text(td) for td in tds]
        try:
            fields = _parse_row(cells, columns)
        except ValueError as error:
            problems.append(RowProblem(f"group {group}, row {number}", str(error), " | ".join(cells)))
            continue
        codes = {what: _linked_code(tds[index], directory) for what, directory, index in linked}
        nobody = unknown_teacher(fields["teacher"])  # linked or not, it names nobody: no code, nothing to warn of
        if nobody:
            codes["teacher"] = ""
        unreadable = [what for what, _directory, index in linked
                      if cells[index] and not codes[what] and not (nobody and what == "teacher")]
        if unreadable:
            problems.append(RowProblem(
                f"group {group}, row {number}",
                f"no {_listed(unreadable, 'or')} code the crawl can read in the links; the class is left "
                f"out of the {_listed(unreadable, 'and')} calendars", " | ".join(cells), kept=True))
        entries.append(TimetableEntry(**fields, room_code=codes["room"], subject_code=codes["subject"],
                                      teacher_code=codes["teacher"]))
    return entries, problems


def _listed(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _linked_code(cell, directory: str) -> str:
    """The code of the faculty page a cell links to ("../cadre/susa.html" -> "susa"), or ""."""
    found = PAGE_LINK.search(_first_href(cell))
    code = unquote(found.group(2)) if found and found.group(1) == directory else ""
    return code if CODE.match(code) else ""


def _first_href(cell) -> str:
    for link in cell.iter("a"):  # a plain loop: twice as fast as next() over a generator, for 3 cells a row
        href = link.get("href")
        if href:
            return href.strip()
    return ""


def _cell_text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _parse_row(cells: list[str], columns: list[int]) -> dict[str, str]:
    """A row's fields, checked, for a TimetableEntry; ValueError names what is wrong."""
    if len(cells) <= max(columns):
        raise ValueError(f"{len(cells)} cells, expected {len(COLUMNS)}")
    day, hours, frequency, room, formation, kind, subject, teacher = (cells[i] for i in columns)
    if calendar_rules.weekday_number(day) is None:
        raise ValueError(f"unknown day {day!r}")
    span = HOURS.match(hours)
    if not span:
        raise ValueError(f"hours {hours!r} do not parse")
    start = (int(span.group(1)), int(span.group(2) or 0))
    end = (int(span.group(3)), int(span.group(4) or 0))
    if not (start < end <= (24, 0) and start[1] < 60 and end[1] < 60):
        raise ValueError(f"hours {hours!r} are not a time span within a day")
    calendar_rules.week_parity(frequency)  # raises on an unknown frequency
    if calendar_rules.event_type_letter(kind) is None:
        raise ValueError(f"unknown event type {kind!r}")
    if not subject:
        raise ValueError("empty subject")
    if not formation:
        raise ValueError("empty formation")
    return dict(day=day, start="%02d:%02d" % start, end="%02d:%02d" % end, frequency=frequency,
                room=room, formation=formation, kind=kind, subject=subject, teacher=teacher)
