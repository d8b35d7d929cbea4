"""The faculty's calendar rules, checked against dates worked out by hand.

Every expected date below was counted on a calendar, not computed with the code under test.
The periods are those of the real academic year 2025-2026 (Romanian line) unless a test says
otherwise:

  semester I   teaching 29.09.2025-21.12.2025 and 05.01.2026-18.01.2026,
               days off 01.12.2025 (Mon), 06.01.2026 (Tue), 07.01.2026 (Wed)
  semester II  teaching 23.02.2026-12.04.2026 and 20.04.2026-07.06.2026 (Easter 13.04-19.04),
               days off 10.04.2026 (Good Friday), 01.05.2026 (Fri), 01.06.2026 (Mon)
  final years  the second teaching period stops on 24.05.2026
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.builders import academic_calendar
from timetable_spider import calendar_rules, settings
from timetable_spider.calendar_rules import (
    HUNGARIAN_GERMAN, ROMANIAN, SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS, Period,
    attends, calendar_table_key, class_dates, default_semester, event_type_letter, holidays,
    is_final_year, parse_semester, plain, programme_years, study_line, subgroups_of, teaching_weeks,
    week_parity, weekday_number)
from timetable_spider.items import tables_by_key
from timetable_spider.parsing.timetable_pages import parse_index

MON, TUE, WED, THU, FRI = 0, 1, 2, 3, 4


def teach(start: date, end: date, *days_off: date) -> Period:
    return Period(start=start, end=end, label="activitate didactică", notes="", teaching=True,
                  holidays=tuple(days_off))


def pause(start: date, end: date, label: str = "vacanță") -> Period:
    return Period(start=start, end=end, label=label, notes="", teaching=False)


SEMESTER_I = [
    pause(date(2025, 9, 25), date(2025, 9, 26), "pregătirea anului universitar"),
    teach(date(2025, 9, 29), date(2025, 12, 21), date(2025, 12, 1)),
    pause(date(2025, 12, 22), date(2026, 1, 4), "vacanță de Crăciun"),
    teach(date(2026, 1, 5), date(2026, 1, 18), date(2026, 1, 6), date(2026, 1, 7)),
    pause(date(2026, 1, 19), date(2026, 2, 8), "sesiune de examene"),
]
SEMESTER_II = [
    teach(date(2026, 2, 23), date(2026, 4, 12), date(2026, 4, 10)),
    pause(date(2026, 4, 13), date(2026, 4, 19), "vacanța de Paști"),
    teach(date(2026, 4, 20), date(2026, 6, 7), date(2026, 5, 1), date(2026, 6, 1)),
    pause(date(2026, 6, 8), date(2026, 6, 28), "sesiune de examene"),
]
SEMESTER_II_FINAL_YEARS = [
    teach(date(2026, 2, 23), date(2026, 4, 12), date(2026, 4, 10)),
    pause(date(2026, 4, 13), date(2026, 4, 19), "vacanța de Paști"),
    teach(date(2026, 4, 20), date(2026, 5, 24), date(2026, 5, 1)),
    # 01.06.2026 is named in the notes of this exam session, which is not teaching
    Period(start=date(2026, 5, 25), end=date(2026, 6, 7), label="sesiune de examene",
           notes="luni, 01.06.2026 - zi liberă", teaching=False, holidays=(date(2026, 6, 1),)),
]

# Mondays of the 14 teaching weeks of semester II; the Easter week (13.04) is not one.
SEMESTER_II_MONDAYS = [
    date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),    # weeks 1-4
    date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6),                      # weeks 5-7
    date(2026, 4, 20), date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 11),   # weeks 8-11
    date(2026, 5, 18), date(2026, 5, 25), date(2026, 6, 1),                      # weeks 12-14
]
SEMESTER_I_MONDAYS = [
    date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13), date(2025, 10, 20),  # weeks 1-4
    date(2025, 10, 27), date(2025, 11, 3), date(2025, 11, 10), date(2025, 11, 17),  # weeks 5-8
    date(2025, 11, 24), date(2025, 12, 1), date(2025, 12, 8), date(2025, 12, 15),  # weeks 9-12
    date(2026, 1, 5), date(2026, 1, 12),                                            # weeks 13-14
]


# --- teaching weeks -----------------------------------------------------------------------

def test_semester_ii_has_fourteen_teaching_weeks_skipping_easter():
    assert teaching_weeks(SEMESTER_II) == SEMESTER_II_MONDAYS


def test_week_numbering_continues_across_the_easter_break():
    weeks = teaching_weeks(SEMESTER_II)
    assert weeks[6] == date(2026, 4, 6)  # week 7, the last before Easter
    assert weeks[7] == date(2026, 4, 20)  # week 8, the first after Easter


def test_week_parity_continues_across_the_easter_break():
    # week 7 (06.04) is odd and week 8 (20.04) is even: no reset after the break
    assert class_dates(SEMESTER_II, MON, 1)[3:5] == [date(2026, 4, 6), date(2026, 4, 27)]
    assert class_dates(SEMESTER_II, MON, 2)[2:4] == [date(2026, 3, 30), date(2026, 4, 20)]


def test_semester_i_has_two_teaching_periods_around_christmas():
    assert teaching_weeks(SEMESTER_I) == SEMESTER_I_MONDAYS


def test_christmas_weeks_are_not_teaching_weeks():
    weeks = teaching_weeks(SEMESTER_I)
    assert date(2025, 12, 22) not in weeks
    assert date(2025, 12, 29) not in weeks


def test_final_years_stop_on_24_05_2026():
    assert teaching_weeks(SEMESTER_II_FINAL_YEARS) == SEMESTER_II_MONDAYS[:12]
    assert teaching_weeks(SEMESTER_II_FINAL_YEARS)[-1] == date(2026, 5, 18)


def test_a_period_ending_mid_week_still_counts_that_week():
    # Wednesday 01.10.2025 to Wednesday 15.10.2025 touches three Monday-to-Friday weeks
    periods = [teach(date(2025, 10, 1), date(2025, 10, 15))]
    assert teaching_weeks(periods) == [date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13)]


def test_a_period_touching_a_week_only_on_the_weekend_does_not_count_it():
    # Saturday 04.10.2025 to Saturday 18.10.2025: the week of 29.09 and the week of 20.10
    # are touched only on a Saturday/Sunday, or not at all
    periods = [teach(date(2025, 10, 4), date(2025, 10, 18))]
    assert teaching_weeks(periods) == [date(2025, 10, 6), date(2025, 10, 13)]


def test_a_one_week_period_ending_on_saturday_is_one_week():
    assert teaching_weeks([teach(date(2025, 12, 15), date(2025, 12, 20))]) == [date(2025, 12, 15)]


def test_no_teaching_period_means_no_weeks():
    assert teaching_weeks([pause(date(2026, 7, 1), date(2026, 7, 31))]) == []


# --- holidays -----------------------------------------------------------------------------

def test_holidays_come_only_from_teaching_periods():
    assert holidays(SEMESTER_II) == frozenset(
        {date(2026, 4, 10), date(2026, 5, 1), date(2026, 6, 1)})
    assert holidays(SEMESTER_II_FINAL_YEARS) == frozenset({date(2026, 4, 10), date(2026, 5, 1)})
    assert holidays(SEMESTER_I) == frozenset(
        {date(2025, 12, 1), date(2026, 1, 6), date(2026, 1, 7)})


def test_good_friday_and_labour_day_are_removed_from_odd_week_fridays():
    # odd weeks 1,3,5,7,9,11,13 -> Fridays 27.02, 13.03, 27.03, 10.04 (Good Friday),
    # 01.05 (Labour Day), 15.05, 29.05
    assert class_dates(SEMESTER_II, FRI, 1) == [
        date(2026, 2, 27), date(2026, 3, 13), date(2026, 3, 27), date(2026, 5, 15),
        date(2026, 5, 29)]


def test_weekly_friday_class_in_semester_ii():
    assert class_dates(SEMESTER_II, FRI, None) == [
        date(2026, 2, 27), date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20),
        date(2026, 3, 27), date(2026, 4, 3), date(2026, 4, 24), date(2026, 5, 8),
        date(2026, 5, 15), date(2026, 5, 22), date(2026, 5, 29), date(2026, 6, 5)]


def test_whit_monday_01_06_2026_is_removed_from_weekly_monday_class():
    assert class_dates(SEMESTER_II, MON, None) == [
        date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
        date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 20),
        date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18),
        date(2026, 5, 25)]


def test_even_week_monday_loses_01_06_2026():
    assert class_dates(SEMESTER_II, MON, 2) == [
        date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30), date(2026, 4, 20),
        date(2026, 5, 4), date(2026, 5, 18)]


def test_final_years_weekly_monday_class_ends_18_05_2026():
    assert class_dates(SEMESTER_II_FINAL_YEARS, MON, None) == [
        date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16),
        date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 20),
        date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18)]


def test_final_years_odd_week_friday():
    assert class_dates(SEMESTER_II_FINAL_YEARS, FRI, 1) == [
        date(2026, 2, 27), date(2026, 3, 13), date(2026, 3, 27), date(2026, 5, 15)]


def test_semester_i_weekly_tuesday_loses_epiphany():
    assert class_dates(SEMESTER_I, TUE, None) == [
        date(2025, 9, 30), date(2025, 10, 7), date(2025, 10, 14), date(2025, 10, 21),
        date(2025, 10, 28), date(2025, 11, 4), date(2025, 11, 11), date(2025, 11, 18),
        date(2025, 11, 25), date(2025, 12, 2), date(2025, 12, 9), date(2025, 12, 16),
        date(2026, 1, 13)]


def test_semester_i_odd_week_wednesday_loses_07_01_2026():
    # odd weeks 1..13: 01.10, 15.10, 29.10, 12.11, 26.11, 10.12, 07.01 (off)
    assert class_dates(SEMESTER_I, WED, 1) == [
        date(2025, 10, 1), date(2025, 10, 15), date(2025, 10, 29), date(2025, 11, 12),
        date(2025, 11, 26), date(2025, 12, 10)]


def test_semester_i_even_week_monday_loses_01_12_2025_and_continues_after_christmas():
    # even weeks 2..14: 06.10, 20.10, 03.11, 17.11, 01.12 (off), 15.12, 12.01
    assert class_dates(SEMESTER_I, MON, 2) == [
        date(2025, 10, 6), date(2025, 10, 20), date(2025, 11, 3), date(2025, 11, 17),
        date(2025, 12, 15), date(2026, 1, 12)]


# --- a class's date lies inside a teaching period -----------------------------------------

def test_a_period_starting_on_wednesday_has_no_monday_or_tuesday_classes_that_week():
    # Wednesday 01.10.2025 to Friday 17.10.2025: week 1 is the partial week of 29.09
    periods = [teach(date(2025, 10, 1), date(2025, 10, 17))]
    assert class_dates(periods, MON, None) == [date(2025, 10, 6), date(2025, 10, 13)]
    assert class_dates(periods, TUE, None) == [date(2025, 10, 7), date(2025, 10, 14)]
    assert class_dates(periods, WED, None) == [date(2025, 10, 1), date(2025, 10, 8), date(2025, 10, 15)]


def test_the_partial_week_is_week_1_for_parity():
    periods = [teach(date(2025, 10, 1), date(2025, 10, 17))]
    # odd weeks: 1 (29.09, from Wednesday on) and 3 (13.10); even: week 2 (06.10)
    assert class_dates(periods, MON, 1) == [date(2025, 10, 13)]
    assert class_dates(periods, WED, 1) == [date(2025, 10, 1), date(2025, 10, 15)]
    assert class_dates(periods, MON, 2) == [date(2025, 10, 6)]


SATURDAY = 5


def test_a_period_ending_on_friday_has_no_saturday_class_that_week():
    # Monday 23.02.2026 to Friday 13.03.2026, then a vacation
    periods = [teach(date(2026, 2, 23), date(2026, 3, 13)), pause(date(2026, 3, 14), date(2026, 3, 22))]
    assert class_dates(periods, SATURDAY, None) == [date(2026, 2, 28), date(2026, 3, 7)]
    assert class_dates(periods, FRI, None) == [date(2026, 2, 27), date(2026, 3, 6), date(2026, 3, 13)]


def test_saturday_classes_of_the_real_semester_ii_stay_in_teaching_periods():
    # the periods end on Sundays (12.04, 07.06), so every Saturday of a teaching week counts
    assert class_dates(SEMESTER_II, SATURDAY, None) == [
        date(2026, 2, 28), date(2026, 3, 7), date(2026, 3, 14), date(2026, 3, 21), date(2026, 3, 28),
        date(2026, 4, 4), date(2026, 4, 11), date(2026, 4, 25), date(2026, 5, 2), date(2026, 5, 9),
        date(2026, 5, 16), date(2026, 5, 23), date(2026, 5, 30), date(2026, 6, 6)]


# --- frequency, day and type --------------------------------------------------------------

@pytest.mark.parametrize("text, parity", [
    ("sapt. 1", 1), ("sapt. 2", 2), ("", None), ("   ", None), ("Sapt. 2", 2), ("sapt 1", 1),
    ("saptamana 2", 2), ("săpt. 1", 1),
])
def test_week_parity(text, parity):
    assert week_parity(text) == parity


@pytest.mark.parametrize("junk", ["sapt. 3", "sapt. 12", "weekly", "1", "sapt.", "impar", "sapt. 1 si 2"])
def test_week_parity_rejects_junk(junk):
    with pytest.raises(ValueError, match="unknown frequency"):
        week_parity(junk)


@pytest.mark.parametrize("day, number", [
    ("Luni", 0), ("Marti", 1), ("Marți", 1), ("Marţi", 1), ("miercuri", 2), ("Joi", 3),
    ("Vineri", 4), ("Sâmbătă", 5), ("Duminica", 6), ("Monday", None), ("", None),
])
def test_weekday_number(day, number):
    assert weekday_number(day) == number


@pytest.mark.parametrize("kind, letter", [
    ("Curs", "C"), ("Seminar", "S"), ("Laborator", "L"), ("laborator", "L"), ("Proiect", None)])
def test_event_type_letter(kind, letter):
    assert event_type_letter(kind) == letter


def test_plain_folds_diacritics_and_case():
    assert plain("  Limba Maghiară ") == "limba maghiara"
    assert plain("Structura ANULUI") == "structura anului"


# --- study lines and final years ----------------------------------------------------------

@pytest.mark.parametrize("name, line", [
    ("Informatica - linia de studiu maghiara", HUNGARIAN_GERMAN),
    ("Matematica - linia de studiu maghiară", HUNGARIAN_GERMAN),
    ("Ingineria Informatiei in limba maghiara", HUNGARIAN_GERMAN),
    ("Informatica - in limba germana", HUNGARIAN_GERMAN),
    ("Sisteme informatice avansate: modelare, proiectare, dezvoltare - germana si engleza",
     HUNGARIAN_GERMAN),
    ("Informatica - linia de studiu romana", ROMANIAN),
    ("Informatica - in limba engleza", ROMANIAN),
    ("Matematica informatica - linia de studiu engleza", ROMANIAN),
    ("Securitate cibernetica", ROMANIAN),
])
def test_study_line(name, line):
    assert study_line(name) == line


# Every specialization of the saved 2025-2 index and how many years it lasts: "4 ani" in the name,
# and "Ingineria Informatiei" (a 240-credit bachelor since 2023), four; other bachelors three;
# masters two (among them "Inginerie software", which is not an engineering bachelor).
PROGRAMME_LENGTHS = [
    ("bachelor", "Matematica - linia de studiu romana", 3),
    ("bachelor", "Informatica - linia de studiu romana", 3),
    ("bachelor", "Matematica informatica - linia de studiu romana", 3),
    ("bachelor", "Matematica-Informatica 4 ani - linia de studiu romana", 4),
    ("bachelor", "Matematica informatica - linia de studiu engleza", 3),
    ("bachelor", "Matematica - linia de studiu maghiara", 3),
    ("bachelor", "Informatica - linia de studiu maghiara", 3),
    ("bachelor", "Matematica informatica - linia de studiu maghiara", 3),
    ("bachelor", "Ingineria Informatiei in limba maghiara", 4),
    ("bachelor", "Matematica-Informatica 4 ani - linia de studiu maghiara", 4),
    ("bachelor", "Informatica - in limba germana", 3),
    ("bachelor", "Informatica - in limba engleza", 3),
    ("bachelor", "Inteligenta Artificiala in limba engleza", 3),
    ("bachelor", "Ingineria Informatiei in limba engleza", 4),
    ("master", "Metode moderne in predarea matematicii", 2),
    ("master", "Matematici Avansate - in limba engleza", 2),
    ("master", "Metode moderne in predarea matematicii - in limba maghiara", 2),
    ("master", "Baze de date", 2),
    ("master", "Sisteme distribuite in Internet", 2),
    ("master", "Inginerie software - in limba engleza", 2),
    ("master", "Inteligenta Computationala Aplicata - in limba engleza", 2),
    ("master", "Calcul de inalta performanta - in limba engleza", 2),
    ("master", "Sisteme informatice avansate: modelare, proiectare, dezvoltare - germana si engleza", 2),
    ("master", "Stiinta datelor in industrie si societate", 2),
    ("master", "Securitate cibernetica", 2),
    ("master", "Analiza datelor si modelare - in limba maghiara", 2),
    ("master", "Proiectarea si dezvoltarea aplicatiilor Enterprise", 2),
    ("master", "Inteligenta artificiala pentru industrii conectate - in limba engleza", 2),
    ("master", "Cloud, infrastructura de retea si calcul de inalta performanta - in limba engleza", 2),
    ("master", "Masterat didactic in Informatica - in limba romana", 2),
    ("master", "Masterat didactic in Matematica - in limba maghiara", 2),
    ("master", "Masterat didactic in Informatica - in limba maghiara", 2),
]


def test_programme_lengths_cover_every_specialization_of_the_saved_index(site_page):
    listings = parse_index(site_page("index.html"), "https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/")
    assert {(l.degree, l.name) for l in listings} == {(d, n) for d, n, _ in PROGRAMME_LENGTHS}


@pytest.mark.parametrize("degree, name, years", PROGRAMME_LENGTHS)
def test_programme_years_with_the_default_settings(degree, name, years):
    assert programme_years(degree, name, settings.PROGRAMME_YEARS, settings.PROGRAMME_YEARS_BY_NAME) == years


def test_a_pattern_added_in_the_settings_changes_a_programme_length():
    by_name = {"bachelor": {"4 ani": 4, "ingineri": 4, "Inteligența artificială": 4}}
    assert programme_years("bachelor", "Inteligenta Artificiala in limba engleza",
                           settings.PROGRAMME_YEARS, by_name) == 4
    assert programme_years("bachelor", "Informatica - in limba engleza", settings.PROGRAMME_YEARS, by_name) == 3


def test_a_degree_without_a_length_is_an_error_naming_the_setting():
    with pytest.raises(ValueError, match="PROGRAMME_YEARS"):
        programme_years("doctorate", "Informatica", settings.PROGRAMME_YEARS, settings.PROGRAMME_YEARS_BY_NAME)


@pytest.mark.parametrize("year, length, final", [(3, 3, True), (2, 3, False), (3, 4, False), (4, 4, True),
                                                 (2, 2, True), (1, 2, False)])
def test_is_final_year(year, length, final):
    assert is_final_year(year, length) is final


@pytest.mark.parametrize("semester, final, key", [
    (1, False, SEMESTER_1), (1, True, SEMESTER_1),
    (2, False, SEMESTER_2), (2, True, SEMESTER_2_FINAL_YEARS),
])
def test_calendar_table_key(semester, final, key):
    assert calendar_table_key(semester, final) == key


# --- semesters ----------------------------------------------------------------------------

@pytest.mark.parametrize("today, semester", [
    (date(2025, 9, 1), "2025-1"),
    (date(2025, 9, 29), "2025-1"),
    (date(2025, 12, 31), "2025-1"),
    (date(2026, 1, 15), "2025-1"),
    (date(2026, 1, 31), "2025-1"),
    (date(2026, 2, 1), "2025-2"),
    (date(2026, 2, 23), "2025-2"),
    (date(2026, 8, 15), "2025-2"),
    (date(2026, 8, 31), "2025-2"),
    (date(2026, 9, 1), "2026-1"),
])
def test_default_semester(today, semester):
    assert default_semester(today) == semester


@pytest.mark.parametrize("text, parsed", [("2025-1", (2025, 1)), ("2025-2", (2025, 2)),
                                          (" 2026-1 ", (2026, 1))])
def test_parse_semester(text, parsed):
    assert parse_semester(text) == parsed


@pytest.mark.parametrize("bad", ["2025-3", "2025-0", "2025", "25-1", "2025/2", "", "abcd-1",
                                 "2025-12", "2025-1-2", "2025 - 1"])
def test_parse_semester_rejects(bad):
    with pytest.raises(ValueError, match="semester must look like 2025-1 or 2025-2"):
        parse_semester(bad)


# --- subgroups ----------------------------------------------------------------------------

def test_subgroups_default_to_1_and_2():
    assert subgroups_of("921", ["IE2", "921"]) == (1, 2)
    assert subgroups_of("921", []) == (1, 2)


def test_subgroups_add_any_other_named_subgroup():
    assert subgroups_of("921", ["IE2", "921", "921/1", "921/3"]) == (1, 2, 3)


def test_subgroups_ignore_other_groups_and_non_numeric_suffixes():
    assert subgroups_of("921", ["9211/4", "922/5", "921/a", "IE2/7"]) == (1, 2)


def test_subgroups_of_four_digit_group():
    assert subgroups_of("1011", ["1011/1", "1011/2", "1011/3"]) == (1, 2, 3)


def test_a_group_named_with_a_slash_has_no_subgroups():
    assert subgroups_of("921/1", ["921/1", "IE2"]) == ()


@pytest.mark.parametrize("formation, group, subgroup, attending", [
    ("IE2", "921", 1, True),       # year-wide class
    ("IE2", "921", 2, True),
    ("921", "921", 1, True),       # the whole group
    ("921/1", "921", 1, True),     # own subgroup
    ("921/2", "921", 1, False),    # the other subgroup
    ("921/1", "921", 2, False),
    ("921/3", "921", 3, True),
    ("921/1", "921", None, True),  # the whole group's calendar holds every class
    ("921/2", "921", None, True),
    ("IE2", "921", None, True),
    ("921/1", "921/1", None, True),  # a group named with "/" gets every class of its table
    ("IE2", "921/1", None, True),
])
def test_attends(formation, group, subgroup, attending):
    assert attends(formation, group, subgroup) is attending


def test_module_constants_are_the_table_keys_the_parser_uses():
    assert (calendar_rules.ROMANIAN, calendar_rules.HUNGARIAN_GERMAN) == ("romanian", "hungarian_german")
    assert (SEMESTER_1, SEMESTER_2, SEMESTER_2_FINAL_YEARS) == (
        "semester_1", "semester_2", "semester_2_final_years")


# -- the semester's life-cycle ---------------------------------------------------------------------

@pytest.mark.parametrize("semester, before", [("2026-2", "2026-1"), ("2026-1", "2025-2")])
def test_the_semester_before(semester, before):
    assert calendar_rules.previous_semester(semester) == before


def test_the_first_teaching_day_is_the_study_lines_earliest():
    tables = tables_by_key(academic_calendar().tables)
    assert calendar_rules.first_teaching_day(tables, "2025-2") == date(2026, 2, 23)


def test_the_first_teaching_day_of_semester_1():
    tables = tables_by_key(academic_calendar().tables)
    assert calendar_rules.first_teaching_day(tables, "2025-1") == date(2025, 9, 29)
