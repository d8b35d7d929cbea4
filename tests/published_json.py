"""Every published JSON document checked against its schema (timetable_spider/schema/, named by
open_data.schema_of), with the jsonschema library: run_crawl does it after every crawl that tests
do, so a writer whose output changes shape without its schema changing fails every crawl test.
And every JSON answer of `scrapy serve` in the tests (ServeProcess.get and .api) against the
schema openapi.yaml gives it.

Not a test module. The schemas are strict (additionalProperties false, every field required
unless documented optional), and formats are checked by pattern as well as by format_checker,
which jsonschema leaves out for date-time without an extra package.
"""
from __future__ import annotations

import json
import re
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


def validate_site(site: Path, paths: list[Path] | None = None) -> int:
    """Checks every *.json under site (or those of paths) but the schemas themselves against its
    schema; returns how many were checked. Raises AssertionError naming each document that does
    not follow its own."""
    failures, checked = [], 0
    for path in sorted(site.rglob("*.json") if paths is None else paths):
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


# -- the JSON answers of `scrapy serve`, against its OpenAPI description --

OPENAPI = Path(__file__).resolve().parent.parent / "timetable_spider" / "feed_server" / "openapi.yaml"
OPENAPI_URI = "urn:timetable-spider:openapi"


@cache
def openapi() -> dict:
    import yaml  # the test extra's, like jsonschema
    return yaml.safe_load(OPENAPI.read_text("utf-8"))


@cache
def openapi_registry() -> Registry:
    from referencing.jsonschema import DRAFT202012  # OpenAPI 3.1's schemas are 2020-12's
    return Registry().with_resource(OPENAPI_URI, Resource.from_contents(openapi(), default_specification=DRAFT202012))


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def answer_schema(method: str, path: str, status: int) -> str | None:
    """The JSON Pointer of the schema openapi.yaml gives a JSON answer to method on path with
    that status; None where it gives none."""
    document = openapi()
    for template, operations in document["paths"].items():
        if not re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), path):
            continue
        response = operations.get(method.lower(), {}).get("responses", {}).get(str(status))
        if response is None:
            return None
        where = ("paths", template, method.lower(), "responses", str(status))
        if "$ref" in response:
            where = tuple(response["$ref"].lstrip("#/").split("/"))
            response = document[where[0]][where[1]][where[2]]
        if "application/json" not in response.get("content", {}):
            return None
        return "#/" + _pointer(*where, "content", "application/json", "schema")
    return None


def check_answer(method: str, target: str, status: int, content_type: str | None, body: bytes) -> None:
    """Raises AssertionError when a JSON answer does not follow the schema openapi.yaml gives it."""
    if not (content_type or "").startswith("application/json"):
        return
    pointer = answer_schema(method, target.partition("?")[0], status)
    if pointer is None:
        return
    validator = Draft202012Validator({"$ref": OPENAPI_URI + pointer}, registry=openapi_registry(),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
              for e in validator.iter_errors(json.loads(body))]
    assert not errors, f"{method} {target} answered {status} against openapi.yaml {pointer}: {errors}"
