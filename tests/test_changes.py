"""What changed between two crawls (timetable_spider/changes.py), worked out by hand.

Each case is a small timetable before and after, and the change log's entries it must give.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from timetable_spider.changes import ClassFacts, match_classes, sentence, spec_changes

DATES = ("2026-02-23", "2026-03-02", "2026-03-09")


def facts(subject: str = "Programare Web", *, kind: str = "Curs", formation: str = "IE2", day: str = "Luni",
          start: str = "14:00", end: str = "16:00", frequency: str = "", room: str = "2/I",
          teacher: str = "Conf. STERCA Adrian", dates: tuple[str, ...] = DATES,
          groups: tuple[str, ...] = ("921", "922")) -> ClassFacts:
    return ClassFacts(formation=formation, day=day, start=start, end=end, frequency=frequency, kind=kind,
                      subject=subject, room=room, teacher=teacher, location=f"{room}, somewhere", dates=dates,
                      groups=groups)


COURSE = facts()
LAB_1 = facts(kind="Laborator", formation="921/1", day="Marti", start="16:00", end="18:00", room="L439",
              teacher="C.d.asociat MORARU Dora", groups=("921",))
LAB_2 = replace(LAB_1, formation="921/2", start="18:00", end="20:00", room="L321", location="L321, somewhere")
SEMINAR = facts("Limba Engleza", kind="Seminar", formation="921", start="18:00", end="20:00", room="A310",
                teacher="C.d.asociat MANLUP Nicoleta", groups=("921",))
BEFORE = [COURSE, LAB_1, LAB_2, SEMINAR]
UIDS = ["course@x", "lab1@x", "lab2@x", "seminar@x"]


def log(before: list[ClassFacts], after: list[ClassFacts]) -> list[dict]:
    """The change log's entries, with the classes of this crawl named by their position."""
    matching = match_classes(before, after)
    carried = {c: UIDS[p] for p, c in matching.same + matching.moved}
    return spec_changes("IE2", before, UIDS[:len(before)], after,
                        [carried.get(n, f"new{n}@x") for n in range(len(after))], matching)


def test_nothing_changed_gives_no_entries():
    assert log(BEFORE, list(reversed(BEFORE))) == []


def test_a_room_change():
    after = [replace(COURSE, room="C510", location="C510, Campus"), LAB_1, LAB_2, SEMINAR]
    assert log(BEFORE, after) == [{
        "change": "changed", "code": "IE2", "groups": ["921", "922"], "formation": "IE2", "uid": "course@x",
        "class": {"subject": "Programare Web", "subject_code": "", "type": "C", "type_name": "Curs", "day": "Luni", "start": "14:00", "end": "16:00",
                  "room": "C510", "teacher": "Conf. STERCA Adrian", "weeks": "every week"},
        "fields": {"room": ["2/I", "C510"], "location": ["2/I, somewhere", "C510, Campus"]}}]


def test_a_teacher_change():
    [entry] = log(BEFORE, [COURSE, replace(LAB_1, teacher="Lect. ALTCINEVA"), LAB_2, SEMINAR])
    assert (entry["change"], entry["uid"], entry["fields"]) == (
        "changed", "lab1@x", {"teacher": ["C.d.asociat MORARU Dora", "Lect. ALTCINEVA"]})


def test_a_change_of_weeks():
    odd = replace(SEMINAR, frequency="sapt. 1", dates=DATES[::2])
    [entry] = log(BEFORE, [COURSE, LAB_1, LAB_2, odd])
    assert entry["uid"] == "seminar@x"
    # weeks are named by their Mondays
    assert entry["fields"] == {"weeks": [["every week", *DATES], ["sapt. 1", DATES[0], DATES[2]]]}
    assert entry["class"]["weeks"] == "sapt. 1"


def test_a_move_to_another_day_of_the_same_weeks_keeps_the_weeks():
    [entry] = log(BEFORE, [COURSE, LAB_1, LAB_2, replace(SEMINAR, day="Joi", dates=("2026-02-26", "2026-03-05",
                                                                                      "2026-03-12"))])
    assert set(entry["fields"]) == {"time"}


def test_a_holiday_changes_only_the_dates():
    [entry] = log(BEFORE, [replace(COURSE, dates=DATES[:2]), LAB_1, LAB_2, SEMINAR])
    assert entry["fields"] == {"weeks": [["every week", *DATES], ["every week", *DATES[:2]]]}
    assert sentence(entry) == "Changed: [C] Programare Web (IE2): the dates of its weeks"


