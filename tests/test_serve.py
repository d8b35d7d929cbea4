"""`scrapy serve` as a real process on a free port, over real HTTP, serving sites published by
real crawls of the simulated UBB site (each semester crawled once for the module).

Personal feeds are checked against the published calendars expanded with recurring-ical-events:
hide removes exactly its subject's occurrences, take swaps them for the other subgroup's, add
brings in another group's, and every event is a published one, byte for byte.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from email.utils import formatdate
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from tests.crawling import crawl_simulated_site, free_port
from tests.serving import ServeProcess
from timetable_spider import published_site
from timetable_spider.personal_feeds import split_calendar
from timetable_spider.publishing import SiteBuild

EXPAND_FROM, EXPAND_TO = date(2025, 9, 1), date(2026, 9, 30)
IE2_YEAR_2 = "Informatica - in limba engleza/Year 2"
FEED = "/feeds/IE2/921-1.ics"
SECRET = "a secret outside the site"


@pytest.fixture(scope="module")
def site_2025_2(tmp_path_factory) -> Path:
    return crawl_simulated_site(tmp_path_factory.mktemp("serve-2025-2"))


@pytest.fixture(scope="module")
def site_2025_1(tmp_path_factory) -> Path:
    return crawl_simulated_site(tmp_path_factory.mktemp("serve-2025-1"), "2025-1")


@pytest.fixture(scope="module")
def served(site_2025_2, tmp_path_factory):
    """A server of a copy of the 2025-2 site, with a few files a web server must and must not serve."""
    root = tmp_path_factory.mktemp("served")
    site = root / "site"
    shutil.copytree(site_2025_2, site)
    (root / "secret.txt").write_text(SECRET)
    (site / "app.js").write_text("export const answer = 42;\n")
    (site / "sub").mkdir()
    (site / "sub" / "index.html").write_text("<p>sub</p>\n")
    (site / ".htaccess").write_text(SECRET)
    (site / "escape.txt").symlink_to(root / "secret.txt")
    (site / "escape-dir").symlink_to(root)
    os.mkfifo(site / "pipe.ics")
    with ServeProcess(site) as server:
        server.site = site
        yield server


def published(site: Path, file: str, directory: str = IE2_YEAR_2) -> bytes:
    return (site / directory / file).read_bytes()


def record(site: Path, code: str) -> dict:
    return json.loads((site / "data" / f"{code}.json").read_text())


def subjects_by_uid(site: Path, *codes: str) -> dict[str, tuple[str, str, str]]:
    """uid -> (subject code, type letter, formation), from the published records."""
    return {e["uid"]: (e["subject_code"], e["type"], e["formation"])
            for code in codes for g in record(site, code)["groups"] for e in g["entries"]}


def occurrences(ics: bytes) -> set[tuple[str, object]]:
    """(uid, start) of every occurrence, as a calendar client expands the calendar."""
    calendar = icalendar.Calendar.from_ical(ics)
    return {(str(o["UID"]), o.decoded("DTSTART"))
            for o in recurring_ical_events.of(calendar).between(EXPAND_FROM, EXPAND_TO)}


def feed(server, target: str) -> bytes:
    status, headers, body = server.get(target)
    assert status == 200, (target, status, body)
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    return body


# -- the published calendar, and each choice against it --

def test_a_feed_without_choices_is_the_published_calendar(served):
    status, headers, body = served.get(FEED)
    path = served.site / IE2_YEAR_2 / "921-1.ics"
    assert status == 200
    assert body == path.read_bytes()
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Last-Modified"] == formatdate(path.stat().st_mtime, usegmt=True)
    assert headers["ETag"].startswith('"')
    assert headers["Access-Control-Allow-Origin"] == "*"
    # fresh until the next daily crawl is due (the site was published moments ago)
    max_age = int(headers["Cache-Control"].removeprefix("public, max-age="))
    assert 86400 - 600 < max_age <= 86400
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in body


def test_hide_removes_exactly_the_subjects_occurrences(served):
    classes = subjects_by_uid(served.site, "IE2")
    before = occurrences(published(served.site, "921-1.ics"))
    after = occurrences(feed(served, f"{FEED}?hide=MLE5028"))
    removed = before - after
    assert removed and after < before
    assert {classes[uid][0] for uid, _ in removed} == {"MLE5028"}
    assert not any(classes[uid][0] == "MLE5028" for uid, _ in after)


def test_hide_with_a_type_removes_only_that_type(served):
    classes = subjects_by_uid(served.site, "IE2")
    before = occurrences(published(served.site, "921-1.ics"))
    after = occurrences(feed(served, f"{FEED}?hide=MLE5028:L"))
    assert after == {o for o in before if classes[o[0]][:2] != ("MLE5028", "L")}
    assert after != before
    assert any(classes[uid][:2] == ("MLE5028", "C") for uid, _ in after)


def test_take_swaps_the_subjects_lab_for_the_other_subgroups(served):
    classes = subjects_by_uid(served.site, "IE2")
    own = occurrences(published(served.site, "921-1.ics"))
    other = occurrences(published(served.site, "921-2.ics"))
    after = occurrences(feed(served, f"{FEED}?take=MLE5028:2"))
    assert after == ({o for o in own if classes[o[0]][0] != "MLE5028"}
                     | {o for o in other if classes[o[0]][0] == "MLE5028"})
    assert {classes[uid][2] for uid, _ in after - own} == {"921/2"}
    assert {classes[uid][2] for uid, _ in own - after} == {"921/1"}


def test_add_brings_a_subject_from_another_timetables_group(served):
    other = record(served.site, "IE3")["groups"][0]
    # IE3 gives "Ingineria sistemelor soft" under a code of its own
    [subject] = {e["subject_code"] for e in other["entries"] if e["subject"] == "Ingineria sistemelor soft"}
    classes = subjects_by_uid(served.site, "IE2", "IE3")
    own = occurrences(published(served.site, "921-1.ics"))
    theirs = occurrences(published(served.site, f"{other['name']}-2.ics", "Informatica - in limba engleza/Year 3"))
    after = occurrences(feed(served, f"{FEED}?add=IE3/{other['name']}/2:{subject}"))
    added = {o for o in theirs if classes[o[0]][0] == subject}
    assert added and after == own | added


def test_choices_repeat_and_combine(served):
    classes = subjects_by_uid(served.site, "IE2")
    own = occurrences(published(served.site, "921-1.ics"))
    whole_922 = occurrences(published(served.site, "922-all.ics"))
    after = occurrences(feed(served, f"{FEED}?hide=MLE5011&hide=MLE5013:L&hide=MLE5028&add=IE2/922:MLE5028"))
    assert after == ({o for o in own if classes[o[0]][0] not in ("MLE5011", "MLE5028")
                      and classes[o[0]][:2] != ("MLE5013", "L")}
                     | {o for o in whole_922 if classes[o[0]][0] == "MLE5028"})


def test_periods_adds_the_timetables_academic_year_to_the_calendar(served):
    year = occurrences((served.site / "academic-year" / "IE2.ics").read_bytes())
    before = occurrences(published(served.site, "921-1.ics"))
    assert occurrences(feed(served, f"{FEED}?periods=1")) == before | year


def test_periods_with_choices_keeps_the_academic_years_exam_session(served):
    calendar = icalendar.Calendar.from_ical(feed(served, f"{FEED}?hide=MLE5028&periods=1"))
    sessions = [e.decoded("DTSTART") for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Exam session"]
    assert sessions == [date(2026, 1, 19), date(2026, 6, 8)]


def test_a_personal_calendar_says_so_and_its_events_are_the_published_bytes(served):
    body = feed(served, f"{FEED}?hide=MLE5011&take=MLE5028:2&add=IE2/922/1:MLE5015")
    published_events = set()
    for path in (served.site / IE2_YEAR_2).glob("*.ics"):
        published_events.update(split_calendar(path.read_bytes())[1])
    head, events, _ = split_calendar(body)
    assert events and set(events) <= published_events
    assert len({e.split(b"\r\nUID:")[1].split(b"\r\n")[0] for e in events}) == len(events)  # no UID twice
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]).startswith("Personal IE2 921/1 ")
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in head


# -- conditional requests --

def test_the_etag_follows_the_data_and_the_normalized_choices(served):
    first = served.get(f"{FEED}?take=MLE5028:2&hide=MLE5011")[1]
    same = served.get(f"{FEED}?hide=MLE5011&take=MLE5028%3A2&hide=MLE5011")[1]
    plain = served.get(FEED)[1]
    assert first["ETag"] == same["ETag"] != plain["ETag"]


@pytest.mark.parametrize("target", [FEED, f"{FEED}?hide=MLE5028", "/data/index.json", "/"])
def test_a_conditional_get_of_a_current_copy_is_a_304(served, target):
    status, headers, body = served.get(target)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    later = formatdate(time.time() + 3600, usegmt=True)
    earlier = "Mon, 01 Jan 2024 00:00:00 GMT"

    status, headers, body = served.get(target, {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    assert headers["Content-Length"] is None  # not a false "0"
    assert served.get(target, {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert served.get(target, {"If-Modified-Since": modified})[0] == 304
    assert served.get(target, {"If-Modified-Since": later})[0] == 304
    assert served.get(target, {"If-Modified-Since": earlier})[0] == 200
    assert served.get(target, {"If-Modified-Since": "not a date"})[0] == 200
    # If-None-Match decides alone when both are sent
    assert served.get(target, {"If-None-Match": '"other"', "If-Modified-Since": later})[0] == 200


def test_a_calendar_apps_refreshes_on_one_keep_alive_connection(served):
    connection = served.connection()
    answers = []
    etag = None
    for target in (FEED, FEED, "/data/index.json", FEED):
        connection.request("GET", target, headers={"If-None-Match": etag} if etag else {})
        response = connection.getresponse()
        answers.append((response.status, len(response.read())))
        etag = etag or response.headers["ETag"]
    connection.close()
    assert [status for status, _ in answers] == [200, 304, 200, 304]
    assert answers[0][1] > 0 and answers[1][1] == 0


def test_head_sends_the_headers_of_get_and_no_body(served):
    status, get_headers, body = served.get(FEED)
    status, headers, head_body = served.get(FEED, method="HEAD")
    assert (status, head_body) == (200, b"")
    assert headers["Content-Length"] == str(len(body))
    assert headers["ETag"] == get_headers["ETag"]


# -- bad input --

@pytest.mark.parametrize("target, status, message", [
    ("/feeds/XX/921-1.ics", 404, "no calendar XX/921-1.ics"),
    ("/feeds/IE2/999-1.ics", 404, "no calendar IE2/999-1.ics"),
    ("/feeds/IE2/921-1.ics/", 404, "a feed is /feeds/<CODE>/<calendar file>"),
    ("/feeds/IE2", 404, "a feed is /feeds/<CODE>/<calendar file>"),
    ("/feeds/", 404, "a feed is /feeds/<CODE>/<calendar file>"),
    (f"{FEED}?take=MLE5028:7", 404, "IE2 group 921 has no subgroup 7"),
    (f"{FEED}?add=XX/1:MLE5028", 404, "no timetable XX"),
    (f"{FEED}?add=IE2/999:MLE5028", 404, "IE2 has no group 999"),
    (f"{FEED}?hide", 400, "hide: expected name=value"),
    (f"{FEED}?hide=MLE5028:X", 400, "hide=MLE5028:X: expected a subject code"),
    (f"{FEED}?take=MLE5028", 400, "take=MLE5028: expected <subject>:<subgroup>"),
    (f"{FEED}?add=MLE5028", 400, "add=MLE5028: expected <CODE>/<group>[/<subgroup>]:<subject>"),
    (f"{FEED}?show=MLE5028", 400, "show=MLE5028: not a choice"),
    (f"{FEED}?periods=yes", 400, "periods=yes: periods=1 adds the academic year"),
    (f"{FEED}?hide=%FF", 400, "hide=%FF: a percent-escape that is malformed or not UTF-8"),
    (f"{FEED}?hide=%00", 400, "hide=\\x00: expected a subject code"),
    (f"{FEED}?hide=" + "M" * 3000, 414, "the URL is longer than 2048 bytes"),
    ("/feeds/IE2/%FF.ics", 400, "the path is not UTF-8"),
    ("/feeds/IE2/921-1.ics%00", 400, "the path holds a NUL byte"),
])
def test_bad_input_gets_a_one_line_answer(served, target, status, message):
    got, headers, body = served.get(target)
    assert got == status
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    text = body.decode()
    assert text.startswith(message) and text.endswith("\n") and text.count("\n") == 1


def test_other_methods_are_not_allowed(served):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "TRACE"):
        status, headers, _ = served.get(FEED, method=method)
        assert (status, headers["Allow"]) == (405, "GET, HEAD")


def raw_request(port: int, request: bytes) -> bytes:
    """Send bytes as they are; what came back before the server closed (b"" if it reset)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


