"""The published site as `scrapy serve` and `scrapy notify` read it: a snapshot of every spec
record and calendar of one published site, read once, relative to a file descriptor of the
site's directory, and files read beneath it, never outside.

A crawl publishes by swapping a new directory in (publishing.py), so SITE_DIR naming another
directory (its st_dev, st_ino) means a new site: a thread reads it while requests are still
answered from the old snapshot, which the new one then replaces whole. Every answer comes from
one snapshot, never half of each. Holding the directory open keeps its inode from being reused
by a later site while it identifies the snapshot.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from twisted.internet import threads

from timetable_spider import open_data, personal_feeds, site_paths
from timetable_spider.personal_feeds import Spec, UnknownName

logger = logging.getLogger(__name__)

OPEN_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK  # NONBLOCK: a FIFO must not hang us
# What "there is no such file" looks like: a missing name, a file where a directory was named, a
# symbolic link refused by O_NOFOLLOW. Any other error is the server's trouble, not the client's.
NO_SUCH_FILE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ELOOP})


def is_missing(error: OSError) -> bool:
    """Whether an error reading beneath the site means the file is not there (a 404)."""
    return error.errno in NO_SUCH_FILE


class SiteReplaced(Exception):
    """SITE_DIR was swapped for a new site while a snapshot was being read: read the new one."""


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    modified: float  # seconds since the epoch


@dataclass
class Snapshot:
    identity: tuple[int, int]  # st_dev, st_ino of the site directory
    directory: int  # its file descriptor, held open while the snapshot is in use
    faculty: dict[str, Spec]
    modified: dict[str, float]  # by code: when its record or any of its calendars last changed
    calendar_modified: dict[tuple[str, str], float]  # by (code, file)
    published: float | None  # when the crawl that published it finished; None if status.json does not say
    cache_size: int
    answers: OrderedDict = field(default_factory=OrderedDict)  # (code, file, query) -> Answer, oldest first

    def feed(self, code: str, file: str, selection: personal_feeds.Selection) -> Answer:
        """The published or personal calendar; raises UnknownName. Kept for later: same key, same bytes."""
        key = (code, file, selection.query())
        answer = self.answers.get(key)
        if answer is not None:
            self.answers.move_to_end(key)
            return answer
        spec = self.faculty.get(code)
        calendar = spec.calendars.get(file) if spec else None
        if calendar is None:
            raise UnknownName(f"no calendar {code}/{file}")
        if selection:
            body = personal_feeds.personal_calendar(
                calendar, personal_feeds.personal_events(calendar, selection, self.faculty))
            modified = max(self.modified[c] for c in {code, *(a.code for a in selection.add)})
        else:
            body, modified = calendar.published(), self.calendar_modified[(code, file)]
        answer = Answer(body, f'"{hashlib.sha1(body).hexdigest()[:24]}"', modified)
        self.answers[key] = answer
        if len(self.answers) > self.cache_size:
            self.answers.popitem(last=False)
        return answer

    def close(self) -> None:
        os.close(self.directory)


def load_snapshot(site_dir: str, cache_size: int) -> Snapshot:
    """Every spec record and calendar of the site SITE_DIR names now, read through one directory
    descriptor. A spec whose files are missing or disagree is left out (logged); raises SiteReplaced
    when that happened because SITE_DIR was swapped meanwhile, FileNotFoundError when no site is
    published there."""
    directory = os.open(site_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        info = os.fstat(directory)
        identity = (info.st_dev, info.st_ino)

        def replaced() -> bool:
            try:
                now = os.stat(site_dir)
            except FileNotFoundError:
                return True
            return (now.st_dev, now.st_ino) != identity

        try:
            index = json.loads(read_beneath(directory, "data/index.json")[0])
        except FileNotFoundError:
            if replaced():
                raise SiteReplaced() from None
            raise
        faculty, modified, calendar_modified = {}, {}, {}
        for year in (y for spec in index for y in spec["years"] if y.get("data")):
            code = year["code"]
            try:
                record_text, record_time = read_beneath(directory, year["data"])
                record = open_data.load_record(record_text)
                if record is None:
                    raise ValueError(f"{year['data']} is not a spec record this version reads")
                texts, times = {}, {}
                for calendar in open_data.record_calendars(record):
                    file = calendar["file"]
                    texts[file], times[file] = read_beneath(directory, f"{record['directory']}/{file}")
                year_text, year_time = _read_if_published(directory, site_paths.academic_year_file_name(code))
                faculty[code] = personal_feeds.spec_feeds(record, texts, year_text)
            except (OSError, ValueError, LookupError, TypeError) as error:
                if replaced():
                    raise SiteReplaced() from None
                logger.error("Not serving feeds of %s: its published files are unreadable or disagree: %r",
                             code, error)
                continue
            modified[code] = max([record_time, *times.values(), year_time])
            calendar_modified.update({(code, file): at for file, at in times.items()})
        return Snapshot(identity, directory, faculty, modified, calendar_modified,
                        _published_at(directory), cache_size)
    except BaseException:
        os.close(directory)
        raise


def _read_if_published(directory: int, relative: str) -> tuple[bytes | None, float]:
    """A file's bytes and time, or (None, 0) when the site has no such file."""
    try:
        return read_beneath(directory, relative)
    except FileNotFoundError:
        return None, 0.0


