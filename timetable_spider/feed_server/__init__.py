"""The web application of `scrapy serve`: SITE_DIR as a static web server serves it, personal
calendars under /feeds/<CODE>/<calendar file>?<choices>, stable subscriptions (/feeds/s/<id>.ics,
/subscriptions) and the push key, each route a Twisted resource of its own, as described in
docs/openapi.yaml (served at /api/openapi.yaml).

    http.py              answers, the request and connection limits, the Route base
    clients.py           the client's address behind trusted proxies, the edit key, JSON bodies
    services.py          what routes share: the published site, the database's threads, settings
    feeds.py             personal and stable feeds
    subscription_api.py  /subscriptions, /subscriptions/<id>/push, /push/key
    site_files.py        the published site's files
    health.py            /healthz, for monitoring

For production servers the same application is importable:
    twist web --listen tcp:8000:interface=127.0.0.1 --class timetable_spider.feed_server.TimetableSite
"""
from __future__ import annotations

import importlib.resources
from urllib.parse import unquote_to_bytes

from scrapy.settings import BaseSettings
from scrapy.utils.project import get_project_settings
from twisted.internet import task
from twisted.web.resource import Resource

from timetable_spider.feed_server.feeds import PersonalFeed, StableFeed
from timetable_spider.feed_server.site_files import SiteFile
from timetable_spider.feed_server.health import Health
from timetable_spider.feed_server.http import Route, ServerSite, content, plain
from timetable_spider.feed_server.services import Services
from timetable_spider.feed_server.subscription_api import PushAttachment, PushKey, SubscriptionCollection, SubscriptionItem

API_DESCRIPTION = importlib.resources.files(__package__).joinpath("openapi.yaml").read_bytes()


class Refusal(Route):
    """A request refused before any route: a URL too long, a path that is no path."""

    isLeaf = True

    def __init__(self, status: int, message: str):
        super().__init__([])
        self.status, self.message = status, message

    def render(self, request) -> bytes:
        return plain(request, self.status, self.message)


class ApiDescription(Route):
    """GET /api/openapi.yaml: the HTTP API, described in OpenAPI 3.1."""

    methods = (b"GET",)

    def GET(self, request) -> bytes:
        request.setHeader(b"Cache-Control", b"no-cache")
        request.setHeader(b"Access-Control-Allow-Origin", b"*")
        return content(request, API_DESCRIPTION, "application/yaml")


class TimetableSite(Resource):
    """The root: routes each request by its percent-decoded path segments.

    With no arguments (as `twist web --class` makes it) it takes the project's settings.
    """

    def __init__(self, settings: BaseSettings | None = None):
        super().__init__()
        self.services = Services(settings if settings is not None else get_project_settings())

    def getChildWithDefault(self, name: bytes, request) -> Resource:
        services = self.services
        if len(request.uri) > services.max_url_length:
            return Refusal(414, f"the URL is longer than {services.max_url_length} bytes")
        if not request.path.startswith(b"/"):
            return Refusal(400, "the request target must be a path")
        try:
            names = [_path_segment(part) for part in request.path.split(b"/")[1:]]
        except ValueError as error:
            return Refusal(400, str(error))
        if names[0] == "subscriptions":
            if len(names) == 3 and names[2] == "push":
                return PushAttachment(services, names[1:2])
            if len(names) == 2 and names[1]:
                return SubscriptionItem(services, names[1:])
            if names[1:] in ([], [""]):
                return SubscriptionCollection(services, [])
            return Refusal(404, "not found")
        if names == ["push", "key"]:
            return PushKey(services, [])
        if names == ["healthz"]:
            return Health(services, [])
        if names == ["api", "openapi.yaml"]:
            return ApiDescription([])
        if names[:2] == ["feeds", "s"]:
            return StableFeed(services, names[2:])
        if names[0] == "feeds":
            return PersonalFeed(services, names[1:])
        return SiteFile(services, names)

    def start_expiring(self) -> task.LoopingCall | None:
        """Daily, from now on: subscriptions unused for SUBSCRIPTIONS_KEEP_UNUSED_DAYS are removed."""
        if self.services.store is None or self.services.store.read_only:
            return None
        expiring = task.LoopingCall(self.services.expire_unused)
        expiring.start(24 * 60 * 60)
        return expiring


def _path_segment(raw: bytes) -> str:
    """A percent-decoded path segment. An encoded "/" stays inside its segment (and so names no file)."""
    decoded = unquote_to_bytes(raw)
    if b"\0" in decoded:
        raise ValueError("the path holds a NUL byte")
    try:
        return decoded.decode()
    except UnicodeDecodeError:
        raise ValueError("the path is not UTF-8") from None


def make_site(settings: BaseSettings) -> ServerSite:
    """The Twisted web Site `scrapy serve` listens with; SERVE_ACCESS_LOG names a Combined Log Format file."""
    return ServerSite(TimetableSite(settings), max_body=settings.getint("SUBSCRIPTIONS_MAX_BODY"),
                      request_deadline=settings.getfloat("SERVE_REQUEST_DEADLINE"),
                      idle_timeout=settings.getfloat("SERVE_IDLE_TIMEOUT"),
                      access_log=settings.get("SERVE_ACCESS_LOG"))