def test_a_removed_lab():
    assert log(BEFORE, [COURSE, LAB_1, SEMINAR]) == [{
        "change": "removed", "code": "IE2", "groups": ["921"], "formation": "921/2", "uid": "lab2@x",
        "class": {"subject": "Programare Web", "subject_code": "", "type": "L", "type_name": "Laborator",
                  "day": "Marti", "start": "18:00",
                  "end": "20:00", "room": "L321", "teacher": "C.d.asociat MORARU Dora", "weeks": "every week"}}]


def test_an_added_seminar():
    new = facts("Programare Web", kind="Seminar", formation="922", day="Joi", start="08:00", end="10:00",
                room="C335", teacher="Lect. NOU Ion", groups=("922",))
    [entry] = log(BEFORE, [*BEFORE, new])
    assert (entry["change"], entry["uid"], entry["formation"], entry["groups"]) == ("added", "new4@x", "922", ["922"])
    assert sentence(entry) == "Added: [S] Programare Web (922), Joi 08:00-10:00, C335, Lect. NOU Ion"


def test_a_move_to_another_slot_is_one_change_of_time_keeping_the_uid():
    moved = replace(COURSE, day="Marti", start="10:00", end="12:00")
    assert log(BEFORE, [moved, LAB_1, LAB_2, SEMINAR]) == [{
        "change": "changed", "code": "IE2", "groups": ["921", "922"], "formation": "IE2", "uid": "course@x",
        "class": {"subject": "Programare Web", "subject_code": "", "type": "C", "type_name": "Curs", "day": "Marti", "start": "10:00", "end": "12:00",
                  "room": "2/I", "teacher": "Conf. STERCA Adrian", "weeks": "every week"},
        "fields": {"time": ["Luni 14:00-16:00", "Marti 10:00-12:00"]}}]


def test_a_move_with_a_new_room_lists_both():
    moved = replace(LAB_2, day="Vineri", room="L002", location="L002, Campus")
    [entry] = log(BEFORE, [COURSE, LAB_1, moved, SEMINAR])
    assert entry["uid"] == "lab2@x"
    assert set(entry["fields"]) == {"time", "room", "location"}
    assert sentence(entry) == ("Changed: [L] Programare Web (921/2): time Marti 18:00-20:00 → Vineri 18:00-20:00; "
                               "room L321 → L002; location L321, somewhere → L002, Campus")


def test_two_classes_of_a_subject_leaving_and_two_arriving_are_not_guessed_at():
    after = [COURSE, replace(LAB_1, day="Joi"), replace(LAB_1, day="Vineri", room="L001"), SEMINAR]
    # LAB_1 and LAB_2 are different formations, so each one's move is clear...
    moved = log(BEFORE, [COURSE, replace(LAB_1, day="Joi"), replace(LAB_2, day="Vineri"), SEMINAR])
    assert [(e["change"], e["uid"]) for e in moved] == [("changed", "lab1@x"), ("changed", "lab2@x")]
    # ...but two classes of one formation that both left one slot and two that arrived are not
    two_labs = [LAB_1, replace(LAB_1, day="Miercuri", room="L002")]
    entries = spec_changes("IE2", two_labs, ["a@x", "b@x"], after[1:3], ["c@x", "d@x"],
                           match_classes(two_labs, after[1:3]))
    assert sorted(e["change"] for e in entries) == ["added", "added", "removed", "removed"]


def test_classes_sharing_a_slot_are_told_apart_by_room_then_teacher():
    twin_a = replace(LAB_1, formation="921", room="L1", teacher="A")
    twin_b = replace(LAB_1, formation="921", room="L2", teacher="B")
    before = [twin_a, twin_b]
    matching = match_classes(before, [replace(twin_b, teacher="C"), twin_a])
    assert sorted(matching.same) == [(0, 1), (1, 0)]
    entries = spec_changes("IE2", before, ["a@x", "b@x"], [replace(twin_b, teacher="C"), twin_a], ["b@x", "a@x"],
                           matching)
    assert [(e["uid"], e["fields"]) for e in entries] == [("b@x", {"teacher": ["B", "C"]})]


@pytest.mark.parametrize("before, after", [([], [COURSE]), ([COURSE], [])])
def test_a_page_with_no_past_lists_everything_as_added_and_an_emptied_one_as_removed(before, after):
    [entry] = spec_changes("IE2", before, ["course@x"][:len(before)], after, ["course@x"][:len(after)],
                           match_classes(before, after))
    assert entry["change"] == ("added" if after else "removed")
