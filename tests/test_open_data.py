"""The published JSON as an API (open_data.py, timetable_spider/schema/, docs/data.md): the
schemas themselves, the version rule, the previous record version read as the current one, and
the strict validation every test crawl goes through (tests/published_json.py)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.crawling import crawl_simulated_site
from tests.published_json import check_answer, problems, validate_site
from timetable_spider import open_data

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA_DIRECTORY = Path(open_data.__file__).parent / "schema"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return crawl_simulated_site(tmp_path_factory.mktemp("open-data"))


# -- the schemas --

@pytest.mark.parametrize("schema", open_data.SCHEMAS, ids=lambda schema: schema.name)
def test_each_schema_is_draft_2020_12_with_its_id_under_the_site(schema):
    contents = json.loads(schema.text())
    Draft202012Validator.check_schema(contents)
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert contents["$id"] == f"/schema/{schema.name}-v{schema.major}.json"


def test_every_schema_file_is_one_the_module_names():
    """A schema file the module does not name would be shipped but never published."""
    assert sorted(path.name for path in SCHEMA_DIRECTORY.glob("*.json")) == sorted(
        Path(schema.path).name for schema in open_data.SCHEMAS)


def fields(schema: dict, node: dict, prefix: str = "", seen: frozenset = frozenset()) -> set[str]:
    """Every field path of a schema: "/groups[]/entries[]/type"; a map's values are "{}"."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return set() if name in seen else fields(schema, schema["$defs"][name], prefix, seen | {name})
    found = set()
    for name, value in node.get("properties", {}).items():
        found |= {f"{prefix}/{name}"} | fields(schema, value, f"{prefix}/{name}", seen)
    for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
        if isinstance(node.get(key), dict):
            found |= fields(schema, node[key], prefix + suffix, seen)
    for alternative in node.get("anyOf", []):
        found |= fields(schema, alternative, prefix, seen)
    return found


@pytest.mark.parametrize("schema", open_data.SCHEMAS, ids=lambda schema: schema.name)
def test_a_published_version_keeps_every_field_it_had(schema):
    """Within a major version only additions: a field renamed or removed must be a new version."""
    published = json.loads((FIXTURES / "published-fields.json").read_text())[schema.path]
    contents = json.loads(schema.text())
    assert set(published) - fields(contents, contents) == set()


# -- the documents of a crawl --

def one_of_each(site: Path) -> dict[open_data.Schema, tuple[str, object]]:
    found = {}
    for path in sorted(site.rglob("*.json")):
        relative = path.relative_to(site).as_posix()
        schema = open_data.schema_of(relative)
        if schema is not None and schema not in found:
            found[schema] = relative, json.loads(path.read_bytes())
    return found


def test_a_crawl_publishes_a_document_of_every_schema(site):
    assert set(one_of_each(site)) == set(open_data.SCHEMAS)


def first_object(document):
    """The document's first JSON object: itself, or the first of its list or map."""
    if isinstance(document, list):
        return first_object(document[0])
    if "schema" not in document and all(isinstance(v, dict) for v in document.values()) and document:
        return first_object(next(iter(document.values())))
    return document


@pytest.mark.parametrize("schema", [s for s in open_data.SCHEMAS if s is not open_data.ROOMS],
                         ids=lambda schema: schema.name)
def test_a_field_planted_in_a_document_fails_its_schema(site, schema):
    _path, document = one_of_each(site)[schema]
    planted = copy.deepcopy(document)
    first_object(planted)["planted"] = 1
    assert problems(document, schema) == []
    assert any("'planted' was unexpected" in problem for problem in problems(planted, schema))


@pytest.mark.parametrize("schema", [s for s in open_data.SCHEMAS if s is not open_data.ROOMS],
                         ids=lambda schema: schema.name)
def test_a_field_taken_from_a_document_fails_its_schema(site, schema):
    _path, document = one_of_each(site)[schema]
    taken = copy.deepcopy(document)
    target = first_object(taken)
    name = next(iter(target))
    del target[name]
    assert any(f"'{name}' is a required property" in problem for problem in problems(taken, schema))


def test_a_room_that_is_not_text_fails_the_rooms_schema():
    assert problems({"2/I": 5}, open_data.ROOMS) == ["2/I: 5 is not of type 'string'"]


@pytest.mark.parametrize("instant, valid", [
    ("2026-02-23T08:00:00+00:00", True),
    ("2026-02-23T10:00:00+02:00", True),
    ("20260223T080000Z", False),  # iCalendar's form is the calendars', not the JSON's
    ("2026-02-23 08:00:00", False),  # no offset
])
def test_an_instant_is_iso_8601_with_its_offset(site, instant, valid):
    _path, status = one_of_each(site)[open_data.STATUS]
    assert (problems({**status, "finished": instant}, open_data.STATUS) == []) is valid


@pytest.mark.parametrize("day, valid", [("2026-02-23", True), ("23.02.2026", False), ("2026-02-23T00:00:00", False)])
def test_a_date_is_year_month_day(site, day, valid):
    _path, timetable = one_of_each(site)[open_data.TIMETABLE]
    assert (problems({**timetable, "dates": [[day]]}, open_data.TIMETABLE) == []) is valid


def test_a_document_naming_another_schema_than_its_path_fails(site, tmp_path):
    copied = tmp_path / "site"
    (copied / "data").mkdir(parents=True)
    status = json.loads((site / "data" / "status.json").read_bytes())
    (copied / "data" / "status.json").write_text(json.dumps({**status, "schema": "/schema/site-v1.json"}))
    with pytest.raises(AssertionError, match="says it follows /schema/site-v1.json"):
        validate_site(copied)


