"""Push hardening (issue 26): which endpoints and keys are accepted, which addresses notify
refuses to connect to, and `scrapy notify` against poison subscriptions, hanging and dripping
push services, missed crawls, a second run at once, and endpoints that fail for days.

Everything runs on loopback: what must never be connected to is a loopback listener that counts
its connections, and notify is shown to leave it at zero."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import http_ece
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from cryptography.x509.oid import NameOID
from py_vapid import Vapid02
from scrapy.settings import Settings

from tests.crawling import PROJECT, crawl_simulated_site
from timetable_spider import push, push_alerts
from timetable_spider import settings as project_settings
from timetable_spider.personal_feeds import Calendar
from timetable_spider.push import BadKeys, Delivery, EndpointPolicy, Outcome, RefusedEndpoint
from timetable_spider.subscriptions import Subscriptions

DAY = 24 * 60 * 60


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def policy(**settings) -> EndpointPolicy:
    values = Settings()
    values.setmodule(project_settings)
    values.update(settings)
    return EndpointPolicy.from_settings(values)


def browser() -> tuple[ec.EllipticCurvePrivateKey, bytes, str, str]:
    """A browser's push keys: the private key and auth secret it decrypts with, and the
    p256dh and auth it attaches."""
    private, auth = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    return private, auth, b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)), b64(auth)


# -- endpoints ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1:9/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/x",
    "https://0x7f000001/x",
    "https://2130706433/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::1]/x",
    "https://user:pass@127.0.0.1/x",
    "https://user:pass@fcm.googleapis.com/fcm/send/abc",
    "https:x",
    "https://fcm.googleapis.com/fcm/send/" + "a" * 3800,
    "https://[abc/x",
    "https://evilfcm.googleapis.com.attacker/x",
    "https://xfcm.googleapis.com/x",
    "https://fcm.googleapis.com.evil.example/x",
    "https://fcm.googleapis.com:8443/x",
    "https://fcm.googleapis.com:bad/x",
    "http://fcm.googleapis.com/fcm/send/abc",
    "http://127.0.0.1:9/x",
    "ftp://fcm.googleapis.com/x",
    "https://fcm.googleapis.com/fcm send/abc",
    "https://push.example/a",
    "",
], ids=lambda endpoint: endpoint[:60])
def test_an_endpoint_off_the_push_services_is_refused(endpoint):
    with pytest.raises(RefusedEndpoint):
        policy().check(endpoint)


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc",
    "https://android.googleapis.com/gcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk",
    "https://web.push.apple.com/QGx1bmNoZXM",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAA",
    "https://FCM.googleapis.com:443/fcm/send/abc",
], ids=lambda endpoint: endpoint[:60])
def test_an_endpoint_of_a_push_service_browsers_use_is_accepted(endpoint):
    assert policy().check(endpoint) is None


def test_an_administrator_adds_a_push_service():
    assert policy(PUSH_EXTRA_SERVICE_HOSTS=["push.example.org"]).check("https://eu.push.example.org/a") is None


def test_an_added_push_service_keeps_the_others():
    assert policy(PUSH_EXTRA_SERVICE_HOSTS="push.example.org").check("https://fcm.googleapis.com/fcm/send/a") is None


def test_http_on_loopback_is_accepted_when_allowed():
    assert policy(PUSH_ALLOW_HTTP_ENDPOINTS=True).check("http://127.0.0.1:8080/push/a") is None


@pytest.mark.parametrize("endpoint", ["http://10.0.0.1/x", "http://169.254.169.254/x", "http://localhost:9/x",
                                      "http://fcm.googleapis.com/fcm/send/a", "https://127.0.0.1/x"])
def test_allowing_http_opens_loopback_addresses_and_nothing_else(endpoint):
    with pytest.raises(RefusedEndpoint):
        policy(PUSH_ALLOW_HTTP_ENDPOINTS=True).check(endpoint)


def test_a_refusal_says_what_is_wrong():
    with pytest.raises(RefusedEndpoint, match="user name or password"):
        policy().check("https://user:pass@fcm.googleapis.com/x")


# -- keys ----------------------------------------------------------------------------------------------

_, _, P256DH, AUTH = browser()
COMPRESSED = b64(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint))
OFF_CURVE = b64(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize("p256dh, auth", [
    ("!!!!", "!!"),
    ("AAAA", AUTH),
    (OFF_CURVE, AUTH),
    (COMPRESSED, AUTH),
    (P256DH, b64(os.urandom(15))),
    (P256DH, b64(os.urandom(17))),
    ("AAAAA", AUTH),  # 4n + 1 characters: no base64 makes them
    (P256DH + "AA", AUTH),  # 66 bytes
    (P256DH, "not base64!"),
    (P256DH, ""),
    (None, AUTH),
], ids=["punctuation", "AAAA", "not-on-curve", "compressed", "auth-15", "auth-17", "4n+1-characters", "66-bytes",
        "auth-not-base64", "auth-empty", "none"])
def test_keys_no_browser_makes_are_refused(p256dh, auth):
    with pytest.raises(BadKeys):
        push.check_keys(p256dh, auth)


def test_a_browsers_keys_are_accepted():
    assert push.check_keys(P256DH, AUTH) is None


def test_padded_keys_are_accepted():
    assert push.check_keys(P256DH + "=" * (-len(P256DH) % 4), AUTH + "==") is None


# -- the address a push service resolves to ---------------------------------------------------------------

@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "224.0.0.1",
                                     "0.0.0.0", "192.168.1.1", "100.64.0.1", "172.16.0.1", "fc00::1", "fe80::1%2", "::"])
def test_a_push_service_resolving_off_the_public_internet_is_refused(address):
    with pytest.raises(RefusedEndpoint):
        push.checked_address("fcm.googleapis.com", 443, False, lambda host, port: [address])


def test_a_public_address_is_the_one_connected_to():
    assert push.checked_address("fcm.googleapis.com", 443, False, lambda host, port: ["8.8.8.8"]) == "8.8.8.8"


def test_one_private_address_among_public_ones_is_refused():
    with pytest.raises(RefusedEndpoint):
        push.checked_address("fcm.googleapis.com", 443, False, lambda host, port: ["8.8.8.8", "10.0.0.1"])


def test_loopback_is_allowed_only_when_asked_for():
    assert push.checked_address("127.0.0.1", 80, True, lambda host, port: ["127.0.0.1"]) == "127.0.0.1"


def test_a_name_that_does_not_resolve_is_refused():
    def fails(host, port):
        raise socket.gaierror("no such name")
    with pytest.raises(RefusedEndpoint):
        push.checked_address("fcm.googleapis.com", 443, False, fails)


def test_send_refuses_an_accepted_name_resolving_to_a_private_address_without_raising():
    vapid = Vapid02()
    vapid.generate_keys()
    delivery = push.send("https://fcm.googleapis.com/fcm/send/a", P256DH, AUTH, {"title": "t"}, vapid,
                         "mailto:a@b", 60, policy(), 5, resolver=lambda host, port: ["10.0.0.1"])
    assert delivery.outcome is Outcome.REFUSED


# -- https to the checked address -------------------------------------------------------------------------

def certificate(name: str, directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for name, its own CA, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (directory / "cert.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    (directory / "key.pem").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return directory / "cert.pem", directory / "key.pem"


@pytest.fixture
def tls_service(tmp_path, monkeypatch):
    """An https push service on loopback with a certificate for fcm.googleapis.com, which the
    sender trusts; it records the SNI and Host it was sent."""
    cert, key = certificate("fcm.googleapis.com", tmp_path)
    seen = {}
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda connection, name, context: seen.__setitem__("sni", name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"] = self.headers["Host"]
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(push, "_TLS", client_context)
    yield httpd.server_address[1], seen
    httpd.shutdown()


def post_to_loopback(host: str, port: int) -> int:
    return push._post(urlsplit(f"https://{host}:{port}/fcm/send/a"), "127.0.0.1", b"message", {},
                      time.monotonic() + 5)[0]


def test_https_goes_to_the_checked_address_with_the_host_name_as_sni_and_host(tls_service):
    port, seen = tls_service
    status = post_to_loopback("fcm.googleapis.com", port)
    assert (status, seen) == (201, {"sni": "fcm.googleapis.com", "host": f"fcm.googleapis.com:{port}"})


def test_https_verifies_the_certificate_for_the_host_name(tls_service):
    with pytest.raises(ssl.SSLCertVerificationError):
        post_to_loopback("updates.push.services.mozilla.com", tls_service[0])


# -- loopback push services -------------------------------------------------------------------------------

class Listener:
    """A loopback port that counts the connections made to it and answers none."""

    def __init__(self):
        self.connections = 0
        self.socket = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}{path}"

    def close(self):
        self.socket.close()


class PushService:
    """A push service on loopback. /ok/...: keeps the message, 201. /hang/...: never answers.
    /drip/...: a 100 MB body, a byte at a time. /redirect-307/... and /redirect-302/...: to `to`."""

    def __init__(self, to: str = ""):
        self.messages: dict[str, bytes] = {}
        self.stop = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                kind = self.path.split("/")[1]
                if kind == "hang":
                    service.stop.wait(60)
                    return
                if kind.startswith("redirect"):
                    self.send_response(int(kind.split("-")[1]))
                    self.send_header("Location", to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if kind == "drip":
                    self.send_response(201)
                    self.send_header("Content-Length", str(100_000_000))
                    self.end_headers()
                    while not service.stop.wait(0.05):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    return
                service.messages[self.path] = body
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # notify cutting a drip is expected
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def change(uid: str, subject: str, room: str) -> dict:
    """A year-wide course of IE2 moved to room: every IE2 calendar has it."""
    return {"change": "changed", "code": "IE2", "groups": [str(g) for g in range(921, 928)], "formation": "IE2",
            "uid": uid, "fields": {"room": ["2/I", room]},
            "class": {"subject": subject, "subject_code": "MLE5011", "type": "C", "type_name": "Curs",
                      "day": "Marti", "start": "16:00", "end": "18:00", "room": room, "teacher": "T", "weeks": "every week"}}


FIRST = {"finished": "2026-03-02T06:00:00+00:00", "semester": "2025-2", "changes": [change("a@x", "Algebra", "C510")]}
SECOND = {"finished": "2026-03-03T06:00:00+00:00", "semester": "2025-2", "changes": [change("b@x", "Baze de date", "L439")]}
THIRD = {"finished": "2026-03-04T06:00:00+00:00", "semester": "2025-2", "changes": [change("c@x", "Chimie", "C335")]}
BEFORE_BOTH = 1772000000  # 2026-02-25
BETWEEN = 1772460000  # 2026-03-02 14:00


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    return crawl_simulated_site(tmp_path_factory.mktemp("push-endpoints"))


@pytest.fixture
def site(crawled, tmp_path):
    """A copy of the crawled site whose change log is FIRST and SECOND, newest first."""
    site = tmp_path / "site"
    shutil.copytree(crawled, site, symlinks=True)
    (site / "data" / "changes.json").write_text(json.dumps([SECOND, FIRST]), "utf-8")
    return site


def attach(store: Subscriptions, endpoint: str, p256dh: str = P256DH, auth: str = AUTH, now: float = BEFORE_BOTH,
           calendar: str = "/feeds/IE2/921-1.ics") -> str:
    """A subscription with a browser attached, written to the database as is: nothing checks it
    on the way in, as for a row from before the rules, or written by hand."""
    identifier, key = store.create(calendar, now=now)
    store.attach_push(identifier, key, endpoint, p256dh, auth, now=now)
    return identifier


def notify(site: Path, **settings) -> subprocess.CompletedProcess:
    settings = {"SUBSCRIPTIONS_DB": site.parent / "db.sqlite3", "PUSH_VAPID_KEY_FILE": site.parent / "vapid.pem",
                **settings}
    command = [sys.executable, "-m", "scrapy", "notify", "-s", f"SITE_DIR={site}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120)


def test_a_contact_vapid_cannot_sign_with_is_a_failed_run_not_failing_endpoints(site):
    attach(Subscriptions(site.parent / "db.sqlite3"), "https://fcm.googleapis.com/fcm/send/a")
    assert notify(site, PUSH_CONTACT="admin@example.org").returncode == 1


def test_an_http_endpoint_in_the_database_is_never_connected_to(site):
    listener, store = Listener(), Subscriptions(site.parent / "db.sqlite3")
    attach(store, listener.url("/push/a"))
    done = notify(site)
    listener.close()
    assert (listener.connections, "0 sent" in done.stdout, "1 failed" in done.stdout) == (0, True, True), done.stdout + done.stderr


@pytest.fixture(params=[307, 302])
def redirected(request, site):
    """A push service that answers a redirect to a second listener."""
    listener = Listener()
    service = PushService(to=listener.url(f"/push/{request.param}"))
    attach(Subscriptions(site.parent / "db.sqlite3"), service.url(f"/redirect-{request.param}/a"))
    done = notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True)
    service.close()
    listener.close()
    return done, listener


def test_a_redirect_is_not_followed(redirected):
    done, listener = redirected
    assert listener.connections == 0, done.stdout + done.stderr


def test_a_redirect_counts_as_failed(redirected):
    done, _ = redirected
    assert "0 sent, 0 skipped, 0 removed, 1 failed" in done.stdout, done.stdout + done.stderr


@pytest.fixture
def poisoned(site):
    """Three healthy browsers beside bad keys, AAAA, an endpoint that hangs, one that answers 201
    and drips a huge body (sent: the status decides, the body is read until the push's
    deadline), and one off the push services, with a 2-second push timeout and a 10-second run."""
    service, store = PushService(), Subscriptions(site.parent / "db.sqlite3")
    healthy = {}
    for n in range(3):
        private, auth, p256dh, auth_text = browser()
        attach(store, service.url(f"/ok/{n}"), p256dh, auth_text)
        healthy[f"/ok/{n}"] = (private, auth)
    failing = [attach(store, service.url("/ok/bad-keys"), "!!!!", "!!"), attach(store, service.url("/ok/aaaa"), "AAAA", AUTH),
               attach(store, service.url("/hang/a")), attach(store, "https://10.0.0.1/x")]
    attach(store, service.url("/drip/a"))
    started = time.monotonic()
    done = notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True, PUSH_TIMEOUT=2, PUSH_RUN_DEADLINE=10)
    seconds = time.monotonic() - started
    service.close()
    return SimpleNamespace(done=done, seconds=seconds, service=service, healthy=healthy, failing=failing)


def test_every_healthy_browser_gets_its_push_beside_poison_ones(poisoned):
    assert sorted(poisoned.service.messages) == sorted(poisoned.healthy), poisoned.done.stdout + poisoned.done.stderr


def test_poison_ones_are_counted_and_the_run_exits_0(poisoned):
    assert (poisoned.done.returncode, poisoned.done.stdout.strip().rsplit(": ", 1)[1]) == (
        0, "4 sent, 0 skipped, 0 removed, 3 failed, 1 timed out"), poisoned.done.stdout + poisoned.done.stderr


def test_a_hanging_and_a_dripping_service_cost_one_push_timeout(poisoned):
    assert poisoned.seconds < 10, poisoned.done.stdout


def test_each_failure_is_logged_with_its_subscription(poisoned):
    assert all(f"subscription {identifier}" in poisoned.done.stderr for identifier in poisoned.failing), poisoned.done.stderr


def test_targets_left_at_the_run_deadline_are_timed_out_for_the_next_run(site):
    service, store = PushService(), Subscriptions(site.parent / "db.sqlite3")
    for n in range(3):
        attach(store, service.url(f"/hang/{n}"))
    started = time.monotonic()
    done = notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True, PUSH_CONCURRENCY=1, PUSH_TIMEOUT=30, PUSH_RUN_DEADLINE=1)
    seconds = time.monotonic() - started
    service.close()
    assert ("3 timed out" in done.stdout, seconds < 8) == (True, True), (seconds, done.stdout + done.stderr)


def decrypted(service: PushService, path: str, keys) -> dict:
    private, auth = keys
    return json.loads(http_ece.decrypt(service.messages[path], private_key=private, auth_secret=auth, version="aes128gcm"))


def test_a_browser_is_told_every_crawl_it_missed(site):
    service, store = PushService(), Subscriptions(site.parent / "db.sqlite3")
    private, auth, p256dh, auth_text = browser()
    attach(store, service.url("/ok/a"), p256dh, auth_text, now=BEFORE_BOTH)
    notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True)
    service.close()
    assert decrypted(service, "/ok/a", (private, auth))["body"].splitlines() == [
        "Tue 16:00, [C] Algebra moved to C510", "Tue 16:00, [C] Baze de date moved to L439"]


def test_a_browser_attached_between_crawls_is_told_only_the_later_one(site):
    service, store = PushService(), Subscriptions(site.parent / "db.sqlite3")
    private, auth, p256dh, auth_text = browser()
    attach(store, service.url("/ok/a"), p256dh, auth_text, now=BETWEEN)
    notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True)
    service.close()
    assert decrypted(service, "/ok/a", (private, auth))["body"].splitlines() == ["Tue 16:00, [C] Baze de date moved to L439"]


def test_a_second_notify_while_the_first_holds_the_lock_sends_nothing(site):
    service, store = PushService(), Subscriptions(site.parent / "db.sqlite3")
    attach(store, service.url("/ok/a"))
    with open(site.parent / "db.sqlite3.notify-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = notify(site, PUSH_ALLOW_HTTP_ENDPOINTS=True)
    service.close()
    assert (done.returncode, "another run" in done.stdout, service.messages) == (0, True, {}), done.stdout + done.stderr


def test_a_catch_up_of_many_changes_fits_a_push_message():
    payload = push_alerts.fitted({"title": "IE2 921/1: 300 changes to your timetable", "url": "index.html",
                                  "body": "\n".join(f"Tue 16:00, [C] Ingineria sistemelor soft moved to C{n}" for n in range(300))})
    assert (len(json.dumps(payload, ensure_ascii=False).encode()) <= push_alerts.MAX_PAYLOAD,
            payload["body"].endswith(" more")) == (True, True)


# -- endpoints that fail for days -------------------------------------------------------------------------

SNAPSHOT = SimpleNamespace(faculty={"IE2": SimpleNamespace(calendars={
    "921-1.ics": Calendar("IE2", "921-1.ics", "921", 1, b"", (), b"")})})


def run(store: Subscriptions, tmp: Path, answer: Outcome, now: float, crawls=(SECOND, FIRST)):
    """A run of push_alerts in which endpoints ending /ok get their message and the others `answer`."""
    def send(target, payload, timeout):
        return Delivery(Outcome.DELIVERED if target.endpoint.endswith("/ok") else answer, "")
    return push_alerts.send_alerts(list(crawls), SNAPSHOT, store, tmp, send, concurrency=2, run_deadline=10,
                                   push_timeout=1, remove_failing_days=7, now=now)


@pytest.fixture
def failing(tmp_path):
    """A healthy browser and a failing one."""
    store = Subscriptions(tmp_path / "db.sqlite3")
    attach(store, "https://fcm.googleapis.com/fcm/send/ok")
    attach(store, "https://fcm.googleapis.com/fcm/send/failing")
    return store


def endpoints(store: Subscriptions) -> list[str]:
    return sorted(target.endpoint.rsplit("/", 1)[1] for target in store.push_targets())


def test_an_endpoint_failing_for_less_than_the_days_is_kept(failing, tmp_path):
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN)
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN + 6 * DAY, crawls=(THIRD, SECOND, FIRST))
    assert endpoints(failing) == ["failing", "ok"]


def test_an_endpoint_failing_on_every_run_for_the_days_is_removed(failing, tmp_path):
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN)
    counts = run(failing, tmp_path, Outcome.TIMED_OUT, now=BETWEEN + 8 * DAY, crawls=(THIRD, SECOND, FIRST))
    assert (counts["removed"], endpoints(failing)) == (1, ["ok"])


def test_a_delivery_between_failures_starts_the_days_again(failing, tmp_path):
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN)
    run(failing, tmp_path, Outcome.DELIVERED, now=BETWEEN + 4 * DAY)
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN + 5 * DAY, crawls=(THIRD, SECOND, FIRST))
    run(failing, tmp_path, Outcome.RETRY, now=BETWEEN + 8 * DAY, crawls=(THIRD, SECOND, FIRST))
    assert endpoints(failing) == ["failing", "ok"]


def test_a_run_that_got_no_message_through_removes_nothing(tmp_path):
    store = Subscriptions(tmp_path / "db.sqlite3")
    attach(store, "https://fcm.googleapis.com/fcm/send/failing")
    run(store, tmp_path, Outcome.RETRY, now=BETWEEN)
    run(store, tmp_path, Outcome.RETRY, now=BETWEEN + 8 * DAY)
    assert endpoints(store) == ["failing"]


def test_one_target_raising_is_counted_failed_and_the_others_are_sent(tmp_path):
    store = Subscriptions(tmp_path / "db.sqlite3")
    attach(store, "https://fcm.googleapis.com/fcm/send/a")
    attach(store, "https://fcm.googleapis.com/fcm/send/b")

    def send(target, payload, timeout):
        if target.endpoint.endswith("/a"):
            raise IndexError("pywebpush")
        return Delivery(Outcome.DELIVERED, "201")
    counts = push_alerts.send_alerts([SECOND, FIRST], SNAPSHOT, store, tmp_path, send, concurrency=2, run_deadline=10,
                                     push_timeout=1, remove_failing_days=7, now=BETWEEN)
    assert (counts["sent"], counts["failed"]) == (1, 1)
