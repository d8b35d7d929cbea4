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
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

logger = logging.getLogger(__name__)


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
        # imported here, not above: Scrapy imports every command's module for every command, and
        # a crawl would load the push libraries for nothing (0.2 s and 17 MB)
        from timetable_spider import push
        from timetable_spider.published_site import load_snapshot
        from timetable_spider.push_alerts import send_alerts
        from timetable_spider.subscriptions import Subscriptions, default_path

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
        counts = send_alerts(newest, snapshot, store, vapid, site,
                             self.settings.get("PUSH_CONTACT"), self.settings.getint("PUSH_TTL"))
        print(f"push alerts for the crawl of {newest['finished']}: {counts['sent']} sent, {counts['skipped']} "
              f"skipped, {counts['removed']} removed, {counts['retry']} to try again next run")
