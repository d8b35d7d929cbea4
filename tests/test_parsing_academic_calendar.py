"""Parsing of the university's academic-calendar page ("Structura anului universitar")."""
from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse

from tests.saved_pages import FIXTURES, saved_response
from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, ROMANIAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS, Period, holidays)
from timetable_spider.parsing.academic_calendar import CalendarLayoutError, days_off_in, parse_academic_calendar

URL = "https://www.ubbcluj.ro/ro/studenti/invatamant/structura_anului_universitar"
TEACHING = "activitate didactic\u0103"  # "activitate didactică"


@pytest.fixture(scope="module")
def year_2025():
    return parse_academic_calendar(saved_response(FIXTURES / "site" / "academic_calendar.html", URL))


@pytest.fixture(scope="module")
def tables_2025(year_2025):
    return year_2025[1]


def reconstructed_2026(variant: int):
    page = saved_response(FIXTURES / "other" / "academic_calendar_2026-2027-reconstructed.html", URL)
    return parse_academic_calendar(page, variant)


def spans(periods: list[Period]) -> list[tuple[date, date, bool]]:
    return [(p.start, p.end, p.teaching) for p in periods]


def teaching(periods: list[Period]) -> list[tuple[date, date, tuple[date, ...]]]:
    return [(p.start, p.end, p.holidays) for p in periods if p.teaching]


# --- 2025-2026 ----------------------------------------------------------------------------

def test_academic_year_from_the_heading(year_2025):
    assert year_2025[0] == "2025-2026"


def test_six_tables(tables_2025):
    assert set(tables_2025) == {
        (ROMANIAN, SEMESTER_1), (ROMANIAN, SEMESTER_2), (ROMANIAN, SEMESTER_2_FINAL_YEARS),
        (HUNGARIAN_GERMAN, SEMESTER_1), (HUNGARIAN_GERMAN, SEMESTER_2),
        (HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS)}


def test_romanian_semester_1(tables_2025):
    assert spans(tables_2025[(ROMANIAN, SEMESTER_1)]) == [
        (date(2025, 9, 25), date(2025, 9, 26), False),
        (date(2025, 9, 29), date(2025, 12, 21), True),
        (date(2025, 12, 22), date(2026, 1, 4), False),
        (date(2026, 1, 5), date(2026, 1, 18), True),
        (date(2026, 1, 19), date(2026, 2, 8), False),
        (date(2026, 2, 9), date(2026, 2, 15), False),
        (date(2026, 2, 16), date(2026, 2, 22), False),
    ]


def test_romanian_semester_1_holidays(tables_2025):
    assert teaching(tables_2025[(ROMANIAN, SEMESTER_1)]) == [
        (date(2025, 9, 29), date(2025, 12, 21), (date(2025, 12, 1),)),
        (date(2026, 1, 5), date(2026, 1, 18), (date(2026, 1, 6), date(2026, 1, 7))),
    ]


def test_day_off_in_the_exam_session_is_not_a_holiday(tables_2025):
    session = tables_2025[(ROMANIAN, SEMESTER_1)][4]
    assert session.label == "sesiune de examene"
    assert "24.01.2026" in session.notes
    assert session.holidays == ()


def test_romanian_semester_2(tables_2025):
    assert spans(tables_2025[(ROMANIAN, SEMESTER_2)]) == [
        (date(2026, 2, 23), date(2026, 4, 12), True),
        (date(2026, 4, 13), date(2026, 4, 19), False),
        (date(2026, 4, 20), date(2026, 6, 7), True),
        (date(2026, 6, 8), date(2026, 6, 28), False),
        (date(2026, 6, 29), date(2026, 7, 5), False),
        (date(2026, 7, 6), date(2026, 7, 12), False),
        (date(2026, 7, 13), date(2026, 8, 2), False),
        (date(2026, 8, 3), date(2026, 9, 27), False),
    ]


def test_romanian_semester_2_holidays(tables_2025):
    assert teaching(tables_2025[(ROMANIAN, SEMESTER_2)]) == [
        (date(2026, 2, 23), date(2026, 4, 12), (date(2026, 4, 10),)),
        (date(2026, 4, 20), date(2026, 6, 7), (date(2026, 5, 1), date(2026, 6, 1))),
    ]


