"""Stable subscriptions: the store (subscriptions.py) in-process, and the contract of `scrapy
serve` over HTTP, each answer and each refusal, with real processes: two replicas on one
database, and a server killed with SIGKILL in the middle of writes."""
from __future__ import annotations

import http.client
import json
import signal
import sqlite3
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.crawling import crawl_simulated_site
from tests.serving import ServeProcess
from timetable_spider import subscriptions
from timetable_spider.subscriptions import Gone, Subscriptions, WrongKey

CALENDAR = "/feeds/IE2/921-1.ics?hide=MLE5028:L&take=MLE5015:2"
OTHER = "/feeds/IE2/921-2.ics?hide=MLE5015:C"


# -- the store -------------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    made = Subscriptions(tmp_path / "subscriptions.sqlite3")
    yield made
    made.close()


def test_an_id_has_128_random_bits_url_safe(store):
    identifier, _ = store.create(CALENDAR)
    assert (len(identifier) >= 22, set(identifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")) == (True, True)


def test_the_database_keeps_the_keys_hash_not_the_key(store):
    identifier, key = store.create(CALENDAR)
    rows = sqlite3.connect(store.path).execute("SELECT * FROM subscriptions").fetchall()
    assert (key in repr(rows), subscriptions.key_hash(key) in rows[0]) == (False, True)


def test_the_database_is_in_wal_mode(store):
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_change_with_the_key_changes_the_calendar(store):
    identifier, key = store.create(CALENDAR)
    store.change(identifier, key, OTHER)
    assert store.get(identifier).calendar == OTHER


def test_a_change_with_another_key_is_refused(store):
    identifier, _ = store.create(CALENDAR)
    with pytest.raises(WrongKey):
        store.change(identifier, "not the key", OTHER)


def test_a_deleted_subscription_is_gone_and_forgets_its_calendar(store):
    identifier, key = store.create(CALENDAR)
    store.delete(identifier, key)
    assert (store.get(identifier).deleted, store.get(identifier).calendar) == (True, "")


def test_a_deleted_subscription_cannot_be_changed(store):
    identifier, key = store.create(CALENDAR)
    store.delete(identifier, key)
    with pytest.raises(Gone):
        store.change(identifier, key, OTHER)


def test_reading_marks_it_used_at_most_once_a_day(store):
    identifier, _ = store.create(CALENDAR, now=1000.0)
    store.used(identifier, now=2000.0)
    store.used(identifier, now=1000.0 + subscriptions.USE_RESOLUTION + 1)
    used = sqlite3.connect(store.path).execute("SELECT used FROM subscriptions").fetchone()[0]
    assert used == 1000.0 + subscriptions.USE_RESOLUTION + 1


def test_unused_subscriptions_are_removed_and_used_ones_kept(store):
    old, _ = store.create(CALENDAR, now=1000.0)
    recent, _ = store.create(CALENDAR, now=9000.0)
    assert (store.remove_unused(since=5000.0), store.get(old), store.get(recent) is not None) == (1, None, True)


def test_the_default_database_is_beside_site_dir(tmp_path):
    assert subscriptions.default_path(tmp_path / "site") == tmp_path / ".site-subscriptions.sqlite3"


# -- the HTTP contract -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return crawl_simulated_site(tmp_path_factory.mktemp("subscriptions"))


@pytest.fixture(scope="module")
def server(site):
    with ServeProcess(site) as serving:
        yield serving


def create(server, calendar: str = CALENDAR, headers=None) -> dict:
    status, _, body = server.api("POST", "/subscriptions", {"calendar": calendar}, headers=headers)
    assert status == 201, body
    return json.loads(body)


def test_create_answers_201_with_the_feed_and_a_key(server):
    status, headers, body = server.api("POST", "/subscriptions", {"calendar": CALENDAR})
    made = json.loads(body)
    assert (status, sorted(made), made["feed"].startswith("/feeds/s/"), made["feed"].endswith(".ics")) == (
        201, ["feed", "key"], True, True)


def test_the_feed_answers_the_stored_calendars_bytes(server):
    made = create(server)
    assert server.get(made["feed"])[2] == server.get(CALENDAR)[2]


@pytest.mark.parametrize("validator, condition", [("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since")])
def test_the_feed_revalidates_with_a_304(server, validator, condition):
    feed = create(server)["feed"]
    tag = server.get(feed)[1][validator]
    assert server.get(feed, {condition: tag})[0] == 304


def test_a_change_with_the_key_answers_200_and_the_same_feed_serves_the_new_choices(server):
    made = create(server)
    status, _, body = server.api("PUT", made["feed"].replace("/feeds/s/", "/subscriptions/").removesuffix(".ics"),
                              {"calendar": OTHER}, key=made["key"])
    assert (status, json.loads(body)["feed"], server.get(made["feed"])[2]) == (200, made["feed"], server.get(OTHER)[2])


def test_delete_with_the_key_answers_204_and_the_feed_then_410(server):
    made = create(server)
    status, _, _ = server.api("DELETE", made["feed"].replace("/feeds/s/", "/subscriptions/").removesuffix(".ics"),
                           key=made["key"])
    assert (status, server.get(made["feed"])[0]) == (204, 410)


def subscription_path(made: dict) -> str:
    return made["feed"].replace("/feeds/s/", "/subscriptions/").removesuffix(".ics")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("key", [None, "wrong"], ids=["missing key", "wrong key"])
def test_a_missing_or_wrong_key_gets_403(server, method, key):
    made = create(server)
    assert server.api(method, subscription_path(made), {"calendar": OTHER}, key=key)[0] == 403


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_an_unknown_id_gets_404(server, method):
    assert server.api(method, "/subscriptions/nosuchid", {"calendar": OTHER}, key="k")[0] == 404


def test_an_unknown_feed_gets_404(server):
    assert server.get("/feeds/s/nosuchid.ics")[0] == 404


@pytest.mark.parametrize("body", [
    {"calendar": "/feeds/IE2/921-1.ics?hide="}, {"calendar": "/feeds/XX9/921-1.ics"}, {"calendar": "/feeds/IE2/nope.ics"},
    {"calendar": "https://evil.example/feeds/IE2/921-1.ics"}, {"calendar": "/index.html"}, {"calendar": 42},
    {"calendar": "/feeds/s/abc.ics"}, {"feed": CALENDAR}, b"not json", b"",
], ids=["bad query", "unknown code", "unknown file", "another site", "not a feed", "not text", "a stable feed",
        "no calendar", "not json", "empty"])
def test_anything_but_a_personal_feed_gets_400(server, body):
    assert server.api("POST", "/subscriptions", body)[0] == 400


def test_a_body_over_4_kb_gets_413(server):
    assert server.api("POST", "/subscriptions", {"calendar": CALENDAR + "&hide=X" * 1000})[0] == 413


def test_more_than_30_creations_a_minute_from_one_address_get_429(server):
    """Behind nginx on this host, the address nginx saw (X-Forwarded-For) counts."""
    address = {"X-Forwarded-For": "192.0.2.7"}
    statuses = [server.api("POST", "/subscriptions", {"calendar": CALENDAR}, headers=address)[0] for _ in range(31)]
    other = server.api("POST", "/subscriptions", {"calendar": CALENDAR}, headers={"X-Forwarded-For": "192.0.2.8"})[0]
    assert (statuses.count(201), statuses[-1], other) == (30, 429, 201)


@pytest.mark.parametrize("method, target", [("GET", "/subscriptions"), ("POST", "/subscriptions/abc"),
                                            ("PUT", "/subscriptions")])
def test_other_methods_get_405(server, method, target):
    assert server.api(method, target, {"calendar": CALENDAR}, key="k")[0] == 405


# -- replicas and kills ----------------------------------------------------------------------------------

def test_two_replicas_on_one_database_see_each_others_writes(site, tmp_path):
    database = tmp_path / "shared.sqlite3"
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as one, ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as two:
        made = create(one)
        changed = two.api("PUT", subscription_path(made), {"calendar": OTHER}, key=made["key"])[0]
        assert (changed, one.get(made["feed"])[2]) == (200, two.get(OTHER)[2])


def test_an_edit_shows_at_once_on_its_replica_and_within_the_cache_time_on_another(site, tmp_path):
    settings = {"SUBSCRIPTIONS_DB": tmp_path / "shared.sqlite3", "SERVE_SUBSCRIPTION_CACHE_SECONDS": 0.5}
    with ServeProcess(site, settings) as one, ServeProcess(site, settings) as two:
        old, new = one.get(CALENDAR)[2], one.get(OTHER)[2]
        made = create(one)
        one.get(made["feed"])  # read, so replica one keeps it for the cache time
        two.api("PUT", subscription_path(made), {"calendar": OTHER}, key=made["key"])
        on_its_replica, on_the_other = two.get(made["feed"])[2], one.get(made["feed"])[2]
        threading.Event().wait(0.6)
        later = one.get(made["feed"])[2]
    assert (on_its_replica, on_the_other, later) == (new, old, new)


def test_the_documented_backup_and_restore_keep_every_subscription(site, tmp_path):
    """docs/deploying.md's commands: SQLite's online backup while a replica runs (the data still in
    its WAL, where a plain copy of the file misses it), then the restore over the database."""
    state = tmp_path / "subscriptions"
    state.mkdir()
    database = state / "subscriptions.sqlite3"
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as running:
        made = [create(running, calendar) for calendar in (CALENDAR, OTHER)]
        plain_copy = tmp_path / "copied.sqlite3"
        shutil.copy(database, plain_copy)
        subprocess.run(["sqlite3", str(database), f".backup {tmp_path / 'backup.sqlite3'}"], check=True)
    try:
        in_the_plain_copy = sqlite3.connect(plain_copy).execute("SELECT count(*) FROM subscriptions").fetchone()[0]
    except sqlite3.OperationalError:  # not even the tables: they too are still in the WAL
        in_the_plain_copy = 0
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(tmp_path / "backup.sqlite3", database)
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as restored:
        served = [restored.get(m["feed"])[2] == restored.get(c)[2] for m, c in zip(made, (CALENDAR, OTHER))]
    assert (in_the_plain_copy, served) == (0, [True, True])


def test_concurrent_writes_from_two_replicas_all_land(site, tmp_path):
    database = tmp_path / "shared.sqlite3"
    made: list[dict] = []
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as one, ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as two:
        def make(server, n):
            for i in range(n):
                made.append(create(server, headers={"X-Forwarded-For": f"192.0.2.{i}"}))
        threads = [threading.Thread(target=make, args=(server, 25)) for server in (one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answers = {one.get(m["feed"])[0] for m in made} | {two.get(m["feed"])[0] for m in made}
    assert (len(made), answers) == (50, {200})


def test_a_server_killed_mid_writes_loses_no_subscription_it_confirmed(site, tmp_path):
    """Creations keep coming while the server is SIGKILLed: every 201 it answered is in the
    database whole, and a new server on the same file serves each of them."""
    database = tmp_path / "killed.sqlite3"
    confirmed: list[dict] = []
    server = ServeProcess(site, {"SUBSCRIPTIONS_DB": database}).start()
    stop = threading.Event()

    def keep_creating():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                confirmed.append(create(server, OTHER if n % 2 else CALENDAR, headers={"X-Forwarded-For": f"198.51.100.{n % 250}"}))
            except (OSError, AssertionError, http.client.HTTPException, ValueError):
                return

    writers = [threading.Thread(target=keep_creating) for _ in range(4)]
    for writer in writers:
        writer.start()
    threading.Event().wait(1.5)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    stop.set()
    for writer in writers:
        writer.join()
    rows = dict(sqlite3.connect(database).execute("SELECT id, calendar FROM subscriptions").fetchall())
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": database}) as again:
        served = {again.get(m["feed"])[0] for m in confirmed}
    assert (len(confirmed) > 10, all(m["feed"][9:-4] in rows for m in confirmed),
            set(rows.values()) <= {CALENDAR, OTHER}, served) == (True, True, True, {200})


def test_a_database_that_cannot_be_opened_leaves_the_feeds_working_and_says_why(site, tmp_path):
    not_a_directory = tmp_path / "a file"
    not_a_directory.write_text("")
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": not_a_directory / "subscriptions.sqlite3"}) as server:
        status, _, body = server.api("POST", "/subscriptions", {"calendar": CALENDAR})
        assert (status, b"subscriptions are not available" in body, server.get(CALENDAR)[0]) == (503, True, 200)
