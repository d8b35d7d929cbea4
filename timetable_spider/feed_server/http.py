"""What every route of `scrapy serve` shares: answers (one line of text for a refusal, JSON,
content with its validators), the request that never names the server's version and refuses an
oversized body before reading it, the connection that drops a client too slow to send its
request, and `Route`, the Twisted resource each route is, whose handlers may wait for the
database without holding up the reactor.
"""
from __future__ import annotations

import json
import logging
import mimetypes
import os
import sqlite3
from email.utils import formatdate, parsedate_to_datetime
from typing import Awaitable

from twisted.internet import defer
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request, Site

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
    ".yaml": "application/yaml",
}
# For anything else, Python's own table: the same on every machine, unlike /etc/mime.types.
OTHER_TYPES = mimetypes.MimeTypes()
# How long a client told 503 waits before asking again (seconds): a busy database clears in a moment.
RETRY_BUSY = 5
# Bytes an answer may echo of what the client sent, each printable: never a NUL or a line break.
ECHO_LIMIT = 200


def content_type(name: str) -> str:
    extension = os.path.splitext(name)[1].lower()
    return CONTENT_TYPES.get(extension) or OTHER_TYPES.guess_type(name)[0] or "application/octet-stream"


def echo(text: str) -> str:
    """Something the client sent, made safe to quote in a one-line answer or a log line."""
    safe = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text[:ECHO_LIMIT])
    return safe + ("…" if len(text) > ECHO_LIMIT else "")


def plain(request, code: int, message: str, retry_after: int | None = None) -> bytes:
    """A refusal or an error as one line of text; never cached."""
    request.setResponseCode(code)
    request.setHeader(b"Cache-Control", b"no-cache")
    if retry_after is not None:
        request.setHeader(b"Retry-After", b"%d" % retry_after)
    return content(request, f"{message}\n".encode(), "text/plain; charset=utf-8")


def json_answer(request, document: dict, code: int = 200) -> bytes:
    request.setResponseCode(code)
    request.setHeader(b"Cache-Control", b"no-store")
    return content(request, json.dumps(document).encode(), "application/json")


def content(request, body: bytes, kind: str) -> bytes:
    """HEAD gets the type and length, and no body (Twisted would log a warning for one)."""
    request.setHeader(b"Content-Type", kind.encode())
    if request.method == b"HEAD":
        request.setHeader(b"Content-Length", b"%d" % len(body))
        return b""
    return body


def current_copy(request, etag: str, modified: float, cache_control: bytes) -> bool:
    """Sets the validators and Cache-Control. When the client's copy is current, answers 304
    and returns True; the 304 is finished here, so Twisted adds no "Content-Length: 0"."""
    request.setHeader(b"ETag", etag.encode())
    request.setHeader(b"Last-Modified", formatdate(modified, usegmt=True).encode())
    request.setHeader(b"Cache-Control", cache_control)
    if not not_modified(request, etag, modified):
        return False
    request.setResponseCode(304)
    request.finish()
    return True


def not_modified(request, etag: str, modified: float) -> bool:
    """A conditional GET the client's copy satisfies. If-None-Match, when sent, decides alone
    (RFC 9110); an If-Modified-Since that is no valid date is ignored, as RFC 9110 says."""
    tags = request.getHeader(b"If-None-Match")
    if tags is not None:
        sent = {tag.strip().removeprefix(b"W/") for tag in tags.split(b",")}
        return b"*" in sent or etag.encode() in sent
    since = request.getHeader(b"If-Modified-Since")
    if since is None:
        return False
    try:
        return int(modified) <= parsedate_to_datetime(since.decode("latin-1")).timestamp()
    except (ValueError, TypeError, OverflowError):
        return False


class Route(Resource):
    """One route: `GET` (also answering HEAD), `POST`, `PUT` or `DELETE` methods, each taking
    the request and the path's decoded segments. A method may be a coroutine (it awaits the
    database); what it returns is the body. Any other method gets 405 with Allow."""

    isLeaf = True
    methods: tuple[bytes, ...] = ()

    def __init__(self, names: list[str]):
        super().__init__()
        self.names = names

    def render(self, request) -> bytes | int:
        method = b"GET" if request.method == b"HEAD" else request.method
        if method not in self.methods:
            allowed = b", ".join(self.methods + ((b"HEAD",) if b"GET" in self.methods else ()))
            request.setHeader(b"Allow", allowed)
            return plain(request, 405, f"only {allowed.decode()} here")
        answer = getattr(self, method.decode())(request)
        if isinstance(answer, (bytes, int)):
            return answer
        return finish_later(request, answer)


