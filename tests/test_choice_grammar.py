"""The grammar of the student's choices (docs/choices.md), one table of cases for both of its
readers: personal_feeds.read_query on the server and web/js/choices.js in the page. Each case
was written by hand: the query, the canonical query of the choices kept, and each parameter
refused with its reason."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.page_fixtures import browser, browser_type, browser_type_launch_args, launch_browser, playwright, web_modules  # noqa: F401
from timetable_spider import personal_feeds
from timetable_spider.personal_feeds import BadQuery, parse_query, read_query

CASES = json.loads((Path(__file__).parent / "fixtures" / "choice_queries.json").read_text("utf-8"))["cases"]
LANGUAGES = Path(__file__).resolve().parent.parent / "timetable_spider" / "web" / "js" / "lang"


def test_the_table_covers_every_reason_and_every_parameter():
    reasons = {reason for case in CASES for _, reason in case["refused"]}
    assert reasons == set(personal_feeds.REASONS)
    assert all(any(f"{name}=" in case["query"] for case in CASES) for name in ("hide", "take", "add", "periods"))


@pytest.mark.parametrize("case", CASES, ids=[case["query"] or "(empty)" for case in CASES])
def test_the_feeds_read_each_query_as_the_table_says(case):
    selection, refused = read_query(case["query"])
    assert selection.query() == case["choices"]
    assert [[r.part, r.reason] for r in refused] == case["refused"]


@pytest.mark.parametrize("case", [c for c in CASES if c["refused"]], ids=lambda case: case["query"])
def test_a_feed_refuses_a_query_with_any_refused_part_naming_each(case):
    with pytest.raises(BadQuery) as raised:
        parse_query(case["query"])
    for part, reason in case["refused"]:
        assert f"{part}: {personal_feeds.REASONS[reason]}" in str(raised.value)


def test_the_page_reads_each_query_as_the_table_says(web_modules):
    got = web_modules.evaluate("""async (cases) => {
        const { readChoices, choicesQuery } = await import('/js/choices.js');
        return cases.map((c) => {
            const { choices, refused } = readChoices(c.query);
            return { choices: choicesQuery(choices), refused: refused.map((r) => [r.part, r.reason]) };
        });
    }""", CASES)
    wrong = [(case["query"], answer) for case, answer in zip(CASES, got)
             if answer != {"choices": case["choices"], "refused": case["refused"]}]
    assert wrong == []
    assert len(got) == len(CASES)


@pytest.mark.parametrize("language", ["ro", "en", "hu", "de"])
def test_the_page_explains_every_reason_in_each_language(language):
    table = (LANGUAGES / f"{language}.js").read_text("utf-8")
    explained = set(re.findall(r'"refused\.([a-z-]+)"', table))
    assert set(personal_feeds.REASONS) <= explained
