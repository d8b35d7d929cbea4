"""schema/<name>-v<N>.json: the JSON Schema of every published JSON document (open_data.py,
docs/data.md), from the package's own copies, so a document's "schema" path names a file the
site serves. They need nothing of the crawl: written as the build starts, like the page."""
from __future__ import annotations

from timetable_spider.open_data import SCHEMAS
from timetable_spider.publishing import SiteFiles


def write_schemas(files: SiteFiles) -> None:
    for schema in SCHEMAS:
        files.write(schema.path, schema.text())