def test_a_request_line_beyond_twisteds_limit_is_refused_and_the_server_stays_up(served):
    answer = raw_request(served.port, b"GET " + FEED.encode() + b"?hide=" + b"M" * 20000
                         + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 ")
    assert served.get(FEED)[0] == 200


@pytest.mark.parametrize("request_bytes", [
    b"GET /feeds/IE2/921-1.ics?hide=\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /feeds/IE2/\x00.ics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /feeds/IE2/921 1.ics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://example.org/feeds/IE2/921-1.ics HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /feeds/IE2/921-1.ics HTTP/1.1\r\nIf-None-Match: \xff\r\nIf-Modified-Since: \xff\r\n\r\n",
    b"GET /feeds/IE2/921-1.ics HTTP/1.1\r\nIf-Modified-Since: Mon, 99 Foo 99999 99:99:99 GMT\r\n\r\n",
    b"BREW /feeds HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /feeds/IE2/921-1.ics HTTP/9.9\r\n\r\n",
    b"GARBAGE\r\n\r\n",
])
def test_malformed_requests_never_get_a_500(served, request_bytes):
    answer = raw_request(served.port, request_bytes.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    assert status is None or 400 <= status < 500 or status in (200, 304), answer[:200]
    assert SECRET.encode() not in answer and b"root:" not in answer


# -- static files, and nothing outside SITE_DIR --

@pytest.mark.parametrize("target, content_type", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/data/index.json", "application/json"),
    ("/changes.atom", "application/atom+xml"),
    ("/app.js", "text/javascript; charset=utf-8"),
    ("/sub/", "text/html; charset=utf-8"),
    ("/Informatica%20-%20in%20limba%20engleza/Year%202/921-1.ics", "text/calendar; charset=utf-8"),
])
def test_the_site_is_served_as_a_web_server_serves_it(served, target, content_type):
    status, headers, body = served.get(target)
    path = served.site / target.replace("%20", " ").lstrip("/")
    if path.is_dir():
        path /= "index.html"
    assert (status, headers["Content-Type"], body) == (200, content_type, path.read_bytes())
    assert headers["Last-Modified"] == formatdate(path.stat().st_mtime, usegmt=True)


def test_a_directory_without_its_slash_moves_to_it(served):
    status, headers, _ = served.get("/sub")
    assert (status, headers["Location"]) == (301, "sub/")


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt", "/sub%2f..%2f..%2fsecret.txt", "/data%2Findex.json", "/escape.txt", "/escape-dir/secret.txt",
    "/.htaccess", "/pipe.ics", "/sub//index.html", "//secret.txt", "/feeds/..%2F..%2Fsecret.txt",
    "/feeds/IE2/..%2F..%2Fsecret.txt", "/feeds/IE2/%2e%2e", "/Informatica%20-%20in%20limba%20engleza",
    "/data/", "/nothing-here",
])
def test_nothing_outside_the_site_nor_hidden_is_served(served, target):
    status, _, body = served.get(target)
    assert status == 404
    assert SECRET.encode() not in body


