"""Every published JSON document checked against its schema (timetable_spider/schema/, named by
open_data.schema_of), with the jsonschema library: run_crawl does it after every crawl that tests
do, so a writer whose output changes shape without its schema changing fails every crawl test.

Not a test module. The schemas are strict (additionalProperties false, every field required
unless documented optional), and formats are checked by pattern as well as by format_checker,
which jsonschema leaves out for date-time without an extra package.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from timetable_spider import open_data


class UndescribedDocument(AssertionError):
    """A published JSON document that no schema describes."""


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (schema.url, Resource.from_contents(json.loads(schema.text()))) for schema in open_data.SCHEMAS)


@cache
def validator(schema: open_data.Schema) -> Draft202012Validator:
    contents = json.loads(schema.text())
    Draft202012Validator.check_schema(contents)
    return Draft202012Validator(contents, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(document, schema: open_data.Schema) -> list[str]:
    """What in document does not follow schema, one line each: [] when it follows it."""
    return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
            for error in validator(schema).iter_errors(document)]


def validate_site(site: Path) -> int:
    """Checks every *.json under site (but the schemas themselves) against its schema; returns how
    many were checked. Raises AssertionError naming each document that does not follow its own."""
    failures, checked = [], 0
    for path in sorted(site.rglob("*.json")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith("schema/"):
            continue
        schema = open_data.schema_of(relative)
        if schema is None:
            raise UndescribedDocument(f"{relative}: no schema describes it (open_data.DOCUMENTS)")
        document = json.loads(path.read_bytes())
        if isinstance(document, dict) and "schema" in document and document["schema"] != schema.url:
            failures.append(f"{relative}: says it follows {document['schema']}, its path says {schema.url}")
        failures += [f"{relative}: {problem}" for problem in problems(document, schema)[:3]]
        checked += 1
    assert not failures, "published JSON that does not follow its schema:\n" + "\n".join(failures[:20])
    return checked
