"""The downloader components: PoliteAutoThrottle, BackoffRetryMiddleware and RevalidatingPolicy."""
from __future__ import annotations

import asyncio
import time

import pytest
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse, Request, Response

from tests.crawling import project_crawler
from timetable_spider import settings as project_settings
from timetable_spider.httpcache import RevalidatingPolicy
from timetable_spider.middlewares import BackoffRetryMiddleware
from timetable_spider.throttle import PoliteAutoThrottle

URL = "https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/IE2.html"


@pytest.fixture
def throttle():
    crawler = project_crawler()
    crawler.stats.open_spider()
    extension = PoliteAutoThrottle.from_crawler(crawler)
    extension.mindelay = crawler.settings.getfloat("DOWNLOAD_DELAY")
    extension.maxdelay = crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
    return extension


def settle(throttle, latency: float, status: int = 200, answers: int = 30, delay: float = 0.1) -> Slot:
    """A slot after `answers` responses of the given latency and status."""
    slot = Slot(concurrency=8, delay=delay, jitter=0)
    for _ in range(answers):
        throttle._adjust_delay(slot, latency, Response(URL, status=status))
    return slot


def test_the_delay_follows_the_servers_latency(throttle):
    fast, slow = settle(throttle, 0.3).delay, settle(throttle, 2.0).delay
    target = project_settings.AUTOTHROTTLE_TARGET_CONCURRENCY
    assert fast == pytest.approx(0.3 / target, rel=0.01)
    assert slow == pytest.approx(2.0 / target, rel=0.01)


def test_the_delay_alone_allows_more_than_the_in_flight_cap(throttle):
    # so that CONCURRENT_REQUESTS_PER_DOMAIN, not the delay, sets the pace
    latency = 0.3
    requests_per_second_by_delay = 1 / settle(throttle, latency).delay
    requests_per_second_by_cap = project_settings.CONCURRENT_REQUESTS_PER_DOMAIN / latency
    assert requests_per_second_by_delay > requests_per_second_by_cap


def test_304_answers_lower_the_delay_like_200(throttle):
    assert settle(throttle, 0.3, status=304).delay == settle(throttle, 0.3, status=200).delay


def test_503_doubles_the_delay(throttle):
    slot = settle(throttle, 0.3)
    before = slot.delay
    throttle._adjust_delay(slot, 0.3, Response(URL, status=503))
    assert slot.delay == pytest.approx(max(2 * before, 0.25))
    throttle._adjust_delay(slot, 0.3, Response(URL, status=503))
    assert slot.delay == pytest.approx(max(4 * before, 0.5))


def test_429_backs_off_up_to_the_max_delay(throttle):
    slot = settle(throttle, 0.3, status=429, answers=50)
    assert slot.delay == project_settings.AUTOTHROTTLE_MAX_DELAY


def test_a_404_leaves_the_delay(throttle):
    slot = Slot(concurrency=8, delay=0.05, jitter=0)
    throttle._adjust_delay(slot, 0.3, Response(URL, status=404))
    assert slot.delay == 0.05


def test_the_delay_is_in_the_stats(throttle):
    settle(throttle, 2.0, delay=0.02)  # rising to its settled delay, its most
    settle(throttle, 0.3, answers=1, delay=0.02)
    stats = throttle.crawler.stats
    target = project_settings.AUTOTHROTTLE_TARGET_CONCURRENCY
    assert stats.get_value("autothrottle/max_delay_ms") == pytest.approx(1000 * 2.0 / target, abs=1)
    assert stats.get_value("autothrottle/delay_ms") == pytest.approx(1000 * (0.02 + 0.3 / target) / 2, abs=0.1)


# -- retries --

@pytest.fixture
def retries():
    crawler = project_crawler(RETRY_BACKOFF_BASE=0.05, RETRY_BACKOFF_MAX=0.15)
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def timed(coroutine):
    started = time.monotonic()
    result = asyncio.run(coroutine)
    return result, time.monotonic() - started


@pytest.mark.parametrize("attempt, pause", [(1, 0.05), (2, 0.10), (3, 0.15), (4, 0.15)])
def test_a_503_is_retried_after_a_growing_pause(retries, attempt, pause):
    request = Request(URL, meta={"retry_times": attempt - 1})
    retry, seconds = timed(retries.process_response(request, Response(URL, status=503, request=request)))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == attempt
    assert pause <= seconds < pause + 0.5


def test_a_dropped_connection_is_retried_after_a_pause(retries):
    from twisted.internet.error import ConnectionLost

    request = Request(URL)
    retry, seconds = timed(retries.process_exception(request, ConnectionLost()))
    assert isinstance(retry, Request)
    assert seconds >= 0.05


def test_a_good_answer_passes_at_once(retries):
    request = Request(URL)
    response = HtmlResponse(URL, body=b"<html></html>", request=request)
    passed, seconds = timed(retries.process_response(request, response))
    assert passed is response
    assert seconds < 0.05


def test_after_the_last_retry_the_503_is_given_up(retries):
    request = Request(URL, meta={"retry_times": project_settings.RETRY_TIMES})
    response = Response(URL, status=503, request=request)
    given_up, seconds = timed(retries.process_response(request, response))
    assert given_up is response
    assert seconds < 0.05


# -- the HTTP cache --

@pytest.fixture
def policy():
    return RevalidatingPolicy(project_crawler().settings)


def cached(**headers) -> Response:
    return Response(URL, status=200, headers=headers, body=b"old page")


def test_a_cached_page_is_always_revalidated_with_its_validators(policy):
    request = Request(URL)
    fresh = policy.is_cached_response_fresh(
        cached(ETag='"abc"', **{"Last-Modified": "Mon, 02 Feb 2026 10:00:00 GMT",
                                "Cache-Control": "max-age=86400"}), request)
    assert fresh is False
    assert request.headers.get("If-None-Match") == b'"abc"'
    assert request.headers.get("If-Modified-Since") == b"Mon, 02 Feb 2026 10:00:00 GMT"


@pytest.mark.parametrize("status, use_cached", [(304, True), (200, False), (503, False), (500, False)])
def test_the_cached_page_is_used_only_on_304(policy, status, use_cached):
    request = Request(URL)
    assert policy.is_cached_response_valid(cached(ETag='"abc"'), Response(URL, status=status), request) is use_cached
