"""`scrapy notify`: one push alert per subscribed browser whose calendar the newest crawl changed.

    scrapy notify [-s SITE_DIR=...] [-s SUBSCRIPTIONS_DB=...] [-s PUSH_VAPID_KEY_FILE=...]

Run it after a crawl that published (scripts/cron-crawl.sh does). It reads the newest crawl of
data/changes.json, matches its changes with each stable subscription that has push (by the
personal feeds' own rules, notifications.py), and sends each browser one encrypted message.
Running it again for the same crawl sends nothing twice; an endpoint the push service calls
gone (404, 410) is removed; one that asks to wait (429, 5xx) or cannot be reached is tried again
by the next run. Exit status: 0, also when there was nothing to send; 1 when it could not read
what it needs (the published site, its change log, the subscriptions).
"""
from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from pathlib import Path

import requests
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from timetable_spider import notifications, push, site_paths
from timetable_spider.feed_server import load_snapshot
from timetable_spider.personal_feeds import BadQuery, parse_query
from timetable_spider.subscriptions import Subscriptions, default_path

logger = logging.getLogger(__name__)
DELIVERED = {200, 201, 202}
GONE = {404, 410}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-s NAME=VALUE ...]"

    def short_desc(self) -> str:
        return "Send push alerts for the newest crawl's changes to stable subscriptions"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        configure_logging(self.settings)
        site = Path(self.settings["SITE_DIR"])
        try:
            crawls = json.loads((site / "data" / "changes.json").read_text("utf-8"))
        except (OSError, ValueError) as error:
            logger.error("Cannot read the change log %s: %s", site / "data" / "changes.json", error)
            self.exitcode = 1
            return
        newest = crawls[0] if crawls else None
        if not newest or newest.get("began") or not newest.get("changes"):
            print("push alerts: the newest crawl changed nothing to tell of; 0 sent")
            return
        database = Path(self.settings.get("SUBSCRIPTIONS_DB") or default_path(site))
        if not database.exists():  # `scrapy serve` makes it with the first subscription
            print(f"push alerts: no subscriptions yet ({database}); 0 sent")
            return
        try:
            snapshot = load_snapshot(str(site), 0)
            store = Subscriptions(database)
            vapid = push.load_or_create_key(self.settings.get("PUSH_VAPID_KEY_FILE") or push.default_key_path(site))
        except Exception as error:
            logger.error("Cannot send push alerts: %s", error)
            self.exitcode = 1
            return
        counts = self.notify(newest, snapshot, store, vapid, site)
        print(f"push alerts for the crawl of {newest['finished']}: {counts['sent']} sent, {counts['skipped']} "
              f"skipped, {counts['removed']} removed, {counts['retry']} to try again next run")

    def notify(self, crawl: dict, snapshot, store: Subscriptions, vapid, site: Path) -> dict[str, int]:
        counts = dict.fromkeys(("sent", "skipped", "removed", "retry"), 0)
        contact, ttl = self.settings.get("PUSH_CONTACT"), self.settings.getint("PUSH_TTL")
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
