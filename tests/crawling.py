"""Running the crawler in tests: a crawler object with the project's settings, and the real
`scrapy crawl schedules` as a process, pointed at the simulated UBB site (tests/ubb_site.py).

Not a test module: the end-to-end, reliability, Scrapyd and cron tests and benchmarks/crawl.py use it.

    with SimServer("2025-2", latency=0.02, jitter=0.01) as server:
        rc, output, seconds = run_crawl(server, site_dir=tmp / "site",
                                        settings={"HTTPCACHE_DIR": tmp / "cache"})
    server.stats["requests"]          # the server's figures, filled in when it stopped
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Mapping

from scrapy.utils.test import get_crawler

from tests.published_json import validate_site
from tests.ubb_site import SimServer
from timetable_spider import settings as project_settings

PROJECT = Path(__file__).resolve().parent.parent


def project_crawler(spidercls=None, **overrides):
    """A crawler with the project's settings (get_crawler alone gives Scrapy's defaults)."""
    values = {name: value for name, value in vars(project_settings).items() if name.isupper()}
    return get_crawler(spidercls, {**values, **overrides})


def free_port() -> int:
    """A port nothing listens on (for a server that is never started)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CrawlResult:
    """Unpacks as (returncode, output, seconds); also carries the child's resource usage."""

    def __init__(self, returncode: int, output: str, seconds: float, rusage, timed_out: bool,
                 command: list[str], validated: int = 0):
        self.returncode = returncode
        self.output = output
        self.seconds = seconds
        self.rusage = rusage  # resource.struct_rusage of the crawl process (os.wait4)
        self.timed_out = timed_out
        self.command = command
        self.validated = validated  # published JSON documents checked against their schemas

    @property
    def cpu_seconds(self) -> float:
        return self.rusage.ru_utime + self.rusage.ru_stime

    @property
    def max_rss_mb(self) -> float:
        return self.rusage.ru_maxrss / 1024  # Linux reports kB

    def __iter__(self) -> Iterator:
        return iter((self.returncode, self.output, self.seconds))

    def __repr__(self) -> str:
        return (f"CrawlResult(returncode={self.returncode}, seconds={self.seconds:.2f}, "
                f"cpu={self.cpu_seconds:.2f}, timed_out={self.timed_out})")


def crawl_command(server: SimServer | None = None, *, semester: str | None = "2025-2",
                  site_dir: Path | str | None = None, settings: Mapping[str, object] | None = None,
                  args: tuple[str, ...] = (), module: str = "scrapy") -> list[str]:
    """The command line of a crawl; module is what `python -m` runs ("scrapy", or a test's wrapper)."""
    command = [sys.executable, "-m", module, "crawl", "schedules"]
    if semester is not None:
        command += ["-a", f"semester={semester}"]
    merged: dict[str, object] = dict(server.crawl_settings) if server is not None else {}
    if site_dir is not None:
        merged["SITE_DIR"] = site_dir
    merged.update(settings or {})
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return command + list(args)


def run_crawl(server: SimServer | None = None, *, semester: str | None = "2025-2",
              site_dir: Path | str | None = None, settings: Mapping[str, object] | None = None,
              args: tuple[str, ...] = (), timeout: float = 300.0,
              on_output: Callable[[str, subprocess.Popen], None] | None = None,
              env: Mapping[str, str] | None = None, cwd: Path | str = PROJECT,
              module: str = "scrapy") -> CrawlResult:
    """`python -m scrapy crawl schedules` in the project root, pointed at server (if given).

    settings become -s NAME=VALUE (after the server's URLs and SITE_DIR, so they can override
    them). on_output(line, process) sees each output line as it comes, e.g. to stop the server
    mid-crawl or to signal the crawl. The crawl is killed after timeout seconds.

    After a crawl that succeeded, every JSON document of the site is checked against its schema
    (tests/published_json.py); one that does not follow it fails the test that crawled. After one
    that failed, only data/status.json, which it wrote: the rest is the site kept from before,
    where some tests plant broken files on purpose.
    """
    command = crawl_command(server, semester=semester, site_dir=site_dir, settings=settings, args=args,
                            module=module)
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=child_env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace")
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        process.kill()

    watchdog = threading.Timer(timeout, kill)
    watchdog.daemon = True
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if on_output is not None:
                on_output(line, process)
    except BaseException:
        process.kill()
        raise
    finally:
        process.stdout.close()
        _pid, status, rusage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    validated, site = 0, (settings or {}).get("SITE_DIR", site_dir)
    root = Path(cwd, site) if site is not None else None
    if root is not None and process.returncode == 0 and root.is_dir():
        validated = validate_site(root)
    elif root is not None and (root / "data" / "status.json").is_file():
        validated = validate_site(root, [root / "data" / "status.json"])
    return CrawlResult(process.returncode, "".join(lines), seconds, rusage, timed_out.is_set(), command, validated)


def error_lines(output: str) -> list[str]:
    """The lines a crawl logged at ERROR level: what an administrator alerting on ERROR sees."""
    return [line for line in output.splitlines() if re.match(r"\S+ \S+ \[[^\]]+\] ERROR: ", line)]


def crawl_simulated_site(tmp: Path, semester: str = "2025-2") -> Path:
    """The simulated site of a semester crawled into tmp/site (its HTTP cache in tmp/cache); the
    crawl must publish."""
    with SimServer(semester, latency=0.02, jitter=0.01) as server:
        result = run_crawl(server, semester=semester, site_dir=tmp / "site", settings={"HTTPCACHE_DIR": tmp / "cache"})
    assert result.returncode == 0, result.output[-3000:]
    return tmp / "site"


def descendants(pid: int) -> set[int]:
    """The processes started by pid, and theirs (the worker pool's forkserver and workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Every directory and file under root: a file's bytes, mtime and inode (a directory: its name)."""
    tree = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative in skip:
            continue
        if path.is_dir() and not path.is_symlink():
            tree[relative + "/"] = "dir"
        else:
            info = path.lstat()
            tree[relative] = (path.read_bytes(), info.st_mtime_ns, info.st_ino)
    return tree


SHARED_CALENDARS = ("teachers/", "rooms/", "subjects/", "academic-year/")


def group_calendars(site: Path) -> list[Path]:
    """The groups' and subgroups' calendars under site, without the teacher, room, subject and academic-year ones."""
    return sorted(path for path in site.rglob("*.ics")
                  if not path.relative_to(site).as_posix().startswith(SHARED_CALENDARS))


def is_group_calendar(name: str) -> bool:
    """For a path relative to the site, as snapshot() names it."""
    return name.endswith(".ics") and not name.startswith(SHARED_CALENDARS)


def beside_site(site: Path, timeout: float = 10.0) -> list[str]:
    """What SITE_DIR's parent holds, once the old site a crawl retired is gone: it is removed by
    a process the crawl does not wait for (publishing.remove_in_background)."""
    deadline = time.monotonic() + timeout
    while any(site.parent.glob(f".{site.name}.retired-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    return sorted(os.listdir(site.parent))
