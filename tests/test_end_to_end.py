"""End to end: the real `scrapy crawl schedules` against the simulated UBB site, on loopback.

Each semester is crawled once (module-scoped fixtures) and the published site is checked as a
student and a web server would see it; the server's figures show what the crawl asked for.
The re-crawl tests (at the end of the file) crawl 2025-2 again into the same SITE_DIR.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import icalendar
import pytest
import recurring_ical_events

from tests.crawling import group_calendars, run_crawl, snapshot
from tests.saved_pages import EXPECTED
from tests.ubb_site import SimServer, build_site

LATENCY, JITTER = 0.02, 0.01
SPEC_PAGES = 71
CALENDARS = 1491
# robots.txt (the simulated site is one host), the index, the room legend, the academic calendar
# and every spec page, once each
REQUESTS = 4 + SPEC_PAGES
MAX_IN_FLIGHT = 8  # CONCURRENT_REQUESTS_PER_DOMAIN
EXPAND_FROM, EXPAND_TO = date(2025, 9, 1), date(2026, 9, 30)


@dataclass
class Crawl:
    semester: str
    server: SimServer
    returncode: int
    output: str
    seconds: float
    site: Path
    cache: Path
    stats: dict
    validated: int  # JSON documents checked against their schemas (tests/published_json.py)


def crawl_once(semester: str, tmp: Path) -> Crawl:
    site, cache = tmp / "site", tmp / "httpcache"
    with SimServer(semester, latency=LATENCY, jitter=JITTER) as server:
        result = run_crawl(server, semester=semester, site_dir=site, settings={"HTTPCACHE_DIR": cache})
    return Crawl(semester, server, result.returncode, result.output, result.seconds, site, cache, server.stats,
                 result.validated)


@pytest.fixture(scope="module")
def crawl_2025_2(tmp_path_factory) -> Crawl:
    return crawl_once("2025-2", tmp_path_factory.mktemp("crawl-2025-2"))


@pytest.fixture(scope="module")
def crawl_2025_1(tmp_path_factory) -> Crawl:
    return crawl_once("2025-1", tmp_path_factory.mktemp("crawl-2025-1"))


@pytest.fixture(params=["2025-2", "2025-1"])
def crawl(request) -> Crawl:
    return request.getfixturevalue(f"crawl_{request.param.replace('-', '_')}")


def ics_files(site: Path) -> list[Path]:
    return group_calendars(site)


def failure_context(crawl: Crawl) -> str:
    return f"crawl of {crawl.semester} exited {crawl.returncode}:\n{crawl.output[-4000:]}"


def index_page_listing(semester: str) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """(degree, name, [(year, code)]) per row of the simulated index, read without the project's parser."""
    page = build_site(semester) / "files" / "orar" / semester / "tabelar" / "index.html"
    text = page.read_bytes().decode("iso-8859-2")
    degrees = {"Studii Licenta": "bachelor", "Studii Master": "master"}
    specs = []
    for table in re.findall(r"<table.*?</table>", text, re.S | re.I):
        heading = re.search(r"<th>(.*?)</th>", table, re.S | re.I)
        degree = degrees.get(heading.group(1).strip()) if heading else None
        if degree is None:
            continue
        for row in re.findall(r"<tr.*?</tr>", table, re.S | re.I)[1:]:
            first = re.search(r"<td>(.*?)</td>", row, re.S | re.I)
            name = " ".join(html.unescape(re.sub(r"<[^>]+>", "", first.group(1))).split())
            years = [(int(year), code) for code, year in
                     re.findall(r'<a href="([^"/]+)\.html"\s*>\s*Anul\s+(\d+)', row, re.I)]
            if years:
                specs.append((degree, name, years))
    return specs


# -- the crawl and what it published --

def test_crawl_exits_zero(crawl):
    assert crawl.returncode == 0, failure_context(crawl)


def test_every_calendar_is_published(crawl):
    assert len(ics_files(crawl.site)) == CALENDARS, failure_context(crawl)


