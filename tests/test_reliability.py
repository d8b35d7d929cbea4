"""Reliability: the real `scrapy crawl schedules` against the simulated site when things go wrong.

Transient faults, pages that stay broken, a missing index or academic calendar, a dead or
vanishing server, a crawl killed with SIGKILL while it writes, the shrink guard and oversized
pages. Each case starts from a published site and checks what the next crawl does to it: publish
the same, keep what it could not refresh, or leave everything as it was, with an exit status and
a status.json that say which.

Most cases crawl a small copy of the simulated site (8 spec pages: the index rows of I, IE and
MaBD), which is crawled in ~3 s; the fault and kill cases crawl the whole site (71 spec pages).
"""
from __future__ import annotations

import errno
import fcntl
import html
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import icalendar
import pytest

from tests.crawling import (
    PROJECT, beside_site, crawl_command, descendants, error_lines, free_port, group_calendars, is_group_calendar,
    run_crawl, snapshot)
from tests.ubb_site import SimServer, build_site

SEMESTER = "2025-2"
LATENCY, JITTER = 0.02, 0.01
NO_CACHE = {"HTTPCACHE_ENABLED": 0}
FAST_RETRIES = {"RETRY_BACKOFF_BASE": 0.05}
SMALL_ROWS = {"I1", "IE2", "MaBD2"}  # the index rows kept: I1-I3, IE1-IE3, MaBD1-MaBD2
SMALL_CODES = ["I1", "I2", "I3", "IE1", "IE2", "IE3", "MaBD1", "MaBD2"]
STATUS = "data/status.json"
LOG = "data/changes.json"
ENCODING = "iso-8859-2"  # what the simulated (and the real) pages are written in
CRAWL_TIMEOUT = 120


# -- the simulated site and its variants ---------------------------------------------------------

def tabelar(www: Path, semester: str = SEMESTER) -> Path:
    return www / "files" / "orar" / semester / "tabelar"


def calendar_page(www: Path) -> Path:
    return www / "ro" / "studenti" / "invatamant" / "structura_anului_universitar"


def read_page(path: Path) -> str:
    return path.read_bytes().decode(ENCODING)


def write_page(path: Path, text: str) -> None:
    path.write_bytes(text.encode(ENCODING))


def keep_index_rows(www: Path, codes: set[str]) -> None:
    """Keep only the index rows that link to one of codes (and the section headings)."""
    index = tabelar(www) / "index.html"

    def row(match: re.Match) -> str:
        text = match.group(0)
        if "<th>" in text:
            return text
        return text if set(re.findall(r'href="([^"/]+)\.html"', text)) & codes else ""

    write_page(index, re.sub(r"<tr.*?</tr>\s*", row, read_page(index), flags=re.S))