def finish_later(request, answer: Awaitable[bytes | int]) -> int:
    """Answers when the coroutine is done. A database that is locked, full or read-only is a
    503 with Retry-After and one log line; a client gone meanwhile is simply not answered."""
    gone: list[Failure] = []
    request.notifyFinish().addErrback(gone.append)

    def done(body: bytes | int) -> None:
        if gone or body == NOT_DONE_YET:
            return
        send(body)

    def send(body: bytes) -> None:
        # A length, as Twisted gives an answer returned at once, rather than chunks.
        if request.method != b"HEAD" and request.code not in (204, 304):
            request.setHeader(b"Content-Length", b"%d" % len(body))
        request.write(body)
        request.finish()

    def failed(failure: Failure) -> None:
        if gone:
            return
        if failure.check(sqlite3.Error):
            logger.error("The subscriptions database refused %s %s: %s", request.method.decode(),
                         echo(request.path.decode("latin-1")), failure.value)
            body = plain(request, 503, "the subscriptions database is busy; try again in a moment",
                         retry_after=RETRY_BUSY)
        else:
            logger.error("Failed to answer %s %s", request.method.decode(), echo(request.path.decode("latin-1")),
                         exc_info=(failure.type, failure.value, failure.getTracebackObject()))
            body = plain(request, 500, "the server failed to answer; this was logged")
        send(body)

    defer.ensureDeferred(answer).addCallbacks(done, failed)
    return NOT_DONE_YET


# -- the server's own request, connection and site ----------------------------------------------------

def _refuse_and_close(transport, status: bytes, message: str) -> None:
    """An answer written straight to the connection, before any request could be handled: the
    rest of what the client sends is never read."""
    body = f"{message}\n".encode()
    transport.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Cache-Control: no-cache\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    transport.loseConnection()


class ServerRequest(Request):
    """Never says which server answers (no `Server: TwistedWeb/<version>`). A body longer than
    the site's max_body is refused with 413 as soon as its Content-Length is known, or as soon
    as a chunked body grows past it, before it is read whole."""

    received = 0

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > self.channel.site.max_body:
            self._too_large()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        self.received += len(data)
        if self.received > self.channel.site.max_body:
            self._too_large()
            return
        super().handleContentChunk(data)

    def _too_large(self) -> None:
        if not self.channel.transport.disconnecting:
            _refuse_and_close(self.channel.transport, b"413 Content Too Large",
                              f"the body is over {self.channel.site.max_body} bytes")

    def render(self, resource) -> None:
        self.responseHeaders.removeHeader(b"Server")
        super().render(resource)


class DeadlineChannel(HTTPChannel):
    """An HTTP connection whose client must send each request whole, headers and body, within
    the site's request_deadline of its first byte. Twisted's own timeout only notices a silent
    client: one that sends a header line every few seconds would hold a descriptor for ever."""

    _deadline = None
    _lines = 0  # lines received of the request under way

    def dataReceived(self, data: bytes) -> None:
        if self._deadline is None and not self.transport.disconnecting:
            self._deadline = self.callLater(self.site.request_deadline, self._too_slow)
        super().dataReceived(data)

    def lineReceived(self, line: bytes) -> None:
        self._lines += 1
        super().lineReceived(line)

    def allContentReceived(self) -> None:
        self._stop_deadline()
        self._lines = 0
        super().allContentReceived()

    def lineLengthExceeded(self, line: bytes) -> None:
        # Twisted would close the connection without a word.
        if self._lines:
            _refuse_and_close(self.transport, b"431 Request Header Fields Too Large",
                              f"a header line is longer than {self.MAX_LENGTH} bytes")
        else:
            _refuse_and_close(self.transport, b"414 URI Too Long",
                              f"the request line is longer than {self.MAX_LENGTH} bytes")

    def connectionLost(self, reason) -> None:
        self._stop_deadline()
        super().connectionLost(reason)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            if self._deadline.active():
                self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        _refuse_and_close(self.transport, b"408 Request Timeout",
                          f"the request was not sent whole within {self.site.request_deadline:g} s")


class ServerSite(Site):
    """The Twisted web Site of `scrapy serve`, with its limits. Without an access log file, it
    logs no request: behind a reverse proxy, the proxy logs every one."""

    protocol = DeadlineChannel
    requestFactory = ServerRequest
    displayTracebacks = False

    def __init__(self, resource, max_body: int, request_deadline: float, idle_timeout: float,
                 access_log: str = ""):
        super().__init__(resource, logPath=access_log or None, timeout=idle_timeout)
        self.max_body = max_body
        self.request_deadline = request_deadline
        self.logs_requests = bool(access_log)

    def log(self, request) -> None:
        if self.logs_requests:
            super().log(request)
