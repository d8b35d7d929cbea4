"""The change log, the Atom feeds and SEQUENCE, over published sites (in-process, hand-built items).

Three crawls of one semester, each at a frozen time: the first publishes, the second moves a
course to another slot, changes a room, drops a lab and adds a seminar, the third changes
nothing. A crawl of the next semester says only that the semester began.
"""
from __future__ import annotations

import json
from pathlib import Path

import feedparser
import icalendar
import pytest
from freezegun import freeze_time

from tests.builders import entry, group, listing, outcome, run_pipeline, spec_items

COURSE = entry("Algebra", formation="Y1", day="Luni", start="08:00", end="10:00", room="2/I", kind="Curs")
LAB_1 = entry("Algebra", formation="111/1", day="Marti", start="10:00", end="12:00", room="L1", kind="Laborator")
LAB_2 = entry("Algebra", formation="111/2", day="Marti", start="12:00", end="14:00", room="L2", kind="Laborator")
GEOMETRY = entry("Geometrie", formation="111", day="Miercuri", start="10:00", end="12:00", room="C1", kind="Seminar")
MOVED_COURSE = entry("Algebra", formation="Y1", day="Joi", start="16:00", end="18:00", room="2/I", kind="Curs")
GEOMETRY_IN_C2 = entry("Geometrie", formation="111", day="Miercuri", start="10:00", end="12:00", room="C2",
                       kind="Seminar")
NEW_SEMINAR = entry("Algebra", formation="111", day="Vineri", start="08:00", end="10:00", room="C3", kind="Seminar")
OTHER = [(listing("B1", "Beta"), [group("211")])]


def specs(*entries) -> list:
    return spec_items([(listing("A1", "Alpha"), [group("111", *entries)]), *OTHER])


def crawl(site: Path, when: str, items: list, **settings):
    with freeze_time(when):
        crawler = run_pipeline(site, items, **settings)
    assert outcome(crawler) == "published"


def events(path: Path) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")}


def raw_events(path: Path) -> dict[str, bytes]:
    chunks = path.read_bytes().split(b"BEGIN:VEVENT\r\n")[1:]
    return {next(line[4:].decode() for line in chunk.split(b"\r\n") if line.startswith(b"UID:")): chunk
            for chunk in chunks}


ALL = "Alpha/Year 1/111-all.ics"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    site = tmp_path_factory.mktemp("changes") / "site"
    crawl(site, "2026-03-02 06:00:00", specs(COURSE, LAB_1, LAB_2, GEOMETRY))
    first = {"events": events(site / ALL), "raw": raw_events(site / ALL),
             "other": (site / "Beta/Year 1/211-1.ics").stat().st_ino}
    crawl(site, "2026-03-10 06:00:00", specs(MOVED_COURSE, LAB_1, GEOMETRY_IN_C2, NEW_SEMINAR))
    second = {"events": events(site / ALL), "raw": raw_events(site / ALL),
              "log": json.loads((site / "data/changes.json").read_text()),
              "feed": (site / "changes/A1.atom").read_bytes(), "atom": (site / "changes.atom").read_bytes()}
    return site, first, second


def uid_of(found: dict[str, icalendar.Event], summary: str) -> str:
    [uid] = [uid for uid, event in found.items() if str(event["SUMMARY"]) == summary]
    return uid


def test_the_first_crawl_of_a_site_records_that_the_semester_began(crawls):
    _site, _first, second = crawls
    assert second["log"][1] == {"finished": "2026-03-02T06:00:00+00:00", "semester": "2025-2", "began": True,
                                "changes": []}


