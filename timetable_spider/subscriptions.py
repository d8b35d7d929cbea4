"""Stable personal subscriptions: the one module that owns their storage.

A subscription is a feed URL that stays the same, /feeds/s/<id>.ics, answering what its stored
calendar URL (a personal feed's path and query) answers, while the student changes the choices
behind it with an edit key. SQLite, in one file, in WAL mode: replicas of `scrapy serve` on one
host share the file, and a server killed mid-write loses nothing committed.

What is stored, and nothing else: the id, a SHA-256 of the edit key (the key itself is a
secret only its holder has), the calendar URL, and when the subscription was made, changed and
last read; for push alerts, each browser's push endpoint and its public keys, when it was
attached, the last crawl it was told of, and since when its endpoint fails. Nothing identifies a person.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Reading a feed records the day it was last used, at most once a day, so reads rarely write.
USE_RESOLUTION = 24 * 60 * 60
SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    key_hash BLOB NOT NULL,
    calendar TEXT NOT NULL,
    created REAL NOT NULL,
    changed REAL NOT NULL,
    used REAL NOT NULL,
    deleted REAL
);
CREATE TABLE IF NOT EXISTS pushes (
    subscription TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    notified TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (subscription, endpoint)
)"""
# Databases made before a column was needed gain it here; PRAGMA user_version counts the steps
# taken. Version 1: when a browser was attached (a first alert tells only crawls after it; rows
# from before get their subscription's creation, the earliest they can have been attached), and
# since when its endpoint has failed on every run (removed after PUSH_REMOVE_FAILING_DAYS).
MIGRATIONS = (
    """ALTER TABLE pushes ADD COLUMN attached REAL NOT NULL DEFAULT 0;
    ALTER TABLE pushes ADD COLUMN failing_since REAL;
    UPDATE pushes SET attached = (SELECT created FROM subscriptions WHERE id = subscription)""",
)


@dataclass(frozen=True)
class Subscription:
    id: str
    calendar: str  # a personal feed's path and query: /feeds/IE2/921-1.ics?hide=MLE5028:L
    deleted: bool


@dataclass(frozen=True)
class PushTarget:
    """A browser to alert of a subscription's changes."""

    subscription: str
    calendar: str
    endpoint: str
    p256dh: str  # the browser's P-256 public key, base64url
    auth: str  # its authentication secret, base64url
    notified: str  # the "finished" of the last crawl it was told of
    attached: float = 0.0  # when the browser was attached (time.time())


class WrongKey(PermissionError):
    pass


class Gone(LookupError):
    """Deleted: its feed answers 410, so calendar apps stop asking."""


def default_path(site_dir: str | Path) -> Path:
    """`.<site>-subscriptions.sqlite3` beside SITE_DIR, as the crawl keeps its lock and cache."""
    site = Path(site_dir).absolute()
    return site.parent / f".{site.name}-subscriptions.sqlite3"


def key_hash(key: str) -> bytes:
    """The key is 192 random bits, so a plain hash is as safe as a slow one, and cheap."""
    return hashlib.sha256(key.encode()).digest()


