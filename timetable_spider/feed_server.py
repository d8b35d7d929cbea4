"""The web application of `scrapy serve`: SITE_DIR as a static web server serves it, personal
calendars under /feeds/<CODE>/<calendar file>?<choices> (timetable_spider.personal_feeds), and
stable subscriptions, /feeds/s/<id>.ics, whose choices change under /subscriptions
(timetable_spider.subscriptions).

Personal feeds answer from a snapshot: every spec record and calendar of one published site,
read once, relative to a file descriptor of the site's directory. A crawl publishes by swapping
a new directory in (publishing.py), so SITE_DIR naming another directory (its st_dev, st_ino)
means a new site: a thread reads it while requests are still answered from the old snapshot,
which the new one then replaces whole. Every answer comes from one snapshot, never half of each.
Holding the directory open keeps its inode from being reused by a later site while it identifies
the snapshot.

For production servers the same application is importable:
    twist web --listen tcp:8000:interface=127.0.0.1 --class timetable_spider.feed_server.TimetableSite
"""
from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import os
import stat
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote, unquote_to_bytes, urlsplit

from scrapy.settings import BaseSettings
from scrapy.utils.project import get_project_settings
from twisted.internet import task, threads
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

from timetable_spider import personal_feeds, push, site_paths
from timetable_spider.personal_feeds import BadQuery, Spec, UnknownName
from timetable_spider.subscriptions import Gone, Subscriptions, WrongKey, default_path
from timetable_spider.writers.json_data import record_calendars

logger = logging.getLogger(__name__)

# Types of what the crawl and the students' page publish. JavaScript modules need text/javascript.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".ics": "text/calendar; charset=utf-8",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
}
# For anything else, Python's own table: the same on every machine, unlike /etc/mime.types.
OTHER_TYPES = mimetypes.MimeTypes()
CALENDAR_TYPE = CONTENT_TYPES[".ics"]
# A late crawl may publish any minute: caches look again this soon (seconds).
OVERDUE_MAX_AGE = 300
OPEN_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK  # NONBLOCK: a FIFO must not hang us


class SiteReplaced(Exception):
    """SITE_DIR was swapped for a new site while a snapshot was being read: read the new one."""


# -- snapshots of the published site --

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
                record = json.loads(record_text)
                texts, times = {}, {}
                for calendar in record_calendars(record):
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
                raise FileNotFoundError(name)
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
        return _read_all(fd, info.st_size), info.st_mtime
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
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


# -- HTTP --

