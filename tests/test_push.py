"""Push alerts: which changes touch a subscription (notifications.py, plain), the /push/ contract
of `scrapy serve`, and `scrapy notify` end to end against a push service on loopback whose
messages the test decrypts with the subscriber's keys (RFC 8291, http_ece)."""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.crawling import PROJECT, crawl_simulated_site, run_crawl
from tests.page_fixtures import COURSE_IN_2I
from tests.serving import ServeProcess
from tests.ubb_site import SimServer, build_site
from timetable_spider import notifications, push
from timetable_spider.personal_feeds import Calendar, Group, Spec, parse_query
from timetable_spider.subscriptions import Subscriptions

LAB = {"change": "changed", "code": "IE2", "groups": ["921"], "formation": "921/2", "uid": "lab@x",
       "class": {"subject": "Programare Web", "subject_code": "MLE5015", "type": "L", "type_name": "Laborator", "day": "Marti",
                 "start": "16:00", "end": "18:00", "room": "L321", "teacher": "T", "weeks": "every week"},
       "fields": {"room": ["L321", "L439"]}}
COURSE = {**LAB, "formation": "IE2", "groups": [str(g) for g in range(921, 928)], "uid": "course@x",
          "class": {**LAB["class"], "type": "C", "type_name": "Curs", "subject": "Ingineria sistemelor soft",
                    "subject_code": "MLE5011"}}


def spec(code: str, groups: tuple[str, ...]) -> Spec:
    """A published spec page with two subgroups in each group; which events the calendars have
    does not matter to which changes touch them."""
    def calendar(group: str, subgroup: int | None) -> Calendar:
        return Calendar(code, f"{group}-{subgroup or 'all'}.ics", group, subgroup, b"", (), b"")
    made = {name: Group(name, (1, 2), (), {s: calendar(name, s) for s in (None, 1, 2)}) for name in groups}
    return Spec(code, made, {c.file: c for g in made.values() for c in g.calendars.values()})


FACULTY = {"IE2": spec("IE2", ("921", "922", "925")), "I1": spec("I1", ("211",))}


def touches(change, code, group, subgroup, query) -> bool:
    return notifications.touches(change, FACULTY[code].groups[group].calendars[subgroup], parse_query(query), FACULTY)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- which changes touch a calendar -------------------------------------------------------------------

@pytest.mark.parametrize("code, group, subgroup, query, touched", [
    ("IE2", "921", 2, "", True),  # the subgroup's own lab
    ("IE2", "921", 1, "", False),  # the other subgroup's lab
    ("IE2", "921", None, "", True),  # the whole group's calendar has both subgroups' labs
    ("IE2", "922", 2, "", False),  # another group
    ("IE2", "921", 1, "take=MLE5015:2", True),  # the lab taken with subgroup 2
    ("IE2", "921", 2, "take=MLE5015:1", False),  # the own lab given up for subgroup 1's
    ("IE2", "921", 2, "hide=MLE5015", False),
    ("IE2", "921", 2, "hide=MLE5015:L", False),
    ("IE2", "921", 2, "hide=MLE5015:C", True),  # only the course hidden
    ("I1", "211", 1, "add=IE2/921/2:MLE5015", True),  # added from another timetable's subgroup
    ("I1", "211", 1, "add=IE2/921/1:MLE5015", False),  # added from the subgroup without that lab
    ("I1", "211", 1, "add=IE2/921:MLE5015:L", True),  # the whole group's lab, of that type
    ("I1", "211", 1, "add=IE2/921:MLE5015:S", False),  # another type
    ("I1", "211", 1, "add=IE2/929:MLE5015", False),  # a group the timetable does not have: its feed answers 404
], ids=lambda value: str(value))
def test_a_change_touches_a_calendar_by_the_feeds_rules(code, group, subgroup, query, touched):
    assert touches(LAB, code, group, subgroup, query) is touched


def test_a_year_wide_course_touches_every_group():
    assert {g for g in ("921", "925") if touches(COURSE, "IE2", g, 1, "")} == {"921", "925"}


