"""Teacher, room and subject calendars, worked out by hand from small spec records, then published.

The records are shaped as data/<CODE>.json holds them; each case names the classes the
calendar must hold, each once.
"""
from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import icalendar
import pytest
import recurring_ical_events

from tests.builders import entry, group, listing, outcome, run_pipeline, spec_items
from timetable_spider.publishing import SiteFiles
from timetable_spider.teachers_rooms_subjects import Gathering, constituents, shared_timetables
from timetable_spider.open_data import RECORD
from timetable_spider.writers.teachers_rooms_subjects import Gatherer, TeacherRoomSubjectCalendars

MONDAYS = ["2026-02-23", "2026-03-02", "2026-03-09"]
TUESDAYS = ["2026-02-24", "2026-03-03", "2026-03-10"]


def row(subject="Programare Web", *, formation="IE2", day="Luni", start="16:00", end="18:00", kind="Curs",
        room="2/I", teacher="Conf. STERCA Adrian", frequency="", dates=MONDAYS, uid=None,
        subject_code="MLE5015", teacher_code="stad", room_code=None, sequence=0, dtstamp="2026-02-20T08:00:00+00:00"):
    return {"day": day, "start": start, "end": end, "frequency": frequency, "room": room,
            "location": f"{room}, Campus", "formation": formation, "type": kind[0], "type_name": kind, "subject": subject,
            "teacher": teacher, "summary": f"[{kind[0]}] {subject}", "room_code": room_code or room.replace("/", "-"),
            "subject_code": subject_code, "teacher_code": teacher_code, "dates": dates,
            "uid": uid or f"{formation}-{day}-{start}-{subject}@x", "fingerprint": "f", "dtstamp": dtstamp,
            "sequence": sequence}


def record(code, name, groups, year=2, line="romanian"):
    return {"code": code, "name": name, "year": year, "study_line": line, "calendar_table": "semester_2",
            "groups": [{"name": g, "entries": entries} for g, entries in groups.items()]}


COURSE = row()  # year-wide: in every group's table
SEMINAR_921 = row(formation="921", kind="Seminar", day="Marti", start="10:00", end="12:00", room="C510",
                  dates=TUESDAYS)
SEMINAR_922 = row(formation="922", kind="Seminar", day="Marti", start="12:00", end="14:00", room="C510",
                  dates=TUESDAYS)
IE2 = record("IE2", "Informatica - in limba engleza", {"921": [COURSE, SEMINAR_921], "922": [COURSE, SEMINAR_922]})
# the same course, same hours and room, given to another specialization at once
SHARED = row(formation="MIE2", uid="MIE2-course@x")
MIE2 = record("MIE2", "Matematica informatica - linia de studiu engleza", {"1021": [SHARED]})


def by_code(kind, *records):
    return {t.code: t for t in shared_timetables(c for record in records for c in constituents(record))[kind]}


def classes(timetable):
    return [event.shared for event in timetable.events]


def test_a_teacher_has_the_year_long_course_once_two_seminars_and_the_shared_class_once():
    [teacher] = by_code("teachers", IE2, MIE2).values()
    assert (teacher.code, teacher.name) == ("stad", "Conf. STERCA Adrian")
    assert [(c.kind, c.day, c.start, c.formation_names) for c in classes(teacher)] == [
        ("Curs", "Luni", "16:00", "IE2, MIE2"), ("Seminar", "Marti", "10:00", "921"), ("Seminar", "Marti", "12:00", "922")]
    course = classes(teacher)[0]
    assert [(f.code, f.formation) for f in course.formations] == [("IE2", "IE2"), ("MIE2", "MIE2")]
    assert course.dates == tuple(MONDAYS)
    assert teacher.specializations() == [
        {"code": "IE2", "name": "Informatica - in limba engleza", "year": 2},
        {"code": "MIE2", "name": "Matematica informatica - linia de studiu engleza", "year": 2}]


def test_a_room_used_by_two_specializations():
    rooms = by_code("rooms", IE2, record("MI2", "Matematica informatica", {
        "1121": [row("Geometrie", formation="1121", day="Joi", room="C510", subject_code="MLR1", teacher_code="ab",
                     teacher="Lect. AB", dates=["2026-02-26"])]}))
    room = rooms["C510"]
    assert [(c.subject, c.day, [f.code for f in c.formations]) for c in classes(room)] == [
        ("Programare Web", "Marti", ["IE2"]), ("Programare Web", "Marti", ["IE2"]), ("Geometrie", "Joi", ["MI2"])]
    assert {s["code"] for s in room.specializations()} == {"IE2", "MI2"}