def test_a_nul_byte_in_the_path_is_a_bad_request(served):
    status, _, body = served.get("/index.html%00.ics")
    assert status == 400


# -- many clients, and republishing --

def test_a_burst_of_concurrent_keep_alive_clients_all_get_whole_answers(served):
    targets = [FEED, f"{FEED}?hide=MLE5028", f"{FEED}?take=MLE5028:2&hide=MLE5011:C",
               "/feeds/IE3/4011-all.ics?add=IE2/921/1:MLE5028", "/feeds/M1/1011-2.ics"]
    expected = {target: feed(served, target) for target in targets}

    async def client(number: int) -> list[tuple[str, int, bytes]]:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        answers = []
        for n in range(10):
            target = targets[(number + n) % len(targets)]
            writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            answers.append((target, int(head.split(b" ")[1]), await reader.readexactly(length)))
        writer.close()
        return answers

    async def burst():
        return await asyncio.gather(*(client(n) for n in range(200)))

    answers = [a for client_answers in asyncio.run(burst()) for a in client_answers]
    assert len(answers) == 2000
    assert all(status == 200 and body == expected[target] for target, status, body in answers)


def publish_copy(source: Path, site_dir: Path) -> None:
    """Publish source's files into site_dir the way a crawl does: staging beside it, then the swap."""
    build = SiteBuild(site_dir)
    try:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                build.write(path.relative_to(source).as_posix(), path.read_bytes())
        build.publish()
    finally:
        build.close()


