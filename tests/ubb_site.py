"""The project's own simulated UBB site: the two university servers, on loopback, for the
end-to-end, reliability, cron and Scrapyd tests, the benchmark, and anyone who wants to watch
a crawl with no network.

    python -m tests.ubb_site serve [--port 8765] [--latency 0.3] [--jitter 0.1] [--fail 0.1] [--max-conns 8]
    python -m tests.ubb_site build OUT [--semester 2025-2]

`build_site` lays out, from the saved pages in tests/fixtures/site, what the crawl reads:
<root>/files/orar/<semester>/tabelar/index.html and one page per code the index links to,
<root>/files/orar/<semester>/sali/legenda.html, and the academic calendar at CALENDAR_PATH.
A spec page that was not saved is made from IE2.html as another programme's timetable would
be: its own 4-digit group numbers, and its own days, rooms, teachers and subject codes, so the
teacher, room and subject calendars have about the size of the real faculty's (hundreds of
teachers, dozens of rooms and subjects, some classes shared by two programmes).

`SimServer` serves a built site on 127.0.0.1 from a background thread (asyncio), like a static
web server that is slow and sometimes overloaded: every answer waits latency ± jitter seconds,
a share of them (`fail`) is a 503, and beyond `max_conns` requests in flight the answer is an
immediate 503. Every page has an ETag and a Last-Modified, and a matching If-None-Match or
If-Modified-Since gets a 304. Pages are sent as "text/html" with no charset (the timetable
pages name ISO-8859-2 in a <meta> tag); a file "<page>.content-type" beside a page holds
another Content-Type to send, as a misconfigured server would. `.stats` holds the figures
of the last run once stopped: requests per path, the most requests in flight at once, 503s,
304s and bytes sent.

    with SimServer("2025-2", latency=0.02, jitter=0.01) as server:
        ...  # crawl with -s TIMETABLE_ROOT=server.timetable_root -s ACADEMIC_CALENDAR_URL=server.academic_calendar_url
    server.stats["requests"]
"""
from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAVED_SITE = FIXTURES / "site"
CALENDAR_PATH = "ro/studenti/invatamant/structura_anului_universitar"
NOT_SPEC_PAGES = {"index", "legenda", "academic_calendar"}
TEMPLATE_PAGE = "IE2"
WEEKDAYS = ["Luni", "Marti", "Miercuri", "Joi", "Vineri"]
DAY_CELL = re.compile(r"<td>(Luni|Marti|Miercuri|Joi|Vineri)</td>")
ROOM_CELL = re.compile(r'<a href="\.\./sali/([^"/]+)\.html" >([^<]+)</a>')
TEACHER_CELL = re.compile(r'<a href="\.\./cadre/([^"/]+)\.html" >([^<]+)</a>')
SUBJECT_CELL = re.compile(r'<a href="\.\./disc/([^"/]+)\.html" >')
LEGEND_ROOM = re.compile(r'<a href="([^"/]+)\.html" >([^<]+)</a>')
# Rows the saved pages lack but live pages have ("- Necunoscut" linked and plain, ISO-8859-2
# letters, a class until 24:00): one made page, YEAR_ROWS_PAGE, gains them in its first group.
YEAR_ROWS = FIXTURES / "other" / "IE2-2025-2-year-rows-edited.html"
YEAR_ROWS_PAGE = "I2"


# -- building the site --