class TimetableSite(Resource):
    """Every path: /feeds/<CODE>/<file> is a feed, anything else a file of SITE_DIR.

    With no arguments (as `twist web --class` makes it) it takes the project's settings.
    """

    isLeaf = True

    def __init__(self, settings: BaseSettings | None = None):
        super().__init__()
        settings = settings if settings is not None else get_project_settings()
        self.published = PublishedSite(settings["SITE_DIR"], settings.getint("SERVE_FEED_CACHE_SIZE"))
        self.max_url_length = settings.getint("SERVE_MAX_URL_LENGTH")
        self.crawl_interval = settings.getint("SERVE_CRAWL_INTERVAL")
        self.max_body = settings.getint("SUBSCRIPTIONS_MAX_BODY")
        self.creations = CreationLimit(settings.getint("SUBSCRIPTIONS_CREATE_PER_MINUTE"))
        self.keep_unused = settings.getint("SUBSCRIPTIONS_KEEP_UNUSED_DAYS") * 24 * 60 * 60
        self.subscriptions, self.subscriptions_problem = None, ""
        path = settings.get("SUBSCRIPTIONS_DB") or default_path(settings["SITE_DIR"])
        try:
            self.subscriptions = Subscriptions(path)
        except Exception as error:  # a read-only directory, say: the feeds still answer
            self.subscriptions_problem = f"subscriptions are not available: {path}: {error}"
            logger.error("%s; set SUBSCRIPTIONS_DB to a writable file", self.subscriptions_problem)
        self.allow_http_pushes = settings.getbool("PUSH_ALLOW_HTTP_ENDPOINTS")
        self.push_key, self.push_problem = None, ""
        key_file = settings.get("PUSH_VAPID_KEY_FILE") or push.default_key_path(settings["SITE_DIR"])
        try:
            self.push_key = push.public_key(push.load_or_create_key(key_file))
        except Exception as error:
            self.push_problem = f"push alerts are not available: {key_file}: {error}"
            logger.error("%s; set PUSH_VAPID_KEY_FILE to a writable file", self.push_problem)
        self.published.load_now()

    def start_expiring(self) -> task.LoopingCall | None:
        """Daily, from now on: subscriptions unused for SUBSCRIPTIONS_KEEP_UNUSED_DAYS are removed."""
        if self.subscriptions is None:
            return None
        expiring = task.LoopingCall(self._expire)
        expiring.start(24 * 60 * 60)
        return expiring

    def _expire(self) -> None:
        removed = self.subscriptions.remove_unused(time.time() - self.keep_unused)
        if removed:
            logger.info("Removed %d subscriptions unused for %d days", removed, self.keep_unused // 86400)

    def render(self, request) -> bytes:
        if len(request.uri) > self.max_url_length:
            return _plain(request, 414, f"the URL is longer than {self.max_url_length} bytes")
        if not request.path.startswith(b"/"):
            return _plain(request, 400, "the request target must be a path")
        try:
            names = [_path_segment(part) for part in request.path.split(b"/")[1:]]
        except ValueError as error:
            return _plain(request, 400, str(error))
        if names[0] == "subscriptions":
            if len(names) == 3 and names[2] == "push":
                return self._push(request, names[1])
            return self._subscriptions(request, names[1:])
        if names == ["push", "key"] and request.method in (b"GET", b"HEAD"):
            if self.push_key is None:
                return _plain(request, 503, self.push_problem)
            request.setHeader(b"Cache-Control", b"public, max-age=86400")
            return _content(request, self.push_key.encode(), "text/plain; charset=utf-8")
        if request.method not in (b"GET", b"HEAD"):
            request.setHeader(b"Allow", b"GET, HEAD")
            return _plain(request, 405, "only GET and HEAD are allowed")
        if names[:2] == ["feeds", "s"]:
            return self._stable_feed(request, names[2:])
        if names[0] == "feeds":
            return self._feed(request, names[1:], request.uri.partition(b"?")[2])
        return self._file(request, names)

    def _feed(self, request, names: list[str], raw_query: bytes) -> bytes:
        if len(names) != 2:
            return _plain(request, 404, "a feed is /feeds/<CODE>/<calendar file>, such as /feeds/IE2/921-1.ics")
        try:
            selection = personal_feeds.parse_query(raw_query.decode("ascii"))
        except UnicodeDecodeError:
            return _plain(request, 400, "the query must be percent-encoded ASCII")
        except BadQuery as error:
            return _plain(request, 400, str(error))
        snapshot = self.published.current()
        if snapshot is None:
            request.setHeader(b"Retry-After", b"%d" % OVERDUE_MAX_AGE)
            return _plain(request, 503, "no site is published yet")
        try:
            answer = snapshot.feed(names[0], names[1], selection)
        except UnknownName as error:
            return _plain(request, 404, str(error))
        # The students' page may be served from elsewhere than FEEDS_URL and preview a feed.
        request.setHeader(b"Access-Control-Allow-Origin", b"*")
        if self._current_copy(request, answer.etag, answer.modified, snapshot):
            return NOT_DONE_YET
        return _content(request, answer.body, CALENDAR_TYPE)

    def _stable_feed(self, request, names: list[str]) -> bytes:
        """/feeds/s/<id>.ics: what its stored calendar URL answers, byte for byte."""
        if len(names) != 1 or not names[0].endswith(".ics"):
            return _plain(request, 404, "a subscription's feed is /feeds/s/<id>.ics")
        if self.subscriptions is None:
            return _plain(request, 503, self.subscriptions_problem)
        identifier = names[0].removesuffix(".ics")
        found = self.subscriptions.get(identifier)
        if found is None:
            return _plain(request, 404, "no such subscription")
        if found.deleted:
            return _plain(request, 410, "this subscription was deleted; remove it from your calendar app")
        self.subscriptions.used(identifier)
        path, _, query = found.calendar.partition("?")
        return self._feed(request, path.split("/")[2:], query.encode("ascii"))

    def _subscriptions(self, request, names: list[str]) -> bytes:
        """POST /subscriptions, PUT and DELETE /subscriptions/<id> (docs/subscriptions.md)."""
        if len(names) > 1:
            return _plain(request, 404, "not found")
        allowed = b"POST" if not names or names == [""] else b"PUT, DELETE"
        if request.method not in allowed.split(b", "):
            request.setHeader(b"Allow", allowed)
            return _plain(request, 405, f"only {allowed.decode()} here")
        if self.subscriptions is None:
            return _plain(request, 503, self.subscriptions_problem)
        if request.method == b"POST":
            if not self.creations.allow(_client_address(request), time.time()):
                request.setHeader(b"Retry-After", b"60")
                return _plain(request, 429, "too many subscriptions made from this address; try again in a minute")
            calendar = self._calendar_of(request)
            if isinstance(calendar, bytes):
                return calendar
            identifier, key = self.subscriptions.create(calendar)
            request.setResponseCode(201)
            request.setHeader(b"Location", f"/feeds/s/{identifier}.ics".encode())
            return _json(request, {"feed": f"/feeds/s/{identifier}.ics", "key": key})
        identifier = names[0]
        key = _bearer_key(request)
        calendar = self._calendar_of(request) if request.method == b"PUT" else ""
        if isinstance(calendar, bytes):
            return calendar
        refused = _keyed(request, lambda: self.subscriptions.change(identifier, key, calendar)
                         if request.method == b"PUT" else self.subscriptions.delete(identifier, key))
        if refused is not None:
            return refused
        if request.method == b"DELETE":
            request.setResponseCode(204)
            return b""
        return _json(request, {"feed": f"/feeds/s/{identifier}.ics", "calendar": calendar})

    def _push(self, request, identifier: str) -> bytes:
        """POST /subscriptions/<id>/push with a browser's PushSubscription JSON, DELETE with its endpoint."""
        if request.method not in (b"POST", b"DELETE"):
            request.setHeader(b"Allow", b"POST, DELETE")
            return _plain(request, 405, "only POST and DELETE here")
        if self.subscriptions is None or self.push_key is None:
            return _plain(request, 503, self.subscriptions_problem or self.push_problem)
        body = self._body(request)
        if isinstance(body, bytes):
            return body
        try:
            endpoint = body["endpoint"]
            keys = body.get("keys", {}) if request.method == b"POST" else {"p256dh": "-", "auth": "-"}
            p256dh, auth = keys["p256dh"], keys["auth"]
            if not all(isinstance(value, str) and value for value in (endpoint, p256dh, auth)):
                raise ValueError
        except (KeyError, TypeError, ValueError, AttributeError):
            return _plain(request, 400, 'the body must be a PushSubscription: {"endpoint", "keys": {"p256dh", "auth"}}')
        parts = urlsplit(endpoint)
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")
        if parts.scheme != "https" and not (self.allow_http_pushes and loopback):
            return _plain(request, 400, "a push endpoint must be https")
        key = _bearer_key(request)
        refused = _keyed(request, lambda: self.subscriptions.attach_push(identifier, key, endpoint, p256dh, auth)
                         if request.method == b"POST" else self.subscriptions.detach_push(identifier, key, endpoint))
        if refused is not None:
            return refused
        request.setResponseCode(201 if request.method == b"POST" else 204)
        return _json(request, {"endpoint": endpoint}) if request.method == b"POST" else b""

    def _body(self, request) -> dict | bytes:
        """The request's JSON object, at most SUBSCRIPTIONS_MAX_BODY bytes; or the refusal (bytes)."""
        length = request.getHeader(b"Content-Length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return _plain(request, 413, f"the body is over {self.max_body} bytes")
        body = request.content.read(self.max_body + 1)
        if len(body) > self.max_body:
            return _plain(request, 413, f"the body is over {self.max_body} bytes")
        try:
            document = json.loads(body)
        except ValueError:
            return _plain(request, 400, "the body must be JSON")
        return document if isinstance(document, dict) else _plain(request, 400, "the body must be a JSON object")

    def _calendar_of(self, request) -> str | bytes:
        """The body's {"calendar": "/feeds/<CODE>/<file>?<choices>"}, checked as a feed request
        would be; or the refusal to answer with (bytes)."""
        body = self._body(request)
        if isinstance(body, bytes):
            return body
        try:
            calendar = body["calendar"]
            path, _, query = calendar.partition("?")
            names = path.split("/")
            if not isinstance(calendar, str) or names[:2] != ["", "feeds"] or len(names) != 4 or names[2] == "s":
                raise ValueError
            selection = personal_feeds.parse_query(query)
        except BadQuery as error:
            return _plain(request, 400, f"calendar: {error}")
        except (ValueError, KeyError, TypeError, AttributeError):
            return _plain(request, 400, 'the body must be JSON {"calendar": "/feeds/<CODE>/<calendar file>?<choices>"}')
        snapshot = self.published.current()
        if snapshot is None:
            request.setHeader(b"Retry-After", b"%d" % OVERDUE_MAX_AGE)
            return _plain(request, 503, "no site is published yet")
        try:
            snapshot.feed(names[2], names[3], selection)
        except UnknownName as error:
            return _plain(request, 400, f"calendar: {error}")
        return calendar

    def _file(self, request, names: list[str]) -> bytes:
        """A file of SITE_DIR, read beneath it; a directory's index.html; never a dotfile."""
        if any(name.startswith(".") or not name for name in names[:-1]) or names[-1].startswith("."):
            return _plain(request, 404, "not found")
        try:
            root = os.open(self.published.site_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                fd = open_beneath(root, names if names[-1] else names[:-1])
            finally:
                os.close(root)
        except OSError:
            return _plain(request, 404, "not found")
        try:
            info = os.fstat(fd)
            name = names[-1]
            if stat.S_ISDIR(info.st_mode):
                index = os.open("index.html", OPEN_FLAGS, dir_fd=fd)
                os.close(fd)
                fd, name = index, "index.html"
                if names[-1]:  # "/Year 2" is the directory "/Year 2/": links in its page are relative to it
                    request.setHeader(b"Location", quote(names[-1]).encode() + b"/")
                    return _plain(request, 301, "moved to the directory's address, with a slash")
                info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return _plain(request, 404, "not found")
            etag = f'"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}"'
            if self._current_copy(request, etag, info.st_mtime, self.published.snapshot):
                return NOT_DONE_YET
            body = _read_all(fd, info.st_size)
        except OSError:
            return _plain(request, 404, "not found")
        finally:
            os.close(fd)
        return _content(request, body, _content_type(name))

    def _current_copy(self, request, etag: str, modified: float, snapshot: Snapshot | None) -> bool:
        """Sets the validators and Cache-Control. When the client's copy is current, answers 304
        and returns True; the 304 is finished here, so Twisted adds no "Content-Length: 0"."""
        request.setHeader(b"ETag", etag.encode())
        request.setHeader(b"Last-Modified", formatdate(modified, usegmt=True).encode())
        request.setHeader(b"Cache-Control", b"public, max-age=%d" % self._max_age(snapshot))
        if not _not_modified(request, etag, modified):
            return False
        request.setResponseCode(304)
        request.finish()
        return True

    def _max_age(self, snapshot: Snapshot | None) -> int:
        """Fresh until the next crawl is due: SERVE_CRAWL_INTERVAL after the site was published."""
        if snapshot is None or snapshot.published is None:
            return OVERDUE_MAX_AGE
        left = snapshot.published + self.crawl_interval - time.time()
        return int(left) if left > OVERDUE_MAX_AGE else OVERDUE_MAX_AGE


def _path_segment(raw: bytes) -> str:
    """A percent-decoded path segment. An encoded "/" stays inside its segment (and so names no file)."""
    decoded = unquote_to_bytes(raw)
    if b"\0" in decoded:
        raise ValueError("the path holds a NUL byte")
    try:
        return decoded.decode()
    except UnicodeDecodeError:
        raise ValueError("the path is not UTF-8") from None


def _not_modified(request, etag: str, modified: float) -> bool:
    """A conditional GET the client's copy satisfies. If-None-Match, when sent, decides alone (RFC 9110)."""
    tags = request.getHeader(b"If-None-Match")
    if tags is not None:
        sent = {tag.strip().removeprefix(b"W/") for tag in tags.split(b",")}
        return b"*" in sent or etag.encode() in sent
    since = request.getHeader(b"If-Modified-Since")
    if since is None:
        return False
    try:
        return int(modified) <= parsedate_to_datetime(since.decode("latin-1")).timestamp()
    except (ValueError, TypeError):
        return False


class CreationLimit:
    """At most so many subscriptions made per client address in any minute."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.made: dict[str, deque[float]] = {}

    def allow(self, address: str, now: float) -> bool:
        recent = self.made.setdefault(address, deque())
        while recent and recent[0] <= now - 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return False
        recent.append(now)
        if len(self.made) > 10_000:  # forget addresses with nothing recent
            self.made = {a: times for a, times in self.made.items() if times and times[-1] > now - 60}
        return True


def _client_address(request) -> str:
    """The client's address; behind a proxy on this host (nginx), the one the proxy saw, which
    it appends to X-Forwarded-For. A remote peer's X-Forwarded-For is not trusted."""
    peer = request.getClientAddress().host
    forwarded = request.getHeader(b"X-Forwarded-For")
    if forwarded and peer in ("127.0.0.1", "::1"):
        return forwarded.decode("latin-1").rsplit(",", 1)[-1].strip()
    return peer


def _keyed(request, change) -> bytes | None:
    """A change to a subscription that needs its edit key; the refusal when it was turned down."""
    try:
        change()
    except WrongKey:
        return _plain(request, 403, "the edit key is missing or wrong (Authorization: Bearer <key>)")
    except Gone:
        return _plain(request, 410, "this subscription was deleted")
    except LookupError:
        return _plain(request, 404, "no such subscription")
    return None


def _bearer_key(request) -> str:
    value = (request.getHeader(b"Authorization") or b"").decode("latin-1")
    scheme, _, key = value.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def _json(request, document: dict) -> bytes:
    request.setHeader(b"Cache-Control", b"no-store")
    return _content(request, json.dumps(document).encode(), "application/json")


def _content_type(name: str) -> str:
    extension = os.path.splitext(name)[1].lower()
    return CONTENT_TYPES.get(extension) or OTHER_TYPES.guess_type(name)[0] or "application/octet-stream"


def _plain(request, code: int, message: str) -> bytes:
    """An error as one line of text."""
    request.setResponseCode(code)
    request.setHeader(b"Cache-Control", b"no-cache")
    return _content(request, f"{message}\n".encode(), "text/plain; charset=utf-8")


def _content(request, body: bytes, content_type: str) -> bytes:
    """HEAD gets the type and length, and no body (Twisted would log a warning for one)."""
    request.setHeader(b"Content-Type", content_type.encode())
    if request.method == b"HEAD":
        request.setHeader(b"Content-Length", b"%d" % len(body))
        return b""
    return body


class QuietSite(Site):
    """No access log: behind a reverse proxy, the proxy logs every request."""

    def log(self, request) -> None:
        pass


def make_site(settings: BaseSettings) -> Site:
    """The Twisted web Site `scrapy serve` listens with; SERVE_ACCESS_LOG names a Combined Log Format file."""
    root = TimetableSite(settings)
    access_log = settings.get("SERVE_ACCESS_LOG")
    site = Site(root, logPath=access_log) if access_log else QuietSite(root)
    site.displayTracebacks = False
    return site