class Subscriptions:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        # one connection, used by one thread at a time: Twisted's reactor thread in scrapy serve
        self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            # in WAL mode a commit survives a killed process without an fsync each time
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(SCHEMA)
            self._migrate()

    def close(self) -> None:
        self._connection.close()

    def create(self, calendar: str, now: float | None = None) -> tuple[str, str]:
        """A new subscription: its id and its edit key (returned once; only its hash is kept)."""
        now = time.time() if now is None else now
        identifier, key = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        with self._lock:
            self._connection.execute("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, NULL)",
                                     (identifier, key_hash(key), calendar, now, now, now))
        return identifier, key

    def get(self, identifier: str) -> Subscription | None:
        with self._lock:
            row = self._connection.execute("SELECT id, calendar, deleted FROM subscriptions WHERE id = ?",
                                           (identifier,)).fetchone()
        return None if row is None else Subscription(row[0], row[1], row[2] is not None)

    def used(self, identifier: str, now: float | None = None) -> None:
        """A calendar app read the feed: remembered to the day, for expiring unused ones."""
        now = time.time() if now is None else now
        with self._lock:
            self._connection.execute("UPDATE subscriptions SET used = ? WHERE id = ? AND used < ?",
                                     (now, identifier, now - USE_RESOLUTION))

    def change(self, identifier: str, key: str, calendar: str, now: float | None = None) -> None:
        """Raises LookupError (unknown), Gone or WrongKey."""
        now = time.time() if now is None else now
        with self._lock:
            self._check_key(identifier, key)
            self._connection.execute("UPDATE subscriptions SET calendar = ?, changed = ?, used = ? WHERE id = ?",
                                     (calendar, now, now, identifier))

    def delete(self, identifier: str, key: str, now: float | None = None) -> None:
        """Its calendar URL is forgotten; the id stays, so its feed answers 410."""
        now = time.time() if now is None else now
        with self._lock:
            self._check_key(identifier, key)
            self._connection.execute("UPDATE subscriptions SET calendar = '', deleted = ? WHERE id = ?",
                                     (now, identifier))
            self._connection.execute("DELETE FROM pushes WHERE subscription = ?", (identifier,))

    def attach_push(self, identifier: str, key: str, endpoint: str, p256dh: str, auth: str,
                    now: float | None = None) -> None:
        """Alerts for this subscription go to that browser too, of crawls from now on
        (attaching it again renews its keys)."""
        now = time.time() if now is None else now
        with self._lock:
            self._check_key(identifier, key)
            self._connection.execute("INSERT OR REPLACE INTO pushes (subscription, endpoint, p256dh, auth, attached) "
                                     "VALUES (?, ?, ?, ?, ?)", (identifier, endpoint, p256dh, auth, now))

    def detach_push(self, identifier: str, key: str, endpoint: str) -> None:
        with self._lock:
            self._check_key(identifier, key)
            self._connection.execute("DELETE FROM pushes WHERE subscription = ? AND endpoint = ?", (identifier, endpoint))

    def push_targets(self) -> list[PushTarget]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT s.id, s.calendar, p.endpoint, p.p256dh, p.auth, p.notified, p.attached FROM pushes p "
                "JOIN subscriptions s ON s.id = p.subscription WHERE s.deleted IS NULL ORDER BY s.id").fetchall()
        return [PushTarget(*row) for row in rows]

    def notified(self, target: PushTarget, crawl: str) -> None:
        """The browser was told of that crawl's changes (or it had none for it)."""
        with self._lock:
            self._connection.execute("UPDATE pushes SET notified = ? WHERE subscription = ? AND endpoint = ?",
                                     (crawl, target.subscription, target.endpoint))

    def remove_push(self, target: PushTarget) -> None:
        """The push service said the endpoint is gone (404, 410)."""
        with self._lock:
            self._connection.execute("DELETE FROM pushes WHERE subscription = ? AND endpoint = ?",
                                     (target.subscription, target.endpoint))

    def push_delivered(self, target: PushTarget, crawl: str) -> None:
        """The push service took the alert of the crawls up to that one: told, and not failing."""
        with self._lock:
            self._connection.execute("UPDATE pushes SET notified = ?, failing_since = NULL "
                                     "WHERE subscription = ? AND endpoint = ?", (crawl, target.subscription, target.endpoint))

    def push_failed(self, target: PushTarget, now: float | None = None) -> None:
        """The alert did not get through (refused, no answer, an error status): failing since the
        first such run after the last success."""
        now = time.time() if now is None else now
        with self._lock:
            self._connection.execute("UPDATE pushes SET failing_since = COALESCE(failing_since, ?) "
                                     "WHERE subscription = ? AND endpoint = ?", (now, target.subscription, target.endpoint))

    def remove_failing(self, since: float) -> int:
        """Endpoints that have failed on every run since before then, removed; returns how many."""
        with self._lock:
            return self._connection.execute("DELETE FROM pushes WHERE failing_since < ?", (since,)).rowcount

    def remove_unused(self, since: float) -> int:
        """Subscriptions nobody read since then, and those deleted before it, removed for good;
        returns how many. `scrapy serve` calls it daily with SUBSCRIPTIONS_KEEP_UNUSED_DAYS."""
        with self._lock:
            return self._connection.execute(
                "DELETE FROM subscriptions WHERE used < ? OR deleted < ?", (since, since)).rowcount

    def _migrate(self) -> None:
        # IMMEDIATE: of replicas opening an old file at once, one migrates, the others then see it done
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            version = self._connection.execute("PRAGMA user_version").fetchone()[0]
            for step, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    self._connection.execute(statement)
                self._connection.execute(f"PRAGMA user_version = {step}")
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def _check_key(self, identifier: str, key: str) -> None:
        row = self._connection.execute("SELECT key_hash, deleted FROM subscriptions WHERE id = ?",
                                       (identifier,)).fetchone()
        if row is None:
            raise LookupError(identifier)
        if not hmac.compare_digest(row[0], key_hash(key)):
            raise WrongKey(identifier)
        if row[1] is not None:
            raise Gone(identifier)
