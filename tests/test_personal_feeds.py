"""Personal feeds as plain functions: the query grammar, and the choices applied to a small
timetable whose every expected answer is listed by hand below.

Timetable IE2, group 921 (subgroups 1 and 2) and group 922; timetable IE3, group 931:

  uid        subject  type  formation  in 921-1  921-2  921-all   922-1  922-2  922-all
  a-course   A        C     IE2        yes       yes    yes       yes    yes    yes
  a-sem-921  A        S     921        yes       yes    yes
  a-lab-1    A        L     921/1      yes              yes
  a-lab-2    A        L     921/2                yes    yes
  b-course   B        C     IE2        yes       yes    yes       yes    yes    yes
  b-lab-2    B        L     921/2                yes    yes
  a-sem-922  A        S     922                                   yes    yes    yes
  a-lab-922  A        L     922/1                                 yes           yes
  c-course   C1       C     IE3        (IE3: 931-1, 931-2, 931-all)
  c-lab-931  C1       L     931/1      (IE3: 931-1, 931-all)
"""
from __future__ import annotations

import pytest

from timetable_spider.personal_feeds import (
    Add, BadQuery, Hide, Selection, Take, UnknownName, event_uid, parse_query, personal_calendar,
    personal_events, personal_head, spec_feeds, split_calendar)

HEAD = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nNAME:IE2 921/1 \xc2\xb7 Informatica\r\n"
        b"X-WR-CALNAME:IE2 921/1 \xc2\xb7 Informatica\r\nX-WR-CALDESC:a description\r\n"
        b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Bucharest\r\n"
        b"END:VTIMEZONE\r\n")
TAIL = b"END:VCALENDAR\r\n"


def vevent(uid: str) -> bytes:
    return (f"BEGIN:VEVENT\r\nSUMMARY:class {uid}\r\nDTSTAMP:20260201T080000Z\r\nUID:{uid}\r\n"
            f"SEQUENCE:2\r\nEND:VEVENT\r\n").encode()


def entry(uid: str, subject: str, kind: str, formation: str) -> dict:
    return {"uid": uid, "subject_code": subject, "type": kind, "formation": formation}


def group(name: str, entries: list[dict], calendars: dict[str, list[str]]) -> tuple[dict, dict[str, bytes]]:
    record = {"name": name, "entries": entries,
              "calendars": [{"file": file, "label": "", "events": len(uids)} for file, uids in calendars.items()]}
    return record, {file: b"".join([HEAD, *map(vevent, uids), TAIL]) for file, uids in calendars.items()}


def spec(code: str, groups: list[tuple[dict, dict[str, bytes]]], academic_year: bytes | None = None):
    texts = {file: text for _, files in groups for file, text in files.items()}
    return spec_feeds({"code": code, "groups": [g for g, _ in groups]}, texts, academic_year)


# IE2's academic year, as academic-year/IE2.ics; IE3's site has none (published before them)
IE2_YEAR = b"".join([HEAD, vevent("exam-session"), vevent("easter"), vevent("good-friday"), TAIL])


COURSES = [entry("a-course", "A", "C", "IE2"), entry("b-course", "B", "C", "IE2")]
G921 = group("921", [COURSES[0], entry("a-sem-921", "A", "S", "921"), entry("a-lab-1", "A", "L", "921/1"),
                     entry("a-lab-2", "A", "L", "921/2"), COURSES[1], entry("b-lab-2", "B", "L", "921/2")], {
    "921-1.ics": ["a-course", "a-sem-921", "a-lab-1", "b-course"],
    "921-2.ics": ["a-course", "a-sem-921", "a-lab-2", "b-course", "b-lab-2"],
    "921-all.ics": ["a-course", "a-sem-921", "a-lab-1", "a-lab-2", "b-course", "b-lab-2"],
})
G922 = group("922", [COURSES[0], entry("a-sem-922", "A", "S", "922"), entry("a-lab-922", "A", "L", "922/1"),
                     COURSES[1]], {
    "922-1.ics": ["a-course", "a-sem-922", "a-lab-922", "b-course"],
    "922-2.ics": ["a-course", "a-sem-922", "b-course"],
    "922-all.ics": ["a-course", "a-sem-922", "a-lab-922", "b-course"],
})
G931 = group("931", [entry("c-course", "C1", "C", "IE3"), entry("c-lab-931", "C1", "L", "931/1")], {
    "931-1.ics": ["c-course", "c-lab-931"],
    "931-2.ics": ["c-course"],
    "931-all.ics": ["c-course", "c-lab-931"],
})


