"""`scrapy serve` among strangers: the limits on requests (size, time, writes per address and per
subscription), the client's address behind a proxy, what is checked where it enters (push
endpoints, keys, bodies, headers), and the answers when the database is busy or read-only.
Real processes on loopback; a proxy on another loopback address (127.0.0.2)."""
from __future__ import annotations

import base64
import errno
import json
import os
import socket
import sqlite3
import time
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from twisted.internet.defer import Deferred
from twisted.web.test.requesthelper import DummyRequest

from tests.crawling import crawl_simulated_site
from tests.serving import ServeProcess
from timetable_spider.feed_server import site_files
from timetable_spider.feed_server.services import RecentSubscriptions

CALENDAR = "/feeds/IE2/921-1.ics?hide=MLE5028:L"
FCM = "https://fcm.googleapis.com/fcm/send/"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {"p256dh": b64(point), "auth": b64(b"0123456789abcdef")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return crawl_simulated_site(tmp_path_factory.mktemp("serve-limits"))


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    state = tmp_path_factory.mktemp("serve-limits-state")
    settings = {"SUBSCRIPTIONS_DB": state / "db.sqlite3", "PUSH_VAPID_KEY_FILE": state / "vapid.pem",
                "SUBSCRIPTIONS_CREATE_PER_MINUTE": 1000, "SUBSCRIPTIONS_CHANGE_PER_MINUTE": 1000,
                "SERVE_REQUEST_DEADLINE": 1}
    with ServeProcess(site, settings) as serving:
        serving.database = state / "db.sqlite3"
        yield serving


def subscribed(server) -> tuple[str, str]:
    status, _, body = server.api("POST", "/subscriptions", {"calendar": CALENDAR})
    assert status == 201, body
    made = json.loads(body)
    return made["feed"][len("/feeds/s/"):-len(".ics")], made["key"]


def raw(port: int, request: bytes, pause: float = 0.0, pieces: int = 1) -> tuple[bytes, float]:
    """Sends the request (in pieces, with a pause between them) and reads the answer's first bytes."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        size = -(-len(request) // pieces)
        try:
            for start in range(0, len(request), size):
                connection.sendall(request[start:start + size])
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return connection.recv(200), time.perf_counter() - started
        except ConnectionResetError:
            return b"", time.perf_counter() - started


# -- the size and time of a request ------------------------------------------------------------------

def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(server):
    answer, _ = raw(server.port, b"POST /subscriptions HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(server):
    chunk = b"1000\r\n" + b"[" * 4096 + b"\r\n"
    answer, _ = raw(server.port, b"POST /subscriptions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 2)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_header_line_over_16_kb_gets_an_answer(server):
    answer, _ = raw(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 17000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_client_dripping_its_headers_is_cut_off_at_the_deadline(server):
    headers = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(8)) + b"\r\n"
    answer, _ = raw(server.port, headers, pause=0.3, pieces=10)
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_a_deeply_nested_body_is_a_400(server):
    identifier, key = subscribed(server)
    assert server.api("PUT", f"/subscriptions/{identifier}", b"[" * 2000, key)[0] == 400


@pytest.mark.parametrize("target", ["/feeds/IE2/921-1.ics", "/index.html"])
def test_an_if_modified_since_beyond_any_calendar_is_ignored(server, target):
    assert server.api("GET", target, headers={"If-Modified-Since": "Sat, 05 Dec 99999999999 10:00:00 GMT"})[0] == 200


def test_no_answer_names_the_server_or_its_version(server):
    assert "Server" not in server.api("GET", "/index.html")[1]


# -- the client's address, the limits per address ---------------------------------------------------

@pytest.fixture
def limited(site, tmp_path):
    """A server whose trusted proxy is 127.0.0.2, allowing 3 creations a minute per client."""
    settings = {"SUBSCRIPTIONS_DB": tmp_path / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem",
                "SUBSCRIPTIONS_CREATE_PER_MINUTE": 3, "SERVE_TRUSTED_PROXIES": "127.0.0.2"}
    with ServeProcess(site, settings) as serving:
        yield serving


def creations(server, count: int, source: str, forwarded) -> list[int]:
    return [server.api("POST", "/subscriptions", {"calendar": CALENDAR}, source=source,
                 headers={"X-Forwarded-For": forwarded(n)} if forwarded else None)[0] for n in range(count)]


def test_behind_a_trusted_proxy_the_limit_counts_the_address_it_appended(limited):
    # The client writes anything into the header's first entry; the proxy appends the address it saw.
    statuses = creations(limited, 4, "127.0.0.2", lambda n: f"203.0.113.{n}, 198.51.100.7")
    assert statuses == [201, 201, 201, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(limited):
    statuses = creations(limited, 4, "127.0.0.2", lambda n: f"198.51.100.{n}")
    assert statuses == [201] * 4


def test_an_untrusted_peers_forwarded_header_is_not_read(limited):
    statuses = creations(limited, 4, "127.0.0.1", lambda n: f"198.51.100.{n}")
    assert statuses == [201, 201, 201, 429]


def test_a_429_says_when_to_try_again(limited):
    creations(limited, 3, "127.0.0.1", None)
    status, headers, _ = limited.api("POST", "/subscriptions", {"calendar": CALENDAR})
    assert (status, 1 <= int(headers["Retry-After"]) <= 60) == (429, True)


def test_two_replicas_share_one_limit(site, tmp_path):
    settings = {"SUBSCRIPTIONS_DB": tmp_path / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem",
                "SUBSCRIPTIONS_CREATE_PER_MINUTE": 3}
    with ServeProcess(site, settings) as one, ServeProcess(site, settings) as two:
        statuses = [replica.api("POST", "/subscriptions", {"calendar": CALENDAR})[0]
                    for replica in (one, two, one, two)]
    assert statuses == [201, 201, 201, 429]


def test_changes_are_limited_per_address_too(site, tmp_path):
    settings = {"SUBSCRIPTIONS_DB": tmp_path / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem",
                "SUBSCRIPTIONS_CHANGE_PER_MINUTE": 2}
    with ServeProcess(site, settings) as serving:
        identifier, key = subscribed(serving)
        statuses = [serving.api("PUT", f"/subscriptions/{identifier}", {"calendar": CALENDAR}, key)[0]
                    for _ in range(3)]
    assert statuses == [200, 200, 429]


# -- what a stranger sends ---------------------------------------------------------------------------

def test_a_subscription_alerts_a_few_browsers_and_refuses_one_more(server):
    identifier, key = subscribed(server)
    statuses = [server.api("POST", f"/subscriptions/{identifier}/push",
                     {"endpoint": f"{FCM}{n}", "keys": browser_keys()}, key)[0] for n in range(6)]
    assert statuses == [201] * 5 + [409]


def test_a_browser_attached_again_renews_its_keys_within_the_limit(server):
    identifier, key = subscribed(server)
    statuses = [server.api("POST", f"/subscriptions/{identifier}/push",
                     {"endpoint": f"{FCM}again", "keys": browser_keys()}, key)[0] for _ in range(7)]
    assert statuses == [201] * 7


@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1:9/x", "https://localhost:22/x", "https://[::1]:6379/x", "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/x", "https://0x7f000001/x", "https://2130706433/x", "https://[::ffff:127.0.0.1]/x",
    "https://user:pass@fcm.googleapis.com/fcm/send/x", "https:x", "https://[abc/x", f"{FCM}{'a' * 3800}",
    "http://fcm.googleapis.com/fcm/send/x", "https://fcm.googleapis.com.example.net/x", "https://xfcm.googleapis.com/x",
    "https://fcm.googleapis.com:8443/x", "https://push.example/x",
])
def test_an_endpoint_that_is_no_browsers_push_service_is_refused(server, endpoint):
    identifier, key = subscribed(server)
    status, _, body = server.api("POST", f"/subscriptions/{identifier}/push", {"endpoint": endpoint, "keys": browser_keys()}, key)
    assert (status, body.startswith(b"endpoint: ")) == (400, True)


@pytest.mark.parametrize("keys", [
    {"p256dh": "!!!!", "auth": "!!"},
    {"p256dh": "AAAA", "auth": b64(b"0123456789abcdef")},
    {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"0123456789abcdef")},  # not on the curve
    {"p256dh": browser_keys()["p256dh"], "auth": b64(b"short")},
    {"p256dh": browser_keys()["p256dh"]},
    {"p256dh": 5, "auth": []},
])
def test_keys_no_browser_makes_are_refused(server, keys):
    identifier, key = subscribed(server)
    status, _, body = server.api("POST", f"/subscriptions/{identifier}/push", {"endpoint": f"{FCM}k", "keys": keys}, key)
    assert (status, body.startswith(b"keys: ")) == (400, True)


def test_the_stored_calendar_is_the_normalized_query(server):
    identifier, key = subscribed(server)
    _, _, body = server.api("PUT", f"/subscriptions/{identifier}",
                      {"calendar": "/feeds/IE2/921-1.ics?hide=MLE5028:L&hide=MLE5011&hide=MLE5028:L"}, key)
    assert json.loads(body)["calendar"] == "/feeds/IE2/921-1.ics?hide=MLE5011&hide=MLE5028:L"


@pytest.mark.parametrize("method, suffix, body", [
    ("PUT", "", {"calendar": CALENDAR}),
    ("DELETE", "", None),
    ("POST", "/push", {"endpoint": f"{FCM}gone", "keys": browser_keys()}),
    ("DELETE", "/push", {"endpoint": f"{FCM}gone"}),
])
def test_a_deleted_subscription_stays_410(server, method, suffix, body):
    identifier, key = subscribed(server)
    assert server.api("DELETE", f"/subscriptions/{identifier}", key=key)[0] == 204
    assert server.api(method, f"/subscriptions/{identifier}{suffix}", body, key)[0] == 410


def test_a_stable_feed_is_revalidated_at_every_refresh(server):
    identifier, _ = subscribed(server)
    _, headers, _ = server.api("GET", f"/feeds/s/{identifier}.ics")
    assert (headers["Cache-Control"], headers["ETag"].startswith('"')) == ("no-cache", True)


def test_the_database_is_readable_by_its_owner_only(server):
    assert {oct(path.stat().st_mode & 0o777) for path in server.database.parent.glob("db.sqlite3*")} == {"0o600"}


# -- a busy or read-only database --------------------------------------------------------------------

@pytest.fixture
def write_lock(server):
    """Another process holds the database's write lock."""
    holder = sqlite3.connect(server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def test_with_the_write_lock_held_elsewhere_a_write_is_a_503_with_retry_after(server, write_lock):
    status, headers, body = server.api("POST", "/subscriptions", {"calendar": CALENDAR})
    assert (status, headers.get("Retry-After"), b"/" in body) == (503, "5", False)


def test_with_the_write_lock_held_elsewhere_a_stable_feed_is_still_served(server):
    identifier, _ = subscribed(server)
    holder = sqlite3.connect(server.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        status = server.api("GET", f"/feeds/s/{identifier}.ics")[0]
    finally:
        holder.execute("ROLLBACK")
    assert status == 200


def test_a_read_that_cannot_be_recorded_is_logged_and_the_feed_still_served(server):
    identifier, _ = subscribed(server)
    holder = sqlite3.connect(server.database, isolation_level=None)
    holder.execute("UPDATE subscriptions SET used = 0 WHERE id = ?", (identifier,))  # last read long ago
    holder.execute("BEGIN IMMEDIATE")
    try:
        status = server.api("GET", f"/feeds/s/{identifier}.ics")[0]
        time.sleep(1.5)  # SUBSCRIPTIONS_BUSY_TIMEOUT is 1 s
    finally:
        holder.execute("ROLLBACK")
    assert (status, f"Could not record that subscription {identifier} was read" in server.log) == (200, True)


def test_a_read_only_database_serves_every_stable_feed_and_refuses_changes(site, tmp_path):
    """The database's directory mounted read-only (a copy on another host, say), as root in a
    mount namespace of the server's own."""
    state = tmp_path / "state"
    state.mkdir()
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": state / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem"}) as writable:
        identifier, key = subscribed(writable)
    command = ServeProcess(site, {"SUBSCRIPTIONS_DB": state / "db.sqlite3", "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem"})
    command.command = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                       'mount --bind -o ro "$0" "$0" && exec "$@"', str(state), *command.command]
    with command as read_only:
        feed = read_only.api("GET", f"/feeds/s/{identifier}.ics")[0]
        change = read_only.api("PUT", f"/subscriptions/{identifier}", {"calendar": CALENDAR}, key)[0]
    assert (feed, change) == (200, 503)