def test_the_message_names_the_calendar_the_date_the_class_and_its_new_room():
    payload = notifications.message("IE2", "921", 2, [LAB], {"lab@x": date(2026, 3, 10)})
    assert payload == {"title": "IE2 921/2: Tue 10 Mar, [L] Programare Web moved to L439",
                       "body": "Tue 10 Mar, [L] Programare Web moved to L439",
                       "url": "index.html?code=IE2&group=921&subgroup=2&date=2026-03-10"}


def test_several_changes_are_one_message_a_line_each():
    payload = notifications.message("IE2", "921", None, [LAB, {**COURSE, "change": "removed"}], {})
    assert (payload["title"], payload["body"].splitlines()) == (
        "IE2 921: 2 changes to your timetable",
        ["Tue 16:00, [L] Programare Web moved to L439", "Tue 16:00, [C] Ingineria sistemelor soft: no longer held"])


def test_the_next_date_is_the_first_from_today():
    assert notifications.next_date(["2026-03-03", "2026-03-10", "2026-03-17"], date(2026, 3, 5)) == date(2026, 3, 10)


# -- the /push/ contract ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return crawl_simulated_site(tmp_path_factory.mktemp("push"))


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    state = tmp_path_factory.mktemp("push-state")
    with ServeProcess(site, {"SUBSCRIPTIONS_DB": state / "db.sqlite3", "PUSH_VAPID_KEY_FILE": state / "vapid.pem"}) as serving:
        serving.state = state
        yield serving


def call(server, method, target, body=None, key=None):
    connection = server.connection()
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    connection.request(method, target, body=None if body is None else json.dumps(body).encode(), headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def subscribed(server) -> tuple[str, str]:
    made = json.loads(call(server, "POST", "/subscriptions", {"calendar": "/feeds/IE2/921-1.ics"})[1])
    return made["feed"][len("/feeds/s/"):-len(".ics")], made["key"]


def browser_subscription(endpoint: str) -> dict:
    private = ec.generate_private_key(ec.SECP256R1())
    return {"endpoint": endpoint, "keys": {
        "p256dh": b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
        "auth": b64(os.urandom(16))}}


def test_the_key_is_an_uncompressed_p256_point_in_base64url(server):
    status, _, body = server.get("/push/key")
    point = base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4))
    assert (status, len(point), point[0]) == (200, 65, 4)


def test_the_private_key_file_is_made_with_mode_600(server):
    server.get("/push/key")
    assert oct((server.state / "vapid.pem").stat().st_mode & 0o777) == "0o600"


def test_attaching_a_push_subscription_answers_201(server):
    identifier, key = subscribed(server)
    assert call(server, "POST", f"/subscriptions/{identifier}/push", browser_subscription("https://fcm.googleapis.com/fcm/send/a"), key)[0] == 201


def test_detaching_it_answers_204(server):
    identifier, key = subscribed(server)
    call(server, "POST", f"/subscriptions/{identifier}/push", browser_subscription("https://fcm.googleapis.com/fcm/send/b"), key)
    assert call(server, "DELETE", f"/subscriptions/{identifier}/push", {"endpoint": "https://fcm.googleapis.com/fcm/send/b"}, key)[0] == 204


def test_an_http_endpoint_is_refused(server):
    identifier, key = subscribed(server)
    assert call(server, "POST", f"/subscriptions/{identifier}/push", browser_subscription("http://127.0.0.1:9/a"), key)[0] == 400


def test_attaching_needs_the_key(server):
    identifier, _ = subscribed(server)
    assert call(server, "POST", f"/subscriptions/{identifier}/push", browser_subscription("https://fcm.googleapis.com/fcm/send/c"), "wrong")[0] == 403


def test_a_push_subscription_without_keys_is_refused(server):
    identifier, key = subscribed(server)
    assert call(server, "POST", f"/subscriptions/{identifier}/push", {"endpoint": "https://fcm.googleapis.com/fcm/send/d"}, key)[0] == 400


# -- scrapy notify, end to end ---------------------------------------------------------------------------

class PushService:
    """A push service on loopback: keeps each message, answers 201, or the status set for a path."""

    def __init__(self):
        self.messages: list[tuple[str, dict, bytes]] = []
        self.status: dict[str, int] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.messages.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture(scope="module")