@pytest.fixture(scope="module")
def faculty():
    return {"IE2": spec("IE2", [G921, G922], IE2_YEAR), "IE3": spec("IE3", [G931])}


def uids(faculty, file: str, query: str, code: str = "IE2") -> list[str]:
    calendar = faculty[code].calendars[file]
    return [e.uid for e in personal_events(calendar, parse_query(query), faculty)]


# -- the query --

def test_a_query_is_normalized_whatever_its_order_and_repeats():
    one = parse_query("take=A:2&hide=B:L&add=IE3/931:C1&hide=B:L&hide=A")
    other = parse_query("hide=A&add=IE3/931:C1&hide=B:L&take=A:2")
    assert one == other == Selection(hide=(Hide("A"), Hide("B", "L")), take=(Take("A", 2),),
                                     add=(Add("IE3", "931", "C1"),))
    assert one.query() == "hide=A&hide=B:L&take=A:2&add=IE3/931:C1"


def test_percent_encoded_values_read_as_written():
    assert parse_query("hide=MLE5028%3AL&add=IE3%2F931%2F1%3AC1") == Selection(
        hide=(Hide("MLE5028", "L"),), add=(Add("IE3", "931/1", "C1"),))


def test_no_query_is_no_choice():
    assert not parse_query("")
    assert parse_query("").query() == ""


# Queries off the grammar, each with its reason: tests/fixtures/choice_queries.json, which
# tests/test_choice_grammar.py runs here and in the page.


# -- reading the published calendars --

def test_a_calendar_splits_into_head_events_and_tail_that_join_back_into_its_bytes():
    text = b"".join([HEAD, vevent("x"), vevent("y"), TAIL])
    head, events, tail = split_calendar(text)
    assert (head, events, tail) == (HEAD, [vevent("x"), vevent("y")], TAIL)
    assert split_calendar(HEAD + TAIL) == (HEAD, [], TAIL)


@pytest.mark.parametrize("text", [
    HEAD + vevent("x"),  # no END:VCALENDAR
    HEAD + vevent("x")[:-12] + TAIL,  # a VEVENT that does not end
    HEAD + vevent("x") + b"BEGIN:VTODO\r\nEND:VTODO\r\n" + TAIL,  # something else between events
])
def test_a_calendar_not_laid_out_as_the_crawl_writes_is_refused(text):
    with pytest.raises(ValueError):
        split_calendar(text)


def test_a_folded_uid_is_read_whole():
    event = b"BEGIN:VEVENT\r\nUID:0123456789012345678901234567890123456789012345678901234567890123456789\r\n 0123@x\r\nEND:VEVENT\r\n"
    assert event_uid(event) == "0123456789" * 7 + "0123@x"


def test_each_group_knows_its_subgroups_calendars_and_classes(faculty):
    ie2 = faculty["IE2"]
    g921 = ie2.groups["921"]
    assert g921.subgroups == (1, 2)
    assert {s: c.file for s, c in g921.calendars.items()} == {None: "921-all.ics", 1: "921-1.ics", 2: "921-2.ics"}
    assert [e.uid for e in g921.events] == ["a-course", "a-sem-921", "a-lab-1", "a-lab-2", "b-course", "b-lab-2"]
    lab = g921.events[2]
    assert (lab.subject, lab.kind, lab.formation, lab.text) == ("A", "L", "921/1", vevent("a-lab-1"))
    assert ie2.calendars["921-1.ics"].published() == G921[1]["921-1.ics"]
    # one object per class, shared by the calendars (and groups) that hold it
    assert ie2.calendars["921-1.ics"].events[0] is ie2.calendars["922-2.ics"].events[0]


def test_a_calendar_event_missing_from_the_record_is_refused():
    record, texts = group("921", [entry("a-course", "A", "C", "IE2")], {"921-all.ics": ["a-course", "stray"]})
    with pytest.raises(ValueError, match="stray"):
        spec_feeds({"code": "IE2", "groups": [record]}, texts)


