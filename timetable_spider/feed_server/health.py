"""GET /healthz: is this replica fit to serve? For monitoring and a load balancer's checks:
200 when a site is published and fresh, the subscriptions' database answers and push alerts
can be sent; otherwise 503, the same JSON saying what is wrong."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from timetable_spider.feed_server.http import json_answer
from timetable_spider.feed_server.services import ServiceRoute

# A site older than this many crawl intervals means the daily crawl has stopped publishing.
STALE_AFTER_INTERVALS = 2


class Health(ServiceRoute):
    methods = (b"GET",)

    async def GET(self, request) -> bytes:
        services, now = self.services, time.time()
        problems = []
        snapshot = services.published.current()
        site = None
        if snapshot is None:
            problems.append("no site is published")
        elif snapshot.published is not None:
            age = int(now - snapshot.published)
            site = {"published": datetime.fromtimestamp(snapshot.published, timezone.utc).isoformat(),
                    "age_seconds": age}
            if age > STALE_AFTER_INTERVALS * services.crawl_interval:
                problems.append(f"the site was published {age // 3600} hours ago")
        database = await self._database_state()
        if database not in ("ok", "read-only"):
            problems.append(f"the subscriptions database is {database}")
        if services.push_key is None:
            problems.append("push alerts are not available")
        return json_answer(request, {"ok": not problems, "problems": problems, "site": site, "database": database,
                                     "push": services.push_key is not None}, 503 if problems else 200)

    async def _database_state(self) -> str:
        store = self.services.store
        if store is None:
            return "unavailable"
        try:
            await self.services.in_database(store.get, "")
        except Exception:
            return "not answering"
        return "read-only" if store.read_only else "ok"