def test_romanian_final_years(tables_2025):
    assert teaching(tables_2025[(ROMANIAN, SEMESTER_2_FINAL_YEARS)]) == [
        (date(2026, 2, 23), date(2026, 4, 12), (date(2026, 4, 10),)),
        (date(2026, 4, 20), date(2026, 5, 24), (date(2026, 5, 1),)),
    ]
    assert spans(tables_2025[(ROMANIAN, SEMESTER_2_FINAL_YEARS)])[3:] == [
        (date(2026, 5, 25), date(2026, 6, 7), False),
        (date(2026, 6, 8), date(2026, 6, 14), False),
        (date(2026, 6, 15), date(2026, 6, 28), False),
        (date(2026, 6, 29), date(2026, 7, 5), False),
    ]


def test_hungarian_german_semester_1_is_the_romanian_one(tables_2025):
    assert tables_2025[(HUNGARIAN_GERMAN, SEMESTER_1)] == tables_2025[(ROMANIAN, SEMESTER_1)]


def test_hungarian_german_semester_2_has_the_western_easter(tables_2025):
    assert teaching(tables_2025[(HUNGARIAN_GERMAN, SEMESTER_2)]) == [
        (date(2026, 2, 23), date(2026, 4, 5), (date(2026, 4, 3),)),
        (date(2026, 4, 13), date(2026, 6, 7),
         (date(2026, 5, 1), date(2026, 5, 25), date(2026, 6, 1))),
    ]
    assert spans(tables_2025[(HUNGARIAN_GERMAN, SEMESTER_2)])[1] == (
        date(2026, 4, 6), date(2026, 4, 12), False)


def test_hungarian_german_final_years(tables_2025):
    assert teaching(tables_2025[(HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS)]) == [
        (date(2026, 2, 23), date(2026, 4, 5), (date(2026, 4, 3),)),
        (date(2026, 4, 13), date(2026, 5, 24), (date(2026, 5, 1),)),
    ]


@pytest.mark.parametrize("key, rows", [
    ((ROMANIAN, SEMESTER_1), 7), ((ROMANIAN, SEMESTER_2), 8), ((ROMANIAN, SEMESTER_2_FINAL_YEARS), 7),
    ((HUNGARIAN_GERMAN, SEMESTER_1), 7), ((HUNGARIAN_GERMAN, SEMESTER_2), 8),
    ((HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS), 7),
])
def test_row_counts(tables_2025, key, rows):
    assert len(tables_2025[key]) == rows


def test_diacritics_come_out_right(tables_2025):
    periods = tables_2025[(ROMANIAN, SEMESTER_2)]
    assert periods[0].label == TEACHING
    assert periods[1].label == "vacan\u021ba de Pa\u0219ti"  # "vacanța de Paști", comma below
    assert periods[0].notes == "7 s\u0103pt\u0103m\u00e2ni (vineri, 10.04.2026, Vinerea Mare - zi liber\u0103)"


def test_every_teaching_label_contains_activitate_didactica(tables_2025):
    for periods in tables_2025.values():
        for period in periods:
            assert (TEACHING in period.label) is period.teaching


def test_labels_of_the_romanian_final_years(tables_2025):
    assert [p.label for p in tables_2025[(ROMANIAN, SEMESTER_2_FINAL_YEARS)]] == [
        TEACHING, "vacan\u021ba de Pa\u0219ti", TEACHING, "sesiune de examene",
        "sesiune de restan\u021be",
        "preg\u0103tirea examenului de licen\u021b\u0103/diserta\u021bie",
        "examen de licen\u021b\u0103/diserta\u021bie"]


# --- 2026-2027, final years in two variants -----------------------------------------------

def test_reconstructed_page_year_comes_from_semester_1():
    assert reconstructed_2026(1)[0] == "2026-2027"


def test_variant_1_romanian_final_years():
    _, tables = reconstructed_2026(1)
    assert [(p.start, p.end, p.label) for p in tables[(ROMANIAN, SEMESTER_2_FINAL_YEARS)]] == [
        (date(2027, 2, 22), date(2027, 5, 2), TEACHING),
        (date(2027, 5, 3), date(2027, 5, 9), "vacan\u021ba de Pa\u0219ti"),
        (date(2027, 5, 10), date(2027, 5, 23), TEACHING),
        (date(2027, 5, 24), date(2027, 6, 6), "sesiune de examene"),
        (date(2027, 6, 7), date(2027, 6, 13), "sesiune de restan\u021be"),
        (date(2027, 6, 14), date(2027, 6, 27),
         "preg\u0103tirea examenului de licen\u021b\u0103/diserta\u021bie (activitate didactic\u0103)"),
        (date(2027, 6, 28), date(2027, 7, 4), "examen de licen\u021b\u0103/diserta\u021bie"),
    ]


