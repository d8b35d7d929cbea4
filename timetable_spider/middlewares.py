"""Downloader middleware: Scrapy's retries, with a growing pause before each retry.

Scrapy retries at once; a server that answered 503 or dropped the connection gets a moment
to recover instead: RETRY_BACKOFF_BASE seconds, doubling per attempt, at most RETRY_BACKOFF_MAX.
"""
from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request, response):
        return await self._after_pause(super().process_response(request, response))

    async def process_exception(self, request, exception):
        return await self._after_pause(super().process_exception(request, exception))

    async def _after_pause(self, result):
        if isinstance(result, Request):
            attempt = result.meta.get("retry_times", 1)
            await asyncio.sleep(min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max))
        return result
