"""deploy/: the nginx site and the systemd units. Debian's real nginx, filled in as
docs/deploying.md says, serves a crawl of the simulated site in front of two `scrapy serve`
replicas; the last test keeps 100 clients busy through a new crawl and a killed replica."""
from __future__ import annotations

import asyncio
import base64
import configparser
import gzip
import hashlib
import http.client
import http.server
import json
import random
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.crawling import PROJECT, free_port, run_crawl
from tests.nginx_server import CONFIG_TEMPLATE, NginxProcess, fill_in, public_directory
from tests.page_fixtures import (COURSE_IN_2I, browser, browser_context_args, browser_type,  # noqa: F401
                                 browser_type_launch_args, launch_browser, playwright, wait_for_week)
from tests.serving import ServeProcess
from timetable_spider.publishing import SiteBuild
from tests.ubb_site import SimServer, build_site

SEMESTER = "2025-2"
UNITS = PROJECT / "deploy" / "systemd"
IE2_DIR = "Informatica - in limba engleza/Year 2"
SENTINEL = b"not for the web: outside SITE_DIR"


@dataclass
class Deployment:
    base: Path
    www: Path
    site: Path
    sim: SimServer
    ports: list[int]
    replicas: list[ServeProcess]
    nginx: NginxProcess

    def crawl(self):
        with self.sim:
            return run_crawl(self.sim, site_dir=self.site, settings={"HTTPCACHE_DIR": self.base / "cache"})


@pytest.fixture(scope="module")
def deployment():
    """The simulated site crawled into a directory nginx's workers can read, two replicas, nginx."""
    base = public_directory("deploy-test-")
    www = base / "www"
    shutil.copytree(build_site(SEMESTER), www)
    ports = [free_port(), free_port()]
    deployed = Deployment(base, www, base / "site", SimServer(root=www, latency=0.02, jitter=0.01), ports, [],
                          NginxProcess(base / "site", ports))
    result = deployed.crawl()
    assert result.returncode == 0, result.output[-3000:]
    try:
        deployed.replicas = [ServeProcess(deployed.site, port=port).start() for port in ports]
        deployed.nginx.start()
        yield deployed
    finally:
        deployed.nginx.stop()
        for replica in deployed.replicas:
            replica.stop()
        shutil.rmtree(base, ignore_errors=True)


# -- systemd ---------------------------------------------------------------------------------------