def test_variant_2_romanian_final_years():
    _, tables = reconstructed_2026(2)
    assert [(p.start, p.end, p.label) for p in tables[(ROMANIAN, SEMESTER_2_FINAL_YEARS)]] == [
        (date(2027, 2, 22), date(2027, 5, 2), TEACHING),
        (date(2027, 5, 3), date(2027, 5, 9), "vacan\u021ba de Pa\u0219ti"),
        (date(2027, 5, 10), date(2027, 5, 23), TEACHING),
        (date(2027, 5, 24), date(2027, 6, 6),
         "preg\u0103tirea examenului de licen\u021b\u0103/diserta\u021bie (activitate didactic\u0103)"),
        (date(2027, 6, 7), date(2027, 6, 20), "sesiune de examene"),
        (date(2027, 6, 21), date(2027, 6, 27), "sesiune de restan\u021be"),
        (date(2027, 6, 28), date(2027, 7, 4), "vacan\u021b\u0103"),
        (date(2027, 7, 5), date(2027, 7, 11), "examen de licen\u021b\u0103/diserta\u021bie"),
    ]


def test_variants_differ_only_in_the_final_years_tables():
    _, one = reconstructed_2026(1)
    _, two = reconstructed_2026(2)
    assert one[(ROMANIAN, SEMESTER_2_FINAL_YEARS)] != two[(ROMANIAN, SEMESTER_2_FINAL_YEARS)]
    assert one[(HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS)] != two[(HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS)]
    for key in [(ROMANIAN, SEMESTER_1), (ROMANIAN, SEMESTER_2),
                (HUNGARIAN_GERMAN, SEMESTER_1), (HUNGARIAN_GERMAN, SEMESTER_2)]:
        assert one[key] == two[key]


def test_variant_2_hungarian_german_final_years():
    _, tables = reconstructed_2026(2)
    periods = tables[(HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS)]
    assert [(p.start, p.end) for p in periods][3:5] == [
        (date(2027, 5, 24), date(2027, 6, 6)), (date(2027, 6, 7), date(2027, 6, 20))]
    assert periods[4].label == "sesiune de examene"


def test_thesis_preparation_is_not_a_teaching_period():
    _, tables = reconstructed_2026(1)
    preparation = tables[(ROMANIAN, SEMESTER_2_FINAL_YEARS)][5]
    assert preparation.label.startswith("preg\u0103tirea examenului")
    assert preparation.teaching is False


def test_reconstructed_2026_romanian_semester_2_teaching_and_holidays():
    _, tables = reconstructed_2026(1)
    assert teaching(tables[(ROMANIAN, SEMESTER_2)]) == [
        (date(2027, 2, 22), date(2027, 5, 2), (date(2027, 4, 30), date(2027, 5, 1))),
        (date(2027, 5, 10), date(2027, 6, 6), (date(2027, 6, 1),)),
    ]


def test_reconstructed_2026_semester_1_holidays():
    _, tables = reconstructed_2026(1)
    assert teaching(tables[(ROMANIAN, SEMESTER_1)]) == [
        (date(2026, 9, 28), date(2026, 12, 20), (date(2026, 11, 30), date(2026, 12, 1))),
        (date(2027, 1, 4), date(2027, 1, 17), (date(2027, 1, 6), date(2027, 1, 7))),
    ]


def test_a_variant_the_page_does_not_offer_is_refused():
    with pytest.raises(CalendarLayoutError) as error:
        reconstructed_2026(3)
    message = str(error.value)
    assert "romanian semester_2_final_years" in message
    assert "hungarian_german semester_2_final_years" in message
    assert "romanian semester_1" not in message


# --- days off: every calendar page of the fixtures -----------------------------------------

D = date
# The days off each table's teaching periods name in their notes, read off the pages by hand.
DAYS_OFF = {
    ("site/academic_calendar.html", 1): {
        (ROMANIAN, SEMESTER_1): {D(2025, 12, 1), D(2026, 1, 6), D(2026, 1, 7)},
        (ROMANIAN, SEMESTER_2): {D(2026, 4, 10), D(2026, 5, 1), D(2026, 6, 1)},
        (ROMANIAN, SEMESTER_2_FINAL_YEARS): {D(2026, 4, 10), D(2026, 5, 1)},
        (HUNGARIAN_GERMAN, SEMESTER_1): {D(2025, 12, 1), D(2026, 1, 6), D(2026, 1, 7)},
        (HUNGARIAN_GERMAN, SEMESTER_2): {D(2026, 4, 3), D(2026, 5, 1), D(2026, 5, 25), D(2026, 6, 1)},
        (HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS): {D(2026, 4, 3), D(2026, 5, 1)},
    },
    **{("other/academic_calendar_2026-2027-reconstructed.html", variant): {
        (ROMANIAN, SEMESTER_1): {D(2026, 11, 30), D(2026, 12, 1), D(2027, 1, 6), D(2027, 1, 7)},
        (ROMANIAN, SEMESTER_2): {D(2027, 4, 30), D(2027, 5, 1), D(2027, 6, 1)},
        (ROMANIAN, SEMESTER_2_FINAL_YEARS): {D(2027, 4, 30), D(2027, 5, 1)},
        (HUNGARIAN_GERMAN, SEMESTER_1): {D(2026, 11, 30), D(2026, 12, 1), D(2027, 1, 6), D(2027, 1, 7)},
        (HUNGARIAN_GERMAN, SEMESTER_2): {D(2027, 3, 26), D(2027, 5, 1), D(2027, 5, 17), D(2027, 6, 1)},
        (HUNGARIAN_GERMAN, SEMESTER_2_FINAL_YEARS): {D(2027, 3, 26), D(2027, 5, 1), D(2027, 5, 17)},
    } for variant in (1, 2)},
}


