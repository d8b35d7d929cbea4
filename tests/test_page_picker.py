"""The page's own picker (web/js/schedule.js) run in Chromium over the timetable JSON written
from the saved IE2 page: which classes a subgroup or the whole group sees, stated by hand from
that page, and equal to what each published calendar holds."""
from __future__ import annotations

import pytest

from tests.page_fixtures import browser, browser_type, browser_type_launch_args, launch_browser, playwright, web_modules  # noqa: F401
from tests.test_timetables_json import schedule, tables, view  # noqa: F401  (the JSON of the saved IE2 page)

# IE2.html, group 921, as (subject code, type, formation): what the faculty's page lists.
YEAR_WIDE = {("MLE5011", "C", "IE2"), ("MLE5013", "C", "IE2"), ("MLE5015", "C", "IE2"), ("MLE5028", "C", "IE2"),
             ("MLE5029", "C", "IE2"), ("VDP204I", "C", "IE2"), ("VDP204I", "S", "IE2")}
GROUP_SEMINARS = {("LLU0011", "S", "921"), ("MLE5011", "S", "921"), ("MLE5028", "S", "921")}
LABS = {n: {(subject, "L", f"921/{n}") for subject in ("MLE5011", "MLE5013", "MLE5015", "MLE5028", "MLE5029")}
        for n in (1, 2)}


def picked(web_modules, view, group: str, subgroup: int | None) -> list[dict]:  # noqa: F811
    return web_modules.evaluate("""async ([timetable, group, subgroup]) =>
        (await import('/js/schedule.js')).groupClasses(timetable, group, subgroup)""", [view, group, subgroup])


@pytest.mark.parametrize("subgroup, expected", [
    (1, YEAR_WIDE | GROUP_SEMINARS | LABS[1]),
    (2, YEAR_WIDE | GROUP_SEMINARS | LABS[2]),
    (None, YEAR_WIDE | GROUP_SEMINARS | LABS[1] | LABS[2]),
])
def test_the_page_picks_what_the_faculty_lists_for_921(web_modules, view, subgroup, expected):  # noqa: F811
    assert {(c["subject_code"], c["type"], c["formation"]) for c in picked(web_modules, view, "921", subgroup)} == expected


def test_the_page_picks_exactly_each_published_calendars_classes(web_modules, view, schedule):  # noqa: F811
    for calendar in schedule.calendars:
        published = {c.uid for c in calendar.classes if c.dates}
        shown = {c["uid"] for c in picked(web_modules, view, calendar.group, calendar.subgroup)}
        assert shown == published, calendar.file_name