def _published_at(directory: int) -> float | None:
    try:
        status = json.loads(read_beneath(directory, "data/status.json")[0])
        return datetime.fromisoformat(status["last_published"]["finished"]).timestamp()
    except (OSError, ValueError, LookupError, TypeError):
        return None


def open_beneath(directory: int, names: list[str]) -> int:
    """A descriptor of directory/names[0]/names[1]/..., one component at a time, following no
    symbolic link: nothing outside the directory can be reached. Raises OSError."""
    current = os.dup(directory)
    try:
        for name in names:
            if name in ("", ".", "..") or "/" in name or "\0" in name:
                raise FileNotFoundError(errno.ENOENT, "no such file beneath the site", name)
            following = os.open(name, OPEN_FLAGS, dir_fd=current)
            os.close(current)
            current = following
        return current
    except BaseException:
        os.close(current)
        raise


def read_beneath(directory: int, relative: str) -> tuple[bytes, float]:
    """A regular file's bytes and modification time, read with open_beneath."""
    fd = open_beneath(directory, relative.split("/"))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(relative)
        return read_all(fd, info.st_size), info.st_mtime
    finally:
        os.close(fd)


def read_all(fd: int, size: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, max(size, 65536)):
        chunks.append(chunk)
    return b"".join(chunks)


class PublishedSite:
    """The snapshot of the site SITE_DIR names; reloaded, off the reactor's thread, when it names another."""

    def __init__(self, site_dir: str, cache_size: int):
        self.site_dir = site_dir
        self.cache_size = cache_size
        self.snapshot: Snapshot | None = None
        self._loading = False
        self._unreadable: tuple[int, int] | None = None  # a site that failed to load; retried once replaced

    def load_now(self) -> None:
        """Read the site before serving (blocking). Without a readable site, /feeds/ answers 503
        until a crawl publishes one."""
        identity = self._identity()
        try:
            self._replace(load_snapshot(self.site_dir, self.cache_size))
        except SiteReplaced:
            self.load_now()
        except FileNotFoundError:
            self._unreadable = identity
            logger.warning("No site published in %s yet", self.site_dir)
        except Exception:
            self._unreadable = identity
            logger.exception("Could not read the site published in %s", self.site_dir)

    def current(self) -> Snapshot | None:
        """The latest snapshot; starts reading the site when SITE_DIR names a new one."""
        identity = self._identity()
        if (identity is not None and not self._loading and identity != self._unreadable
                and (self.snapshot is None or identity != self.snapshot.identity)):
            self._loading = True
            loading = threads.deferToThread(load_snapshot, self.site_dir, self.cache_size)
            loading.addCallbacks(self._loaded, self._failed, errbackArgs=(identity,))
        return self.snapshot

    def _identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.site_dir)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _loaded(self, snapshot: Snapshot) -> None:
        self._loading = False
        self._replace(snapshot)

    def _failed(self, failure, identity: tuple[int, int]) -> None:
        self._loading = False
        if failure.check(SiteReplaced):
            self.current()
            return
        self._unreadable = identity
        logger.error("Could not read the site published in %s; still serving the one before",
                     self.site_dir, exc_info=(failure.type, failure.value, failure.getTracebackObject()))

    def _replace(self, snapshot: Snapshot) -> None:
        old, self.snapshot = self.snapshot, snapshot
        if old is not None:
            old.close()
        logger.info("Serving feeds of %d timetables published in %s", len(snapshot.faculty), self.site_dir)