@pytest.mark.parametrize("page, variant", list(DAYS_OFF))
def test_days_off_of_every_saved_calendar_page(page, variant):
    _, tables = parse_academic_calendar(saved_response(FIXTURES / page, URL), variant)
    assert {key: holidays(periods) for key, periods in tables.items()} == DAYS_OFF[(page, variant)]


@pytest.mark.parametrize("notes, days", [
    ("12 săptămâni (luni, 01.12.2025, Ziua Marii Uniri - zi liberă)", [D(2025, 12, 1)]),
    ("7 săptămâni (vineri, 01.05.2026, Ziua Muncii și luni, 01.06.2026, a II-a zi de Rusalii - zile libere)",
     [D(2026, 5, 1), D(2026, 6, 1)]),
    ("(01.05.2026 - zi libera)", [D(2026, 5, 1)]),
    # a range of free days counts in full, however it is written
    ("7 săptămâni (30.04.2027 - 02.05.2027, Paștele Ortodox - zile libere)",
     [D(2027, 4, 30), D(2027, 5, 1), D(2027, 5, 2)]),
    ("(29.04 - 01.05.2027 zile libere)", [D(2027, 4, 29), D(2027, 4, 30), D(2027, 5, 1)]),
    ("14 săptămâni (zile libere: 24-26.12.2025)", [D(2025, 12, 24), D(2025, 12, 25), D(2025, 12, 26)]),
    # dates the notes do not call free
    ("14 săptămâni (activitatea din 01.12.2025 se recuperează)", []),
    ("(01.05.2026 - zi liberă; recuperare sâmbătă, 09.05.2026)", [D(2026, 5, 1)]),
    ("(01.05.2026 - zi liberă, 15.05.2026 Ziua Facultății)", [D(2026, 5, 1)]),
    ("7 săptămâni, până la 12.04.2026", []),
    ("a II-a zi de Rusalii 01.06.2026", []),
])
def test_days_off_are_the_days_the_notes_call_free(notes, days):
    assert list(days_off_in(notes)) == days


def test_dates_in_a_teaching_periods_notes_that_are_not_free_are_not_holidays():
    saved = (FIXTURES / "site" / "academic_calendar.html").read_bytes().decode()
    edited = saved.replace("(vineri, 10.04.2026, Vinerea Mare - zi liberă)",
                           "(orele din 10.04.2026 se recuperează sâmbătă, 18.04.2026)", 1)
    assert edited != saved
    _, tables = parse_academic_calendar(HtmlResponse(URL, body=edited.encode(), encoding="utf-8"))
    assert tables[(ROMANIAN, SEMESTER_2)][0].holidays == ()


# --- a layout the parser must refuse ------------------------------------------------------

def test_faculty_2019_2020_page_is_refused_naming_what_is_missing():
    page = saved_response(FIXTURES / "other" / "faculty-structura-anului-2019-2020.html",
                          "https://www.cs.ubbcluj.ro/invatamant/structura-anului-universitar/")
    with pytest.raises(CalendarLayoutError) as error:
        parse_academic_calendar(page)
    message = str(error.value)
    assert message.startswith("academic calendar layout not recognised: no table found for ")
    for missing in ("romanian semester_1", "romanian semester_2", "romanian semester_2_final_years",
                    "hungarian_german semester_1", "hungarian_german semester_2",
                    "hungarian_german semester_2_final_years"):
        assert missing in message
    assert "Linia de studiu Rom\u00e2n\u0103" in message


def test_layout_error_is_a_value_error():
    assert issubclass(CalendarLayoutError, ValueError)