def test_index_json_lists_every_specialization_in_index_order(crawl):
    expected = index_page_listing(crawl.semester)
    assert sum(len(years) for _, _, years in expected) == SPEC_PAGES  # the simulated site itself
    index = json.loads((crawl.site / "data" / "index.json").read_text("utf-8"))
    got = [(spec["degree"], spec["name"], [(y["year"], y["code"]) for y in spec["years"]]) for spec in index]
    assert got == expected
    codes = [y["code"] for spec in index for y in spec["years"]]
    assert len(codes) == len(set(codes)) == SPEC_PAGES
    for spec in index:
        for year in spec["years"]:
            assert year["data"] and (crawl.site / year["data"]).is_file(), year
            assert year["directory"] and (crawl.site / year["directory"]).is_dir(), year


def test_rooms_json_has_the_legend(crawl):
    rooms = json.loads((crawl.site / "data" / "rooms.json").read_text("utf-8"))
    assert "2/I" in rooms
    assert "Nicolae Iorga" in rooms["2/I"]


def test_spec_data_has_groups_entries_and_dates(crawl):
    data = json.loads((crawl.site / "data" / "IE2.json").read_text("utf-8"))
    assert data["code"] == "IE2" and data["semester"] == crawl.semester
    assert [g["name"] for g in data["groups"]] == [str(n) for n in range(921, 928)]
    for group in data["groups"]:
        assert group["entries"], group["name"]
        assert all(isinstance(e["dates"], list) for e in group["entries"])
        dated = [e for e in group["entries"] if e["dates"]]
        assert dated, f"group {group['name']} has no dated entry"
        for entry in dated:
            for day in entry["dates"]:
                assert EXPAND_FROM <= date.fromisoformat(day) <= EXPAND_TO


def test_calendars_html_links_every_calendar(crawl):
    page = (crawl.site / "calendars.html").read_bytes().decode("utf-8")  # raises if not UTF-8
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]
    linked = {unquote(h) for h in hrefs if h.endswith(".ics")}
    for target in linked:
        assert (crawl.site / target).is_file(), target
    published = {p.relative_to(crawl.site).as_posix() for p in ics_files(crawl.site)}
    assert linked == published


def test_every_calendar_parses(crawl):
    for path in ics_files(crawl.site):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert calendar.walk("VEVENT"), path


def occurrences(path: Path) -> list[tuple[str, str, str, str, str]]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return [(e["DTSTART"].dt.isoformat(), e["DTEND"].dt.isoformat(), str(e.get("SUMMARY", "")),
             str(e.get("LOCATION", "")), str(e.get("DESCRIPTION", "")))
            for e in recurring_ical_events.of(calendar).between(EXPAND_FROM, EXPAND_TO)]


@pytest.mark.parametrize("code", ["IE2", "I1"])
def test_calendars_expand_to_the_expected_occurrences(crawl, code):
    expected = json.loads((EXPECTED / f"{code}-{crawl.semester}.json").read_text("utf-8"))
    directory = crawl.site / expected["directory"]
    assert sorted(p.name for p in directory.glob("*.ics")) == sorted(expected["calendars"])
    for name, wanted in expected["calendars"].items():
        got = occurrences(directory / name)
        key = lambda o: tuple(o[:3])  # noqa: E731
        missing = Counter(map(key, wanted)) - Counter(map(key, got))
        extra = Counter(map(key, got)) - Counter(map(key, wanted))
        assert not missing and not extra, f"{name}: missing {list(missing)[:5]}, extra {list(extra)[:5]}"
        # location and description: each expected occurrence has its own actual one containing them
        unmatched = list(got)
        for start, end, summary, location, description in wanted:
            match = next((o for o in unmatched if o[:3] == (start, end, summary)
                          and location in o[3] and description in o[4]), None)
            assert match is not None, f"{name}: no occurrence {start} {summary!r} at {location!r} " \
                                      f"with {description!r}"
            unmatched.remove(match)


