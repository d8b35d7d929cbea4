"""The simulated UBB site itself (tests/ubb_site.py): what it builds and how it answers.

The end-to-end, reliability, cron and Scrapyd tests and the benchmark trust its figures, so
they are checked here against requests made by hand.
"""
from __future__ import annotations

import http.client
import re
import threading
import time

import pytest

from tests.saved_pages import FIXTURES
from tests.ubb_site import CALENDAR_PATH, build, build_site

INDEX = "/files/orar/2025-2/tabelar/index.html"
IE2 = "/files/orar/2025-2/tabelar/IE2.html"


def get(server, path: str, headers: dict | None = None, method: str = "GET") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_build_lays_out_every_page_the_index_links(tmp_path):
    root = build(tmp_path / "www", "2025-2")
    index = (root / INDEX.lstrip("/")).read_bytes().decode("iso-8859-2")
    codes = set(re.findall(r'href="([^"/]+)\.html"', index))
    pages = {p.stem for p in (root / "files/orar/2025-2/tabelar").glob("*.html")} - {"index"}
    assert len(codes) == 71
    assert pages == codes


def test_build_copies_the_saved_pages_byte_for_byte(tmp_path):
    root = build(tmp_path / "www", "2025-2")
    site = FIXTURES / "site"
    assert (root / IE2.lstrip("/")).read_bytes() == (site / "IE2.html").read_bytes()
    assert (root / "files/orar/2025-2/tabelar/I1.html").read_bytes() == (site / "I1.html").read_bytes()
    assert (root / "files/orar/2025-2/sali/legenda.html").read_bytes() == (site / "legenda.html").read_bytes()
    assert (root / CALENDAR_PATH).read_bytes() == (site / "academic_calendar.html").read_bytes()


def test_made_pages_have_their_own_group_numbers():
    root = build_site("2025-2")
    groups = {}
    for page in (root / "files/orar/2025-2/tabelar").glob("*.html"):
        if page.stem != "index":
            groups[page.stem] = re.findall(r"Grupa (\d+)", page.read_bytes().decode("iso-8859-2"))
    assert groups["IE2"] == [str(n) for n in range(921, 928)]
    made = [number for code, numbers in groups.items() if code not in ("IE2", "I1") for number in numbers]
    assert all(len(number) == 4 for number in made)
    assert len(made) == len(set(made)) == 69 * 7


def test_pages_are_served_with_validators_and_no_charset(sim_server):
    server = sim_server(latency=0, jitter=0)
    response = get(server, IE2)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html"
    assert response.body == (FIXTURES / "site" / "IE2.html").read_bytes()
    assert response.getheader("ETag")
    assert response.getheader("Last-Modified").endswith("GMT")


def test_if_none_match_and_if_modified_since_get_304(sim_server):
    server = sim_server(latency=0, jitter=0)
    first = get(server, IE2)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert get(server, IE2, {"If-None-Match": etag}).status == 304
    assert get(server, IE2, {"If-Modified-Since": modified}).status == 304
    assert get(server, IE2, {"If-None-Match": '"other"'}).status == 200
    assert get(server, IE2, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
    stats = server.stop()
    assert stats["not_modified_304"] == 2
    assert stats["paths"] == {IE2: 5}
    assert stats["bytes_sent"] == 3 * len(first.body)


def test_paths_outside_the_site_are_not_served(sim_server):
    server = sim_server(latency=0, jitter=0)
    assert get(server, "/files/orar/../../../../etc/passwd").status == 404
    assert get(server, "/%2e%2e/%2e%2e/etc/passwd").status == 404


def test_a_share_of_answers_is_503(sim_server):
    server = sim_server(latency=0, jitter=0, fail=0.5, seed=7)
    statuses = [get(server, INDEX).status for _ in range(40)]
    stats = server.stop()
    assert set(statuses) == {200, 503}
    assert stats["failed_503"] == statuses.count(503)


def test_beyond_max_conns_requests_in_flight_the_answer_is_503(sim_server):
    server = sim_server(latency=0.3, jitter=0, max_conns=3)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(get(server, INDEX).status)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = server.stop()
    assert sorted(statuses) == [200, 200, 200, 503, 503, 503]
    assert stats["refused_503"] == 3
    assert stats["max_in_flight"] == 4  # the fourth is counted, then refused at once


def test_a_stopped_server_drops_its_connections_and_restarts_with_the_same_validators(sim_server):
    server = sim_server(latency=0, jitter=0)
    port, etag = server.port, get(server, IE2).getheader("ETag")
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        get(server, IE2)
    server.start()
    assert server.port == port
    assert get(server, IE2, {"If-None-Match": etag}).status == 304
    assert [s["requests"] for s in (*server.stats_history, server.stop())] == [1, 1]


def test_answers_wait_for_the_latency(sim_server):
    server = sim_server(latency=0.2, jitter=0)
    started = time.monotonic()
    assert get(server, INDEX).status == 200
    assert time.monotonic() - started >= 0.2


def test_a_request_still_waiting_when_the_server_stops_is_dropped(sim_server):
    server = sim_server(latency=5, jitter=0)
    threading.Timer(0.1, server.stop).start()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(server, INDEX)
