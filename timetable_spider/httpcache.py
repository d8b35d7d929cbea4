"""HTTP cache policy: keep every page, but ask the server each time whether it changed.

Scrapy's RFC2616Policy trusts a cached page while it is heuristically "fresh" (a tenth of
its age since Last-Modified, often days for a timetable) and serves the cached copy when the
server answers 5xx. Timetables change without notice, and a 503 should be retried, not
hidden, so this policy always revalidates and accepts the cached copy only on 304.
"""
from __future__ import annotations

from scrapy.extensions.httpcache import RFC2616Policy


class RevalidatingPolicy(RFC2616Policy):
    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304