def notified(tmp_path_factory):
    """The site crawled; five subscriptions with push; a course moved room; crawled again; notify run twice."""
    tmp = tmp_path_factory.mktemp("notify")
    www = tmp / "www"
    shutil.copytree(build_site("2025-2"), www)
    sim = SimServer(root=www, latency=0.02, jitter=0.01)
    settings = {"HTTPCACHE_DIR": tmp / "cache"}
    with sim:
        assert run_crawl(sim, site_dir=tmp / "site", settings=settings).returncode == 0
    service = PushService()
    store = Subscriptions(tmp / "db.sqlite3")
    browsers = {}
    for name, calendar in [("touched", "/feeds/IE2/921-1.ics"), ("hidden", "/feeds/IE2/921-1.ics?hide=MLE5011"),
                           ("other", "/feeds/I1/211-1.ics"), ("gone", "/feeds/IE2/922-2.ics"),
                           ("busy", "/feeds/IE2/923-1.ics")]:
        identifier, key = store.create(calendar)
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        browsers[name] = (private, auth, identifier)
        store.attach_push(identifier, key, service.url(f"/{name}"),
                          b64(private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)), b64(auth))
    service.status["/gone"] = 410
    service.status["/busy"] = 503
    page = www / "files/orar/2025-2/tabelar/IE2.html"
    page.write_bytes(page.read_bytes().decode("iso-8859-2").replace(
        COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<")).encode("iso-8859-2"))
    with sim:
        assert run_crawl(sim, site_dir=tmp / "site", settings=settings).returncode == 0
    command = [sys.executable, "-m", "scrapy", "notify", "-s", f"SITE_DIR={tmp / 'site'}",
               "-s", f"SUBSCRIPTIONS_DB={tmp / 'db.sqlite3'}", "-s", f"PUSH_VAPID_KEY_FILE={tmp / 'vapid.pem'}"]
    command += ["-s", "PUSH_ALLOW_HTTP_ENDPOINTS=1"]
    runs = [subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=120) for _ in range(2)]
    yield service, browsers, runs, store, tmp
    service.httpd.shutdown()
    store.close()


def test_notify_says_what_it_sent_skipped_and_removed(notified):
    run = notified[2][0]
    assert (run.returncode, "1 sent, 2 skipped, 1 removed, 1 failed, 0 timed out" in run.stdout) == (0, True), run.stdout + run.stderr


def test_the_touched_subscription_gets_exactly_one_message(notified):
    assert sorted(path for path, _, _ in notified[0].messages[:3]) == ["/busy", "/gone", "/touched"]


def test_the_message_decrypts_with_the_subscribers_keys_and_tells_of_the_change(notified):
    service, browsers, *_ = notified
    private, auth, _ = browsers["touched"]
    [body] = [body for path, _, body in service.messages if path == "/touched"]
    payload = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm"))
    print(f"\ndecrypted by the subscriber: {json.dumps(payload, ensure_ascii=False)}")
    assert (sorted(payload), "[C] Ingineria sistemelor soft moved to C510" in payload["title"],
            payload["url"].startswith("index.html?code=IE2&group=921&subgroup=1&date=")) == (["body", "title", "url"], True, True)


def test_the_message_is_aes128gcm_with_a_ttl_and_a_vapid_signature_of_our_key(notified):
    service, *_, tmp = notified
    [headers] = [headers for path, headers, _ in service.messages if path == "/touched"]
    key = push.public_key(push.load_or_create_key(tmp / "vapid.pem"))
    assert (headers["content-encoding"], headers["ttl"], f"k={key}" in headers["authorization"]) == ("aes128gcm", "86400", True)


def test_a_second_notify_sends_nothing_twice_and_tries_a_busy_service_again(notified):
    service, _, runs, *_ = notified
    again = [path for path, _, _ in service.messages[3:]]
    assert ("0 sent" in runs[1].stdout, "1 failed" in runs[1].stdout, again) == (True, True, ["/busy"])


def test_an_endpoint_answering_410_is_removed(notified):
    store, browsers = notified[3], notified[1]
    assert [t.subscription for t in store.push_targets()].count(browsers["gone"][2]) == 0


def test_notify_without_a_change_log_exits_1(tmp_path):
    done = subprocess.run([sys.executable, "-m", "scrapy", "notify", "-s", f"SITE_DIR={tmp_path / 'nothing'}"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert (done.returncode, "Cannot read the change log" in done.stderr) == (1, True)
