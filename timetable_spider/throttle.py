"""AutoThrottle that reads 304 as a normal answer and backs off on 429 and 503.

Scrapy's AutoThrottle never lowers its delay on a non-200 answer, so a re-crawl made of 304s
stays at the start delay; and it never raises the delay on 503, the very answer that asks
a crawler to slow down. The delay it settles on goes into the stats, to show how it adapts.
"""
from __future__ import annotations

from scrapy.extensions.throttle import AutoThrottle

SLOW_DOWN_STATUSES = {429, 503}


class PoliteAutoThrottle(AutoThrottle):
    def _adjust_delay(self, slot, latency, response):
        if response.status in SLOW_DOWN_STATUSES:
            slot.delay = min(max(2 * slot.delay, self.mindelay, 0.25), self.maxdelay)
        elif response.status == 304:
            super()._adjust_delay(slot, latency, response.replace(status=200))
        else:
            super()._adjust_delay(slot, latency, response)
        stats = self.crawler.stats
        stats.set_value("autothrottle/delay_ms", round(slot.delay * 1000, 1))
        stats.max_value("autothrottle/max_delay_ms", round(slot.delay * 1000, 1))
