"""One run of push alerts (`scrapy notify`): each stable subscription with push whose calendar
changed since its browser was last told gets one encrypted message, of every crawl it missed.

Many at once (a push service takes about 100 ms to answer), within a deadline for the whole run;
what one target does (bad keys in the database, a refused endpoint, a hanging or failing push
service, an exception from the push libraries) is that target's failure, logged with its
subscription's id, and never ends the run. An endpoint the push service calls gone (404, 410) is
removed; one that has failed on every run for PUSH_REMOVE_FAILING_DAYS is removed too (by a run
that got other messages through); any other is left for the next run, which tells it everything
it missed.
"""
from __future__ import annotations

import json
import logging
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import date, datetime
from functools import lru_cache
from itertools import takewhile
from pathlib import Path
from typing import Callable

from timetable_spider import notifications, open_data, site_paths
from timetable_spider.personal_feeds import BadQuery, parse_query
from timetable_spider.push import Delivery, Outcome
from timetable_spider.subscriptions import PushTarget, Subscriptions

logger = logging.getLogger(__name__)
# What the summary counts: sent, skipped (nothing to tell), removed, failed, timed out
COUNTS = ("sent", "skipped", "removed", "failed", "timed out")
# Push services take messages of at most 4096 bytes, encrypted: 3993 of JSON (RFC 8291). A
# catch-up of many crawls can be longer, so its body keeps the lines that fit, with some room.
MAX_PAYLOAD = 3800
# Sends one payload to a target within the seconds given; push.send with the run's key and rules.
Send = Callable[[PushTarget, dict, float], Delivery]


def send_alerts(crawls: list[dict], snapshot, store: Subscriptions, site: Path, send: Send, *,
                concurrency: int, run_deadline: float, push_timeout: float, remove_failing_days: float,
                now: float | None = None) -> Counter:
    """Tells each push target of the changes to its calendar in the crawls (data/changes.json,
    newest first) it has not been told of; returns how many were sent, skipped, removed, failed
    and timed out. At most `concurrency` messages are in flight, each for at most push_timeout
    seconds; targets not sent to within run_deadline seconds are counted timed out."""
    now = time.time() if now is None else now
    end = time.monotonic() + run_deadline
    counts = Counter(dict.fromkeys(COUNTS, 0))
    # a semester that began makes the changes before it moot: they were to the old timetables
    told = [(crawl, datetime.fromisoformat(crawl["finished"]).timestamp())
            for crawl in takewhile(lambda crawl: not crawl.get("began"), crawls)]
    newest = crawls[0]["finished"] if crawls else ""
    dates = lru_cache(maxsize=64)(lambda code: class_dates(site, code))  # a timetable's, read once a run
    in_flight: dict[Future, PushTarget] = {}

    def record(done) -> None:
        for future in done:
            target = in_flight.pop(future)
            try:
                delivery = future.result()
            except Exception as error:  # push.send does not raise; if it ever does, it is this target's
                delivery = Delivery(Outcome.RETRY, repr(error))
            outcome = delivery.outcome
            if outcome is Outcome.DELIVERED:
                store.push_delivered(target, newest)
                counts["sent"] += 1
                continue
            if outcome is Outcome.GONE:
                store.remove_push(target)
                counts["removed"] += 1
                continue
            store.push_failed(target, now)
            counts["timed out" if outcome is Outcome.TIMED_OUT else "failed"] += 1
            logger.warning("Push for subscription %s %s (%s); the next run tries again",
                           target.subscription, outcome.value, delivery.reason)

    with ThreadPoolExecutor(concurrency, thread_name_prefix="push") as pool:
        for target in store.push_targets():
            if target.notified == newest:
                counts["skipped"] += 1
                continue
            try:
                payload = alert(target, told, snapshot, dates)
            except Exception:  # a row no rule expected; the others are told all the same
                logger.exception("Push for subscription %s: cannot make its alert", target.subscription)
                store.push_failed(target, now)
                counts["failed"] += 1
                continue
            if payload is None:
                store.notified(target, newest)
                counts["skipped"] += 1
                continue
            remaining = end - time.monotonic()
            if remaining <= 0:  # left, untold, for the next run
                counts["timed out"] += 1
                continue
            # a payload is made only when a slot is near: at most `concurrency` are held at once
            while len(in_flight) >= concurrency:
                record(wait(in_flight, return_when=FIRST_COMPLETED).done)
            in_flight[pool.submit(send, target, payload, min(push_timeout, remaining))] = target
        # each message in flight ends by its own timeout, which ends by the run's deadline
        record(wait(in_flight).done)
    # failures are the endpoints' only when others got through: a run with no network (or a bad
    # key) must not count against every browser
    if counts["sent"]:
        counts["removed"] += store.remove_failing(now - remove_failing_days * 24 * 60 * 60)
    return counts


def alert(target: PushTarget, told: list[tuple[dict, float]], snapshot, dates: Callable[[str], dict]) -> dict | None:
    """The payload telling target of its calendar's changes in the crawls after the last one it
    was told of (after it was attached, for a first alert); None when there are none."""
    path, _, query = target.calendar.partition("?")
    code, file = (path.split("/") + ["", "", ""])[2:4]
    spec = snapshot.faculty.get(code)
    calendar = spec.calendars.get(file) if spec else None
    try:
        selection = parse_query(query)
    except BadQuery:
        return None
    if calendar is None:
        return None
    # "finished" is to the second, so a crawl that ended in the second of the attach counts as after it
    since = datetime.fromisoformat(target.notified).timestamp() if target.notified else int(target.attached) - 0.5
    touching = [change for crawl, finished in reversed(told) if finished > since for change in crawl["changes"]
                if notifications.touches(change, calendar, selection, snapshot.faculty)]
    if not touching:
        return None
    today = date.today()
    next_dates = {change["uid"]: notifications.next_date(dates(change["code"]).get(change["uid"], []), today)
                  for change in touching}
    return fitted(notifications.message(code, calendar.group, calendar.subgroup, touching, next_dates))


def fitted(payload: dict[str, str]) -> dict[str, str]:
    """payload, its body cut to the first lines that fit in MAX_PAYLOAD bytes and a last line
    saying how many more there are."""
    lines = payload["body"].split("\n")
    kept, body = len(lines), payload["body"]
    while kept > 1 and len(json.dumps({**payload, "body": body}, ensure_ascii=False).encode()) > MAX_PAYLOAD:
        kept -= 1
        body = "\n".join([*lines[:kept], f"… and {len(lines) - kept} more"])
    return {**payload, "body": body}


def class_dates(site: Path, code: str) -> dict[str, list[str]]:
    """uid -> the class's dates, from the published record of that timetable."""
    try:
        record = open_data.load_record((site / site_paths.data_file_name(code)).read_bytes())
    except OSError:
        record = None
    if record is None:
        return {}
    return {entry["uid"]: entry["dates"] for entry, _groups in open_data.distinct_entries(record)}