def test_the_api_description_is_served(server):
    status, headers, body = server.api("GET", "/api/openapi.yaml")
    assert (status, headers["Content-Type"], body.startswith(b"openapi: 3.1")) == (200, "application/yaml", True)


@pytest.mark.parametrize("error, status", [
    (errno.ENOENT, 404), (errno.ENOTDIR, 404), (errno.ELOOP, 404), (errno.EMFILE, 503), (errno.EACCES, 503), (errno.EIO, 503),
])
def test_only_no_such_file_is_a_404(site, monkeypatch, error, status):
    """Out of descriptors, a file it may not read: a calendar app told 404 would drop its calendar."""
    def failing(directory, names):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(site_files, "open_beneath", failing)
    services = SimpleNamespace(published=SimpleNamespace(site_dir=str(site), snapshot=None), max_age=lambda _: 300)
    request = DummyRequest([b"index.html"])
    site_files.SiteFile(services, ["index.html"]).render(request)
    assert request.responseCode == status


@pytest.mark.parametrize("target", ["/feeds/IE2%0AX-Injected:%201/921-1.ics", "/feeds/IE2/921-1.ics%0D%0A%1B[31m"])
def test_a_refusal_quoting_the_request_stays_one_printable_line(server, target):
    status, _, body = server.api("GET", target)
    assert (status, body.count(b"\n"), body.isascii() and all(32 <= c < 127 for c in body[:-1])) == (404, 1, True)


