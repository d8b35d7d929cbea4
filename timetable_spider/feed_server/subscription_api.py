"""The stable subscriptions' API (docs/subscriptions.md, docs/openapi.yaml): POST /subscriptions,
PUT and DELETE /subscriptions/<id>, POST and DELETE /subscriptions/<id>/push, GET /push/key.

Anonymous writes: each is rate-limited per client address in the shared database, and
everything a stranger sends (the calendar URL, a push endpoint, its keys) is checked here, where
it enters. The database is used from its own threads."""
from __future__ import annotations

from timetable_spider import personal_feeds, push
from timetable_spider.feed_server.clients import BadBody, bearer_key, json_object
from timetable_spider.feed_server.http import content, echo, json_answer, plain
from timetable_spider.feed_server.services import OVERDUE_MAX_AGE, ServiceRoute
from timetable_spider.personal_feeds import BadQuery, UnknownName
from timetable_spider.subscriptions import Gone, TooMany, WrongKey

CALENDAR_BODY = 'the body must be JSON {"calendar": "/feeds/<CODE>/<calendar file>?<choices>"}'
PUSH_BODY = 'the body must be a PushSubscription: {"endpoint", "keys": {"p256dh", "auth"}}'


class Refused(Exception):
    """A request turned down: its status, message and Retry-After."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class SubscriptionRoute(ServiceRoute):
    """What the subscription routes share: the store, the rate limits, the edit key's refusals."""

    def render(self, request):
        if request.method in self.methods and self.services.store is None:
            return plain(request, 503, "stable subscriptions are not available on this server", retry_after=300)
        return super().render(request)

    async def answer(self, request, action: str, handle) -> bytes:
        """Counts the request against the address's limit for action, then answers with handle,
        turning a Refused or a refusal of the store into its status."""
        store = self.services.store
        if store.read_only:
            return plain(request, 503, "subscriptions cannot be changed on this server now", retry_after=300)
        wait = await self.services.in_database(store.allow, self.services.client_address(request), action,
                                               self.services.per_minute[action])
        if wait:
            return plain(request, 429, f"too many requests from this address; try again in {int(wait) + 1} s",
                         retry_after=int(wait) + 1)
        try:
            return await handle()
        except Refused as refused:
            return plain(request, refused.status, refused.message, retry_after=refused.retry_after)
        except WrongKey:
            return plain(request, 403, "the edit key is missing or wrong (Authorization: Bearer <key>)")
        except Gone:
            return plain(request, 410, "this subscription was deleted")
        except TooMany:
            return plain(request, 409, f"this subscription already alerts {self.services.max_browsers} browsers; "
                                       "stop alerts in one of them first")
        except LookupError:
            return plain(request, 404, "no such subscription")

    def body(self, request) -> dict:
        try:
            return json_object(request, self.services.max_body)
        except BadBody as error:
            raise Refused(400, str(error)) from None

    def calendar(self, request) -> str:
        """The body's {"calendar": "/feeds/<CODE>/<file>?<choices>"}, checked as a feed request
        would be, with its choices normalized: what is stored."""
        try:
            calendar = self.body(request)["calendar"]
            path, _, query = calendar.partition("?")
            names = path.split("/")
            if names[:2] != ["", "feeds"] or len(names) != 4 or names[2] == "s":
                raise ValueError
            selection = personal_feeds.parse_query(query)
        except BadQuery as error:
            raise Refused(400, f"calendar: {echo(str(error))}") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Refused(400, CALENDAR_BODY) from None
        snapshot = self.services.published.current()
        if snapshot is None:
            raise Refused(503, "no site is published yet", OVERDUE_MAX_AGE)
        try:
            snapshot.feed(names[2], names[3], selection)
        except UnknownName as error:
            raise Refused(400, f"calendar: {echo(str(error))}") from None
        normalized = selection.query()
        return path + (f"?{normalized}" if normalized else "")


class SubscriptionCollection(SubscriptionRoute):
    methods = (b"POST",)

    async def POST(self, request) -> bytes:
        async def create() -> bytes:
            calendar = self.calendar(request)
            identifier, key = await self.services.in_database(self.services.store.create, calendar)
            feed = f"/feeds/s/{identifier}.ics"
            request.setHeader(b"Location", feed.encode())
            return json_answer(request, {"feed": feed, "key": key}, 201)

        return await self.answer(request, "create", create)


class SubscriptionItem(SubscriptionRoute):
    methods = (b"PUT", b"DELETE")

    async def PUT(self, request) -> bytes:
        identifier = self.names[0]

        async def change() -> bytes:
            calendar = self.calendar(request)
            await self.services.in_database(self.services.store.change, identifier, bearer_key(request), calendar)
            self.services.recent.forget(identifier)
            return json_answer(request, {"feed": f"/feeds/s/{identifier}.ics", "calendar": calendar})

        return await self.answer(request, "change", change)

    async def DELETE(self, request) -> bytes:
        async def delete() -> bytes:
            await self.services.in_database(self.services.store.delete, self.names[0], bearer_key(request))
            self.services.recent.forget(self.names[0])
            request.setResponseCode(204)
            return b""

        return await self.answer(request, "change", delete)


class PushAttachment(SubscriptionRoute):
    """A browser attached to a subscription for its alerts (POST), or detached (DELETE)."""

    methods = (b"POST", b"DELETE")

    def render(self, request):
        if request.method in self.methods and self.services.push_key is None:
            return plain(request, 503, "push alerts are not available on this server", retry_after=300)
        return super().render(request)

    async def POST(self, request) -> bytes:
        async def attach() -> bytes:
            endpoint, keys = self.push_subscription(request)
            try:
                push.check_keys(keys["p256dh"], keys["auth"])
            except (push.BadKeys, KeyError, TypeError) as error:
                raise Refused(400, f"keys: {echo(str(error)) if isinstance(error, push.BadKeys) else PUSH_BODY}")
            await self.services.in_database(self.services.store.attach_push, self.names[0], bearer_key(request),
                                            endpoint, keys["p256dh"], keys["auth"], self.services.max_browsers)
            return json_answer(request, {"endpoint": endpoint}, 201)

        return await self.answer(request, "change", attach)

    async def DELETE(self, request) -> bytes:
        async def detach() -> bytes:
            endpoint, _ = self.push_subscription(request, keys_needed=False)
            await self.services.in_database(self.services.store.detach_push, self.names[0], bearer_key(request),
                                            endpoint)
            request.setResponseCode(204)
            return b""

        return await self.answer(request, "change", detach)

    def push_subscription(self, request, keys_needed: bool = True) -> tuple[str, dict]:
        """The body's endpoint and keys. An endpoint to attach must be of a push service accepted;
        any endpoint may be detached, so a browser can stop alerts after the list changed."""
        body = self.body(request)
        endpoint, keys = body.get("endpoint"), body.get("keys")
        if not isinstance(endpoint, str) or (keys_needed and not isinstance(keys, dict)):
            raise Refused(400, PUSH_BODY)
        if keys_needed:
            try:
                self.services.endpoints.check(endpoint)
            except push.RefusedEndpoint as error:
                raise Refused(400, f"endpoint: {echo(str(error))}") from None
        return endpoint, keys


class PushKey(ServiceRoute):
    """GET /push/key: the VAPID public key browsers subscribe with."""

    methods = (b"GET",)

    def GET(self, request) -> bytes:
        if self.services.push_key is None:
            return plain(request, 503, "push alerts are not available on this server", retry_after=300)
        request.setHeader(b"Cache-Control", b"public, max-age=86400")
        return content(request, self.services.push_key.encode(), "text/plain; charset=utf-8")