def test_a_subject_taught_in_two_specializations_under_two_codes_has_two_calendars():
    other = record("IM2", "Informatica - linia de studiu maghiara", {
        "521": [row(formation="IM2", day="Miercuri", subject_code="MLM5015", uid="IM2-course@x")]}, line="hungarian_german")
    subjects = by_code("subjects", IE2, other)
    assert sorted(subjects) == ["MLE5015", "MLM5015"]
    assert subjects["MLE5015"].name == subjects["MLM5015"].name == "Programare Web"
    assert subjects["MLM5015"].specializations() == [
        {"code": "IM2", "name": "Informatica - linia de studiu maghiara", "year": 2}]
    assert classes(subjects["MLM5015"])[0].table == "hungarian_german semester_2"


def test_the_unspecified_room_and_cells_without_a_code_get_no_calendar():
    records = [record("X1", "X", {"1": [row(room="neprecizat", room_code="neprecizat"),
                                        row(formation="1", kind="Seminar", teacher_code="", subject_code="")]})]
    assert by_code("rooms", *records).keys() == {"2-I"}
    assert [c.kind for c in classes(by_code("teachers", *records)["stad"])] == ["Curs"]
    assert by_code("subjects", *records).keys() == {"MLE5015"}


def test_classes_of_the_unknown_teacher_are_counted_for_the_status_and_get_no_teacher_calendar(tmp_path):
    """"- Necunoscut" is parsed with no teacher code, linked or not; the status says how many
    classes that leaves out of the teacher calendars."""
    unknown = record("X1", "X", {"1": [row(teacher="- Necunoscut", teacher_code=""),
                                       row(formation="1", kind="Seminar", teacher="- Necunoscut", teacher_code="",
                                           uid="X1-seminar@x")]})
    staging = staged(tmp_path, unknown)
    calendars = TeacherRoomSubjectCalendars(tmp_path / "site", staging, 2025, own_process=False)
    try:
        counts = calendars.write(SiteFiles(tmp_path / "site", staging),
                                 SimpleNamespace(records={"X1": unknown}, semester="2025-2", rooms={}))
    finally:
        calendars.close()
    assert (counts["teachers"], counts["unknown_teacher_classes"]) == (0, 2)
    assert json.loads((staging / "teachers" / "index.json").read_text()) == []


def test_uids_are_stable_and_an_edit_raises_the_sequence():
    first = by_code("teachers", IE2, MIE2)["stad"].events[0]
    moved = {**SHARED, "room": "C335", "location": "C335, Campus", "sequence": 1, "dtstamp": "2026-03-01T08:00:00+00:00"}
    again = by_code("teachers", IE2, record("MIE2", MIE2["name"], {"1021": [{**moved, "room": "2/I"}]}))["stad"]
    course = again.events[0]
    assert course.uid == first.uid  # made of the group events' UIDs, which survive an edit
    assert (first.shared.sequence, course.shared.sequence) == (0, 1)
    assert (first.shared.dtstamp, course.shared.dtstamp) == ("20260220T080000Z", "20260301T080000Z")


def test_the_order_spec_pages_arrive_in_does_not_change_anything():
    assert by_code("teachers", IE2, MIE2)["stad"].events == by_code("teachers", MIE2, IE2)["stad"].events


# -- published ---------------------------------------------------------------------------------

ALGEBRA = entry("Algebra", formation="Y1", room="2/I", teacher="Prof. ALFA Ana")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    site = tmp_path_factory.mktemp("trs") / "site"
    specs = [(listing("A1", "Alpha"), [group("111", ALGEBRA), group("112", ALGEBRA)]),
             (listing("B1", "Beta"), [group("211", entry("Geometrie", formation="211", day="Marti", room="C1",
                                                         teacher="Prof. ALFA Ana"))])]
    assert outcome(run_pipeline(site, spec_items(specs))) == "published"
    return site


