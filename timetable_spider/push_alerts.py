"""One run of push alerts (`scrapy notify`): each stable subscription with push whose calendar the
newest crawl changed gets one encrypted message; an endpoint the push service calls gone (404,
410) is removed, and one that asks to wait (429, 5xx) or cannot be reached is left for the next run.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import requests

from timetable_spider import notifications, push, site_paths
from timetable_spider.personal_feeds import BadQuery, parse_query
from timetable_spider.subscriptions import Subscriptions

logger = logging.getLogger(__name__)
DELIVERED = {200, 201, 202}
GONE = {404, 410}


def send_alerts(crawl: dict, snapshot, store: Subscriptions, vapid, site: Path, contact: str, ttl: int) -> dict[str, int]:
    """Sends each push target whose calendar the crawl changed one alert; returns how many were
    sent, skipped, removed (gone) and left to try again."""
    counts = dict.fromkeys(("sent", "skipped", "removed", "retry"), 0)
    today = date.today()
    session = requests.Session()
    for target in store.push_targets():
        path, _, query = target.calendar.partition("?")
        code, file = (path.split("/") + ["", "", ""])[2:4]
        spec = snapshot.faculty.get(code)
        calendar = spec.calendars.get(file) if spec else None
        try:
            selection = parse_query(query)
        except BadQuery:
            calendar = None
        if target.notified == crawl["finished"] or calendar is None:
            counts["skipped"] += 1
            continue
        touching = [c for c in crawl["changes"]
                    if notifications.touches(c, code, calendar.group, calendar.subgroup, selection)]
        if not touching:
            store.notified(target, crawl["finished"])
            counts["skipped"] += 1
            continue
        dates = class_dates(site, {c["code"] for c in touching})
        payload = notifications.message(code, calendar.group, calendar.subgroup, touching,
                                        {uid: notifications.next_date(d, today) for uid, d in dates.items()})
        status = push.send(target.endpoint, target.p256dh, target.auth, payload, vapid, contact, ttl, session)
        if status in DELIVERED:
            store.notified(target, crawl["finished"])
            counts["sent"] += 1
        elif status in GONE:
            store.remove_push(target)
            counts["removed"] += 1
        else:
            logger.warning("Push to %s answered %s; the next run tries again", target.endpoint, status)
            counts["retry"] += 1
    return counts


def class_dates(site: Path, codes: set[str]) -> dict[str, list[str]]:
    """uid -> the class's dates, from the published records of those timetables."""
    dates: dict[str, list[str]] = {}
    for code in codes:
        try:
            record = json.loads((site / site_paths.data_file_name(code)).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        for group in record["groups"]:
            for entry in group["entries"]:
                dates.setdefault(entry["uid"], entry["dates"])
    return dates
