"""`scrapy notify`: one push alert per subscribed browser whose calendar changed since it was last told.

    scrapy notify [-s SITE_DIR=...] [-s SUBSCRIPTIONS_DB=...] [-s PUSH_VAPID_KEY_FILE=...]

Run it after a crawl that published (scripts/cron-crawl.sh does). It reads the crawls of
data/changes.json, matches each browser's unseen ones with its subscription (by the personal
feeds' own rules, notifications.py), and sends each browser one encrypted message, many at once
(PUSH_CONCURRENCY) within PUSH_RUN_DEADLINE (push_alerts.py). Running it again sends nothing
twice; a crawl whose alerts did not get through is told by the next run. One run at a time: a
second one, while the first holds the lock beside the subscriptions database, sends nothing and
exits 0, as the first is telling the changes. Exit status: 0, also when there was nothing to
send or some pushes failed; 1 when it could not read what it needs (the published site, its
change log, the subscriptions).
"""
from __future__ import annotations

import argparse
import fcntl
import json
import logging
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from timetable_spider import open_data

logger = logging.getLogger(__name__)
# Seconds notify waits for the database's write lock: replicas hold it for milliseconds at a time.
NOTIFY_BUSY_TIMEOUT = 30.0


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-s NAME=VALUE ...]"

    def short_desc(self) -> str:
        return "Send push alerts of the crawls' changes to stable subscriptions not yet told of them"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        configure_logging(self.settings)
        # imported here and in _notify, not above: Scrapy imports every command's module for every
        # command, and a crawl would load the push libraries for nothing (0.2 s and 17 MB)
        from timetable_spider.subscriptions import default_path

        site = Path(self.settings["SITE_DIR"])
        try:
            crawls = open_data.change_log(json.loads((site / "data" / "changes.json").read_text("utf-8")))
        except (OSError, ValueError) as error:
            logger.error("Cannot read the change log %s: %s", site / "data" / "changes.json", error)
            self.exitcode = 1
            return
        if not any(crawl.get("changes") for crawl in crawls):
            print("push alerts: no crawl changed anything to tell of; 0 sent")
            return
        database = Path(self.settings.get("SUBSCRIPTIONS_DB") or default_path(site))
        if not database.exists():  # `scrapy serve` makes it with the first subscription
            print(f"push alerts: no subscriptions yet ({database}); 0 sent")
            return
        with open(database.with_name(database.name + ".notify-lock"), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # not a failure: the run holding it tells these changes, or the next run does
                logger.info("Another scrapy notify is sending alerts for %s; this one sends nothing", database)
                print("push alerts: another run is sending them; 0 sent")
                return
            self._notify(site, crawls, database)

    def _notify(self, site: Path, crawls: list[dict], database: Path) -> None:
        from timetable_spider import push
        from timetable_spider.published_site import load_snapshot
        from timetable_spider.push_alerts import COUNTS, send_alerts
        from timetable_spider.subscriptions import Subscriptions

        settings = self.settings
        try:
            push.check_contact(settings.get("PUSH_CONTACT"))
            snapshot = load_snapshot(str(site), 0)
            # a batch job may wait for a replica's write: longer than the server's own short timeout
            store = Subscriptions(database, busy_timeout=NOTIFY_BUSY_TIMEOUT)
            vapid = push.load_or_create_key(settings.get("PUSH_VAPID_KEY_FILE") or push.default_key_path(site))
        except Exception as error:
            logger.error("Cannot send push alerts: %s", error)
            self.exitcode = 1
            return
        policy = push.EndpointPolicy.from_settings(settings)
        contact, ttl = settings.get("PUSH_CONTACT"), settings.getint("PUSH_TTL")

        def send(target, payload: dict, timeout: float) -> push.Delivery:
            return push.send(target.endpoint, target.p256dh, target.auth, payload, vapid, contact, ttl, policy, timeout)

        try:
            counts = send_alerts(crawls, snapshot, store, site, send,
                                 concurrency=settings.getint("PUSH_CONCURRENCY"),
                                 run_deadline=settings.getfloat("PUSH_RUN_DEADLINE"),
                                 push_timeout=settings.getfloat("PUSH_TIMEOUT"),
                                 remove_failing_days=settings.getfloat("PUSH_REMOVE_FAILING_DAYS"))
        finally:
            store.close()
        print(f"push alerts up to the crawl of {crawls[0]['finished']}: "
              + ", ".join(f"{counts[name]} {name}" for name in COUNTS))