def build(out: Path, semester: str = "2025-2", pages: Path = SAVED_SITE) -> Path:
    """Lay out the whole site for a semester under out, from the saved pages; returns out."""
    timetables = out / "files" / "orar" / semester / "tabelar"
    rooms = out / "files" / "orar" / semester / "sali"
    calendar = out / CALENDAR_PATH
    for directory in (timetables, rooms, calendar.parent):
        directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pages / "index.html", timetables / "index.html")
    shutil.copyfile(pages / "legenda.html", rooms / "legenda.html")
    shutil.copyfile(pages / "academic_calendar.html", calendar)

    index = (pages / "index.html").read_bytes().decode("iso-8859-2")
    rooms = LEGEND_ROOM.findall((pages / "legenda.html").read_bytes().decode("iso-8859-2"))
    codes = list(dict.fromkeys(re.findall(r'href="([^"/]+)\.html"', index)))
    saved = {page.stem: page for page in pages.glob("*.html") if page.stem not in NOT_SPEC_PAGES}
    template = saved[TEMPLATE_PAGE].read_bytes().decode("iso-8859-2")
    template_groups = list(dict.fromkeys(re.findall(r"Grupa (\d+)", template)))
    group_number = re.compile(r"\b(" + "|".join(template_groups) + r")\b")
    for position, code in enumerate(codes):
        if code in saved:
            shutil.copyfile(saved[code], timetables / f"{code}.html")
            continue
        # groups 1011, 1012, ... for the first page, 1111, ... for the next: distinct on every page
        renumbered = {group: f"{position + 10}1{n}" for n, group in enumerate(template_groups, start=1)}
        text = group_number.sub(lambda m: renumbered[m.group(1)], template.replace(TEMPLATE_PAGE, code))
        text = _another_programme(text, position, rooms)
        if code == YEAR_ROWS_PAGE:  # after _another_programme, which would rename "- Necunoscut"
            rows = YEAR_ROWS.read_bytes().decode("iso-8859-2").split("</tr>\n", 1)[1].split("</table>")[0]
            rows = group_number.sub(lambda m: renumbered[m.group(1)], rows.replace(TEMPLATE_PAGE, code))
            text = text.replace("</table>", rows + "</table>", 1)
        (timetables / f"{code}.html").write_bytes(text.encode("iso-8859-2"))
    return out


def _another_programme(page: str, position: int, rooms: list[tuple[str, str]]) -> str:
    """The template's rows moved to another programme's days, rooms, teachers and subject codes.

    Days shift by position % 5 and teachers are one of 7 variants (position % 7); rooms (from the
    legend) and subject codes follow position % 35 and % 5, so the two pages 35 apart share every
    class, as programmes sharing a course do. (Now and then a teacher has two classes at once:
    the test site is not a real faculty.)
    """
    shift, variant, offset = position % 5, position % 7, position % 35
    room_at = {name: n for n, (_code, name) in enumerate(rooms)}

    def room(match: re.Match) -> str:
        if match[2] not in room_at:  # "neprecizat": unspecified, whatever the programme
            return match[0]
        code, name = rooms[(room_at[match[2]] + offset) % len(rooms)]
        return f'<a href="../sali/{code}.html" >{name}</a>'

    page = DAY_CELL.sub(lambda m: f"<td>{WEEKDAYS[(WEEKDAYS.index(m[1]) + shift) % 5]}</td>", page)
    page = ROOM_CELL.sub(room, page)
    page = TEACHER_CELL.sub(lambda m: f'<a href="../cadre/{m[1]}{variant}.html" >{m[2]} {"ABCDEFG"[variant]}</a>',
                            page)
    return SUBJECT_CELL.sub(lambda m: f'<a href="../disc/{m[1]}{"ABCDE"[shift]}.html" >', page)


_built: dict[str, Path] = {}
_build_lock = threading.Lock()


def build_site(semester: str = "2025-2") -> Path:
    """The built site for a semester, laid out once per process in a temporary directory.

    It is shared: a test that changes pages should copy it first.
    """
    with _build_lock:
        if semester not in _built:
            root = Path(tempfile.mkdtemp(prefix=f"ubb-site-{semester}-"))
            atexit.register(shutil.rmtree, root, True)
            _built[semester] = build(root, semester)
        return _built[semester]


# -- serving it --

class Stats:
    """What the server saw; changed only from the server's event loop."""

    def __init__(self) -> None:
        self.paths: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.refused_503 = 0
        self.failed_503 = 0
        self.not_modified_304 = 0
        self.bytes_sent = 0
        self.first: float | None = None
        self.last: float | None = None

    def dump(self) -> dict:
        return {
            "requests": sum(self.paths.values()),
            "paths": dict(self.paths),
            "distinct_paths": len(self.paths),
            "repeated_paths": {path: count for path, count in self.paths.items() if count > 1},
            "max_in_flight": self.max_in_flight,
            "refused_503": self.refused_503,
            "failed_503": self.failed_503,
            "not_modified_304": self.not_modified_304,
            "bytes_sent": self.bytes_sent,
            "active_seconds": round((self.last or 0) - (self.first or 0), 3),
            "last_answer": self.last,  # time.time() when the last answer left
        }


