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
import ipaddress
import os
import secrets
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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
);
CREATE TABLE IF NOT EXISTS request_counts (
    client BLOB NOT NULL,
    action TEXT NOT NULL,
    minute INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (client, action, minute)
);
CREATE INDEX IF NOT EXISTS request_counts_by_minute ON request_counts (minute);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
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
    calendar: str  # a personal feed's path and normalized query: /feeds/IE2/921-1.ics?hide=MLE5028:L
    deleted: bool
    used: float  # when a calendar app last read it, to the day

    def used_before(self, now: float) -> bool:
        """Whether reading it now is worth recording (Subscriptions.used)."""
        return self.used < now - USE_RESOLUTION


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


class TooMany(Exception):
    """The subscription already sends alerts to as many browsers as it may."""


def default_path(site_dir: str | Path) -> Path:
    """`.<site>-subscriptions.sqlite3` beside SITE_DIR, as the crawl keeps its lock and cache."""
    site = Path(site_dir).absolute()
    return site.parent / f".{site.name}-subscriptions.sqlite3"


def key_hash(key: str) -> bytes:
    """The key is 192 random bits, so a plain hash is as safe as a slow one, and cheap."""
    return hashlib.sha256(key.encode()).digest()


class Subscriptions:
    """The database, used from any thread: each thread gets a connection of its own, so a write
    waiting for SQLite's lock never holds up a read (in WAL mode readers never wait for writers).
    `scrapy serve` calls it from a thread pool, never from the reactor's thread."""

    def __init__(self, path: str | Path, busy_timeout: float = 1.0):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.read_only = False
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        _create_private(self.path)
        try:
            connection = self._connection
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            self._migrate()
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):
                self.close()
                raise
            # A read-only copy (another host's backup, a read-only mount): every stable feed is
            # still answered; writes fail, and the server answers them 503.
            self.close()
            self.read_only = True
        # A read-only mount refuses writes even to root, whom file permissions do not stop.
        self.read_only = self.read_only or not os.access(self.path, os.W_OK)
        if self.read_only:
            self._connection.execute("SELECT 1 FROM subscriptions LIMIT 1")

    @property
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            target = f"{self.path.absolute().as_uri()}?mode=ro" if self.read_only else str(self.path)
            connection = sqlite3.connect(target, uri=self.read_only, isolation_level=None,
                                         check_same_thread=False, timeout=self.busy_timeout)
            # in WAL mode a commit survives a killed process without an fsync each time
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        """Closes every thread's connection; a thread that uses the store again opens a new one."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
            self._local = threading.local()
        for connection in connections:
            connection.close()

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction on this thread's connection. A write takes SQLite's write lock at its
        start (BEGIN IMMEDIATE), so a busy database fails at once, within the busy timeout,
        instead of part way through; a read takes no lock a writer waits for."""
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def create(self, calendar: str, now: float | None = None) -> tuple[str, str]:
        """A new subscription: its id and its edit key (returned once; only its hash is kept)."""
        now = time.time() if now is None else now
        identifier, key = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        with self._transaction(write=True) as connection:
            connection.execute("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, NULL)",
                               (identifier, key_hash(key), calendar, now, now, now))
        return identifier, key

    def get(self, identifier: str) -> Subscription | None:
        with self._transaction() as connection:
            row = connection.execute("SELECT id, calendar, deleted, used FROM subscriptions WHERE id = ?",
                                     (identifier,)).fetchone()
        return None if row is None else Subscription(row[0], row[1], row[2] is not None, row[3])

    def used(self, identifier: str, now: float | None = None) -> None:
        """A calendar app read the feed: remembered to the day, for expiring unused ones. The
        caller checks Subscription.used_before first, so most reads never write."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as connection:
            connection.execute("UPDATE subscriptions SET used = ? WHERE id = ? AND used < ?",
                               (now, identifier, now - USE_RESOLUTION))

    def change(self, identifier: str, key: str, calendar: str, now: float | None = None) -> None:
        """Raises LookupError (unknown), Gone or WrongKey."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as connection:
            _check_key(connection, identifier, key)
            connection.execute("UPDATE subscriptions SET calendar = ?, changed = ?, used = ? WHERE id = ?",
                               (calendar, now, now, identifier))

    def delete(self, identifier: str, key: str, now: float | None = None) -> None:
        """Its calendar URL is forgotten; the id stays, so its feed answers 410."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as connection:
            _check_key(connection, identifier, key)
            connection.execute("UPDATE subscriptions SET calendar = '', deleted = ? WHERE id = ?",
                               (now, identifier))
            connection.execute("DELETE FROM pushes WHERE subscription = ?", (identifier,))

    def attach_push(self, identifier: str, key: str, endpoint: str, p256dh: str, auth: str,
                    most: int = 0, now: float | None = None) -> None:
        """Alerts for this subscription go to that browser too, of crawls from now on (attaching
        it again renews its keys). With `most`, a subscription already sending to that many other
        browsers raises TooMany."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as connection:
            _check_key(connection, identifier, key)
            others = connection.execute("SELECT count(*) FROM pushes WHERE subscription = ? AND endpoint != ?",
                                        (identifier, endpoint)).fetchone()[0]
            if most and others >= most:
                raise TooMany(identifier)
            connection.execute("INSERT OR REPLACE INTO pushes (subscription, endpoint, p256dh, auth, attached) "
                               "VALUES (?, ?, ?, ?, ?)", (identifier, endpoint, p256dh, auth, now))

    def detach_push(self, identifier: str, key: str, endpoint: str) -> None:
        with self._transaction(write=True) as connection:
            _check_key(connection, identifier, key)
            connection.execute("DELETE FROM pushes WHERE subscription = ? AND endpoint = ?", (identifier, endpoint))

    def push_targets(self) -> list[PushTarget]:
        with self._transaction() as connection:
            rows = connection.execute(
                "SELECT s.id, s.calendar, p.endpoint, p.p256dh, p.auth, p.notified, p.attached FROM pushes p "
                "JOIN subscriptions s ON s.id = p.subscription WHERE s.deleted IS NULL ORDER BY s.id").fetchall()
        return [PushTarget(*row) for row in rows]

    def notified(self, target: PushTarget, crawl: str) -> None:
        """The browser was told of that crawl's changes (or it had none for it)."""
        with self._transaction(write=True) as connection:
            connection.execute("UPDATE pushes SET notified = ? WHERE subscription = ? AND endpoint = ?",
                               (crawl, target.subscription, target.endpoint))

    def remove_push(self, target: PushTarget) -> None:
        """The push service said the endpoint is gone (404, 410)."""
        with self._transaction(write=True) as connection:
            connection.execute("DELETE FROM pushes WHERE subscription = ? AND endpoint = ?",
                               (target.subscription, target.endpoint))

    def push_delivered(self, target: PushTarget, crawl: str) -> None:
        """The push service took the alert of the crawls up to that one: told, and not failing."""
        with self._transaction(write=True) as connection:
            connection.execute("UPDATE pushes SET notified = ?, failing_since = NULL "
                               "WHERE subscription = ? AND endpoint = ?", (crawl, target.subscription, target.endpoint))

    def push_failed(self, target: PushTarget, now: float | None = None) -> None:
        """The alert did not get through (refused, no answer, an error status): failing since the
        first such run after the last success."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as connection:
            connection.execute("UPDATE pushes SET failing_since = COALESCE(failing_since, ?) "
                               "WHERE subscription = ? AND endpoint = ?", (now, target.subscription, target.endpoint))

    def remove_failing(self, since: float) -> int:
        """Endpoints that have failed on every run since before then, removed; returns how many."""
        with self._transaction(write=True) as connection:
            return connection.execute("DELETE FROM pushes WHERE failing_since < ?", (since,)).rowcount

    def _migrate(self) -> None:
        # IMMEDIATE: of replicas opening an old file at once, one migrates, the others then see it done
        with self._transaction(write=True) as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            for step, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {step}")

    def allow(self, address: str, action: str, per_minute: int, now: float | None = None) -> float:
        """Counts one request of that action from that address; returns 0 when it is within
        per_minute, or else the seconds until the address may try again (Retry-After). Counted
        in the database, so replicas share one limit. The address is kept only as a keyed
        hash, for the current minute; an IPv6 address counts by its /64, which one client holds."""
        now = time.time() if now is None else now
        minute = int(now // 60)
        with self._transaction(write=True) as connection:
            client = hmac.new(_salt(connection), _network(address).encode(), hashlib.sha256).digest()
            connection.execute("DELETE FROM request_counts WHERE minute < ?", (minute,))
            count = connection.execute(
                "INSERT INTO request_counts VALUES (?, ?, ?, 1) ON CONFLICT (client, action, minute) "
                "DO UPDATE SET count = count + 1 RETURNING count", (client, action, minute)).fetchone()[0]
        return 0.0 if count <= per_minute else (minute + 1) * 60 - now

    def remove_unused(self, since: float) -> int:
        """Subscriptions nobody read since then, and those deleted before it, removed for good;
        returns how many. `scrapy serve` calls it daily with SUBSCRIPTIONS_KEEP_UNUSED_DAYS."""
        with self._transaction(write=True) as connection:
            return connection.execute(
                "DELETE FROM subscriptions WHERE used < ? OR deleted < ?", (since, since)).rowcount


def _check_key(connection: sqlite3.Connection, identifier: str, key: str) -> None:
    row = connection.execute("SELECT key_hash, deleted FROM subscriptions WHERE id = ?",
                             (identifier,)).fetchone()
    if row is None:
        raise LookupError(identifier)
    if not hmac.compare_digest(row[0], key_hash(key)):
        raise WrongKey(identifier)
    if row[1] is not None:
        raise Gone(identifier)


def _salt(connection: sqlite3.Connection) -> bytes:
    """This database's random key for hashing client addresses, made with it."""
    connection.execute("INSERT OR IGNORE INTO settings VALUES ('address salt', ?)", (secrets.token_bytes(32),))
    return connection.execute("SELECT value FROM settings WHERE name = 'address salt'").fetchone()[0]


def _network(address: str) -> str:
    """What a rate limit counts: an IPv4 address, or an IPv6 address's /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def _create_private(path: Path) -> None:
    """The database file, made readable by its owner only (SQLite gives its -wal and -shm the
    same mode); an existing one loses any permission for others."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600))
    except OSError:
        return  # a read-only directory or file: opened read-only, or the error said when connecting
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o007:
                file.chmod(mode & ~0o007)
        except OSError:
            pass
