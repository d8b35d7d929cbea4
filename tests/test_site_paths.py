"""Where files go: the replaced generator's paths, so every subscription students made still works.

It made "<spec name>/Year <n>/<group>-1.ics" with only "/" and "\\" replaced by "-" in names;
hostile names are tested in test_bad_input.py.
"""
from __future__ import annotations

import pytest
from parsel import Selector

from tests.builders import group, listing, outcome, run_pipeline, spec_items
from timetable_spider.parsing.timetable_pages import parse_index
from timetable_spider.site_paths import calendar_file_name, safe_component, spec_directory

INDEX_URL = "https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/index.html"


def old_generator_directory(name: str) -> str:
    return name.replace("/", "-").replace("\\", "-")


def test_every_specialization_of_the_saved_index_keeps_the_old_directory(site_page):
    names = {spec.name for spec in parse_index(site_page("index.html"), INDEX_URL)}
    assert len(names) == 32
    for name in names:
        assert safe_component(name) == old_generator_directory(name)


def test_a_colon_stays_in_the_name():
    name = "Sisteme informatice avansate: modelare, proiectare, dezvoltare - germana si engleza"
    assert spec_directory(name, 1) == f"{name}/Year 1"


@pytest.mark.parametrize("group_name, subgroup, has_subgroups, file_name", [
    ("921", 1, True, "921-1.ics"), ("921", 2, True, "921-2.ics"), ("921", None, True, "921-all.ics"),
    ("921/1", None, False, "921-1.ics"), ("9211", None, False, "9211.ics")])
def test_calendar_file_names_are_the_old_ones(group_name, subgroup, has_subgroups, file_name):
    assert calendar_file_name(group_name, subgroup, has_subgroups) == file_name


def test_separators_still_become_dashes():
    assert safe_component("Matematica/Informatica\\x") == "Matematica-Informatica-x"


def test_calendar_list_links_to_a_name_with_a_colon_percent_encoded(tmp_path):
    name = "Sisteme informatice avansate: modelare?#%"
    site = tmp_path / "site"
    assert outcome(run_pipeline(site, spec_items([(listing("MaSIA1", name), [group("251")])]))) == "published"
    assert (site / name / "Year 1" / "251-1.ics").is_file()
    hrefs = Selector(text=(site / "calendars.html").read_text("utf-8")).xpath("//a/@href").getall()
    assert "Sisteme%20informatice%20avansate%3A%20modelare%3F%23%25/Year%201/251-1.ics" in hrefs