def test_the_second_crawl_lists_exactly_what_changed(crawls):
    _site, first, second = crawls
    latest = second["log"][0]
    assert (latest["finished"], latest["semester"], "began" in latest) == ("2026-03-10T06:00:00+00:00", "2025-2", False)
    listed = [(c["change"], c["class"]["subject"], c["formation"], sorted(c.get("fields", {}))) for c in latest["changes"]]
    assert listed == [("changed", "Algebra", "Y1", ["time"]), ("changed", "Geometrie", "111", ["location", "room"]),
                      ("added", "Algebra", "111", []), ("removed", "Algebra", "111/2", [])]
    course = latest["changes"][0]
    assert course["uid"] == uid_of(first["events"], "[C] Algebra")
    assert course["fields"]["time"] == ["Luni 08:00-10:00", "Joi 16:00-18:00"]
    assert latest["changes"][1]["fields"]["room"] == ["C1", "C2"]
    assert latest["changes"][3]["class"]["room"] == "L2"
    assert latest["changes"][3]["uid"] in first["events"] and latest["changes"][3]["uid"] not in second["events"]


def test_a_changed_event_keeps_its_uid_and_raises_its_sequence(crawls):
    _site, first, second = crawls
    for summary in ("[C] Algebra", "[S] Geometrie"):
        uid = uid_of(first["events"], summary)
        before, after = first["events"][uid], second["events"][uid]
        assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1), summary  # Google applies an edit only then
        assert after["DTSTAMP"].dt > before["DTSTAMP"].dt
        assert after["LAST-MODIFIED"].dt == after["DTSTAMP"].dt
        assert "LAST-MODIFIED" not in before
    moved = second["events"][uid_of(first["events"], "[C] Algebra")]
    assert moved["DTSTART"].dt.strftime("%a %H:%M") == "Thu 16:00"
    assert str(second["events"][uid_of(first["events"], "[S] Geometrie")]["LOCATION"]) == "C2"


def test_unchanged_events_keep_their_bytes_and_other_specs_their_files(crawls):
    site, first, second = crawls
    [lab_1] = [uid for uid, event in first["events"].items() if "Laborator, 111/1" in str(event["DESCRIPTION"])]
    unchanged = [uid for uid in first["raw"] if second["raw"].get(uid) == first["raw"][uid]]
    assert unchanged == [lab_1]
    assert (site / "Beta/Year 1/211-1.ics").stat().st_ino == first["other"]


def test_the_feeds_read_as_atom_with_an_entry_per_page_and_crawl(crawls):
    _site, _first, second = crawls
    feed = feedparser.parse(second["feed"])
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "UBB FMI timetable: what changed in A1 (Alpha, Year 1)"
    assert [e.title for e in feed.entries] == ["A1: 4 changes, Tue 10 Mar 2026", "Semester 2025-2 began"]
    newest = feed.entries[0]
    assert newest.link == "../index.html?code=A1&group=111&date=2026-03-10"
    assert newest.id.startswith("urn:uuid:")
    assert "Changed: [S] Geometrie (111): room C1 → C2; location C1 → C2" in newest.summary
    assert "Removed: [L] Algebra (111/2), Marti 12:00-14:00, L2, Prof. ALFA Ana" in newest.summary
    whole = feedparser.parse(second["atom"])
    assert not whole.bozo and [e.title for e in whole.entries] == ["A1: 4 changes, Tue 10 Mar 2026",
                                                                   "Semester 2025-2 began"]


def test_a_crawl_that_changes_nothing_leaves_the_log_and_the_feeds_alone(crawls, tmp_path):
    site, _first, second = crawls
    feed_inode = (site / "changes/A1.atom").stat().st_ino
    log_inode = (site / "data/changes.json").stat().st_ino
    crawl(site, "2026-03-11 06:00:00", specs(MOVED_COURSE, LAB_1, GEOMETRY_IN_C2, NEW_SEMINAR))
    log = json.loads((site / "data/changes.json").read_text())
    assert (log, (site / "data/changes.json").stat().st_ino) == (second["log"], log_inode)
    assert (site / "changes/A1.atom").read_bytes() == second["feed"]
    assert (site / "changes/A1.atom").stat().st_ino == feed_inode
    assert raw_events(site / ALL) == second["raw"]
    page = json.loads((site / "changes/A1.json").read_text())
    assert [crawl["finished"] for crawl in page["crawls"]] == ["2026-03-10T06:00:00+00:00", "2026-03-02T06:00:00+00:00"]
    assert page["feed"] == "changes/A1.atom"