def test_a_republish_while_clients_keep_asking_gives_whole_old_or_new_calendars(site_2025_2, site_2025_1, tmp_path):
    site = tmp_path / "site"
    publish_copy(site_2025_2, site)
    targets = [FEED, f"{FEED}?take=MLE5028:2&hide=MLE5011"]
    with ServeProcess(site, {"SERVE_ACCESS_LOG": tmp_path / "access.log"}) as server:
        old = {t: feed(server, t) for t in targets}
        answers: list[tuple[str, int, bytes]] = []
        stop = threading.Event()

        def hammer() -> None:
            connection = server.connection()
            while not stop.is_set():
                for target in targets:
                    connection.request("GET", target)
                    response = connection.getresponse()
                    answers.append((target, response.status, response.read()))
            connection.close()

        clients = [threading.Thread(target=hammer) for _ in range(4)]
        for client in clients:
            client.start()
        try:
            for source in (site_2025_1, site_2025_2, site_2025_1):
                publish_copy(source, site)
                time.sleep(0.5)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and answers[-1][2] == old[answers[-1][0]]:
                time.sleep(0.1)
        finally:
            stop.set()
            for client in clients:
                client.join()
        new = {t: feed(server, t) for t in targets}
        access_log = (tmp_path / "access.log").read_text()

    assert all(new[t] != old[t] for t in targets)
    assert new[FEED] == published(site, "921-1.ics")
    assert answers and all(status == 200 and body in (old[t], new[t]) for t, status, body in answers)
    assert {body == new[t] for t, _, body in answers} == {True, False}  # both sites were served
    assert f'"GET {FEED} HTTP/1.1" 200' in access_log


