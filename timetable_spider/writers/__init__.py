"""The writers: one module per output.

Spec pages are written one at a time as they arrive (spec_pages.py, with ics, json_data and
timetables_json). What needs the whole crawl is written at its end by site_writers.SiteWriters,
each a write(files, site) of a SiteFiles and a CrawledSite that may return counts for
status.json; a new output is a new writer there, not a new branch in the publishing pipeline.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from timetable_spider.calendar_rules import Period
from timetable_spider.items import SpecializationListing
from timetable_spider.writers.json_data import index_data

if TYPE_CHECKING:  # Scrapy stays out of the worker processes, which import the writers
    from scrapy.settings import Settings


@dataclass
class CrawledSite:
    """Everything a crawl knows at its end, for the writers of whole-site outputs."""

    semester: str
    academic_year: str
    started: datetime
    tables: dict[tuple[str, str], list[Period]]
    rooms: dict[str, str]
    listings: list[SpecializationListing]
    records: dict[str, dict[str, Any]]  # code -> spec record, as data/<CODE>.json holds it
    changes: dict[str, list[dict[str, Any]] | None]  # code -> the change log's entries for a page written now
    finished: datetime
    settings: Settings  # the crawl's, for the writers' own settings (FEEDS_URL, CHANGES_KEEP, ...)

    @property
    def academic_year_start(self) -> int:
        return int(self.academic_year[:4])

    @cached_property
    def index(self) -> list[dict[str, Any]]:
        """data/index.json: every specialization in the index's order, with its years."""
        return index_data(self.listings, self.records)
