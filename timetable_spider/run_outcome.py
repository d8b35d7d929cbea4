"""Deciding a run's outcome, and writing its status.

A crawl's site is published ("published", or "partial" when some spec pages were kept from the
last run) only when nothing blocks it; otherwise the old site stays whole and only its
status.json changes ("failed"). A new semester whose index answers 404 while the site holds the
semester before it is "waiting": the faculty has not published it yet, which is no failure for
SEMESTER_WAIT_DAYS from the semester's first teaching day. The outcome is decided only once the
new site is in place.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from timetable_spider import calendar_rules, run_status
from timetable_spider.items import PageFailure
from timetable_spider.publishing import SiteBuild, write_atomically
from timetable_spider.writers import json_data

logger = logging.getLogger(__name__)
STATUS_FILE = "data/status.json"


@dataclass
class RunReport:
    """What the crawl found, for the decision."""

    semester: str
    started: datetime
    finish_reason: str
    counts: dict[str, int]
    first_teaching_day: date  # of this semester (calendar_rules.first_teaching_day)
    failures: list[PageFailure] = field(default_factory=list)
    page_problems: list[str] = field(default_factory=list)  # failed spec pages, published around
    build_errors: list[str] = field(default_factory=list)
    unwritten: int = 0  # spec pages that could not be dated (no academic calendar or legend)
    warnings: list[str] = field(default_factory=list)  # what the run could not tidy up, publishing all the same


@dataclass
class Waiting:
    """A new semester the faculty has not published yet."""

    semester: str
    published_semester: str
    since: date  # its first teaching day
    days: int
    wait_days: int

    @property
    def overdue(self) -> bool:
        return self.days > self.wait_days

    def document(self) -> dict[str, Any]:
        return {"semester": self.semester, "published_semester": self.published_semester,
                "since": self.since.isoformat(), "days": self.days, "wait_days": self.wait_days}


def waiting_for(report: RunReport, previous_status: dict[str, Any], today: date, wait_days: int) -> Waiting | None:
    """Waiting, when the index answered 404 and the published site is of the semester before."""
    index_missing = any(f.kind == "index" and f.status == 404 for f in report.failures)
    published = (previous_status.get("last_published") or {}).get("semester")
    if not index_missing or published != calendar_rules.previous_semester(report.semester):
        return None
    since = report.first_teaching_day
    return Waiting(report.semester, published, since, max((today - since).days, 0), wait_days)


def blocking_problems(report: RunReport, previous: dict[str, Any] | None, *, max_shrink: float,
                      allow_shrink: bool) -> list[str]:
    """What stops this crawl from being published at all."""
    blocking = [f"{f.kind} page {f.url}: {f.reason}" for f in report.failures if f.kind != "timetable"]
    blocking += report.build_errors
    if report.finish_reason != "finished":
        blocking.append(f"the crawl ended early ({report.finish_reason})")
    if report.unwritten:
        blocking.append(f"{report.unwritten} spec pages could not be dated")
    if not report.counts["calendars"]:
        blocking.append("no calendars were produced")
    if not allow_shrink:
        blocking += run_status.shrink_problems(report.counts, (previous or {}).get("counts"), max_shrink)
    return blocking


def one_line(problems: list[str]) -> str:
    """A run's problems on its one ERROR line: a journal keeps each line as an entry, and an
    alert on ERROR should show what failed, not "Problems:" with the list in the lines after."""
    return " | ".join(problems)


class RunOutcome:
    """Publishes the build, or keeps the old site; writes status.json either way. The outcome is
    also the crawl's stat timetable_spider/outcome, which `scrapy crawl`'s exit status follows."""

    def __init__(self, settings, stats):
        self.stats = stats
        self.max_shrink = settings.getfloat("PUBLISH_MAX_SHRINK")
        self.allow_shrink = settings.getbool("PUBLISH_ALLOW_SHRINK")
        self.wait_days = settings.getint("SEMESTER_WAIT_DAYS")

    def conclude(self, build: SiteBuild, report: RunReport, today: date | None = None) -> str:
        published_status = build.read_published(STATUS_FILE)
        previous_status, previous = run_status.load(published_status), run_status.last_published(published_status)
        waiting = waiting_for(report, previous_status, today or date.today(), self.wait_days)
        if waiting:
            return self._wait(build, report, previous, waiting)
        blocking = blocking_problems(report, previous, max_shrink=self.max_shrink, allow_shrink=self.allow_shrink)
        if not blocking:
            outcome = "partial" if report.page_problems else "published"
            try:
                build.write(STATUS_FILE, self._status(outcome, report, report.page_problems, previous))
                build.publish()
            except Exception as error:  # a failing swap or a full disk: the old site stays
                logger.warning("Publishing the new site failed", exc_info=True)  # the ERROR below names it
                blocking.append(f"publishing failed: {error!r}")
            else:
                self._report(outcome, report.counts)
                counts = report.counts
                logger.info("Published %d calendars (%d events) for %d spec pages, and the calendars of "
                            "%d teachers, %d rooms and %d subjects, to %s (%d files new or changed, %d unchanged)",
                            counts["calendars"], counts["events"], counts["spec_pages"], counts.get("teachers", 0),
                            counts.get("rooms", 0), counts.get("subjects", 0), build.site_dir,
                            build.files_written, build.files_kept)
                if report.page_problems:
                    logger.error("Published, but not everything is fresh: %s", one_line(report.page_problems))
                return outcome
        kept = "keeps its previous content" if previous else "has no previous content to keep: nothing was published there before"
        logger.error("Nothing published; %s %s. Problems: %s", build.site_dir, kept, one_line(blocking))
        return self._keep_old_site(build, "failed", report, blocking + report.page_problems, previous)

    def _wait(self, build: SiteBuild, report: RunReport, previous: dict | None, waiting: Waiting) -> str:
        self.stats.set_value("timetable_spider/waiting_days", waiting.days)
        if waiting.overdue:
            problem = (f"semester {waiting.semester} is still not published, {waiting.days} days after "
                       f"{waiting.since} (SEMESTER_WAIT_DAYS={waiting.wait_days}): check TIMETABLE_ROOT and "
                       f"the faculty's site, whose layout may have changed")
            logger.error("Nothing published; %s keeps semester %s. %s", build.site_dir,
                         waiting.published_semester, problem)
            return self._keep_old_site(build, "failed", report, [problem], previous, waiting)
        problem = (f"semester {waiting.semester} is not published yet; the site keeps semester "
                   f"{waiting.published_semester} ({waiting.days} of {waiting.wait_days} days waited since {waiting.since})")
        logger.warning("%s. The next crawl checks again.", problem)
        return self._keep_old_site(build, "waiting", report, [problem], previous, waiting)

    def _keep_old_site(self, build: SiteBuild, outcome: str, report: RunReport, problems: list[str],
                       previous: dict | None, waiting: Waiting | None = None) -> str:
        """The build discarded; only status.json changes."""
        build.discard()
        self._report(outcome, report.counts)
        try:
            write_atomically(build.site_dir / STATUS_FILE, self._status(outcome, report, problems, previous, waiting),
                             build.site_dir.parent)
        except OSError:
            logger.exception("Could not write %s either", STATUS_FILE)
        return outcome

    def _status(self, outcome: str, report: RunReport, problems: list[str], previous: dict | None,
                waiting: Waiting | None = None) -> bytes:
        document = run_status.status_document(
            outcome=outcome, semester=report.semester, started=report.started.isoformat(timespec="seconds"),
            finished=datetime.now(timezone.utc).isoformat(timespec="seconds"), finish_reason=report.finish_reason,
            problems=problems, warnings=report.warnings, counts=report.counts, previous=previous,
            failed_pages=[{"url": f.url, "kind": f.kind, "reason": f.reason} for f in report.failures])
        if waiting:
            document["waiting"] = waiting.document()
        return json_data.dumps(document)

    def _report(self, outcome: str, counts: dict[str, int]) -> None:
        self.stats.set_value("timetable_spider/outcome", outcome)
        self.stats.set_value("timetable_spider/calendars", counts["calendars"])