def test_each_object_names_its_schema_and_the_type_is_the_letter(site):
    record = json.loads((site / "data" / "IE2.json").read_bytes())
    entry = record["groups"][0]["entries"][0]
    assert record["schema"] == "/schema/record-v3.json"
    assert (entry["type"], entry["type_name"]) == ("L", "Laborator")
    assert json.loads((site / "data" / "timetables" / "IE2.json").read_bytes())["schema"] == "/schema/timetable-v1.json"
    assert json.loads((site / "data" / "status.json").read_bytes())["schema"] == "/schema/status-v1.json"


@pytest.mark.parametrize("path, name", [
    ("data/index.json", "index"), ("data/IE2.json", "record"), ("data/timetables/IE2.json", "timetable"),
    ("data/timetables/teachers/stad.json", "shared-timetable"), ("data/timetables/rooms/2-I.json", "shared-timetable"),
    ("changes/IE2.json", "page-changes"), ("data/changes.json", "change-log"), ("rooms/index.json", "room-index"),
    ("rooms/busy.json", "busy-rooms"), ("manifest.webmanifest", None), ("data/timetables/x/y/z.json", None),
])
def test_the_path_names_the_schema(path, name):
    schema = open_data.schema_of(path)
    assert (schema.name if schema else None) == name


# -- what a deployed site holds until its next crawl --

PREVIOUS_RECORD = json.dumps({
    "schema": 2, "semester": "2025-2", "code": "IE2", "name": "Informatica - in limba engleza", "year": 2,
    "degree": "bachelor", "study_line": "romanian", "calendar_table": "semester_2", "source": "https://x/IE2.html",
    "directory": "Informatica - in limba engleza/Year 2",
    "groups": [{"name": "921", "calendars": [{"file": "921-1.ics", "label": "subgroup 1", "events": 1}], "entries": [
        {"day": "Luni", "start": "12:00", "end": "14:00", "frequency": "sapt. 1", "room": "L321", "location": "L321",
         "formation": "921/1", "type": "Laborator", "subject": "Baze de date", "teacher": "Lect. SURDU Sabina",
         "summary": "[L] Baze de date", "room_code": "L321", "subject_code": "MLE5028", "teacher_code": "susa",
         "dates": ["2026-02-23"], "uid": "lab@x", "fingerprint": "f1", "dtstamp": "20260220T080000Z", "sequence": 2},
        {"day": "Marti", "start": "08:00", "end": "10:00", "frequency": "", "room": "C510", "location": "C510",
         "formation": "921", "type": "Seminar", "subject": "Etica", "teacher": "", "summary": "[S] Etica",
         "room_code": "C510", "subject_code": "ETI", "teacher_code": "", "dates": [], "uid": "none@x",
         "fingerprint": "", "dtstamp": "", "sequence": 0}]}]}).encode()


def test_a_record_of_the_previous_version_is_read_as_this_one():
    record = open_data.load_record(PREVIOUS_RECORD)
    lab, undated = record["groups"][0]["entries"]
    assert record["schema"] == "/schema/record-v3.json"
    assert lab["type"] == "L"
    assert lab["type_name"] == "Laborator"
    assert lab["dtstamp"] == "2026-02-20T08:00:00+00:00"
    assert lab["sequence"] == 2
    assert undated["type"] == "S"
    assert undated["dtstamp"] is None


def test_a_record_of_the_previous_version_follows_this_versions_schema():
    assert problems(open_data.load_record(PREVIOUS_RECORD), open_data.RECORD) == []


@pytest.mark.parametrize("published", [None, b"", b"not json", b"[]", b'{"schema": 1, "groups": []}'])
def test_what_is_not_a_record_of_either_version_is_none(published):
    assert open_data.load_record(published) is None


def test_a_change_logged_before_type_was_the_letter_is_read_with_the_letter():
    old = [{"finished": "2026-03-01T08:00:00+00:00", "semester": "2025-2", "changes": [
        {"change": "removed", "code": "IE2", "groups": ["921"], "formation": "921/2", "uid": "lab@x",
         "class": {"subject": "Programare Web", "subject_code": "MLE5015", "type": "Laborator", "day": "Marti",
                   "start": "18:00", "end": "20:00", "room": "L321", "teacher": "T", "weeks": "every week"}}]}]
    [crawl] = open_data.load_change_log(json.dumps(old).encode())
    about = crawl["changes"][0]["class"]
    assert (about["type"], about["type_name"]) == ("L", "Laborator")
    assert problems([crawl], open_data.CHANGE_LOG) == []


def test_a_dtstamp_and_an_instant_are_the_same_moment():
    assert open_data.instant_of_dtstamp("20261123T080000Z") == "2026-11-23T08:00:00+00:00"
    assert open_data.dtstamp_of_instant("2026-11-23T10:00:00+02:00") == "20261123T080000Z"


# -- the JSON answers of `scrapy serve` (ServeProcess checks every one) --

def test_a_json_answer_that_does_not_follow_openapi_yaml_fails():
    made = b'{"feed": "/feeds/s/abc.ics", "key": "' + b"k" * 32 + b'"}'
    check_answer("POST", "/subscriptions", 201, "application/json", made)
    with pytest.raises(AssertionError, match="'key' is a required property"):
        check_answer("POST", "/subscriptions", 201, "application/json", b'{"feed": "/feeds/s/abc.ics"}')


def test_an_answer_openapi_yaml_gives_no_json_schema_is_not_checked():
    check_answer("GET", "/feeds/IE2/921-1.ics", 200, "text/calendar", b"BEGIN:VCALENDAR")
    check_answer("GET", "/nowhere", 404, "application/json", b"[]")