def test_published_indexes_and_calendars(published):
    teachers = json.loads((published / "teachers/index.json").read_text())
    assert teachers == [{"code": "Prof-ALFA-Ana", "name": "Prof. ALFA Ana", "classes": 2,
                         "calendar": "teachers/Prof-ALFA-Ana.ics", "timetable": "data/timetables/teachers/Prof-ALFA-Ana.json"}]
    rooms = json.loads((published / "rooms/index.json").read_text())
    assert [(r["code"], r["location"]) for r in rooms] == [("2-I", "Cladirea Centrala"), ("C1", "")]
    subjects = json.loads((published / "subjects/index.json").read_text())
    assert [(s["name"], [x["code"] for x in s["specializations"]]) for s in subjects] == [
        ("Algebra", ["A1"]), ("Geometrie", ["B1"])]
    calendar = icalendar.Calendar.from_ical((published / "teachers/Prof-ALFA-Ana.ics").read_bytes())
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["[C] Algebra (Y1)", "[C] Geometrie (211)"]
    busy = json.loads((published / "rooms/busy.json").read_text())
    assert [(r["code"], [b[:2] for b in r["busy"]]) for r in busy["rooms"]] == [
        ("2-I", [["08:00", "10:00"]]), ("C1", [["08:00", "10:00"]])]
    page = json.loads((published / "data/timetables/teachers/Prof-ALFA-Ana.json").read_text())
    assert page["kind"] == "teacher" and [c["formations"][0]["code"] for c in page["classes"]] == ["A1", "B1"]


@pytest.mark.parametrize("code", ["../../escape", "a/b", "<script>alert(1)</script>", "x" * 300, "..", "\x00nul"])
def test_hostile_codes_stay_inside_the_site_and_are_escaped(tmp_path, code):
    site = tmp_path / "site"
    hostile = replace(entry("Algebra", formation="Y1", room="2/I", teacher=f"Prof. {code}"),
                      teacher_code=code, room_code=code, subject_code=code)
    assert outcome(run_pipeline(site, spec_items([(listing("A1", "Alpha"), [group("111", hostile)])]))) == "published"
    for path in site.rglob("*"):
        assert os.path.realpath(path).startswith(str(site) + os.sep)
        assert len(path.name.encode()) <= 255
    for kind in ("teachers", "rooms", "subjects"):
        raw = (site / kind / "index.json").read_bytes()
        assert b"<" not in raw and json.loads(raw)[0]["code"] == code
        listed = json.loads(raw)[0]
        assert (site / listed["calendar"]).is_file() and (site / listed["timetable"]).is_file()


def test_every_teacher_and_room_calendar_is_the_union_of_their_group_classes(published):
    """The end-to-end form of this check runs on the whole test site in test_end_to_end.py."""
    records = [json.loads(p.read_text()) for p in (published / "data").glob("[AB]1.json")]
    for kind, code_field in (("teachers", "teacher_code"), ("rooms", "room_code")):
        for listed in json.loads((published / kind / "index.json").read_text()):
            expected = {(day, e["start"], e["end"], e["subject"]) for r in records for g in r["groups"]
                        for e in g["entries"] if e[code_field] == listed["code"] for day in e["dates"]}
            calendar = icalendar.Calendar.from_ical((published / listed["calendar"]).read_bytes())
            got = [(o["DTSTART"].dt.date().isoformat(), o["DTSTART"].dt.strftime("%H:%M"),
                    o["DTEND"].dt.strftime("%H:%M"), str(o["SUMMARY"]).split("] ", 1)[1].rsplit(" (", 1)[0])
                   for o in recurring_ical_events.of(calendar).between(date(2026, 1, 1), date(2026, 9, 1))]
            assert len(got) == len(set(got)) and set(got) == expected, listed["code"]


# -- gathered while the crawl downloads ----------------------------------------------------------

THIRD = record("MI2", "Matematica informatica", {"1121": [row(formation="1121", uid="MI2-course@x")]})


def test_gathering_page_by_page_in_any_order_is_gathering_all_at_once():
    """The crawl gathers each page as its worker finishes: a shared class is merged again as each
    page that shares it comes in, and only the last merge counts."""
    pages = [IE2, MIE2, THIRD]
    at_once = shared_timetables(c for r in pages for c in constituents(r))
    for order in ([IE2, MIE2, THIRD], [THIRD, IE2, MIE2], [MIE2, THIRD, IE2]):
        gathering = Gathering()
        for page in order:
            gathering.add(constituents(page))
        assert gathering.timetables() == at_once
    [course] = [e.shared for e in at_once["rooms"][0].events if e.shared.kind == "Curs"]
    assert course.formation_names == "IE2, 1121, MIE2"  # by spec code: IE2, MI2, MIE2


