"""The failed-page policy: a spec page that could not be fetched keeps its last published
calendars and data if they are of this semester; otherwise it has no calendars this run, since
last semester's timetable must never be published again as this one's."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from timetable_spider import open_data, site_paths
from timetable_spider.items import PageFailure

logger = logging.getLogger(__name__)


class PublishedSite(Protocol):
    """What the policy needs of the site being built (publishing.SiteBuild)."""

    def read_published(self, relative: str) -> bytes | None: ...
    def is_published(self, relative: str) -> bool: ...
    def keep_published(self, relative: str) -> None: ...


@dataclass
class KeptPages:
    records: dict[str, dict] = field(default_factory=dict)  # code -> its kept data/<CODE>.json record
    without_calendars: dict[str, str] = field(default_factory=dict)  # code -> why none was kept

    @property
    def kept(self) -> list[str]:
        return list(self.records)


def keep_previous_versions(failures: list[PageFailure], written: set[str], site: PublishedSite,
                           semester: str) -> KeptPages:
    """For each spec page that failed and was not written: its files kept in the new site, or why not."""
    found = KeptPages()
    for failure in failures:
        if failure.kind != "timetable" or not failure.code or failure.code in written:
            continue
        data_path = site_paths.data_file_name(failure.code)
        record = open_data.load_record(site.read_published(data_path))
        if record is None or record["semester"] != semester:
            why = "no version of it was published before" if record is None else \
                f"its last published version is of semester {record['semester']}"
            found.without_calendars[failure.code] = why
            logger.warning("%s has no calendars this run: it failed (%s), and %s", failure.code, failure.url, why)
            continue
        files = [f"{record['directory']}/{c['file']}" for c in open_data.record_calendars(record)]
        timetable_path = site_paths.timetable_file_name(failure.code)
        for path in [data_path, *files, *[timetable_path] * site.is_published(timetable_path)]:
            site.keep_published(path)
        found.records[failure.code] = record
        logger.warning("Kept the last published version of %s (%d calendars): %s could not be fetched",
                       failure.code, len(files), failure.url)
    return found


def page_problems(failures: list[PageFailure], kept: KeptPages) -> list[str]:
    """The status's words for each failed spec page: kept from the last run, or without calendars."""
    return [f"{f.kind} page {f.url}: {f.reason}; its last published version was kept" if f.code in kept.records
            else f"{f.kind} page {f.url}: {f.reason}; it has no calendars this run ({kept.without_calendars[f.code]})"
            for f in failures if f.code in kept.records or f.code in kept.without_calendars]
