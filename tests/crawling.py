"""Helpers to run the real crawler against the simulated UBB site (../shared/sim/ubbsite.py).

Not a test module: end-to-end, reliability, Scrapyd and cron tests and benchmarks/crawl.py import it.

    with SimServer("2025-2", latency=0.02, jitter=0.01) as server:
        rc, output, seconds = run_crawl(server, site_dir=tmp / "site",
                                        settings={"HTTPCACHE_DIR": tmp / "cache"})
    server.stats["requests"]          # the server's figures, filled in when it stopped

A server can be stopped mid-crawl (server.stop() from another thread, server.stop_after(1.5),
or run_crawl(..., on_output=...) reacting to a log line), and restarted on the same port
(server.restart()), which keeps the URLs, ETags and Last-Modified of the pages the same.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Mapping

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
SIM = SHARED / "sim" / "ubbsite.py"
EXPECTED = SHARED / "expected"
CALENDAR_PATH = "ro/studenti/invatamant/structura_anului_universitar"

_built: dict[str, Path] = {}
_build_lock = threading.Lock()
_work_dir: Path | None = None


def _temp_root() -> Path:
    global _work_dir
    if _work_dir is None:
        _work_dir = Path(tempfile.mkdtemp(prefix="ubbsite-"))
        atexit.register(shutil.rmtree, _work_dir, True)
    return _work_dir


def build_site(semester: str = "2025-2", out: Path | None = None) -> Path:
    """The built simulated site for a semester, laid out once per process (or afresh into out).

    The cached build is shared: a test that changes pages should build its own copy with out=.
    """
    if out is not None:
        _run_build(Path(out), semester)
        return Path(out)
    with _build_lock:
        if semester not in _built:
            root = _temp_root() / f"www-{semester}"
            _run_build(root, semester)
            _built[semester] = root
        return _built[semester]


def _run_build(out: Path, semester: str) -> None:
    done = subprocess.run([sys.executable, str(SIM), "build", str(out), "--semester", semester],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"building the simulated site failed:\n{done.stdout}{done.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SimServer:
    """`ubbsite.py serve` as a subprocess; a context manager. .stats holds the figures once stopped.

    semester picks the built site (build_site); root= serves another directory instead.
    Every stop's figures are also appended to .stats_history (one dict per server run).
    """

    def __init__(self, semester: str = "2025-2", *, latency: float = 0.02, jitter: float = 0.01,
                 fail: float = 0.0, max_conns: int = 0, seed: int = 1, port: int | None = None,
                 root: Path | None = None, start_timeout: float = 10.0):
        self.semester = semester
        self.options = {"latency": latency, "jitter": jitter, "fail": fail,
                        "max_conns": max_conns, "seed": seed}
        self.root = Path(root) if root is not None else None
        self.port = port
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.stats: dict | None = None
        self.stats_history: list[dict] = []
        self._dir = Path(tempfile.mkdtemp(prefix="sim-", dir=_temp_root()))
        self._runs = 0
        self._lock = threading.Lock()

    # -- URLs, and the -s settings that point the crawler here --
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
        return self.process is not None and self.process.poll() is None

    # -- life cycle --
    def start(self, **changes) -> "SimServer":
        """Start serving; keyword arguments change options (latency, jitter, fail, max_conns, seed)."""
        unknown = set(changes) - set(self.options)
        if unknown:
            raise TypeError(f"unknown server options: {sorted(unknown)}")
        self.options.update(changes)
        if self.running:
            raise RuntimeError("the simulated server is already running")
        if self.root is None:
            self.root = build_site(self.semester)
        fixed_port = self.port is not None
        for _attempt in range(1 if fixed_port else 5):
            if not fixed_port:
                self.port = free_port()
            if self._spawn():
                return self
            if not fixed_port:
                self.port = None
        raise RuntimeError(f"the simulated server did not start:\n{self.log()}")

    def _spawn(self) -> bool:
        self._runs += 1
        self._stats_file = self._dir / f"stats-{self._runs}.json"
        self._log_file = self._dir / f"serve-{self._runs}.log"
        o = self.options
        command = [sys.executable, str(SIM), "serve", str(self.root), "--port", str(self.port),
                   "--latency", str(o["latency"]), "--jitter", str(o["jitter"]),
                   "--fail", str(o["fail"]), "--max-conns", str(o["max_conns"]),
                   "--seed", str(o["seed"]), "--stats", str(self._stats_file)]
        with open(self._log_file, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # e.g. the port was taken meanwhile
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        return False

    def stop(self, timeout: float = 15.0) -> dict | None:
        """SIGTERM, wait, and read the figures; safe to call twice or from another thread."""
        with self._lock:
            process = self.process
            if process is None:
                return self.stats
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self.process = None
            try:
                self.stats = json.loads(self._stats_file.read_text())
            except (OSError, ValueError):
                self.stats = None
            if self.stats is not None:
                self.stats_history.append(self.stats)
            return self.stats

    def restart(self, **changes) -> dict | None:
        """Stop (returning that run's figures) and serve again on the same port and root."""
        stats = self.stop()
        self.start(**changes)
        return stats

    def stop_after(self, seconds: float) -> threading.Timer:
        """Stop the server in the background after a delay (e.g. in the middle of a crawl)."""
        timer = threading.Timer(seconds, self.stop)
        timer.daemon = True
        timer.start()
        return timer

    def log(self) -> str:
        try:
            return self._log_file.read_text(errors="replace")
        except (OSError, AttributeError):
            return ""

    def __enter__(self) -> "SimServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class CrawlResult:
    """Unpacks as (returncode, output, seconds); also carries the child's resource usage."""

    def __init__(self, returncode: int, output: str, seconds: float, rusage, timed_out: bool,
                 command: list[str]):
        self.returncode = returncode
        self.output = output
        self.seconds = seconds
        self.rusage = rusage  # resource.struct_rusage of the crawl process (os.wait4)
        self.timed_out = timed_out
        self.command = command

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
                  args: tuple[str, ...] = ()) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "schedules"]
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
              env: Mapping[str, str] | None = None, cwd: Path | str = PROJECT) -> CrawlResult:
    """`python -m scrapy crawl schedules` in the project root, pointed at server (if given).

    settings become -s NAME=VALUE (after the server's URLs and SITE_DIR, so they can override
    them). on_output(line, process) sees each output line as it comes, e.g. to stop the server
    mid-crawl or to signal the crawl. The crawl is killed after timeout seconds.
    """
    command = crawl_command(server, semester=semester, site_dir=site_dir, settings=settings, args=args)
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
    return CrawlResult(process.returncode, "".join(lines), seconds, rusage, timed_out.is_set(), command)


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