def copy_www(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def spec_url(server: SimServer, code: str) -> str:
    return f"{server.timetable_root}/{SEMESTER}/tabelar/{code}.html"


# -- published sites -----------------------------------------------------------------------------

@dataclass
class Published:
    site: Path
    server: SimServer
    output: str


def differences(before: dict, after: dict) -> list[str]:
    names = sorted(set(before) | set(after))
    return [name for name in names if before.get(name) != after.get(name)]


def read_status(site: Path) -> dict:
    return json.loads((site / STATUS).read_text("utf-8"))


def spec_files(site: Path, code: str) -> list[str]:
    """data/<code>.json, the page's data/timetables/<code>.json and the calendars, relative to site."""
    record = json.loads((site / "data" / f"{code}.json").read_text("utf-8"))
    files = [f"{record['directory']}/{c['file']}" for g in record["groups"] for c in g["calendars"]]
    assert files, f"{code} lists no calendars"
    return [f"data/{code}.json", f"data/timetables/{code}.json", *files]


def linked_from_index(site: Path) -> set[str]:
    page = (site / "calendars.html").read_text("utf-8")
    return {unquote(html.unescape(href)) for href in re.findall(r'href="([^"]*)"', page)}


def copy_site(published: Path, tmp_path: Path) -> Path:
    """A private copy of a published site, in a parent directory of its own."""
    site = tmp_path / "public" / "site"
    shutil.copytree(published, site)
    return site


def staging_dirs(site: Path) -> list[Path]:
    return sorted(site.parent.glob(f".{site.name}.staging-*"))


def hidden_entries(site: Path) -> list[str]:
    """Anything under SITE_DIR named like a temp, staging or retired file or directory."""
    return [p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.name.startswith(".") or "staging" in p.name or "retired" in p.name]


def crawl(root: Path, site: Path, *, semester: str = SEMESTER, settings: dict | None = None,
          on_output=None, env: dict | None = None, module: str = "scrapy", **server_options):
    """Serve root and crawl it into site; returns (result, server) with the server stopped."""
    options = {"latency": LATENCY, "jitter": JITTER, **server_options}
    with SimServer(root=root, **options) as server:
        result = run_crawl(server, semester=semester, site_dir=site, timeout=CRAWL_TIMEOUT,
                           settings={**NO_CACHE, **(settings or {})}, module=module,
                           env=env and {**os.environ, **env},
                           on_output=on_output and (lambda line, process: on_output(line, server)))
    assert not result.timed_out, result.output[-3000:]
    return result, server


def context(result) -> str:
    return f"exit {result.returncode}:\n{result.output[-4000:]}"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reliability")


@pytest.fixture(scope="module")
def small_www(work) -> Path:
    www = copy_www(build_site(SEMESTER), work / "www-small")
    keep_index_rows(www, SMALL_ROWS)
    return www


@pytest.fixture(scope="module")
def small_published(work, small_www) -> Published:
    """The small site published by a fault-free crawl: the "previous site" of most cases."""
    site = work / "small" / "site"
    result, server = crawl(small_www, site)
    assert result.returncode == 0, context(result)
    assert read_status(site)["counts"]["spec_pages_written"] == len(SMALL_CODES)
    assert sorted(p.stem for p in (site / "data").glob("*.json")) == sorted(
        [*SMALL_CODES, "changes", "index", "rooms", "site", "status"])
    return Published(site, server, result.output)


@pytest.fixture(scope="module")
def full_published(work) -> Published:
    """The whole simulated site published by a fault-free crawl."""
    site = work / "full" / "site"
    server = SimServer(SEMESTER, latency=LATENCY, jitter=JITTER)
    with server:
        result = run_crawl(server, site_dir=site, settings=NO_CACHE, timeout=CRAWL_TIMEOUT)
    assert result.returncode == 0, context(result)
    return Published(site, server, result.output)


@pytest.fixture
def previous(small_published, tmp_path) -> tuple[Path, dict, dict]:
    """A copy of the small published site, its snapshot without status.json, and its status."""
    site = copy_site(small_published.site, tmp_path)
    return site, snapshot(site, skip=(STATUS,)), read_status(site)


def assert_untouched(site: Path, before: dict, previous_status: dict) -> dict:
    """The site as it was, but for a status.json that says the run failed; returns that status."""
    changed = differences(before, snapshot(site, skip=(STATUS,)))
    assert not changed, f"the previous site changed: {changed[:10]}"
    assert beside_site(site) == [".site.lock", site.name], "a staging or temp file was left behind"
    status = read_status(site)
    assert status["outcome"] == "failed", status
    # the record of the last real publication survives a failed run
    assert status["last_published"] == previous_status["last_published"]
    return status


# -- transient faults ----------------------------------------------------------------------------

def test_transient_faults_publish_exactly_what_a_fault_free_crawl_publishes(full_published, tmp_path):
    a = full_published.site
    b = copy_site(a, tmp_path)
    server = full_published.server  # the same port, so the pages' URLs (in data/*.json) are the same
    server.start(fail=0.15)
    try:
        result = run_crawl(server, site_dir=b, timeout=CRAWL_TIMEOUT,
                           settings={"HTTPCACHE_DIR": tmp_path / "httpcache", **FAST_RETRIES})
    finally:
        stats = server.stop()
        server.options["fail"] = 0.0
    assert result.returncode == 0, context(result)
    # the faults did happen, and were retried
    assert stats is not None and stats["failed_503"] >= 3, stats
    retried = re.search(r"'retry/count': (\d+)", result.output)
    assert retried and int(retried.group(1)) >= stats["failed_503"], result.output[-3000:]
    assert read_status(b)["outcome"] == "published"
    assert read_status(b)["failed_pages"] == []

    tree_a, tree_b = snapshot(a), snapshot(b)
    assert tree_a.keys() == tree_b.keys()
    calendars = [name for name in tree_a if is_group_calendar(name)]
    assert len(calendars) == 1491
    changed = [name for name in calendars if tree_a[name][0] != tree_b[name][0]]
    assert not changed, f"calendars differ after a crawl with faults: {changed[:5]}"
    # nothing changed, so the change log is as it was
    data = [name for name in tree_a if name.startswith("data/") and name != STATUS]
    assert tree_b[LOG][0] == tree_a[LOG][0]
    assert [name for name in data if tree_a[name][0] != tree_b[name][0]] == []
    assert tree_b["calendars.html"][0] == tree_a["calendars.html"][0]  # its date too: the list did not change


# -- a spec page that stays broken ---------------------------------------------------------------

@pytest.mark.parametrize("missing", [
    ["MaBD2"],
    ["MaBD2", "IE3"],  # 2 of 8 kept: no shrink, since kept pages count as published
], ids=["one page", "two pages"])
def test_spec_page_failing_after_retries_keeps_its_previous_version(previous, small_www, tmp_path, missing):
    site, before, previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    for code in missing:
        (tabelar(www) / f"{code}.html").unlink()
    kept = {path: before[path] for code in missing for path in spec_files(site, code)}

    result, server = crawl(www, site, settings=FAST_RETRIES)

    assert result.returncode == 1, context(result)
    status = read_status(site)
    assert status["outcome"] == "partial", status
    failed = {(page["url"], page["kind"], page["reason"]) for page in status["failed_pages"]}
    assert failed == {(spec_url(server, code), "timetable", "HTTP 404") for code in missing}
    for code in missing:
        assert f"Failed timetable page {spec_url(server, code)}: HTTP 404" in result.output
    assert status["counts"]["spec_pages_written"] == len(SMALL_CODES) - len(missing)
    assert status["counts"]["spec_pages_kept_from_last_run"] == len(missing)
    # the kept pages count as published, so the shrink guard sees the whole site
    for key in ("spec_pages", "groups", "calendars", "events"):
        assert status["counts"][key] == previous_status["counts"][key], key
    # the page's last calendars and data, as they were: same bytes, same file (mtime, inode)
    after = snapshot(site)
    assert {path: after.get(path) for path in kept} == kept
    links = linked_from_index(site)
    for path in kept:
        if path.endswith(".ics"):
            assert path in links, f"{path} is no longer linked from calendars.html"
    # the rest was published: every spec page has its data, the index lists them all
    index = json.loads((site / "data" / "index.json").read_text("utf-8"))
    assert [y["code"] for spec in index for y in spec["years"]] == SMALL_CODES
    assert all(y["calendars"] for spec in index for y in spec["years"])
    assert "Published" in result.output
    assert beside_site(site) == [".site.lock", "site"]


def test_a_spec_page_that_fails_is_one_error_line_naming_it(previous, small_www, tmp_path):
    """One alert for an administrator who alerts on ERROR: the run's, not the page's and Scrapy's too."""
    site, _before, _previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    (tabelar(www) / "MaBD2.html").unlink()

    result, server = crawl(www, site, settings=FAST_RETRIES)

    assert [line.split("] ERROR: ", 1)[1] for line in error_lines(result.output)] == [
        f"Published, but not everything is fresh: timetable page {spec_url(server, 'MaBD2')}: HTTP 404; its last "
        f"published version was kept"], context(result)


def test_a_dead_server_is_one_error_line_after_the_retries(previous):
    """Each page and robots.txt given up on after their retries: warnings; the run's failure: the ERROR."""
    site, _before, _previous_status = previous
    nobody = SimServer(SEMESTER, port=free_port())  # never started: nothing listens on the port

    result = run_crawl(nobody, site_dir=site, timeout=CRAWL_TIMEOUT, settings={**NO_CACHE, **FAST_RETRIES, "RETRY_TIMES": 1})

    assert ["Nothing published; " in line and nobody.index_url() in line for line in error_lines(result.output)] == [
        True], context(result)


# -- a parser that raises on one page ------------------------------------------------------------

def test_a_parser_error_on_a_spec_page_is_a_failed_page_and_keeps_its_previous_version(previous, small_www):
    site, before, previous_status = previous
    kept = {path: before[path] for path in spec_files(site, "IE2")}

    result, server = crawl(small_www, site, module="tests.crawl_with_a_parser_bug",
                           env={"PARSER_BUG_PAGES": "IE2.html"})

    assert result.returncode == 1, context(result)
    url = spec_url(server, "IE2")
    reason = "parsing the page raised RuntimeError('a planted parser bug')"
    assert f"Failed timetable page {url}: {reason}" in result.output
    assert "Traceback" in result.output  # a bug: its traceback is in the log
    status = read_status(site)
    assert status["outcome"] == "partial"
    assert status["failed_pages"] == [{"url": url, "kind": "timetable", "reason": reason}]
    assert status["counts"]["spec_pages_kept_from_last_run"] == 1
    after = snapshot(site)
    assert {path: after.get(path) for path in kept} == kept


# -- a misconfigured server ----------------------------------------------------------------------

def test_pages_served_with_the_wrong_content_type_are_read_as_html(small_published, small_www, tmp_path):
    www = copy_www(small_www, tmp_path / "www")
    sidecars = {tabelar(www).parent / "sali" / "legenda.html": "text/xml",
                calendar_page(www): "text/plain; charset=utf-8",
                tabelar(www) / "IE2.html": "application/xml"}
    for page, content_type in sidecars.items():
        page.with_name(page.name + ".content-type").write_text(content_type)
    site = copy_site(small_published.site, tmp_path)
    before = snapshot(site)

    result, _server = crawl(www, site)

    assert result.returncode == 0, context(result)
    assert "encoding_problems" not in result.output and "lists no rooms" not in result.output
    after = snapshot(site)
    # (data/<CODE>.json name the pages' URLs, which have this server's port)
    same = [name for name in before if name.endswith(".ics") or name == "data/rooms.json"]
    assert [name for name in same if after[name] != before[name]] == []  # same bytes, same files


# -- a new semester ------------------------------------------------------------------------------

def test_a_spec_page_failing_in_a_new_semester_has_no_calendars_and_the_rest_is_published(small_www, tmp_path):
    www = copy_www(small_www, tmp_path / "www")
    shutil.copytree(tabelar(www).parent, tabelar(www, "2025-1").parent)  # the same pages, a semester earlier
    site = tmp_path / "public" / "site"
    first, _server = crawl(www, site, semester="2025-1")
    assert first.returncode == 0, context(first)
    old_calendars = [site / path for path in spec_files(site, "MaBD2") if path.endswith(".ics")]
    (tabelar(www) / "MaBD2.html").unlink()

    result, server = crawl(www, site, settings=FAST_RETRIES)

    assert result.returncode == 1, context(result)
    url = spec_url(server, "MaBD2")
    status = read_status(site)
    assert (status["outcome"], status["semester"]) == ("partial", SEMESTER)
    assert status["failed_pages"] == [{"url": url, "kind": "timetable", "reason": "HTTP 404"}]
    assert status["problems"] == [f"timetable page {url}: HTTP 404; it has no calendars this run "
                                  "(its last published version is of semester 2025-1)"]
    assert not (site / "data" / "MaBD2.json").exists()
    assert not any(path.exists() for path in old_calendars), "last semester's calendars were republished"
    assert status["counts"]["spec_pages_written"] == len(SMALL_CODES) - 1
    for code in SMALL_CODES[:-1]:
        assert json.loads((site / "data" / f"{code}.json").read_text("utf-8"))["semester"] == SEMESTER


# -- one crawl at a time, and where a site cannot be swapped -------------------------------------

def test_a_second_crawl_of_the_same_site_exits_75_at_once_and_touches_nothing(previous, small_www):
    site, _before, _status = previous
    leftover = site.parent / ".site.staging-of-the-running-crawl"
    leftover.mkdir()
    with open(site.parent / ".site.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first crawl, still running
        everything = snapshot(site.parent)
        result, server = crawl(small_www, site)

    assert result.returncode == 75, context(result)
    assert f"Another crawl is publishing to {site}" in result.output
    assert "(outcome: locked)" in result.output
    assert server.stats["requests"] == 0
    assert snapshot(site.parent) == everything, "the second crawl touched something"


def test_a_site_dir_that_is_a_mount_point_is_refused_before_crawling(small_published, small_www, tmp_path, tmpfs):
    site = tmpfs(tmp_path / "volume" / "site", "64m")
    shutil.copytree(small_published.site, site, dirs_exist_ok=True)
    before = snapshot(site)

    result, server = crawl(small_www, site)

    assert result.returncode == 1, context(result)
    assert f"SITE_DIR {site} is a mount point." in result.output
    assert f"-s SITE_DIR={site}/site" in result.output
    assert server.stats["requests"] == 0
    assert snapshot(site) == before
    assert beside_site(site) == ["site"]


def test_a_full_disk_fails_the_run_and_keeps_the_old_site(small_published, small_www, tmp_path, tmpfs):
    public = tmpfs(tmp_path / "public", "32m")
    site = public / "site"
    shutil.copytree(small_published.site, site)
    before = snapshot(site)
    www = copy_www(small_www, tmp_path / "www")
    page = tabelar(www) / "IE2.html"
    page.write_bytes(page.read_bytes().replace(b"Programare Web", b"Programare Web Avansata"))
    with open(public / "filler", "wb") as filler:  # the rest of the disk, taken
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC

    result, _server = crawl(www, site)

    assert result.returncode == 1, context(result)
    assert "No space left on device" in result.output
    assert "Nothing published" in result.output
    assert snapshot(site) == before, "the old site changed"
    assert sorted(os.listdir(public)) == [".site.lock", "filler", "site"]


# -- pages without which nothing can be published ------------------------------------------------

@pytest.mark.parametrize("case", ["index deleted", "semester without an index"])
def test_missing_index_fails_and_leaves_the_site_alone(previous, small_www, tmp_path, case):
    site, before, previous_status = previous
    if case == "index deleted":
        www, semester = copy_www(small_www, tmp_path / "www"), SEMESTER
        (tabelar(www) / "index.html").unlink()
    else:  # 2025-1 is in the academic year of the calendar the site serves, but has no timetable
        www, semester = small_www, "2025-1"

    result, server = crawl(www, site, semester=semester, settings=FAST_RETRIES)

    assert result.returncode != 0, context(result)
    url = server.index_url(semester)
    assert f"Failed index page {url}: HTTP 404" in result.output
    assert "Nothing published" in result.output
    status = assert_untouched(site, before, previous_status)
    assert url in [page["url"] for page in status["failed_pages"]]
    assert any(url in problem for problem in status["problems"])


def test_missing_academic_calendar_fails_and_leaves_the_site_alone(previous, small_www, tmp_path):
    site, before, previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    calendar_page(www).unlink()

    result, server = crawl(www, site, settings=FAST_RETRIES)

    assert result.returncode != 0, context(result)
    url = server.academic_calendar_url
    assert f"Failed academic calendar page {url}: HTTP 404" in result.output
    status = assert_untouched(site, before, previous_status)
    assert [page["url"] for page in status["failed_pages"]] == [url]
    assert any(url in problem for problem in status["problems"])


def test_dead_server_fails_and_leaves_the_site_alone(previous, tmp_path):
    site, before, previous_status = previous
    nobody = SimServer(SEMESTER, port=free_port())  # never started: nothing listens on the port

    result = run_crawl(nobody, site_dir=site, timeout=CRAWL_TIMEOUT,
                       settings={**NO_CACHE, **FAST_RETRIES, "RETRY_TIMES": 2})

    assert not result.timed_out
    assert result.returncode != 0, context(result)
    url = nobody.index_url()
    failure = re.search(rf"Failed index page {re.escape(url)}: (.*)", result.output)
    assert failure and "refused" in failure.group(1).lower(), result.output[-3000:]
    status = assert_untouched(site, before, previous_status)
    assert {page["url"] for page in status["failed_pages"]} == {
        url, nobody.academic_calendar_url, f"{nobody.timetable_root}/{SEMESTER}/sali/legenda.html"}


def test_a_first_crawl_without_network_does_not_retry_and_says_there_was_nothing_to_keep(tmp_path):
    """No network, or a host name that does not resolve (the reserved .invalid): no retries, of
    the pages or of robots.txt, since waiting does not mend it."""
    unresolvable = "http://www.cs.ubbcluj.invalid"
    result = run_crawl(site_dir=tmp_path / "site", timeout=CRAWL_TIMEOUT, settings={
        **NO_CACHE, "TIMETABLE_ROOT": f"{unresolvable}/files/orar", "ACADEMIC_CALENDAR_URL": f"{unresolvable}/calendar"})

    assert (result.returncode, read_status(tmp_path / "site")["outcome"]) == (1, "failed"), context(result)
    assert re.findall(r"'(retry/count|robotstxt/request_count)': (\d+)", result.output) == [
        ("robotstxt/request_count", "1")], context(result)
    assert f"Nothing published; {tmp_path / 'site'} has no previous content to keep: nothing was published there " \
           "before. Problems: " in result.output, context(result)


def test_a_crawl_killed_between_the_two_renames_loses_no_site(previous, small_www):
    """Without renameat2, publishing renames SITE_DIR away, then the new site in: a crawl killed
    in between leaves no SITE_DIR. The next crawl puts the old site back before anything else,
    so even when it fails (the server is dead) the site is the last published one, whole."""
    site, before, previous_status = previous
    killed, _server = crawl(small_www, site, module="tests.crawl_killed_mid_swap")
    assert (killed.returncode, site.exists()) == (-signal.SIGKILL, False), context(killed)

    nobody = SimServer(SEMESTER, port=free_port())  # never started: nothing listens on the port
    result = run_crawl(nobody, site_dir=site, timeout=CRAWL_TIMEOUT, settings={**NO_CACHE, "RETRY_TIMES": 0})

    assert_untouched(site, before, previous_status)
    assert re.search(rf"WARNING: {re.escape(str(site))} was missing, and .*\.site\.retired-\d+ held the last "
                     rf"published site", result.output), context(result)


def test_server_stopped_mid_crawl_fails_and_leaves_the_site_alone(previous, small_www):
    site, before, previous_status = previous
    stoppers: list[threading.Thread] = []

    def stop_when_the_index_is_in(line: str, server: SimServer) -> None:
        # The spec pages are requested as soon as the index is in; with 0.3 s latency they are
        # still in flight when the server goes away.
        if not stoppers and f"Crawled (200) <GET {server.index_url()}>" in line:
            stoppers.append(threading.Thread(target=server.stop))
            stoppers[0].start()

    result, server = crawl(small_www, site, latency=0.3, jitter=0.05, on_output=stop_when_the_index_is_in,
                           settings={"RETRY_TIMES": 1, **FAST_RETRIES, "LOG_LEVEL": "DEBUG"})
    for stopper in stoppers:
        stopper.join()

    assert stoppers, "the index was never crawled"
    assert result.returncode != 0, context(result)
    lost = re.findall(r"Failed timetable page (\S+):", result.output)
    assert lost, "no spec page was in flight when the server stopped"
    assert "Published" not in result.output
    status = assert_untouched(site, before, previous_status)
    assert set(lost) <= {page["url"] for page in status["failed_pages"]}


# -- SIGKILL while the new site is being written -------------------------------------------------

def count_files(directory: Path) -> int:
    return sum(len(files) for _dirs, _subdirs, files in os.walk(directory))


def start_crawl(server: SimServer, site: Path, log: Path) -> subprocess.Popen:
    command = crawl_command(server, site_dir=site, settings=NO_CACHE)
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)


def assert_all_exit(pids: set[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = {pid for pid in pids if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"}
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes of the killed crawl still running: {sorted(alive)}")


def kill_when(process: subprocess.Popen, site: Path, files: int, timeout: float = 60) -> tuple[Path, int]:
    """SIGKILL the crawl once its staging directory holds at least `files` files; its workers must end too."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, "the crawl ended before it could be killed"
            staging = staging_dirs(site)
            if staging:
                count = count_files(staging[0])
                if count >= files:
                    workers = descendants(process.pid)
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
                    assert_all_exit(workers)
                    return staging[0], count
            time.sleep(0.01)
        raise AssertionError(f"the staging directory never held {files} files")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def ics_summaries(path: Path) -> list[str]:
    return [str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


def test_sigkill_while_writing_leaves_the_site_whole(full_published, work, tmp_path):
    renamed = "Programare Web Avansată"
    www = copy_www(build_site(SEMESTER), work / "www-renamed")
    page = tabelar(www) / "IE2.html"
    original = page.read_bytes()
    assert original.count(b"Programare Web") >= 2
    page.write_bytes(original.replace(b"Programare Web", renamed.encode(ENCODING)))

    site = copy_site(full_published.site, tmp_path)
    before = snapshot(site)
    ie2_calendars = [path for path in spec_files(site, "IE2") if path.endswith(".ics")]
    assert not any(renamed in s for path in ie2_calendars for s in ics_summaries(site / path))

    with SimServer(root=www, latency=LATENCY, jitter=JITTER) as server:
        for moment, files in [("as soon as the staging directory appears", 0), ("after ~half the files", 750)]:
            process = start_crawl(server, site, tmp_path / f"killed-{files}.log")
            leftover, written = kill_when(process, site, files)
            assert process.returncode == -signal.SIGKILL
            log = (tmp_path / f"killed-{files}.log").read_text(errors="replace")
            assert "Published" not in log, f"killed {moment}, but the crawl had already published"
            changed = differences(before, snapshot(site))
            assert not changed, f"killed {moment} ({written} files staged): SITE_DIR changed: {changed[:10]}"
            assert hidden_entries(site) == [], f"killed {moment}: visible under SITE_DIR"
            # the interrupted build stays beside SITE_DIR, never inside it
            assert leftover.exists() and leftover.parent == site.parent
            assert staging_dirs(site) == [leftover]
            assert count_files(leftover) >= files

        result = run_crawl(server, site_dir=site, settings=NO_CACHE, timeout=CRAWL_TIMEOUT)

    assert result.returncode == 0, context(result)
    assert staging_dirs(site) == [], "the next crawl should remove what a killed one left"
    assert beside_site(site) == [".site.lock", "site"]
    assert hidden_entries(site) == []
    after = snapshot(site)
    summaries = {path: ics_summaries(site / path) for path in ie2_calendars}
    assert all(path in after for path in ie2_calendars)
    assert any(renamed in s for found in summaries.values() for s in found)
    assert not any(s.endswith("] Programare Web") for found in summaries.values() for s in found)
    # everything else is the same calendar as before, DTSTAMPs included
    others = [name for name in before if is_group_calendar(name) and name not in ie2_calendars]
    assert len(others) == 1491 - len(ie2_calendars)
    assert [name for name in others if after.get(name, (None,))[0] != before[name][0]] == []


# -- the sanity guard ----------------------------------------------------------------------------

def keep_first_group_only(www: Path) -> None:
    for code in SMALL_CODES:
        path = tabelar(www) / f"{code}.html"
        text = read_page(path)
        cut = [m.start() for m in re.finditer(r"<h1>Grupa ", text)]
        assert len(cut) >= 2, code
        write_page(path, text[:cut[1]] + "</center></body></html>\n")


def fewer_specs(www: Path) -> None:
    keep_index_rows(www, {"IE2"})  # IE1-IE3 of the 8


@pytest.mark.parametrize("shrink", [fewer_specs, keep_first_group_only], ids=["index lists 3 of 8", "one group a page"])
def test_shrink_guard_refuses_and_allow_shrink_publishes(previous, small_www, tmp_path, shrink):
    site, before, previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    shrink(www)

    refused, _server = crawl(www, site)

    assert refused.returncode == 1, context(refused)
    status = assert_untouched(site, before, previous_status)
    assert status["failed_pages"] == []
    assert any("PUBLISH_MAX_SHRINK" in problem for problem in status["problems"]), status["problems"]
    assert "PUBLISH_MAX_SHRINK" in refused.output

    allowed, _server = crawl(www, site, settings={"PUBLISH_ALLOW_SHRINK": 1})

    assert allowed.returncode == 0, context(allowed)
    status = read_status(site)
    assert status["outcome"] == "published" and status["problems"] == []
    previous_counts = previous_status["counts"]
    assert status["counts"]["calendars"] < 0.5 * previous_counts["calendars"]
    published = len(group_calendars(site))
    assert published == status["counts"]["calendars"]
    assert status["last_published"]["counts"] == status["counts"]


def test_spec_page_without_group_tables_refuses_publishing(previous, small_www, tmp_path):
    site, before, previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    page = tabelar(www) / "IE2.html"
    text = read_page(page)
    write_page(page, re.sub(r"<table.*?</table>", "", text, flags=re.S | re.I))

    result, server = crawl(www, site)

    assert result.returncode == 1, context(result)
    url = spec_url(server, "IE2")
    assert f"Failed timetable layout page {url}: no group tables found on the page" in result.output
    status = assert_untouched(site, before, previous_status)
    assert status["failed_pages"] == [
        {"url": url, "kind": "timetable layout", "reason": "no group tables found on the page"}]


# -- oversized answers ---------------------------------------------------------------------------

def test_oversized_spec_page_is_a_failed_page(previous, small_www, tmp_path):
    site, before, _previous_status = previous
    www = copy_www(small_www, tmp_path / "www")
    page = tabelar(www) / "IE2.html"
    body = page.read_bytes()
    padding = b"<!-- " + b"x" * (300_000 - len(body)) + b" -->"
    page.write_bytes(body.replace(b"</body>", padding + b"</body>"))
    assert page.stat().st_size > 300_000
    kept = {path: before[path] for path in spec_files(site, "IE2")}

    result, server = crawl(www, site, settings={"DOWNLOAD_MAXSIZE": 200_000, **FAST_RETRIES})

    assert result.returncode == 1, context(result)
    url = spec_url(server, "IE2")
    failure = re.search(rf"Failed timetable page {re.escape(url)}: (.*)", result.output)
    assert failure and "max size (200000)" in failure.group(1), result.output[-3000:]
    status = read_status(site)
    assert status["outcome"] == "partial"
    assert [(p["url"], p["kind"]) for p in status["failed_pages"]] == [(url, "timetable")]
    assert "200000" in status["failed_pages"][0]["reason"]
    after = snapshot(site)
    assert {path: after.get(path) for path in kept} == kept
    assert status["counts"]["spec_pages_written"] == len(SMALL_CODES) - 1