class SimServer:
    """The simulated site on 127.0.0.1; a context manager. Port 0 (the default) picks a free one.

    semester picks the built site (build_site); root= serves another directory instead.
    stop() returns the run's figures and keeps them in .stats; every run's are in .stats_history.
    A stopped server can start again on the same port, with the same URLs and validators.
    """

    def __init__(self, semester: str = "2025-2", *, latency: float = 0.02, jitter: float = 0.01,
                 fail: float = 0.0, max_conns: int = 0, seed: int = 1, port: int = 0,
                 root: Path | None = None):
        self.semester = semester
        self.options = {"latency": latency, "jitter": jitter, "fail": fail,
                        "max_conns": max_conns, "seed": seed}
        self.port = port
        self.root = Path(root).resolve() if root is not None else None
        self.stats: dict | None = None
        self.stats_history: list[dict] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- URLs, and the settings that point the crawl here --
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def timetable_root(self) -> str:
        return f"{self.base_url}/files/orar"

    @property
    def academic_calendar_url(self) -> str:
        return f"{self.base_url}/{CALENDAR_PATH}"

    def index_url(self, semester: str | None = None) -> str:
        return f"{self.timetable_root}/{semester or self.semester}/tabelar/index.html"

    @property
    def crawl_settings(self) -> dict[str, str]:
        return {"TIMETABLE_ROOT": self.timetable_root, "ACADEMIC_CALENDAR_URL": self.academic_calendar_url}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- life cycle --
    def start(self, **changes) -> "SimServer":
        """Start serving; keyword arguments change options (latency, jitter, fail, max_conns, seed)."""
        unknown = set(changes) - set(self.options)
        if unknown:
            raise TypeError(f"unknown server options: {sorted(unknown)}")
        if self.running:
            raise RuntimeError("the simulated server is already running")
        self.options.update(changes)
        if self.root is None:
            self.root = build_site(self.semester).resolve()
        self._stats = Stats()
        self._random = random.Random(self.options["seed"])
        self._connections: set[asyncio.Task] = set()
        self._loop = asyncio.new_event_loop()
        listening: asyncio.Future = self._loop.create_future()
        self._thread = threading.Thread(target=self._serve, args=(listening,), daemon=True,
                                        name=f"ubb-site:{self.port}")
        self._thread.start()
        while not listening.done():  # set from the loop's thread; a Future is not thread-safe to wait on
            time.sleep(0.005)
        if listening.exception():
            self._thread.join()
            raise listening.exception()
        return self

    def stop(self, timeout: float = 10.0) -> dict | None:
        """Close the port and every open connection, and read the figures; safe to call twice."""
        with self._lock:
            if not self.running:
                return self.stats
            asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop).result(timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            self.stats = self._stats.dump()
            self.stats_history.append(self.stats)
            return self.stats

    def restart(self, **changes) -> dict | None:
        """Stop (returning that run's figures) and serve again on the same port and root."""
        stats = self.stop()
        self.start(**changes)
        return stats

    def stop_after(self, seconds: float) -> threading.Timer:
        """Stop the server from another thread after a delay, e.g. in the middle of a crawl."""
        timer = threading.Timer(seconds, self.stop)
        timer.daemon = True
        timer.start()
        return timer

    def __enter__(self) -> "SimServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the event loop's side --
    def _serve(self, listening: asyncio.Future) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(asyncio.start_server(
                self._connection, "127.0.0.1", self.port, reuse_address=True, backlog=512))
        except OSError as error:
            listening.set_exception(error)
            loop.close()
            return
        self.port = self._server.sockets[0].getsockname()[1]
        listening.set_result(self.port)
        loop.run_forever()
        loop.close()

    async def _shut_down(self) -> None:
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._connections.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                method, target, version, headers = _parse_head(head)
                status, response_headers, body = await self._answer(method, target, headers)
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                response_headers["Connection"] = "keep-alive" if keep_alive else "close"
                lines = [f"HTTP/1.1 {status} {REASONS[status]}",
                         *(f"{name}: {value}" for name, value in response_headers.items())]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                if method != "HEAD":
                    writer.write(body)
                    self._stats.bytes_sent += len(body)
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):  # cancelled: the server is stopping
            return
        finally:
            writer.transport.abort()  # a stopped server drops its connections, as a dead one would
            self._connections.discard(task)

    async def _answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        """Status, headers and body for one request, with the server's delay and faults."""
        stats, options = self._stats, self.options
        path = urlsplit(target).path
        stats.paths[path] = stats.paths.get(path, 0) + 1
        stats.first = stats.first or time.time()
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            if options["max_conns"] and stats.in_flight > options["max_conns"]:
                stats.refused_503 += 1
                return _plain(503, b"busy\n")
            delay = max(0.0, options["latency"] + self._random.uniform(-options["jitter"], options["jitter"]))
            failing = self._random.random() < options["fail"]
            await asyncio.sleep(delay)
            if failing:
                stats.failed_503 += 1
                return _plain(503, b"try later\n")
            if method not in ("GET", "HEAD"):
                return _plain(405, b"method not allowed\n")
            page = self._page(path)
            if page is None:
                return _plain(404, b"not found\n")
            return self._page_answer(page, headers)
        finally:
            stats.in_flight -= 1  # no longer in flight once the answer leaves
            stats.last = time.time()

    def _page(self, path: str) -> Path | None:
        target = (self.root / unquote(path).lstrip("/")).resolve()
        if target != self.root and self.root not in target.parents:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _page_answer(self, page: Path, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        body = page.read_bytes()
        mtime = int(page.stat().st_mtime)
        validators = {"ETag": f'"{mtime:x}-{len(body):x}"', "Last-Modified": formatdate(mtime, usegmt=True)}
        if _not_modified(headers, validators["ETag"], mtime):
            self._stats.not_modified_304 += 1
            return 304, validators, b""
        sidecar = page.with_name(page.name + ".content-type")
        content_type = sidecar.read_text().strip() if sidecar.is_file() else "text/html"
        return 200, {"Content-Type": content_type, "Content-Length": str(len(body)), **validators}, body


REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed",
           503: "Service Unavailable"}


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    request_line, *header_lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    method, target, version = (request_line.split(" ", 2) + ["", ""])[:3]
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, target, version, headers