def test_a_republish_during_reading_never_gives_a_mixed_snapshot(site_2025_2, site_2025_1, tmp_path, monkeypatch):
    """The site is swapped (and the old one removed) after the first spec is read: the read starts
    over with the new site, and the snapshot is the new site's throughout."""
    site = tmp_path / "site"
    publish_copy(site_2025_2, site)
    spec_feeds = published_site.personal_feeds.spec_feeds
    swaps = []

    def swap_after_the_first_spec(record, texts, academic_year):
        if not swaps:
            swaps.append(record["code"])
            publish_copy(site_2025_1, site)
        return spec_feeds(record, texts, academic_year)

    monkeypatch.setattr(published_site.personal_feeds, "spec_feeds", swap_after_the_first_spec)
    loaded = published_site.PublishedSite(str(site), cache_size=10)
    loaded.load_now()
    snapshot = loaded.snapshot
    assert swaps and snapshot.identity == (site.stat().st_dev, site.stat().st_ino)
    assert len(snapshot.faculty) == 71
    for code, spec in snapshot.faculty.items():
        directory = record(site, code)["directory"]
        for file, calendar in spec.calendars.items():
            assert calendar.published() == published(site, file, directory)
    snapshot.close()


def test_feeds_wait_for_a_first_site_then_serve_it(site_2025_2, tmp_path):
    site = tmp_path / "site"
    with ServeProcess(site) as server:
        status, headers, body = server.get(FEED)
        assert (status, body) == (503, b"no site is published yet\n")
        assert headers["Retry-After"]
        publish_copy(site_2025_2, site)
        deadline = time.monotonic() + 30
        while server.get(FEED)[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.get(FEED)[2] == published(site, "921-1.ics")


def test_the_importable_application_runs_under_twist_web(site_2025_2, tmp_path):
    """The line docs/personal-feeds.md gives for production servers, with the project's settings (SITE_DIR "site")."""
    (tmp_path / "site").symlink_to(site_2025_2)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "twisted", "web", "--listen", f"tcp:{port}:interface=127.0.0.1",
         "--class", "timetable_spider.feed_server.TimetableSite"],
        cwd=tmp_path, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "timetable_spider.settings"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", f"{FEED}?hide=MLE5028")
                response = connection.getresponse()
                status, body = response.status, response.read()
                break
            except ConnectionRefusedError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.2)
            finally:
                connection.close()
    finally:
        process.terminate()
        process.wait(10)
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert b"NAME:Personal IE2 921/1" in body
