"""Bad input, in-process: broken rows and pages, hostile names, markup and calendar injection.

Spec pages are small HTML strings built into HtmlResponse objects and read by the parser and by
the spider's own callback (on a crawler from scrapy.utils.test.get_crawler, with the project's
settings). Names and texts the pipeline never should trust are fed to PublishSitePipeline as
items, which then builds and publishes a real site under tmp_path.
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import icalendar
import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse

from tests import builders
from tests.builders import entry, listing, outcome, run_pipeline, spec_items, spider_crawler, table_row
from tests.crawling import beside_site, group_calendars
from timetable_spider import site_paths
from timetable_spider.items import (
    AcademicCalendar, Group, RoomLegend, SpecializationListing, Timetable, TimetableEntry)
from timetable_spider.parsing.timetable_pages import parse_timetable_page
from timetable_spider.publishing import SiteBuild

SEMESTER = "2025-2"
URL = "https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/T2.html"
CALENDAR_URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
COLUMNS = ("Ziua", "Orele", "Frecventa", "Sala", "Formatia", "Tipul", "Disciplina", "Cadrul didactic")
GOOD_BEFORE = ("Luni", "8-10", "", "2/I", "921", "Curs", "Algebra", "Prof. ALFA Ana")
GOOD_AFTER = ("Marti", "10-12", "sapt. 1", "L439", "921/1", "Laborator", "Programare Web", "Lect. BETA Bogdan")


# -- pages from strings --------------------------------------------------------------------------

row = table_row


def table(*rows: str) -> str:
    header = "<tr>" + "".join(f"<th>{name}</th>" for name in COLUMNS) + "</tr>\n"
    return f"<table border=1>\n{header}{''.join(rows)}</table>\n"


def heading(group: str) -> str:
    return f"<h1>Grupa {group}</h1>\n"


def page(*parts: str, charset: str = "utf-8") -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>Anul 2 Test</title></head><body><center>\n<h1>Orar Anul 2 Test</h1>\n"
            + "".join(parts) + "</center></body></html>\n")


def response(body: str | bytes, url: str = URL) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode("utf-8") if isinstance(body, str) else body,
                        request=Request(url))


def subjects(group: Group) -> list[str]:
    return [entry.subject for entry in group.entries]


# -- the spider, as Scrapy builds it -------------------------------------------------------------

@pytest.fixture
def crawler():
    return spider_crawler()


LISTING = SpecializationListing(code="T2", name="Test", year=2, degree="bachelor", url=URL)


def run_callback(crawler, body: str | bytes) -> list:
    return list(crawler.spider.parse_timetable(response(body), listing=LISTING))


def warnings_of(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]


def stat(crawler, name: str):
    return crawler.stats.get_value(f"timetable_spider/{name}")


# -- rows that do not parse ----------------------------------------------------------------------

BAD_ROWS = {
    "too few cells": (("Luni", "12-14", "", "2/I"), "4 cells, expected 8"),
    "hours that do not parse": (("Luni", "12 - noon", "", "2/I", "921", "Curs", "Logica", "Prof. X"),
                                "hours '12 - noon' do not parse"),
    "hours past midnight": (("Luni", "22-25", "", "2/I", "921", "Curs", "Logica", "Prof. X"),
                            "hours '22-25' are not a time span within a day"),
    "hours backwards": (("Luni", "14-12", "", "2/I", "921", "Curs", "Logica", "Prof. X"),
                        "hours '14-12' are not a time span within a day"),
    "unknown day": (("Lundi", "12-14", "", "2/I", "921", "Curs", "Logica", "Prof. X"), "unknown day 'Lundi'"),
    "unknown event type": (("Luni", "12-14", "", "2/I", "921", "Workshop", "Logica", "Prof. X"),
                           "unknown event type 'Workshop'"),
    "unknown frequency": (("Luni", "12-14", "sapt. 3", "2/I", "921", "Curs", "Logica", "Prof. X"),
                          "unknown frequency 'sapt. 3'"),
    "empty subject": (("Luni", "12-14", "", "2/I", "921", "Curs", "&nbsp;", "Prof. X"), "empty subject"),
}


def bad_row_page(cells: tuple[str, ...]) -> str:
    return page(heading("921"), table(row(*GOOD_BEFORE), row(*cells), row(*GOOD_AFTER)))


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_parser_skips_a_bad_row_and_keeps_the_rows_around_it(case):
    cells, reason = BAD_ROWS[case]
    title, groups, problems = parse_timetable_page(response(bad_row_page(cells)))
    assert title == "Anul 2 Test"
    assert [g.name for g in groups] == ["921"]
    assert subjects(groups[0]) == ["Algebra", "Programare Web"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.where == "group 921, row 2"
    assert problem.reason == reason
    assert problem.text == " | ".join(html.unescape(c).replace("\xa0", " ").strip() for c in cells)


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_spider_warns_counts_and_yields_the_good_rows(crawler, caplog, case):
    cells, reason = BAD_ROWS[case]
    with caplog.at_level(logging.WARNING):
        items = run_callback(crawler, bad_row_page(cells))
    [timetable] = items
    assert isinstance(timetable, Timetable)
    assert (timetable.code, timetable.url) == ("T2", URL)
    assert subjects(timetable.groups[0]) == ["Algebra", "Programare Web"]
    assert timetable.groups[0].entries[0] == TimetableEntry(
        day="Luni", start="08:00", end="10:00", frequency="", room="2/I", formation="921", kind="Curs",
        subject="Algebra", teacher="Prof. ALFA Ana", room_code="2-I", subject_code="Algebra",
        teacher_code="Prof-ALFA-Ana")
    [warning] = warnings_of(caplog)
    assert URL in warning and "group 921, row 2" in warning and reason in warning
    assert stat(crawler, "skipped_parts") == 1
    assert stat(crawler, "encoding_problems") is None


def test_spider_warns_about_a_row_without_links_and_keeps_it(crawler, caplog):
    unlinked = "<tr>" + "".join(f"<td>{cell}</td>" for cell in GOOD_AFTER) + "</tr>\n"
    with caplog.at_level(logging.WARNING):
        [timetable] = run_callback(crawler, page(heading("921"), table(row(*GOOD_BEFORE), unlinked)))
    assert subjects(timetable.groups[0]) == ["Algebra", "Programare Web"]
    assert timetable.groups[0].entries[1].teacher_code == ""
    [warning] = warnings_of(caplog)
    assert warning.startswith(f"On {URL}: group 921, row 2: no room, subject or teacher code the crawl can read")
    assert stat(crawler, "unlinked_cells") == 1
    assert stat(crawler, "skipped_parts") is None


# -- pages whose structure is off ----------------------------------------------------------------

STRUCTURES = {
    "group heading with no table": (
        page(heading("921"), table(row(*GOOD_BEFORE)), heading("922"),
             heading("923"), table(row(*GOOD_AFTER))),
        ["921", "923"], "group 922: group heading with no table"),
    "last group heading with no table": (
        page(heading("921"), table(row(*GOOD_BEFORE)), heading("923"), table(row(*GOOD_AFTER)),
             heading("924")),
        ["921", "923"], "group 924: group heading with no table"),
    "table with no group heading": (
        page(table(row(*GOOD_BEFORE)), heading("921"), table(row(*GOOD_BEFORE)),
             heading("923"), table(row(*GOOD_AFTER))),
        ["921", "923"], "table 1: table with no group heading"),
}


@pytest.mark.parametrize("case", list(STRUCTURES))
def test_parser_reports_structure_problems_and_keeps_the_groups(case):
    body, groups_expected, problem = STRUCTURES[case]
    _title, groups, problems = parse_timetable_page(response(body))
    assert [g.name for g in groups] == groups_expected
    assert [subjects(g) for g in groups] == [["Algebra"], ["Programare Web"]]
    assert [str(p) for p in problems] == [problem]


@pytest.mark.parametrize("case", list(STRUCTURES))
def test_spider_warns_about_structure_problems(crawler, caplog, case):
    body, groups_expected, problem = STRUCTURES[case]
    with caplog.at_level(logging.WARNING):
        [timetable] = run_callback(crawler, body)
    assert [g.name for g in timetable.groups] == groups_expected
    assert [subjects(g) for g in timetable.groups] == [["Algebra"], ["Programare Web"]]
    [warning] = warnings_of(caplog)
    assert URL in warning and problem in warning
    assert stat(crawler, "skipped_parts") == 1


def test_spider_fails_a_page_with_no_group_tables(crawler, caplog):
    with caplog.at_level(logging.WARNING):
        [failure] = run_callback(crawler, page("<p>Orarul va fi publicat in curand.</p>"))
    assert (failure.url, failure.kind) == (URL, "timetable layout")
    assert any(URL in message for message in (r.getMessage() for r in caplog.records
                                               if r.levelno == logging.WARNING))
    assert stat(crawler, "failed_pages/timetable layout") == 1


# -- bytes that are not in the declared encoding -------------------------------------------------

ENCODING_CASES = {
    # UTF-8 is declared, but two bytes are not UTF-8 at all
    "utf-8 with \\xff\\xfe": (page(heading("921"), table(row(*GOOD_BEFORE), row(
        "Luni", "12-14", "", "2/I", "921", "Seminar", "Logica@@", "Prof. X"), row(*GOOD_AFTER)))
        .encode("utf-8").replace(b"@@", b"\xff\xfe"), 2, "utf-8"),
    # UTF-8 is declared, but the page was saved in ISO-8859-2 (a "ş" and a "ţ")
    "iso-8859-2 bytes under a utf-8 label": (page(heading("921"), table(row(*GOOD_BEFORE), row(
        "Luni", "12-14", "", "2/I", "921", "Seminar", "Logica şi ţ", "Prof. X"), row(*GOOD_AFTER)))
        .encode("iso-8859-2"), 2, "utf-8"),
}


@pytest.mark.parametrize("case", list(ENCODING_CASES))
def test_spider_reports_undecodable_bytes_and_keeps_every_row(crawler, caplog, case):
    body, undecodable, encoding = ENCODING_CASES[case]
    with caplog.at_level(logging.WARNING):
        [timetable] = run_callback(crawler, body)
    found = subjects(timetable.groups[0])
    assert found[0] == "Algebra" and found[2] == "Programare Web"
    assert found[1].startswith("Logica") and found[1].count("\ufffd") == undecodable
    [warning] = warnings_of(caplog)
    assert URL in warning and f"{undecodable} characters do not decode as {encoding}" in warning
    assert stat(crawler, "encoding_problems") == 1
    assert stat(crawler, "skipped_parts") is None


MISLABELLED = page(heading("921"), table(row(*GOOD_BEFORE), row(
    "Luni", "12-14", "", "2/I", "921", "Seminar", "Logică și ţ", "Prof. Ştefan"), row(*GOOD_AFTER)),
    charset="ISO-8859-2")


def test_a_utf8_page_labelled_iso_8859_2_is_read_as_utf8_with_a_warning(crawler, caplog):
    body = MISLABELLED.encode("utf-8")  # as a browser saves a page it shows
    assert body.decode("iso-8859-2") != body.decode("utf-8")  # both decode: only one is right
    with caplog.at_level(logging.WARNING):
        [timetable] = run_callback(crawler, body)
    assert subjects(timetable.groups[0])[1] == "Logică și ţ"
    assert timetable.groups[0].entries[1].teacher == "Prof. Ştefan"
    assert warnings_of(caplog) == [f"{URL} declares iso8859-2, but its bytes are UTF-8; read as UTF-8"]
    assert stat(crawler, "encoding_problems") == 1


def test_an_iso_8859_2_page_stays_iso_8859_2(crawler, caplog):
    with caplog.at_level(logging.WARNING):
        # ISO-8859-2 has "ş" with a cedilla, not "ș" with a comma
        [timetable] = run_callback(crawler, MISLABELLED.replace("ș", "ş").encode("iso-8859-2"))
    assert subjects(timetable.groups[0])[1] == "Logică şi ţ"
    assert warnings_of(caplog) == []


def test_a_page_served_with_a_non_html_content_type_is_parsed_as_html(crawler):
    body = page(heading("921"), table(row(*GOOD_BEFORE), row(*GOOD_AFTER))).encode()
    for served in (Response(url=URL, body=body, request=Request(URL)),
                   XmlResponse(url=URL, body=body, request=Request(URL)),
                   TextResponse(url=URL, body=body, encoding="utf-8", request=Request(URL))):
        [timetable] = list(crawler.spider.parse_timetable(served, listing=LISTING))
        assert subjects(timetable.groups[0]) == ["Algebra", "Programare Web"], type(served).__name__


def test_a_clean_page_gives_no_warning(crawler, caplog):
    with caplog.at_level(logging.WARNING):
        [timetable] = run_callback(crawler, page(heading("921"), table(row(*GOOD_BEFORE), row(*GOOD_AFTER))))
    assert subjects(timetable.groups[0]) == ["Algebra", "Programare Web"]
    assert warnings_of(caplog) == []
    assert crawler.stats.get_stats() == {}


# -- hostile names: path traversal ---------------------------------------------------------------

HOSTILE_NAMES = ["../../x", "/etc", "/etc/passwd", "..", ".", "...", "../", "a/../../b", "..\\..\\x",
                 "C:\\Windows\\x", "a\x00b", "\x00", "..\x00/..", "x\x1b[31my", "ab\r\ncd", "\t..\n",
                 "\u202e..", "", "   ", " .. ", "~", "-rf", "a" * 300]


def is_plain_component(component: str) -> bool:
    return (bool(component) and component not in (".", "..") and not component.startswith(".")
            and "/" not in component and "\\" not in component
            and not any(unicodedata.category(c)[0] == "C" for c in component))


def stays_in(root: str, relative: str) -> bool:
    root = os.path.realpath(root)
    target = os.path.normpath(os.path.join(root, relative))
    return target.startswith(root + os.sep) and os.path.realpath(target).startswith(root + os.sep)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_component_is_one_plain_component(name, tmp_path):
    component = site_paths.safe_component(name)
    assert is_plain_component(component), repr(component)
    assert os.path.dirname(os.path.normpath(os.path.join(tmp_path, component))) == str(tmp_path)
    assert site_paths.safe_component(name) == component  # stable: the same name, the same path


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_paths_built_from_hostile_names_stay_inside(name, tmp_path):
    root = str(tmp_path)
    directory = site_paths.spec_directory(name, 2)
    spec, year = directory.split("/")
    assert is_plain_component(spec) and year == "Year 2"
    assert stays_in(root, directory)
    for subgroup, has_subgroups in [(None, False), (None, True), (1, True)]:
        file_name = site_paths.calendar_file_name(name, subgroup, has_subgroups)
        assert is_plain_component(file_name) and file_name.endswith(".ics"), repr(file_name)
        assert stays_in(root, f"{directory}/{file_name}")
    data = site_paths.data_file_name(name)
    folder, file_name = data.split("/")
    assert folder == "data" and is_plain_component(file_name) and file_name.endswith(".json")
    assert stays_in(root, data)


def test_long_non_ascii_names_make_valid_file_names(tmp_path):
    name = "Informatică – " + "人工智能" * 40
    directory = tmp_path / site_paths.safe_component(name)
    file_name = site_paths.calendar_file_name(name, None, True)
    assert len(directory.name.encode()) <= 255 and len(file_name.encode()) <= 255
    directory.mkdir()
    (directory / file_name).write_bytes(b"ok")


@pytest.mark.parametrize("relative", ["../evil.txt", "../../evil.txt", "<tmp_path>/evil.txt", "a/../../evil.txt",
                                      "data/../../evil.txt", "a\x00b.txt", "\x00/../evil.txt"])
def test_site_build_refuses_paths_outside_the_site(tmp_path, relative):
    relative = relative.replace("<tmp_path>", str(tmp_path))  # an absolute path
    parent = tmp_path / "public"
    build = SiteBuild(parent / "site")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="outside the site"):
        build.write(relative, b"evil")
    with pytest.raises(ValueError):
        build.keep_published(relative)
    assert build.read_published(relative) is None
    build.discard()
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert set(after) <= set(before)
    assert not any("evil" in name for name in after)


# -- the pipeline, fed items directly ------------------------------------------------------------

@pytest.fixture(scope="module")
def academic_calendar() -> AcademicCalendar:
    return builders.academic_calendar()


def publish(site: Path, academic_calendar: AcademicCalendar, specs: list[tuple[SpecializationListing, list[Group]]],
            rooms: dict[str, str] | None = None):
    """Run PublishSitePipeline over the items a crawl of these specs would yield; returns the crawler."""
    legend = RoomLegend(url="https://example.invalid/legenda.html", rooms=rooms or {"2/I": "Cladirea Centrala"})
    crawler = run_pipeline(site, [legend, academic_calendar, *spec_items(specs)])
    assert outcome(crawler) == "published"
    return crawler


def everything_under(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
            for p in sorted(root.rglob("*"))}


def published_calendars(site: Path) -> dict[str, list[str]]:
    """data/<CODE>.json of every published spec: code -> the calendar paths it lists."""
    result = {}
    for data in (site / "data").glob("*.json"):
        record = json.loads(data.read_text("utf-8"))
        if isinstance(record, dict) and "groups" in record:
            result[record["code"]] = [f"{record['directory']}/{c['file']}"
                                      for g in record["groups"] for c in g["calendars"]]
    return result


TRAVERSAL_SPECS = [("../../evil", "../../evil"), ("/etc/passwd", "/etc"), ("..", ".."),
                   ("nul\x00code", "nul\x00/../name"), ("ctl\x1b[2J", "ctl\r\n../\x1b[2Jname")]
TRAVERSAL_GROUPS = ["../x", "/etc", "..", "a\x00b", "c\x1bd\r\n/../.."]


def test_pipeline_writes_nothing_outside_site_dir(tmp_path, academic_calendar):
    outside = tmp_path / "a"
    site = outside / "b" / "public" / "site"
    site.parent.mkdir(parents=True)
    (outside / "keep.txt").write_text("mine")
    before = everything_under(tmp_path)
    etc_before = sorted(os.listdir("/etc"))
    specs = [(listing(code, name), [Group(name=g, entries=[entry(formation=g, subject=f"S {i}")])
                                    for i, g in enumerate(TRAVERSAL_GROUPS)])
             for code, name in TRAVERSAL_SPECS]

    publish(site, academic_calendar, specs)

    after = everything_under(tmp_path)
    escaped = {k: v for k, v in after.items()
               if not k.startswith("a/b/public/site/") and k not in ("a/b/public/site", "a/b/public/.site.lock")}
    assert escaped == before, "written outside SITE_DIR"
    assert beside_site(site) == [".site.lock", "site"]
    assert sorted(os.listdir("/etc")) == etc_before
    for path in site.rglob("*"):
        assert os.path.realpath(path).startswith(str(site) + os.sep)
        assert not path.name.startswith("."), path
    # and everything was published, each spec in its own place
    calendars = published_calendars(site)
    assert len(calendars) == len(TRAVERSAL_SPECS)
    listed = [path for paths in calendars.values() for path in paths]
    assert len(listed) == len(set(listed)) == len(group_calendars(site))
    assert all((site / path).is_file() for path in listed)
    assert len({path.split("/")[0] for path in listed}) == len(TRAVERSAL_SPECS)


# -- markup injection ----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_markup_in_names_and_subjects_is_escaped(tmp_path, academic_calendar):
    site = tmp_path / "site"
    spec_name = f"{SCRIPT} \"quoted\" 'single' & <b>bold</b>"
    group_name = f"{SCRIPT}\"><img src=x onerror=alert(2)>"
    subject = f"{SCRIPT} \"Algebra\" <!-- & -->"
    room = "<img src=x onerror=alert(3)>"
    publish(site, academic_calendar, [(listing("X1", spec_name), [
        Group(name=group_name, entries=[entry(subject, room=room, teacher=f"{SCRIPT}'")])])],
        rooms={room: f"{SCRIPT}\"'"})

    page = (site / "calendars.html").read_text("utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    document = Selector(text=page)
    assert document.xpath("//script | //img | //b | //*[@onerror]") == []
    assert document.xpath("//h3/text()").getall() == [spec_name]
    assert document.xpath("//span[@class='group']/text()").getall() == [group_name]
    hrefs = [unquote(href) for href in document.xpath("//a/@href").getall()]
    assert hrefs and all((site / href).is_file() for href in hrefs), hrefs

    data_files = sorted(site.rglob("*.json"))
    assert {"data/X1.json", "data/index.json", "data/rooms.json", "data/timetables/X1.json", "rooms/busy.json",
            "teachers/index.json"} <= {p.relative_to(site).as_posix() for p in data_files}
    for path in data_files:
        raw = path.read_bytes()
        assert b"<" not in raw and b">" not in raw, path.name
        json.loads(raw)
    record = json.loads((site / "data" / "X1.json").read_bytes())
    assert record["name"] == spec_name
    assert record["groups"][0]["name"] == group_name
    assert record["groups"][0]["entries"][0]["subject"] == subject
    assert record["groups"][0]["entries"][0]["room"] == room
    assert json.loads((site / "data" / "index.json").read_bytes())[0]["name"] == spec_name
    assert json.loads((site / "data" / "rooms.json").read_bytes()) == {room: f"{SCRIPT}\"'"}


# -- calendar injection --------------------------------------------------------------------------

def normalized(text: str) -> str:
    """What survives of a text value: line breaks, whatever their form, as "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unescape_text(value: str) -> str:
    """RFC 5545 TEXT unescaping, for the properties icalendar does not know."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def unfolded_lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8").replace("\r\n ", "").split("\r\n")


def vevents(lines: list[str]) -> list[list[str]]:
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return events


INJECTIONS = [
    # (subject, room, teacher)
    ("X\r\nATTENDEE:mailto:a@b", "R;1,2\\3\nATTENDEE:mailto:c@d", "T\rATTENDEE:mailto:e@f"),
    ("a;b,c\\d\\;e\\,f\\n", "2/I", "Prof. \\N;,"),
    ("END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged", "\r\n\r\n", "\nEND:VCALENDAR"),
    ("ş" + "x\\" * 60 + ",;" * 20, "é\\" * 50, "long; " * 30),  # folding across escapes
]


def test_calendar_text_cannot_inject_properties(tmp_path, academic_calendar):
    site = tmp_path / "site"
    spec_name = "Spec\r\nX-EVIL:1;a,b\\c"
    entries = [entry(subject, room=room, teacher=teacher, start=f"{8 + 2 * i:02d}:00", end=f"{10 + 2 * i:02d}:00",
                     formation="921")
               for i, (subject, room, teacher) in enumerate(INJECTIONS)]
    publish(site, academic_calendar, [(listing("X1", spec_name), [Group(name="921", entries=entries)])],
            rooms={"2/I": "Cladirea; Centrala, etaj \\1"})
    expected = {("[C] " + normalized(subject),
                 normalized(room) if room != "2/I" else "2/I, Cladirea; Centrala, etaj \\1",
                 normalized(teacher))
                for subject, room, teacher in INJECTIONS}

    files = group_calendars(site)
    assert [p.name for p in files] == ["921-1.ics", "921-2.ics", "921-all.ics"]
    for path in files:
        raw = path.read_bytes()
        lines = unfolded_lines(raw)
        assert all("\r" not in line and "\n" not in line for line in lines)
        names = [re.split(r"[;:]", line, maxsplit=1)[0] for line in lines if line]
        assert "ATTENDEE" not in names and "X-EVIL" not in names, path.name
        assert names.count("BEGIN") == names.count("END")
        assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(INJECTIONS)
        assert lines.count("END:VCALENDAR") == 1 and lines[-2:] == ["END:VCALENDAR", ""]
        events = vevents(lines)
        assert len(events) == len(INJECTIONS)
        for event in events:
            props = [re.split(r"[;:]", line, maxsplit=1)[0] for line in event]
            for name in ("SUMMARY", "LOCATION", "DESCRIPTION", "DTSTART", "DTEND", "UID", "DTSTAMP", "SEQUENCE"):
                assert props.count(name) == 1, (path.name, name, event)
            assert set(props) <= {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "SEQUENCE", "RRULE", "EXDATE",
                                  "CATEGORIES", "DESCRIPTION", "LAST-MODIFIED", "LOCATION"}, props

        calendar = icalendar.Calendar.from_ical(raw)
        for name in ("NAME", "X-WR-CALNAME"):  # icalendar leaves these escaped (vUnknown)
            assert names.count(name) == 1
            title = unescape_text(str(calendar[name]))
            assert title.startswith("X1 921") and normalized(spec_name) in title, title
        parsed = calendar.walk("VEVENT")
        assert all("ATTENDEE" not in event for event in parsed)
        got = {(str(e["SUMMARY"]), str(e["LOCATION"]), str(e["DESCRIPTION"]).split("\n" + "Curs, ")[0])
               for e in parsed}
        assert got == expected, path.name
