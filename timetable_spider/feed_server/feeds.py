"""Calendars: a personal feed, /feeds/<CODE>/<calendar file>?<choices> (personal_feeds.py), and a
stable subscription's feed, /feeds/s/<id>.ics, which answers what its stored calendar URL does."""
from __future__ import annotations

import logging
import time

from twisted.internet.defer import Deferred
from twisted.web.server import NOT_DONE_YET

from timetable_spider import personal_feeds
from timetable_spider.feed_server.http import content, current_copy, echo, plain
from timetable_spider.feed_server.services import OVERDUE_MAX_AGE, ServiceRoute, Services
from timetable_spider.personal_feeds import BadQuery, UnknownName
from timetable_spider.subscriptions import Subscription

logger = logging.getLogger(__name__)
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def answer_feed(services: Services, request, names: list[str], raw_query: bytes, cache_control: bytes | None) -> bytes | int:
    """The feed of /feeds/<names>?<raw_query>; Cache-Control as given, or fresh until the next crawl."""
    if len(names) != 2:
        return plain(request, 404, "a feed is /feeds/<CODE>/<calendar file>, such as /feeds/IE2/921-1.ics")
    try:
        selection = personal_feeds.parse_query(raw_query.decode("ascii"))
    except UnicodeDecodeError:
        return plain(request, 400, "the query must be percent-encoded ASCII")
    except BadQuery as error:
        return plain(request, 400, echo(str(error)))
    snapshot = services.published.current()
    if snapshot is None:
        return plain(request, 503, "no site is published yet", retry_after=OVERDUE_MAX_AGE)
    try:
        answer = snapshot.feed(names[0], names[1], selection)
    except UnknownName as error:
        return plain(request, 404, echo(str(error)))
    # The students' page may be served from elsewhere than FEEDS_URL and preview a feed.
    request.setHeader(b"Access-Control-Allow-Origin", b"*")
    if cache_control is None:
        cache_control = b"public, max-age=%d" % services.max_age(snapshot)
    if current_copy(request, answer.etag, answer.modified, cache_control):
        return NOT_DONE_YET
    return content(request, answer.body, CALENDAR_TYPE)


class PersonalFeed(ServiceRoute):
    methods = (b"GET",)

    def GET(self, request) -> bytes | int:
        return answer_feed(self.services, request, self.names, request.uri.partition(b"?")[2], None)


class StableFeed(ServiceRoute):
    """/feeds/s/<id>.ics. Always revalidated (no-cache, with its ETag): a student's edit must
    show at the calendar app's next refresh, through any cache in between."""

    methods = (b"GET",)

    def GET(self, request):
        if len(self.names) != 1 or not self.names[0].endswith(".ics"):
            return plain(request, 404, "a subscription's feed is /feeds/s/<id>.ics")
        if self.services.store is None:
            return plain(request, 503, "stable subscriptions are not available on this server", retry_after=300)
        identifier, now = self.names[0].removesuffix(".ics"), time.time()
        found = self.services.recent.read(identifier, now,
                                          lambda: self.services.in_database(self.services.store.get, identifier))
        if isinstance(found, Deferred):
            return self._answer_when_read(request, identifier, found, now)
        return self._answer(request, identifier, found, now)

    async def _answer_when_read(self, request, identifier: str, reading: Deferred, now: float) -> bytes | int:
        return self._answer(request, identifier, await reading, now)

    def _answer(self, request, identifier: str, found: Subscription | None, now: float) -> bytes | int:
        if found is None:
            return plain(request, 404, "no such subscription")
        if found.deleted:
            return plain(request, 410, "this subscription was deleted; remove it from your calendar app")
        store = self.services.store
        if found.used_before(now) and not store.read_only:
            # Recorded on the side: a database too busy to write it still serves the feed.
            self.services.recent.forget(identifier)
            self.services.in_database(store.used, identifier).addErrback(
                lambda failure: logger.warning("Could not record that subscription %s was read: %s",
                                               identifier, failure.value))
        path, _, query = found.calendar.partition("?")
        return answer_feed(self.services, request, path.split("/")[2:], query.encode("ascii"), b"no-cache")
