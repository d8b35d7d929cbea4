"""`scrapy serve` against what a stranger may send: Schemathesis drives every operation of the
OpenAPI description (docs/openapi.yaml) and checks each answer against it; Hypothesis sends raw
requests with any path, query, header and body. No answer is a 500, none carries the server's
version, a NUL byte or anything from outside SITE_DIR."""
from __future__ import annotations

import json
import shutil
import socket
from urllib.parse import quote

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance, unsupported_method)

from tests.crawling import PROJECT, crawl_simulated_site
from tests.serving import ServeProcess

API = schemathesis.openapi.from_path(PROJECT / "docs" / "openapi.yaml")
CANARY = b"canary: outside SITE_DIR, never to be served"
HYPOTHESIS = settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    crawled = crawl_simulated_site(root / "crawl")
    site = root / "public" / "site"
    shutil.copytree(crawled, site)
    (root / "public" / "secret.txt").write_bytes(CANARY)
    (site / "escape.txt").symlink_to(root / "public" / "secret.txt")
    (site / "escape-dir").symlink_to(root / "public")
    settings_ = {"SUBSCRIPTIONS_DB": root / "db.sqlite3", "PUSH_VAPID_KEY_FILE": root / "vapid.pem",
                 "SUBSCRIPTIONS_CREATE_PER_MINUTE": 100_000, "SUBSCRIPTIONS_CHANGE_PER_MINUTE": 100_000}
    with ServeProcess(site, settings_) as server:
        yield server
    assert "Traceback" not in server.log


@API.parametrize()
@HYPOTHESIS
def test_every_answer_is_as_the_api_description_says(case, hostile_server):
    case.call_and_validate(base_url=hostile_server.base_url,
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_headers_conformance, response_schema_conformance, unsupported_method])


# -- raw requests ---------------------------------------------------------------------------------

SEGMENTS = st.sampled_from(["feeds", "s", "IE2", "921-1.ics", "subscriptions", "push", "key", "api", "openapi.yaml",
                            "data", "index.json", "..", ".", "", "escape.txt", "escape-dir", "secret.txt", "%2e%2e",
                            "%2f", "%00", "%ff", "index.html", ".hidden"]) | st.text(max_size=12)
QUERY_NAMES = st.sampled_from(["hide", "take", "add", "periods", "x", ""])
HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)
HEADERS = st.dictionaries(st.sampled_from(["If-Modified-Since", "If-None-Match", "Authorization", "X-Forwarded-For",
                                           "Content-Type", "Range", "Accept-Encoding", "Expect"]),
                          HEADER_VALUES | st.sampled_from(["Sat, 05 Dec 99999999999 10:00:00 GMT", "*", "Bearer ",
                                                           "100-continue", "W/\"x\""]), max_size=4)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["calendar", "endpoint", "keys", "p256dh", "auth"]) | st.text(max_size=6),
                        inner, max_size=4), max_leaves=12)
BODIES = st.none() | st.binary(max_size=300) | JSON.map(lambda document: json.dumps(document).encode()) \
    | st.integers(1, 3000).map(lambda depth: b"[" * depth)


def send_raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@given(method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
       segments=st.lists(SEGMENTS, min_size=1, max_size=5),
       encode=st.booleans(),
       query=st.lists(st.tuples(QUERY_NAMES, st.text(max_size=20)), max_size=4),
       headers=HEADERS, body=BODIES)
@HYPOTHESIS
def test_no_request_gets_a_500_or_anything_from_outside_the_site(hostile_server, method, segments, encode, query,
                                                               headers, body):
    path = "/" + "/".join(quote(s, safe="%") if encode else quote(s, safe="%/.:") for s in segments)
    if query:
        path += "?" + "&".join(f"{quote(name)}={quote(value, safe=':/')}" for name, value in query)
    head = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    answer = send_raw(hostile_server.port, "\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + (body or b""))
    status_line, _, rest = answer.partition(b"\r\n")
    header_block = rest.partition(b"\r\n\r\n")[0].lower()
    assert status_line.startswith(b"HTTP/1.1 ") and not status_line.startswith(b"HTTP/1.1 5"), answer[:300]
    assert CANARY not in answer
    assert b"\nserver:" not in b"\n" + header_block
    if b"content-type: text/plain" in header_block:
        assert b"\x00" not in answer


def test_the_api_description_is_valid_openapi_3_1():
    validate(yaml.safe_load((PROJECT / "docs" / "openapi.yaml").read_text()))
