"""The run's status file and the sanity guard that decides whether a crawl may be published.

Plain functions, so cron, Scrapyd and monitors read one format and the guard is easy to test.
"""
from __future__ import annotations

import json
from typing import Any

from timetable_spider.open_data import STATUS

GUARDED_COUNTS = {"spec_pages": "spec pages", "groups": "groups", "calendars": "calendars", "events": "events"}


def shrink_problems(counts: dict[str, int], last_published: dict[str, int] | None,
                    max_shrink: float) -> list[str]:
    """Counts that fell by more than max_shrink (0.2 = 20%) since the last published run."""
    problems = []
    for key, words in GUARDED_COUNTS.items():
        before, now = (last_published or {}).get(key), counts.get(key, 0)
        if before and now < before * (1 - max_shrink):
            problems.append(f"only {now} {words}, {1 - now / before:.0%} fewer than the {before} last "
                            f"published (more than PUBLISH_MAX_SHRINK={max_shrink:g}; if this is "
                            f"intended, crawl again with -s PUBLISH_ALLOW_SHRINK=1)")
    return problems


def load(previous_status: bytes | None) -> dict[str, Any]:
    """A previous status file, or {} when there is none or it is unreadable."""
    try:
        document = json.loads(previous_status or b"{}")
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def last_published(previous_status: bytes | None) -> dict[str, Any] | None:
    """The "last_published" record of a previous status file: when, and its counts."""
    record = load(previous_status).get("last_published")
    return record if isinstance(record, dict) else None


def status_document(*, outcome: str, semester: str, started: str, finished: str, finish_reason: str,
                    problems: list[str], warnings: list[str], failed_pages: list[dict],
                    counts: dict[str, int], previous: dict[str, Any] | None) -> dict[str, Any]:
    """outcome: "published", "partial" (published, some spec pages kept from the last run), "failed"
    or "waiting" (a new semester not published yet); the last two leave the site as it was.
    warnings: what an administrator should see to, that did not change the outcome."""
    return {
        "schema": STATUS.url,
        "outcome": outcome,
        "semester": semester,
        "started": started,
        "finished": finished,
        "finish_reason": finish_reason,
        "problems": problems,
        "warnings": warnings,
        "failed_pages": failed_pages,
        "counts": counts,
        "last_published": {"finished": finished, "semester": semester, "counts": counts}
        if outcome in ("published", "partial") else previous,
    }