# -- the stable feeds' recent reads (plain, no server) -----------------------------------------------

def reader_and_loads():
    loads: list[Deferred] = []

    def load() -> Deferred:
        loads.append(Deferred())
        return loads[-1]

    return RecentSubscriptions(seconds=5), loads, load


def test_requests_for_an_id_being_read_wait_for_that_one_read():
    reader, loads, load = reader_and_loads()
    first, second = reader.read("a", 100.0, load), reader.read("a", 100.1, load)
    got = []
    first.addCallback(got.append), second.addCallback(got.append)
    loads[0].callback("subscription a")
    assert (len(loads), got) == (1, ["subscription a", "subscription a"])


def test_a_read_is_reused_for_its_seconds_then_read_again():
    reader, loads, load = reader_and_loads()
    reader.read("a", 100.0, load)
    loads[0].callback("subscription a")
    assert (reader.read("a", 104.9, load), isinstance(reader.read("a", 105.1, load), Deferred)) == ("subscription a", True)


def test_an_id_forgotten_after_an_edit_is_read_again():
    reader, loads, load = reader_and_loads()
    reader.read("a", 100.0, load)
    loads[0].callback("subscription a")
    reader.forget("a")
    assert isinstance(reader.read("a", 100.5, load), Deferred)


def test_a_failed_read_fails_every_waiter_and_is_not_kept():
    reader, loads, load = reader_and_loads()
    failures = []
    reader.read("a", 100.0, load).addErrback(failures.append)
    reader.read("a", 100.0, load).addErrback(failures.append)
    loads[0].errback(sqlite3.OperationalError("database is locked"))
    assert (len(failures), isinstance(reader.read("a", 100.1, load), Deferred), len(loads)) == (2, True, 2)


# -- health ----------------------------------------------------------------------------------------

def test_a_healthy_replica_says_so(server):
    status, _, body = server.api("GET", "/healthz")
    health = json.loads(body)
    assert (status, health["ok"], health["database"], health["push"], health["site"]["age_seconds"] < 3600) == (
        200, True, "ok", True, True)


def test_a_replica_with_no_site_and_no_database_says_what_is_wrong(tmp_path):
    not_a_directory = tmp_path / "a file"
    not_a_directory.write_text("")
    with ServeProcess(tmp_path / "no-site", {"SUBSCRIPTIONS_DB": not_a_directory / "db.sqlite3",
                                             "PUSH_VAPID_KEY_FILE": tmp_path / "vapid.pem"}) as serving:
        status, _, body = serving.api("GET", "/healthz")
    assert (status, json.loads(body)["problems"]) == (
        503, ["no site is published", "the subscriptions database is unavailable"])