def test_a_calendar_not_named_as_the_crawl_names_them_is_refused():
    record, texts = group("921", [entry("a-course", "A", "C", "IE2")], {"921-x.ics": ["a-course"]})
    with pytest.raises(ValueError, match="921-x.ics"):
        spec_feeds({"code": "IE2", "groups": [record]}, texts)


# -- the choices --

def test_no_choice_is_the_published_calendar(faculty):
    assert uids(faculty, "921-1.ics", "") == ["a-course", "a-sem-921", "a-lab-1", "b-course"]


def test_hide_removes_every_class_of_the_subject(faculty):
    assert uids(faculty, "921-1.ics", "hide=A") == ["b-course"]
    assert uids(faculty, "921-all.ics", "hide=B") == ["a-course", "a-sem-921", "a-lab-1", "a-lab-2"]


def test_hide_with_a_type_removes_only_the_course_seminar_or_lab(faculty):
    assert uids(faculty, "921-1.ics", "hide=A:C") == ["a-sem-921", "a-lab-1", "b-course"]
    assert uids(faculty, "921-1.ics", "hide=A:S") == ["a-course", "a-lab-1", "b-course"]
    assert uids(faculty, "921-1.ics", "hide=A:L&hide=B:C") == ["a-course", "a-sem-921"]
    # the subject is the group's but this subgroup has no lab of it: nothing to hide
    assert uids(faculty, "921-1.ics", "hide=B:L") == ["a-course", "a-sem-921", "a-lab-1", "b-course"]


def test_take_swaps_the_own_subgroups_classes_of_the_subject_for_the_other_subgroups(faculty):
    assert uids(faculty, "921-1.ics", "take=A:2") == ["a-course", "a-sem-921", "a-lab-2", "b-course"]
    # a subject only subgroup 2 has comes in whole
    assert uids(faculty, "921-1.ics", "take=B:2") == ["a-course", "a-sem-921", "a-lab-1", "b-course", "b-lab-2"]
    # the own subgroup changes nothing
    assert uids(faculty, "921-1.ics", "take=A:1") == uids(faculty, "921-1.ics", "")


def test_take_on_the_whole_groups_calendar_keeps_one_subgroups_classes(faculty):
    assert uids(faculty, "921-all.ics", "take=A:1") == ["a-course", "a-sem-921", "a-lab-1", "b-course", "b-lab-2"]


def test_take_then_hide(faculty):
    assert uids(faculty, "921-1.ics", "take=A:2&hide=A:C") == ["a-sem-921", "a-lab-2", "b-course"]


def test_add_brings_a_subjects_classes_from_another_groups_calendar(faculty):
    assert uids(faculty, "921-1.ics", "add=IE3/931:C1") == [
        "a-course", "a-sem-921", "a-lab-1", "b-course", "c-course", "c-lab-931"]
    assert uids(faculty, "921-1.ics", "add=IE3/931/2:C1") == ["a-course", "a-sem-921", "a-lab-1", "b-course", "c-course"]


def test_add_with_a_type_brings_only_the_subjects_classes_of_that_type(faculty):
    assert uids(faculty, "921-1.ics", "add=IE3/931:C1:L") == [
        "a-course", "a-sem-921", "a-lab-1", "b-course", "c-lab-931"]
    assert uids(faculty, "921-1.ics", "add=IE3/931:C1:C") == uids(faculty, "921-1.ics", "add=IE3/931/2:C1")


def test_an_add_with_a_type_is_written_back_in_its_query():
    assert parse_query("add=IE3%2F931%3AC1%3AL").query() == "add=IE3/931:C1:L"


def test_add_does_not_repeat_a_class_the_calendar_has(faculty):
    # 922's calendar shares the year's course of A: it stays once
    assert uids(faculty, "921-1.ics", "add=IE2/922/1:A") == [
        "a-course", "a-sem-921", "a-lab-1", "b-course", "a-sem-922", "a-lab-922"]


def test_hide_and_add_move_a_subject_to_another_group(faculty):
    assert uids(faculty, "921-1.ics", "hide=A&add=IE2/922/1:A") == ["b-course", "a-course", "a-sem-922", "a-lab-922"]


def test_everything_at_once(faculty):
    assert uids(faculty, "921-2.ics", "hide=B:L&take=A:1&add=IE3/931/1:C1&hide=A:S") == [
        "a-course", "a-lab-1", "b-course", "c-course", "c-lab-931"]