@pytest.mark.parametrize("kind, code_field", [("teachers", "teacher_code"), ("rooms", "room_code")])
def test_every_teacher_and_room_calendar_is_the_union_of_their_group_classes_each_once(crawl, kind, code_field):
    """A class is what the group calendars hold at one time, in one room, of one subject and type,
    whatever the formations; each occurrence of it is in the calendar once."""
    records = [json.loads((crawl.site / year["data"]).read_text("utf-8"))
               for spec in json.loads((crawl.site / "data" / "index.json").read_text("utf-8")) for year in spec["years"]]
    classes: dict[str, dict[tuple, set]] = {}
    for record in records:
        for group in record["groups"]:
            for entry in group["entries"]:
                if entry[code_field] and entry[code_field] != "neprecizat":
                    one_class = (entry["day"], entry["start"], entry["end"], entry["frequency"], entry["room"],
                                 entry["subject_code"], entry["type"])
                    ends = "00:00" if entry["end"] == "24:00" else entry["end"]  # I2's class until midnight
                    classes.setdefault(entry[code_field], {}).setdefault(one_class, set()).update(
                        (day, entry["start"], ends, entry["subject"], entry["location"])
                        for day in entry["dates"])
    listed = json.loads((crawl.site / kind / "index.json").read_text("utf-8"))
    assert sorted(item["code"] for item in listed) == sorted(classes)
    for item in listed:
        wanted = Counter(occurrence for dates in classes[item["code"]].values() for occurrence in dates)
        calendar = icalendar.Calendar.from_ical((crawl.site / item["calendar"]).read_bytes())
        got = Counter((o["DTSTART"].dt.date().isoformat(), f"{o['DTSTART'].dt:%H:%M}", f"{o['DTEND'].dt:%H:%M}",
                       str(o["SUMMARY"]).split("] ", 1)[1].rsplit(" (", 1)[0], str(o["LOCATION"]))
                      for o in recurring_ical_events.of(calendar).between(EXPAND_FROM, EXPAND_TO))
        assert got == wanted, item["code"]


def test_teacher_room_and_subject_counts(crawl):
    counts = {kind: len(json.loads((crawl.site / kind / "index.json").read_text("utf-8")))
              for kind in ("teachers", "rooms", "subjects")}
    assert counts == {kind: len(list((crawl.site / kind).glob("*.ics"))) for kind in counts}
    assert all(counts.values())


def test_every_published_json_document_was_checked_against_its_schema(crawl_2025_2):
    """run_crawl fails a crawl whose documents do not follow their schemas; this says it saw them all."""
    spec_pages, teachers, rooms, subjects = 71, 246, 85, 49
    per_spec_page = 3  # data/<CODE>.json, data/timetables/<CODE>.json, changes/<CODE>.json
    site_wide = 9  # data/{index,rooms,site,status,changes}.json, {teachers,rooms,subjects}/index.json, rooms/busy.json
    assert crawl_2025_2.validated == spec_pages * per_spec_page + teachers + rooms + subjects + site_wide


def test_the_site_publishes_every_schema_its_documents_name(crawl_2025_2):
    published = sorted(path.name for path in (crawl_2025_2.site / "schema").iterdir())
    assert published == ["busy-rooms-v1.json", "change-log-v1.json", "index-v1.json", "page-changes-v1.json",
                         "record-v3.json", "room-index-v1.json", "rooms-v1.json", "shared-timetable-v1.json",
                         "site-v1.json", "status-v1.json", "subject-index-v1.json", "teacher-index-v1.json",
                         "timetable-v1.json"]
    record = json.loads((crawl_2025_2.site / "data" / "IE2.json").read_text("utf-8"))
    assert json.loads((crawl_2025_2.site / record["schema"].lstrip("/")).read_text("utf-8"))["$id"] == record["schema"]


# -- rows of live pages the saved ones lack, which the simulated site adds to I2's group 1411
#    (tests/fixtures/other/IE2-2025-2-year-rows-edited.html) --

def events_of(calendar_file: Path) -> list:
    return list(icalendar.Calendar.from_ical(calendar_file.read_bytes()).walk("VEVENT"))


def test_the_unknown_teacher_has_no_calendar_and_is_not_listed(crawl_2025_2):
    teachers = json.loads((crawl_2025_2.site / "teachers" / "index.json").read_text("utf-8"))
    assert [t for t in teachers if "necunoscut" in (t["code"] + t["name"]).lower()] == []
    assert list((crawl_2025_2.site / "teachers").glob("*ecunoscut*")) == []