def staged(tmp_path, *records):
    staging = tmp_path / "staging"
    for page in records:
        (staging / "data").mkdir(parents=True, exist_ok=True)
        (staging / "data" / f"{page['code']}.json").write_text(json.dumps({**page, "schema": RECORD.url}))
    return staging


@pytest.mark.parametrize("own_process", [True, False])
def test_the_calendars_written_in_their_own_process_are_those_written_in_this_one(tmp_path, own_process):
    staging = staged(tmp_path, IE2, MIE2, THIRD)
    calendars = TeacherRoomSubjectCalendars(tmp_path / "site", staging, 2025, own_process=own_process)
    try:
        for page in (IE2, THIRD):
            calendars.page_written(page["code"])
        # MIE2 was not written by a worker (kept from the last run): gathered at the end
        files = SiteFiles(tmp_path / "site", staging)
        counts = calendars.write(files, SimpleNamespace(records={"IE2": IE2, "MIE2": MIE2, "MI2": THIRD},
                                                        semester="2025-2", rooms={}))
    finally:
        calendars.close()
    assert counts == {"teachers": 1, "teacher_events": 3, "rooms": 2, "room_events": 3,
                      "subjects": 1, "subject_events": 3, "unknown_teacher_classes": 0}
    assert files.files_written == 2 * (1 + 2 + 1) + 3 + 1  # .ics and .json each, the indexes, busy.json
    written = {p.relative_to(staging).as_posix(): p.read_bytes() for p in staging.rglob("*") if p.is_file()}
    expected = TeacherRoomSubjectCalendars(tmp_path / "other", staged(tmp_path / "other", IE2, MIE2, THIRD), 2025,
                                           own_process=False)
    expected.write(SiteFiles(tmp_path / "other", tmp_path / "other/staging"),
                   SimpleNamespace(records={"MI2": THIRD, "IE2": IE2, "MIE2": MIE2}, semester="2025-2", rooms={}))
    assert written == {p.relative_to(tmp_path / "other/staging").as_posix(): p.read_bytes()
                       for p in (tmp_path / "other/staging").rglob("*") if p.is_file()}


def test_a_page_that_cannot_be_gathered_fails_the_writing(tmp_path):
    staging = staged(tmp_path, IE2)
    (staging / "data" / "BAD.json").write_text("{not json")
    calendars = TeacherRoomSubjectCalendars(tmp_path / "site", staging, 2025, own_process=True)
    try:
        calendars.page_written("BAD")
        with pytest.raises(ValueError, match="data/BAD.json in the new site is not a spec record"):
            calendars.write(SiteFiles(tmp_path / "site", staging),
                            SimpleNamespace(records={"IE2": IE2, "BAD": {}}, semester="2025-2", rooms={}))
    finally:
        calendars.close()


def test_a_page_gathered_reserves_the_files_of_the_teachers_rooms_and_subjects_it_names(tmp_path):
    staging = staged(tmp_path, IE2)
    gatherer = Gatherer(tmp_path / "site", staging, 2025)
    try:
        gatherer.add_page("IE2")
        for reserving in gatherer.files._pending:  # flush() would also remove what is not written yet
            reserving.result()
        reserved = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*.*") if p.stat().st_size == 0)
    finally:
        gatherer.files.close()
    assert reserved == ["data/timetables/rooms/2-I.json", "data/timetables/rooms/C510.json",
                        "data/timetables/subjects/MLE5015.json", "data/timetables/teachers/stad.json",
                        "rooms/2-I.ics", "rooms/C510.ics", "rooms/busy.json", "rooms/index.json",
                        "subjects/MLE5015.ics", "subjects/index.json", "teachers/index.json", "teachers/stad.ics"]


def test_no_file_of_the_teachers_rooms_and_subjects_is_left_empty(tmp_path):
    staging = staged(tmp_path, IE2, MIE2)
    gatherer = Gatherer(tmp_path / "site", staging, 2025)
    try:
        gatherer.add_page("IE2")
        gatherer.write(["IE2", "MIE2"], "2025-2", {})
    finally:
        gatherer.files.close()
    assert [p for p in staging.rglob("*.*") if p.stat().st_size == 0] == []
