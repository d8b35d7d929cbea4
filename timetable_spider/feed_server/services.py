"""What the routes of `scrapy serve` share, made once from the settings: the published site, the
subscriptions' database and the thread pool it is used from, the push key and endpoint rules,
and the limits."""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Callable, TypeVar

from scrapy.settings import BaseSettings
from twisted.internet import defer, reactor, threads
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from timetable_spider import push
from timetable_spider.feed_server.clients import TrustedProxies
from timetable_spider.feed_server.http import Route
from timetable_spider.published_site import PublishedSite, Snapshot
from timetable_spider.subscriptions import Subscription, Subscriptions, default_path

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
# A late crawl may publish any minute: caches look again this soon (seconds).
OVERDUE_MAX_AGE = 300


class RecentSubscriptions:
    """Subscriptions this replica read in the last few seconds, by id (None: no such one), so a
    calendar app's refresh costs no trip to the database's threads, and requests for an id
    being read wait for that one read. The replica that takes an edit forgets the id at once;
    another replica answers the edit within `seconds`."""

    def __init__(self, seconds: float, size: int = 10_000):
        self.seconds, self.size = seconds, size
        self._read: OrderedDict[str, tuple[float, Subscription | None]] = OrderedDict()
        self._reading: dict[str, list[defer.Deferred]] = {}

    def read(self, identifier: str, now: float,
             load: Callable[[], defer.Deferred]) -> Subscription | None | defer.Deferred:
        """The subscription as read lately; else a Deferred of it, from load() or a read under way."""
        kept = self._read.get(identifier)
        if kept is not None and kept[0] >= now - self.seconds:
            return kept[1]
        waiting = self._reading.get(identifier)
        if waiting is None:
            waiting = self._reading[identifier] = []
            load().addBoth(self._settle, identifier, now)
        mine: defer.Deferred = defer.Deferred()
        waiting.append(mine)
        return mine

    def _settle(self, result, identifier: str, now: float) -> None:
        if not isinstance(result, Failure):
            self._read[identifier] = (now, result)
            self._read.move_to_end(identifier)
            if len(self._read) > self.size:
                self._read.popitem(last=False)
        for waiting in self._reading.pop(identifier):
            waiting.errback(result) if isinstance(result, Failure) else waiting.callback(result)

    def forget(self, identifier: str) -> None:
        self._read.pop(identifier, None)


class Services:
    def __init__(self, settings: BaseSettings):
        self.published = PublishedSite(settings["SITE_DIR"], settings.getint("SERVE_FEED_CACHE_SIZE"))
        self.max_url_length = settings.getint("SERVE_MAX_URL_LENGTH")
        self.crawl_interval = settings.getint("SERVE_CRAWL_INTERVAL")
        self.max_body = settings.getint("SUBSCRIPTIONS_MAX_BODY")
        self.proxies = TrustedProxies(settings.getlist("SERVE_TRUSTED_PROXIES"))
        self.per_minute = {"create": settings.getint("SUBSCRIPTIONS_CREATE_PER_MINUTE"),
                           "change": settings.getint("SUBSCRIPTIONS_CHANGE_PER_MINUTE")}
        self.max_browsers = settings.getint("PUSH_MAX_BROWSERS")
        self.recent = RecentSubscriptions(settings.getfloat("SERVE_SUBSCRIPTION_CACHE_SECONDS"))
        self.keep_unused = settings.getint("SUBSCRIPTIONS_KEEP_UNUSED_DAYS") * 24 * 60 * 60
        # SQLite blocks while it waits for a lock: it runs in threads of its own, never in the reactor's.
        self.pool = ThreadPool(minthreads=1, maxthreads=settings.getint("SERVE_DATABASE_THREADS"),
                               name="subscriptions")
        reactor.callWhenRunning(self.pool.start)
        reactor.addSystemEventTrigger("during", "shutdown", self.pool.stop)
        self.store: Subscriptions | None = None
        path = settings.get("SUBSCRIPTIONS_DB") or default_path(settings["SITE_DIR"])
        try:
            self.store = Subscriptions(path, busy_timeout=settings.getfloat("SUBSCRIPTIONS_BUSY_TIMEOUT"))
        except Exception as error:  # a read-only directory, say: the feeds still answer
            logger.error("Stable subscriptions are not available: %s: %s; set SUBSCRIPTIONS_DB to a writable file",
                         path, error)
        else:
            if self.store.read_only:
                logger.warning("The subscriptions database %s is read-only: stable feeds are served, "
                               "changes are refused with 503", path)
        self.endpoints = push.EndpointPolicy.from_settings(settings)
        self.push_key: str | None = None
        key_file = settings.get("PUSH_VAPID_KEY_FILE") or push.default_key_path(settings["SITE_DIR"])
        try:
            self.push_key = push.public_key(push.load_or_create_key(key_file))
        except Exception as error:
            logger.error("Push alerts are not available: %s: %s; set PUSH_VAPID_KEY_FILE to a writable file",
                         key_file, error)
        self.published.load_now()

    def in_database(self, function: Callable[..., Result], *args) -> defer.Deferred[Result]:
        """function(*args) in one of the database's threads."""
        return threads.deferToThreadPool(reactor, self.pool, function, *args)

    def client_address(self, request) -> str:
        return self.proxies.client_address(request.getClientAddress().host,
                                           request.requestHeaders.getRawHeaders(b"X-Forwarded-For", []))

    def max_age(self, snapshot: Snapshot | None) -> int:
        """Fresh until the next crawl is due: SERVE_CRAWL_INTERVAL after the site was published."""
        if snapshot is None or snapshot.published is None:
            return OVERDUE_MAX_AGE
        left = snapshot.published + self.crawl_interval - time.time()
        return int(left) if left > OVERDUE_MAX_AGE else OVERDUE_MAX_AGE

    def expire_unused(self) -> defer.Deferred:
        """Subscriptions unused for SUBSCRIPTIONS_KEEP_UNUSED_DAYS are removed (daily, from `scrapy serve`)."""
        def removed(count: int) -> None:
            if count:
                logger.info("Removed %d subscriptions unused for %d days", count, self.keep_unused // 86400)

        def failed(failure) -> None:
            logger.error("Could not remove unused subscriptions: %s", failure.value)

        expiring = self.in_database(self.store.remove_unused, time.time() - self.keep_unused)
        return expiring.addCallbacks(removed, failed)


class ServiceRoute(Route):
    """A route that answers from the shared services."""

    def __init__(self, services: Services, names: list[str]):
        super().__init__(names)
        self.services = services