def test_the_unknown_teachers_classes_stay_in_their_group_calendars(crawl_2025_2):
    [calendar] = crawl_2025_2.site.glob("*/Year 2/1411-1.ics")
    unknown = sorted((f"{e['DTSTART'].dt:%a %H:%M}", str(e["SUMMARY"])) for e in events_of(calendar)
                     if "- Necunoscut" in str(e.get("DESCRIPTION")))  # the page's words, as for any teacher
    assert unknown == [("Tue 08:00", "[L] Sisteme de gestiune a bazelor de date"),
                       ("Tue 10:00", "[S] Sisteme de gestiune a bazelor de date")]


def test_the_status_counts_the_classes_of_the_unknown_teacher(crawl_2025_2):
    status = json.loads((crawl_2025_2.site / "data" / "status.json").read_text("utf-8"))
    assert status["counts"]["unknown_teacher_classes"] == 2  # the linked lab and the plain seminar


def test_teacher_names_keep_their_iso_8859_2_letters(crawl_2025_2):
    teachers = {t["code"]: t["name"] for t in json.loads((crawl_2025_2.site / "teachers" / "index.json").read_text("utf-8"))}
    assert (teachers["parvuceanu"], teachers["kaszta"]) == ("Lect. PÂRVUCEANU", "Drd. KASZTA Tamás")


def test_a_class_until_24_00_ends_at_midnight_of_its_own_day(crawl_2025_2):
    [calendar] = crawl_2025_2.site.glob("*/Year 2/1411-all.ics")
    [late] = [e for e in events_of(calendar) if f"{e['DTSTART'].dt:%H:%M}" == "22:00"]
    assert (late["DTSTART"].dt.isoformat(), late["DTEND"].dt.isoformat()) == (
        "2026-02-26T22:00:00+02:00", "2026-02-27T00:00:00+02:00")


def test_server_saw_each_page_once(crawl):
    stats = crawl.stats
    assert stats is not None
    assert stats["repeated_paths"] == {}
    assert stats["requests"] == stats["distinct_paths"] == REQUESTS
    assert stats["max_in_flight"] <= MAX_IN_FLIGHT
    assert stats["refused_503"] == stats["failed_503"] == 0


# -- crawling again into the same SITE_DIR (keep these last: they re-publish crawl_2025_2's site) --

@dataclass
class Recrawl:
    first: Crawl
    before: dict[str, tuple[bytes, int, int]]
    returncode: int
    output: str
    stats: dict


def calendar_snapshot(site: Path) -> dict[str, tuple[bytes, int, int]]:
    return {name: entry for name, entry in snapshot(site).items() if name.endswith(".ics")}


@pytest.fixture(scope="module")
def recrawl(crawl_2025_2) -> Recrawl:
    first = crawl_2025_2
    assert first.returncode == 0, failure_context(first)
    before = calendar_snapshot(first.site)
    server = first.server
    server.start()  # the same root and port: the same URLs, ETags and Last-Modified as the first crawl
    try:
        rc, output, _ = run_crawl(server, semester=first.semester, site_dir=first.site,
                                  settings={"HTTPCACHE_DIR": first.cache})
    finally:
        stats = server.stop()
    return Recrawl(first, before, rc, output, stats)


def test_recrawl_keeps_unchanged_calendars(recrawl):
    assert recrawl.returncode == 0, recrawl.output[-4000:]
    site = recrawl.first.site
    after = calendar_snapshot(site)
    assert after.keys() == recrawl.before.keys()
    changed_bytes = [name for name in after if after[name][0] != recrawl.before[name][0]]
    changed_mtime = [name for name in after if after[name][1] != recrawl.before[name][1]]
    assert not changed_bytes, changed_bytes[:5]
    assert not changed_mtime, changed_mtime[:5]
    assert all(after[name][2] == recrawl.before[name][2] for name in after)  # hard-linked: same inode


def test_recrawl_is_answered_with_304(recrawl):
    stats, first = recrawl.stats, recrawl.first.stats
    assert stats is not None and first is not None
    assert stats["repeated_paths"] == {}
    assert stats["requests"] == REQUESTS
    assert stats["not_modified_304"] >= 0.9 * stats["requests"], stats
    assert stats["bytes_sent"] <= 0.1 * first["bytes_sent"], (stats, first)