def test_the_first_crawl_of_a_new_semester_is_one_entry_not_a_list_of_changes(tmp_path):
    site = tmp_path / "site"
    old = spec_items([(listing("A1", "Alpha", semester="2025-1"), [group("111", COURSE, LAB_1)])])
    crawl(site, "2026-01-10 06:00:00", old, semester="2025-1")
    crawl(site, "2026-02-20 06:00:00", specs(GEOMETRY, NEW_SEMINAR))
    log = json.loads((site / "data/changes.json").read_text())
    assert [(c["semester"], c.get("began"), c["changes"]) for c in log] == [
        ("2025-2", True, []), ("2025-1", True, [])]
    assert [e.title for e in feedparser.parse((site / "changes.atom").read_bytes()).entries] == [
        "Semester 2025-2 began", "Semester 2025-1 began"]


def test_the_log_keeps_the_newest_changes_keep_crawls(tmp_path):
    site = tmp_path / "site"
    for day in range(1, 5):  # the course moves back and forth: each crawl changes something
        crawl(site, f"2026-03-0{day} 06:00:00", specs(COURSE if day % 2 else MOVED_COURSE), CHANGES_KEEP=3)
    log = json.loads((site / "data/changes.json").read_text())
    assert [c["finished"][:10] for c in log] == ["2026-03-04", "2026-03-03", "2026-03-02"]


def test_a_spec_page_new_in_a_semester_under_way_has_all_its_classes_added(tmp_path):
    site = tmp_path / "site"
    crawl(site, "2026-03-02 06:00:00", specs(COURSE))
    new_page = (listing("C1", "Gamma"), [group("311", entry("Topologie", formation="311"))])
    crawl(site, "2026-03-03 06:00:00", [*specs(COURSE), *spec_items([new_page])])
    latest = json.loads((site / "data/changes.json").read_text())[0]
    assert [(c["change"], c["code"], c["class"]["subject"]) for c in latest["changes"]] == [
        ("added", "C1", "Topologie")]


def test_a_second_change_of_one_event_raises_its_sequence_to_2(tmp_path):
    """Each edit must raise SEQUENCE past the last published one, or calendar apps that already
    applied the first edit (SEQUENCE 1) ignore the second."""
    site = tmp_path / "site"
    crawl(site, "2026-03-02 06:00:00", specs(GEOMETRY))
    crawl(site, "2026-03-03 06:00:00", specs(GEOMETRY_IN_C2))
    crawl(site, "2026-03-04 06:00:00", specs(entry("Geometrie", formation="111", day="Miercuri", start="10:00",
                                                   end="12:00", room="C3", kind="Seminar")))
    [event] = raw_events(site / ALL).values()
    assert b"\r\nSEQUENCE:2\r\n" in event
    assert b"\r\nLAST-MODIFIED:20260304T060000Z\r\n" in event


def test_a_class_moved_to_another_day_keeps_its_uid_with_sequence_1(tmp_path):
    site = tmp_path / "site"
    crawl(site, "2026-03-02 06:00:00", specs(GEOMETRY))
    [uid] = raw_events(site / ALL)
    crawl(site, "2026-03-03 06:00:00", specs(entry("Geometrie", formation="111", day="Vineri", start="10:00",
                                                   end="12:00", room="C1", kind="Seminar")))
    assert list(raw_events(site / ALL)) == [uid]
    moved = events(site / ALL)[uid]
    assert (moved["DTSTART"].dt.strftime("%a %H:%M"), moved["SEQUENCE"]) == ("Fri 10:00", 1)