@pytest.mark.parametrize("query", ["hide=Z", "hide=C1", "take=Z:2", "add=IE3/931:A", "hide=Z:L&take=Z:1"])
def test_a_subject_the_timetable_no_longer_has_changes_nothing(faculty, query):
    # C1 is another timetable's subject; A is not in IE3's group 931
    assert uids(faculty, "921-1.ics", query) == uids(faculty, "921-1.ics", "")


@pytest.mark.parametrize("query, message", [
    ("take=A:3", "IE2 group 921 has no subgroup 3"),
    ("add=XX/931:C1", "no timetable XX"),
    ("add=IE3/999:C1", "IE3 has no group 999"),
    ("add=IE3/931/3:C1", "IE3 has no calendar for 931/3"),
    ("add=IE3/931/x:C1", "IE3 has no group 931/x"),
    ("add=IE2/922/2:A%26", None),  # not a subject code at all: a bad query, tested above
])
def test_a_name_the_site_does_not_have_is_unknown(faculty, query, message):
    if message is None:
        with pytest.raises(BadQuery):
            uids(faculty, "921-1.ics", query)
        return
    with pytest.raises(UnknownName, match=message):
        uids(faculty, "921-1.ics", query)


# -- the personal calendar --

def test_a_personal_calendar_is_the_published_head_renamed_and_the_published_events(faculty):
    calendar = faculty["IE2"].calendars["921-1.ics"]
    body = personal_calendar(calendar, personal_events(calendar, parse_query("hide=A"), faculty))
    assert body == HEAD.replace(b"NAME:", b"NAME:Personal ") + vevent("b-course") + TAIL


def test_a_long_personal_name_is_folded_as_the_crawl_folds_and_other_lines_stay_as_published():
    name = "IE2 921/1 · " + "Informatica - in limba engleza " * 3
    head = (b"BEGIN:VCALENDAR\r\nNAME:" + name[:60].encode() + b"\r\n " + name[60:].encode()
            + b"\r\nX-WR-CALDESC:kept\\, as\r\n  it was\r\nBEGIN:VTIMEZONE\r\nTZNAME:EET\r\nEND:VTIMEZONE\r\n")
    renamed = personal_head(head)
    lines = renamed.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert renamed.replace(b"\r\n ", b"").startswith(b"BEGIN:VCALENDAR\r\nNAME:Personal " + name.encode() + b"\r\n")
    assert renamed.endswith(b"\r\nX-WR-CALDESC:kept\\, as\r\n  it was\r\nBEGIN:VTIMEZONE\r\nTZNAME:EET\r\nEND:VTIMEZONE\r\n")


# -- periods=1: the academic year --

def test_periods_is_written_back_last_in_its_query():
    assert parse_query("periods=1&hide=A&periods=1").query() == "hide=A&periods=1"


def test_periods_alone_is_a_choice():
    assert parse_query("periods=1")


def test_periods_adds_the_academic_year_after_the_classes(faculty):
    assert uids(faculty, "921-1.ics", "periods=1") == [
        "a-course", "a-sem-921", "a-lab-1", "b-course", "exam-session", "easter", "good-friday"]


def test_periods_events_are_the_published_bytes(faculty):
    calendar = faculty["IE2"].calendars["921-1.ics"]
    body = personal_calendar(calendar, personal_events(calendar, parse_query("periods=1"), faculty))
    assert body.endswith(vevent("exam-session") + vevent("easter") + vevent("good-friday") + TAIL)


def test_hide_does_not_remove_the_academic_year(faculty):
    assert uids(faculty, "921-2.ics", "hide=A&hide=B&periods=1") == ["exam-session", "easter", "good-friday"]


def test_periods_follow_the_calendars_own_timetable_not_an_added_one(faculty):
    assert uids(faculty, "921-1.ics", "add=IE3/931:C1&periods=1")[-3:] == ["exam-session", "easter", "good-friday"]


def test_periods_of_a_timetable_without_an_academic_year_calendar_is_unknown(faculty):
    calendar = faculty["IE3"].calendars["931-1.ics"]
    with pytest.raises(UnknownName, match="IE3 has no academic-year calendar"):
        personal_events(calendar, parse_query("periods=1"), faculty)
