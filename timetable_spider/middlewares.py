"""Middlewares: retries with a pause before each, robots.txt with its failures as warnings, and
callback errors counted as failed pages."""
from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.downloadermiddlewares import robotstxt
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from twisted.internet.error import DNSLookupError


logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a growing pause before each retry.

    Scrapy retries at once; a server that answered 503 or dropped the connection gets a moment
    to recover instead: RETRY_BACKOFF_BASE seconds, doubling per attempt, at most RETRY_BACKOFF_MAX.

    A host name that does not resolve is not retried: no network, or a mistyped TIMETABLE_ROOT,
    does not mend in the 30 s of pauses, which each page and robots.txt spent in vain. (Scrapy
    retries it as a transient fault; OSError in RETRY_EXCEPTIONS covers it as well, so it is left
    out here rather than there.)
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request, response):
        return await self._after_pause(super().process_response(request, response))

    async def process_exception(self, request, exception):
        if _unresolvable(exception):
            return None
        return await self._after_pause(super().process_exception(request, exception))

    async def _after_pause(self, result):
        if isinstance(result, Request):
            attempt = result.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max))
        return result


def _unresolvable(exception: Exception) -> bool:
    """Twisted's DNSLookupError, or the CannotResolveHostError newer Scrapy raises from it."""
    return isinstance(exception, DNSLookupError) or isinstance(exception.__cause__, DNSLookupError)


class RobotsTxtMiddleware(robotstxt.RobotsTxtMiddleware):
    """Scrapy's, but a robots.txt that could not be downloaded is a warning, not an ERROR with a
    traceback: the pages are then requested as if allowed (Scrapy's rule), and those that fail
    as well are named in the run's one ERROR line (run_outcome)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        robotstxt.logger.addFilter(_error_as_warning)  # added once: the same function each time


def _error_as_warning(record: logging.LogRecord) -> bool:
    if record.levelno == logging.ERROR:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None  # the message has the reason; the traceback is Scrapy's
    return True


class CallbackErrorsAsFailedPages:
    """Spider middleware: a callback that raises is a failed page, like one that could not be fetched.

    Scrapy logs such an error and goes on, so the page would silently drop out of the site; here it
    becomes the spider's PageFailure item, and the publishing pipeline keeps the page's last
    published version, names it in status.json and the run exits 1.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_exception(self, response, exception):
        failed_page = getattr(self.crawler.spider, "failed_page", None)
        if failed_page is None:
            return None
        # with its traceback, for the bug's fix; the run's ERROR (run_outcome) names the page
        logger.warning("Parsing %s raised an error", response.url, exc_info=exception)
        return [failed_page(response.request, f"parsing the page raised {exception!r}")]