def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    """The units as installed: /opt/timetable_spider is this checkout, its venv's scrapy included."""
    verify = shutil.which("systemd-analyze")
    assert verify, "systemd-analyze is missing: apt-get install systemd (.ci/run does)"
    scrapy = Path(sys.executable).parent / "scrapy"
    for path in UNITS.iterdir():
        text = path.read_text("utf-8").replace("/opt/timetable_spider/.venv/bin/scrapy", str(scrapy))
        (tmp_path / path.name).write_text(text.replace("/opt/timetable_spider", str(PROJECT)), "utf-8")
    shutil.copy(tmp_path / "timetable-serve@.service", tmp_path / "timetable-serve@8001.service")
    shutil.copy(tmp_path / "timetable-failure@.service", tmp_path / "timetable-failure@timetable-crawl.service.service")
    result = subprocess.run([verify, "verify", "timetable-crawl.service", "timetable-crawl.timer",
                             "timetable-serve@8001.service", "timetable-notify.service", "timetable-notify.timer",
                             "timetable-failure@timetable-crawl.service.service"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_a_feed_server_restarts_on_failure_as_an_unprivileged_user():
    service = unit("timetable-serve@.service")["Service"]
    assert (service["Restart"], service["User"], service["NoNewPrivileges"], service["ProtectSystem"]) == (
        "on-failure", "timetable", "yes", "strict")


def test_a_feed_server_listens_on_its_instance_port_on_loopback():
    assert "--bind 127.0.0.1 --port %i" in unit("timetable-serve@.service")["Service"]["ExecStart"]


def test_no_unit_bind_mounts_site_dir_which_a_crawl_swaps_out():
    for name in ("timetable-serve@.service", "timetable-crawl.service"):
        service = unit(name)["Service"]
        assert not any(key in service for key in ("ReadOnlyPaths", "BindPaths", "BindReadOnlyPaths")), name


def test_the_crawl_and_the_feed_servers_use_one_site_dir():
    site_dirs = {re.search(r"SITE_DIR=(\S+)", unit(name)["Service"]["ExecStart"]).group(1)
                 for name in ("timetable-serve@.service", "timetable-crawl.service")}
    assert site_dirs == {"/var/lib/timetable_spider/site"}


def test_the_crawl_writes_only_beside_its_site_dir():
    service = unit("timetable-crawl.service")["Service"]
    assert (service["ProtectSystem"], service["ReadWritePaths"]) == ("strict", "/var/lib/timetable_spider")


def test_a_crawl_that_found_another_one_running_is_no_failure():
    service = unit("timetable-crawl.service")["Service"]
    assert (service["Type"], service["SuccessExitStatus"]) == ("oneshot", "75")


def test_the_timer_crawls_daily_with_a_random_delay_and_catches_up_after_downtime():
    timer = unit("timetable-crawl.timer")["Timer"]
    assert (timer["OnCalendar"], timer["Persistent"], timer["RandomizedDelaySec"]) == (
        "*-*-* 05:17", "true", "30min")


# -- nginx: the configuration ----------------------------------------------------------------------

def test_the_config_has_only_its_three_placeholders():
    assert set(re.findall(r"\{\{\w+\}\}", CONFIG_TEMPLATE.read_text("utf-8"))) == {
        "{{LISTEN}}", "{{SITE_DIR}}", "{{FEEDS}}"}


def test_nginx_accepts_the_filled_in_config(deployment):
    result = deployment.nginx.check()
    assert (result.returncode, "test is successful" in result.stderr) == (0, True), result.stderr


def inline_hashes(path: Path, tag: str) -> list[str]:
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", path.read_text("utf-8"), re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'" for block in blocks]


def test_the_csp_allows_the_pages_inline_script_by_its_hash(deployment):
    policy = deployment.nginx.get("/index.html")[1]["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert set(inline_hashes(PROJECT / "timetable_spider/web/index.html", "script")) <= set(script_src)


def test_the_csp_allows_calendars_htmls_inline_style_by_its_hash(deployment):
    policy = deployment.nginx.get("/calendars.html")[1]["Content-Security-Policy"]
    style_src = re.search(r"style-src ([^;]*)", policy).group(1).split()
    assert set(inline_hashes(PROJECT / "timetable_spider/templates/index.html", "style")) <= set(style_src)


def test_the_csp_allows_nothing_from_another_origin(deployment):
    policy = deployment.nginx.get("/index.html")[1]["Content-Security-Policy"]
    sources = {source for directive in policy.split(";") for source in directive.split()[1:]}
    assert {s for s in sources if not s.startswith("'")} == set()


@pytest.mark.parametrize("header, value", [("X-Content-Type-Options", "nosniff"),
                                           ("Referrer-Policy", "strict-origin-when-cross-origin")])
def test_the_page_has_security_headers(deployment, header, value):
    assert deployment.nginx.get("/index.html")[1][header] == value


# -- nginx: the published site -----------------------------------------------------------------------

FILE_TYPES = [
    ("index.html", "text/html; charset=utf-8"),
    ("calendars.html", "text/html; charset=utf-8"),
    ("app.css", "text/css; charset=utf-8"),
    ("js/main.js", "text/javascript; charset=utf-8"),
    ("sw.js", "text/javascript; charset=utf-8"),
    ("manifest.webmanifest", "application/manifest+json"),
    ("changes.atom", "application/atom+xml"),
    ("data/site.json", "application/json"),
    ("data/timetables/IE2.json", "application/json"),
    (f"{IE2_DIR}/921-1.ics", "text/calendar; charset=utf-8"),
    ("teachers/index.json", "application/json"),
    ("icons/icon-192.png", "image/png"),
    ("icons/icon.svg", "image/svg+xml"),
]


@pytest.mark.parametrize("path, content_type", FILE_TYPES)
def test_each_kind_of_file_answers_200_with_its_type_and_bytes(deployment, path, content_type):
    status, headers, body = deployment.nginx.get("/" + quote(path))
    assert (status, headers["Content-Type"], body) == (200, content_type, (deployment.site / path).read_bytes())


@pytest.mark.parametrize("path", ["index.html", "js/main.js", "data/timetables/IE2.json", f"{IE2_DIR}/921-1.ics",
                                  "changes.atom"])
def test_text_is_gzipped_for_a_client_that_asks(deployment, path):
    status, headers, body = deployment.nginx.get("/" + quote(path), {"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"], headers["Vary"], gzip.decompress(body)) == (
        200, "gzip", "Accept-Encoding", (deployment.site / path).read_bytes())


@pytest.mark.parametrize("path", ["index.html", "data/timetables/IE2.json", f"{IE2_DIR}/921-1.ics"])
def test_text_is_sent_as_is_to_a_client_that_does_not_ask(deployment, path):
    status, headers, body = deployment.nginx.get("/" + quote(path))
    assert (status, headers["Content-Encoding"], body) == (200, None, (deployment.site / path).read_bytes())


@pytest.mark.parametrize("path", ["index.html", "data/site.json", f"{IE2_DIR}/921-1.ics", "js/main.js",
                                  "changes/IE2.json", "data/changes.json"])
def test_the_page_data_and_calendars_are_revalidated_every_time(deployment, path):
    assert deployment.nginx.get("/" + quote(path))[1]["Cache-Control"] == "no-cache"


def test_icons_may_be_kept_for_a_week(deployment):
    assert deployment.nginx.get("/icons/icon-192.png")[1]["Cache-Control"] == "max-age=604800"


@pytest.mark.parametrize("validator, condition", [("ETag", "If-None-Match"), ("Last-Modified", "If-Modified-Since")])
@pytest.mark.parametrize("path", ["index.html", "data/timetables/IE2.json", f"{IE2_DIR}/921-1.ics", "changes/IE2.json",
                                  "data/changes.json"])
def test_a_current_copy_gets_a_304(deployment, path, validator, condition):
    target = "/" + quote(path)
    tag = deployment.nginx.get(target)[1][validator]
    status, _, body = deployment.nginx.get(target, {condition: tag})
    assert (status, body) == (304, b"")


@pytest.mark.parametrize("path", ["data/index.json", "data/timetables/IE2.json", f"{IE2_DIR}/921-1.ics",
                                  "teachers/index.json", "changes.atom", "changes/IE2.atom", "schema/record-v3.json"])
def test_the_open_data_may_be_read_by_any_sites_scripts(deployment, path):
    status, headers, _ = deployment.nginx.get("/" + quote(path))
    assert (status, headers.get_all("Access-Control-Allow-Origin")) == (200, ["*"])
    # the location's own Cache-Control came with `expires`, so the security headers are still there
    assert (headers["X-Content-Type-Options"], headers["Cache-Control"]) == ("nosniff", "no-cache")


@pytest.mark.parametrize("path", ["index.html", "js/main.js", "icons/icon-192.png"])
def test_the_page_itself_is_not_open_to_other_sites_scripts(deployment, path):
    assert deployment.nginx.get("/" + quote(path))[1]["Access-Control-Allow-Origin"] is None


# -- nginx: the feed servers ------------------------------------------------------------------------

FEEDS = ["/feeds/IE2/921-1.ics", "/feeds/IE2/921-1.ics?hide=MLE5028:L&take=MLE5015:2",
         "/feeds/IE2/922-all.ics?hide=MLE5015:C"]


@pytest.mark.parametrize("target", FEEDS)
def test_a_feed_through_nginx_is_the_replicas_answer(deployment, target):
    direct = deployment.replicas[0].get(target)
    proxied = deployment.nginx.get(target)
    assert (proxied[0], proxied[1]["ETag"], proxied[1]["Content-Type"], proxied[2]) == (
        direct[0], direct[1]["ETag"], direct[1]["Content-Type"], direct[2])


def test_a_feed_through_nginx_says_once_that_any_site_may_read_it(deployment):
    """The replica says it; nginx adding it again would make browsers refuse the answer."""
    assert deployment.nginx.get(FEEDS[0])[1].get_all("Access-Control-Allow-Origin") == ["*"]


@pytest.mark.parametrize("target", FEEDS)
def test_a_feeds_etag_revalidates_through_nginx(deployment, target):
    tag = deployment.nginx.get(target)[1]["ETag"]
    status, _, body = deployment.nginx.get(target, {"If-None-Match": tag})
    assert (status, body) == (304, b"")


def test_a_bad_feed_query_gets_the_replicas_400(deployment):
    status, _, body = deployment.nginx.get("/feeds/IE2/921-1.ics?hide=")
    assert (status, body) == deployment.replicas[0].get("/feeds/IE2/921-1.ics?hide=")[::2]


def test_a_feed_is_answered_while_one_replica_is_down(deployment):
    deployment.replicas[1].stop()
    try:
        answers = {deployment.nginx.get("/feeds/IE2/921-1.ics")[0] for _ in range(6)}
    finally:
        deployment.replicas[1] = ServeProcess(deployment.site, port=deployment.ports[1]).start()
    assert answers == {200}


def restart(deployment, restarted: list[int], wait_for_health: bool) -> None:
    """The replicas at those indexes stopped, then started again on their ports; with
    wait_for_health, each answers /healthz before the next one stops (docs/deploying.md's upgrade)."""
    for index in restarted:
        deployment.replicas[index].stop()
        if wait_for_health:
            deployment.replicas[index] = ServeProcess(deployment.site, port=deployment.ports[index]).start()
            assert deployment.replicas[index].get("/healthz")[0] in (200, 503)  # answering is what counts
    if not wait_for_health:
        for index in restarted:
            deployment.replicas[index] = ServeProcess(deployment.site, port=deployment.ports[index]).start()


def statuses_during(deployment, action) -> list[int]:
    """What nginx answered to a feed asked for over and over, on 4 threads, while action ran."""
    stop, statuses = threading.Event(), []

    def ask() -> None:
        while not stop.is_set():
            statuses.append(deployment.nginx.get(FEEDS[1])[0])

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for asker in askers:
        asker.start()
    try:
        action()
    finally:
        stop.set()
        for asker in askers:
            asker.join()
    return statuses


def test_replicas_restarted_one_at_a_time_lose_no_request(deployment):
    statuses = statuses_during(deployment, lambda: restart(deployment, [0, 1], wait_for_health=True))
    assert (len(statuses) > 50, set(statuses)) == (True, {200})


def test_a_subscription_made_through_nginx_is_served_by_either_replica(deployment):
    """The replicas share the subscriptions' database beside SITE_DIR; nginx spreads the reads."""
    status, _, body = deployment.nginx.get("/subscriptions", {"Content-Type": "application/json"}, "POST",
                                           b'{"calendar": "/feeds/IE2/921-1.ics?hide=MLE5028:L"}')
    feed = json.loads(body)["feed"]
    answers = {deployment.nginx.get(feed)[2] for _ in range(4)} | {replica.get(feed)[2] for replica in deployment.replicas}
    assert (status, answers) == (201, {deployment.replicas[0].get("/feeds/IE2/921-1.ics?hide=MLE5028:L")[2]})


def test_through_nginx_two_replicas_share_one_creation_limit_a_spoofed_header_cannot_escape(deployment):
    """A client on 127.0.0.3 writes a new X-Forwarded-For each time; nginx appends the address it
    saw, which is what the replicas count, in their shared database: 30 a minute in all."""
    statuses = []
    for n in range(32):
        connection = http.client.HTTPConnection("127.0.0.1", deployment.nginx.port, timeout=30,
                                                source_address=("127.0.0.3", 0))
        connection.request("POST", "/subscriptions", b'{"calendar": "/feeds/IE2/921-1.ics"}',
                           {"Content-Type": "application/json", "X-Forwarded-For": f"203.0.113.{n}"})
        statuses.append(connection.getresponse().status)
        connection.close()
    assert statuses == [201] * 30 + [429] * 2


# -- nginx: a busy replica and a swapped site, without the deployment ---------------------------------

class FakeReplica:
    """A feed server that answers every GET with one status and body, and counts the requests."""

    def __init__(self, status: int, body: bytes):
        replica = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                replica.requests += 1
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_replica_answering_503_is_retried_on_the_other_every_time():
    """A replica that is busy (its write lock, a restart) answers 503: the student must not see it."""
    busy, ready = FakeReplica(503, b"busy"), FakeReplica(200, b"from the other replica")
    base = public_directory("deploy-503-")
    try:
        with NginxProcess(base / "site", [busy.port, ready.port]) as nginx:
            answers = [nginx.get("/feeds/IE2/921-1.ics")[::2] for _ in range(10)]
        assert busy.requests > 0  # round robin did send it some: each was retried
        assert answers == [(200, b"from the other replica")] * 10
    finally:
        busy.stop()
        ready.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_each_fetch_after_a_swap_of_the_site_is_the_new_file():
    """The crawl publishes by renaming a new directory over SITE_DIR; nginx must answer from the
    new one at once, every time (a cache of open files would keep answering from the old)."""
    base = public_directory("deploy-swap-")
    site = base / "site"
    fetched = []
    try:
        with NginxProcess(site, [free_port()]) as nginx:  # no feed server: only files are fetched
            for version in range(6):
                build = SiteBuild(site)
                try:
                    build.write("data/status.json", b'{"version": %d}' % version)
                    build.publish()
                finally:
                    build.close()
                fetched.append(nginx.get("/data/status.json")[2])
        assert fetched == [b'{"version": %d}' % version for version in range(6)]
    finally:
        shutil.rmtree(base, ignore_errors=True)


# -- nginx: nothing outside SITE_DIR ------------------------------------------------------------------

@pytest.fixture
def bait(deployment):
    """A secret beside SITE_DIR, a dotfile in it, and a symbolic link in it to the secret."""
    made = [deployment.base / "secret.txt", deployment.site / ".secret", deployment.site / "data" / "secret.json"]
    made[0].write_bytes(SENTINEL)
    made[0].chmod(0o644)
    made[1].write_bytes(SENTINEL)
    made[1].chmod(0o644)
    made[2].symlink_to(made[0])
    yield
    for path in made:
        path.unlink()


@pytest.mark.parametrize("target", [
    "/.secret", "/data/.secret", "/%2esecret", "/data/secret.json", "/../secret.txt", "/%2e%2e/secret.txt",
    "/data/..%2f..%2fsecret.txt", "/data/%2e%2e/%2e%2e/secret.txt", "//../secret.txt", "/../site/index.html/../../secret.txt",
    "/../.site.lock", "/../cache/", "/.well-known/../../secret.txt",
])
def test_nothing_outside_site_dir_nor_a_dotfile_is_served(deployment, bait, target):
    status, _, body = deployment.nginx.get(target)
    assert (status in (400, 403, 404), SENTINEL in body) == (True, False)


# -- the page through nginx, in Chromium ---------------------------------------------------------------

def test_a_share_link_shows_the_week_with_no_console_error_and_no_csp_violation(browser, deployment):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script("""document.addEventListener("securitypolicyviolation",
        (event) => console.error(`CSP: ${event.violatedDirective} ${event.blockedURI}`));""")
    try:
        page.goto(f"http://127.0.0.1:{deployment.nginx.port}/index.html?code=IE2&group=921&subgroup=1&date=2026-03-10")
        wait_for_week(page)
        expect(page.locator("#grid [data-uid]").first).to_be_visible()
        page.evaluate("navigator.serviceWorker.ready")
        assert errors == []
    finally:
        context.close()


# -- zero errors through change ----------------------------------------------------------------------------

@dataclass
class Answer:
    target: str
    status: int | None  # None: the connection broke before a whole answer
    body: bytes
    seconds: float
    sent: float  # time.monotonic() when it was asked


@dataclass
class Load:
    answers: list[Answer] = field(default_factory=list)
    connections: int = 0


async def keep_asking(port: int, requests: list[tuple[str, dict]], stop_at: float, rng: random.Random, load: Load):
    """One keep-alive client: a request as soon as the last answer is whole; a new connection
    only when nginx said `Connection: close` or the last one broke."""
    reader = writer = None
    while time.perf_counter() < stop_at:
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            load.connections += 1
        target, headers = rng.choice(requests)
        lines = [f"GET {target} HTTP/1.1", "Host: timetable.test", *(f"{k}: {v}" for k, v in headers.items())]
        started, sent = time.perf_counter(), time.monotonic()
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            status = int(head[0].split()[1])
            fields = dict(line.split(": ", 1) for line in head[1:] if line)
            fields = {k.lower(): v for k, v in fields.items()}
            body = await reader.readexactly(int(fields.get("content-length", 0)))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as error:
            load.answers.append(Answer(target, None, repr(error).encode(), time.perf_counter() - started, sent))
            writer.close()
            writer = None
            continue
        load.answers.append(Answer(target, status, body, time.perf_counter() - started, sent))
        if fields.get("connection", "").lower() == "close" or "transfer-encoding" in fields:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def run_load(port: int, requests: list[tuple[str, dict]], clients: int, seconds: float) -> Load:
    async def main() -> Load:
        load = Load()
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(keep_asking(port, requests, stop_at, random.Random(n), load) for n in range(clients)))
        return load
    return asyncio.run(main())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def test_zero_errors_while_a_crawl_publishes_and_a_replica_is_killed(deployment):
    """100 keep-alive clients for 20 s; meanwhile a crawl of the changed site swaps SITE_DIR in,
    and a replica is killed with SIGKILL and started again. Every answer is a 200 whose body is
    the old site's or the new site's bytes for that target, whole, or a 304."""
    site, nginx = deployment.site, deployment.nginx
    ie2 = sorted(p.relative_to(site).as_posix() for p in (site / IE2_DIR).glob("*.ics"))
    files = ["index.html", "app.css", "js/main.js", "data/site.json", "data/index.json", "data/status.json",
             "data/timetables/IE2.json", "data/IE2.json", "changes.atom", "rooms/index.json", *ie2]
    feeds = [f"/feeds/IE2/{Path(p).name}" for p in ie2] + [f"/feeds/IE2/{Path(p).name}?hide=MLE5028:L" for p in ie2]
    old = {"/" + quote(path): (site / path).read_bytes() for path in files}
    old.update({target: deployment.replicas[0].get(target)[2] for target in feeds})
    tags = {target: nginx.get(target)[1]["ETag"] for target in old}
    requests = [(target, {}) for target in old] + [(target, {"If-None-Match": tag}) for target, tag in tags.items()]

    page = deployment.www / "files" / "orar" / SEMESTER / "tabelar" / "IE2.html"
    text = page.read_bytes().decode("iso-8859-2")
    page.write_bytes(text.replace(COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<"))
                     .encode("iso-8859-2"))

    result: dict[str, Load] = {}
    loading = threading.Thread(target=lambda: result.update(load=run_load(nginx.port, requests, 100, 20.0)))
    started = time.monotonic()
    loading.start()
    crawl: dict = {}
    crawling = threading.Thread(target=lambda: (time.sleep(2), crawl.update(began=time.monotonic()),
                                                crawl.update(result=deployment.crawl())))
    crawling.start()
    time.sleep(5)
    deployment.replicas[0].process.kill()  # SIGKILL
    killed_at = time.monotonic() - started
    deployment.replicas[0].process.wait()
    time.sleep(1)
    deployment.replicas[0] = ServeProcess(site, port=deployment.ports[0]).start()
    restarted_at = time.monotonic() - started
    crawling.join()
    # when the crawl's process exited, not when run_crawl returned: it checks the site's JSON after
    crawl["exited"] = crawl["began"] + crawl["result"].seconds
    published_at = crawl["exited"] - started
    loading.join()
    assert crawl["result"].returncode == 0, crawl["result"].output[-3000:]

    new = {"/" + quote(path): (site / path).read_bytes() for path in files}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the replica reads the new site in a thread
        new.update({target: deployment.replicas[1].get(target)[2] for target in feeds})
        if new[feeds[0]] != old[feeds[0]]:
            break
        time.sleep(0.2)
    answers = result["load"].answers
    wrong = [(a.target, a.status, a.body[:80]) for a in answers
             if not (a.status == 304 and a.body == b"" or a.status == 200 and a.body in (old[a.target], new[a.target]))]
    changed = {target for target in old if old[target] != new[target]}
    # nginx opens files afresh: once the crawl has exited, its swap is done, and no file is the old one's
    stale = [a.target for a in answers if a.status == 200 and not a.target.startswith("/feeds/")
             and a.sent > crawl["exited"] and a.body != new[a.target]]
    seen_new = sum(a.status == 200 and a.target in changed and a.body == new[a.target] for a in answers)
    seen_old = sum(a.status == 200 and a.target in changed and a.body == old[a.target] for a in answers)
    seconds = [a.seconds for a in answers]
    print(f"\n{len(answers)} answers on {result['load'].connections} connections in 20 s "
          f"({sum(a.status == 200 for a in answers)} × 200, {sum(a.status == 304 for a in answers)} × 304, "
          f"{len(wrong)} wrong, {len(stale)} stale); of the {len(changed)} targets the crawl changed, {seen_old} old and "
          f"{seen_new} new answers; p50 {percentile(seconds, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(seconds, 0.99) * 1000:.1f} ms; replica killed at {killed_at:.1f} s, "
          f"back at {restarted_at:.1f} s; crawl published at {published_at:.1f} s")
    assert wrong == [], nginx.error_log[-3000:]
    assert stale == []
    assert (killed_at < 20, published_at < 20, bool(changed), seen_old > 0, seen_new > 0) == (True,) * 5


def test_the_failure_hook_runs_the_administrators_command_with_the_failed_unit(tmp_path):
    hook = tmp_path / "on-failure"
    hook.write_text(f'#!/bin/sh\necho "$1" > {tmp_path / "told"}\n')
    hook.chmod(0o755)
    line = unit("timetable-failure@.service")["Service"]["ExecStart"]
    command = line.replace("/etc/timetable_spider/on-failure", str(hook)).replace("%i", "timetable-crawl.service")
    ran = subprocess.run(shlex.split(command), capture_output=True, text=True)
    assert (ran.stdout, (tmp_path / "told").read_text()) == (
        "<3>timetable-crawl.service failed: journalctl -u timetable-crawl.service\n", "timetable-crawl.service\n")


@pytest.mark.parametrize("name", ["timetable-crawl.service", "timetable-serve@.service", "timetable-notify.service"])
def test_every_long_running_or_timed_unit_names_the_failure_hook(name):
    assert unit(name)["Unit"]["OnFailure"] == "timetable-failure@%n.service"


def test_filling_in_the_config_leaves_its_own_comment_as_it_was():
    filled = fill_in("8080", "/var/lib/timetable_spider/site", [8001])
    comments = [line for line in filled.splitlines() if line.lstrip().startswith("#")]
    code = [line for line in filled.splitlines() if not line.lstrip().startswith("#")]
    assert ([p for p in ("{{LISTEN}}", "{{SITE_DIR}}", "{{FEEDS}}") if any(p in line for line in comments)],
            [line for line in code if "{{" in line]) == (["{{LISTEN}}", "{{SITE_DIR}}", "{{FEEDS}}"], [])


@pytest.mark.parametrize("name, key", [("timetable-crawl.service", "TimeoutStopSec"),
                                       ("timetable-notify.service", "TimeoutStartSec")])
def test_notify_ends_by_its_own_deadline_before_systemd_would_kill_it(name, key):
    from timetable_spider import settings
    minutes = int(unit(name)["Service"][key].removesuffix("min"))
    assert settings.PUSH_RUN_DEADLINE < minutes * 60