def _not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
    """RFC 9110 13.1: If-None-Match decides when present; otherwise If-Modified-Since."""
    if "if-none-match" in headers:
        tags = [tag.strip().removeprefix("W/") for tag in headers["if-none-match"].split(",")]
        return etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return mtime <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _plain(status: int, body: bytes) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "text/plain", "Content-Length": str(len(body))}, body


# -- the command line --

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ubb_site", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    build_verb = verbs.add_parser("build", help="lay out the site under OUT")
    build_verb.add_argument("out", type=Path)
    build_verb.add_argument("--semester", default="2025-2")
    serve_verb = verbs.add_parser("serve", help="serve the site until Ctrl-C, then print its figures")
    serve_verb.add_argument("--semester", default="2025-2", help="the semester to build and serve")
    serve_verb.add_argument("--root", type=Path, help="serve this built site instead of building one")
    serve_verb.add_argument("--port", type=int, default=8765)
    serve_verb.add_argument("--latency", type=float, default=0.3, help="seconds before each answer")
    serve_verb.add_argument("--jitter", type=float, default=0.1, help="± this many seconds")
    serve_verb.add_argument("--fail", type=float, default=0.0, help="share of answers that are 503")
    serve_verb.add_argument("--max-conns", type=int, default=0, help="503 beyond this many in flight")
    serve_verb.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.verb == "build":
        build(args.out, args.semester)
        print(f"built the {args.semester} site under {args.out}")
        return 0
    server = SimServer(args.semester, latency=args.latency, jitter=args.jitter, fail=args.fail,
                       max_conns=args.max_conns, seed=args.seed, port=args.port, root=args.root).start()
    print(f"Serving the simulated UBB site, semester {args.semester}, on {server.base_url}/\n"
          f"Crawl it with:\n"
          f"  scrapy crawl schedules -a semester={args.semester} -s TIMETABLE_ROOT={server.timetable_root} "
          f"-s ACADEMIC_CALENDAR_URL={server.academic_calendar_url}\n"
          f"Ctrl-C stops the server and prints what it saw.", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    print(json.dumps(server.stop(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
