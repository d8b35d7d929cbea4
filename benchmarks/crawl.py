"""Benchmark the real crawl against the simulated UBB site (tests/ubb_site.py), on loopback.

    .venv/bin/python benchmarks/crawl.py [--runs 5] [--latency 0.3] [--jitter 0.1] [--only crawls|writing|recrawl]
                                         [--work-dir DIR] [--baseline OTHER_CHECKOUT] [--reference FMI_CAL_GENERATOR]

Everything printed is measured by this run; nothing is hard-coded but the formula of the limit.
  1. N full crawls, each into a fresh SITE_DIR and HTTPCACHE_DIR against a freshly started server:
     wall time, CPU (user+sys of the crawl process) and peak RSS from os.wait4, the time from the
     server's last answer to the crawl's exit, the server's figures. Each is paired with a crawl
     that samples the peak PSS of the crawl and its workers: sampling slows what it samples, so
     the times come from crawls that are not sampled. With --reference, the replaced generator (dobrerares/fmi-cal-generator,
     a checkout at that path, in a venv of its own that this makes) runs against the same
     simulated site, alternating with ours, and both walls and the ratio are printed.
  2. The writing phase alone, in-process: the built site's saved pages parsed with
     timetable_spider.parsing into the spider's items, fed through PublishSitePipeline (CPU s).
  3. Re-crawls: a crawl, then N more into the same SITE_DIR and HTTPCACHE_DIR; their median time,
     their 304s and bytes, and the files any of them rewrote.
  4. AutoThrottle: requests/second and requests in flight at --latency 2 --jitter 0 vs the given latency.
  5. The critical-path limit: start-up (a crawl of a semester that has no index) + robots.txt's
     round trip (when ROBOTSTXT_OBEY) + the index's + ceil(spec pages / CONCURRENT_REQUESTS_PER_DOMAIN).
  6. The worker processes' start-up: a pool started as the crawl starts it, until its first job is done.
The targets are printed last, each with the figure and whether it is met.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.crawling import beside_site, descendants, project_crawler, run_crawl  # noqa: E402
from tests.ubb_site import SimServer, build_site  # noqa: E402

SEMESTER = "2025-2"
MISSING_SEMESTER = "2031-1"  # no index on the simulated site: start-up and shutdown only


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


class TreeMemory:
    """Peak memory of a crawl with its worker processes: their PSS summed, sampled every 50 ms.

    PSS, not RSS, because the workers share pages with the forkserver they are forked from.
    """

    def __init__(self):
        self.peak_mb = 0.0
        self.peak_by_process: dict[str, list[float]] = {}  # at the peak: MB by kind of process
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, _line: str, process) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._sample, args=(process.pid,), daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread:
            self._thread.join()

    def _sample(self, pid: int) -> None:
        while not self._done.wait(0.05):
            by_process: dict[str, list[float]] = {}
            for member in [pid, *descendants(pid)]:
                try:
                    rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
                    kind = process_kind(member, pid)
                except OSError:
                    continue
                found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
                by_process.setdefault(kind, []).append(int(found.group(1)) / 1024 if found else 0)
            total = sum(sum(sizes) for sizes in by_process.values())
            if total > self.peak_mb:
                self.peak_mb, self.peak_by_process = total, by_process


def process_kind(member: int, crawl: int) -> str:
    """The crawl, multiprocessing's forkserver or resource tracker, or a worker the forkserver forked."""
    if member == crawl:
        return "the crawl"
    command = Path(f"/proc/{member}/cmdline").read_bytes()
    if b"resource_tracker" in command:
        return "resource tracker"
    parent = int(Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return "forkserver" if parent == crawl else "workers (the gatherer is the biggest)"


class Bench:
    def __init__(self, args):
        self.args = args
        # In the project directory by default, where the default SITE_DIR is.
        self.tmp = Path(tempfile.mkdtemp(prefix=".bench-crawl-", dir=args.work_dir))
        self.count = 0

        self.targets: list[tuple[str, str, bool, str]] = []

    def target(self, name: str, figure: str, met: bool, goal: str) -> None:
        self.targets.append((name, figure, met, goal))

    def fresh(self, name: str) -> Path:
        self.count += 1
        return self.tmp / f"{self.count:02d}-{name}"

    def crawl(self, server: SimServer, *, site: Path, cache: Path, semester: str = SEMESTER,
              code: Path = PROJECT, sample_memory: bool = False):
        """A crawl by the project in code (another checkout, to compare with), as a process; with
        sample_memory, its PSS and its workers' sampled as it runs (which slows it: see full_crawls)."""
        memory = TreeMemory() if sample_memory else None
        result = run_crawl(server, semester=semester, site_dir=site, settings={"HTTPCACHE_DIR": cache},
                           on_output=memory.watch if memory else None, cwd=code)
        result.ended = time.time()
        result.peak_tree_mb = None
        if memory:
            memory.stop()
            result.peak_tree_mb, result.peak_by_process = memory.peak_mb, memory.peak_by_process
            self.last_peak_by_process = memory.peak_by_process
        if result.returncode != 0 and semester == SEMESTER:
            tail = "\n".join(result.output.splitlines()[-15:])
            print(f"  !! crawl exited {result.returncode} (timed out: {result.timed_out}):\n{tail}",
                  file=sys.stderr)
        return result

    def served_crawl(self, latency: float, jitter: float, name: str, code: Path = PROJECT,
                     sample_memory: bool = False):
        """One crawl into fresh directories against a freshly started server: (CrawlResult, stats)."""
        work = self.fresh(name)
        with SimServer(SEMESTER, latency=latency, jitter=jitter) as server:
            result = self.crawl(server, site=work / "site", cache=work / "httpcache", code=code,
                                sample_memory=sample_memory)
        shutil.rmtree(work, ignore_errors=True)
        stats = server.stats or {}
        result.tail = result.ended - stats["last_answer"] if stats.get("last_answer") else None
        if stats.get("last_answer"):  # from the process's start to the server's first request, and on
            first_request = stats["last_answer"] - stats["active_seconds"]
            result.phases = (first_request - (result.ended - result.seconds), stats["active_seconds"])
        return result, stats

    def reference_run(self, latency: float, jitter: float, name: str) -> tuple[float, int, int]:
        """The replaced generator's scripts/generate_all.py against a freshly started server, pointed
        at it through scraper.SCHEDULE_ROOT and academic.ACADEMIC_CALENDAR_URL: (wall s, exit, .ics written)."""
        work = self.fresh(name)
        work.mkdir(parents=True)
        reference = self.args.reference.resolve()
        with SimServer(SEMESTER, latency=latency, jitter=jitter) as server:
            started = time.perf_counter()
            done = subprocess.run([str(reference_python(reference)), "-c", REFERENCE_RUNNER, str(reference),
                                   server.timetable_root, server.academic_calendar_url, SEMESTER],
                                  cwd=work, capture_output=True, text=True)
            wall = time.perf_counter() - started
        calendars = sum(1 for _ in (work / "site").rglob("*.ics"))
        if done.returncode:
            print(f"  !! the reference exited {done.returncode}:\n{done.stdout[-1500:]}{done.stderr[-1500:]}",
                  file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        return wall, done.returncode, calendars


# The replaced generator's own entry point, with its two module-level URLs pointed elsewhere.
REFERENCE_RUNNER = """
import runpy, sys
reference, root, calendar, semester = sys.argv[1:5]
sys.path.insert(0, reference + "/src")
import fmi_cal.academic, fmi_cal.scraper
fmi_cal.scraper.SCHEDULE_ROOT = root
fmi_cal.academic.ACADEMIC_CALENDAR_URL = calendar
sys.argv = [reference + "/scripts/generate_all.py", semester]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
REFERENCE_PACKAGES = ["requests", "beautifulsoup4", "icalendar", "jinja2"]


def reference_python(reference: Path) -> Path:
    """A venv of the reference's own, in its checkout, made once with what generate_all.py imports."""
    venv = reference / ".venv-bench"
    if not (venv / "bin" / "python").exists():
        print(f"  making {venv} with {', '.join(REFERENCE_PACKAGES)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *REFERENCE_PACKAGES], check=True)
    return venv / "bin" / "python"


def full_crawls(bench: Bench, a) -> list[tuple]:
    print(f"\n== {a.runs} full crawls, latency {a.latency} s +- {a.jitter} s, fresh SITE_DIR and HTTPCACHE_DIR")
    header = f"{'run':>6} {'rc':>3} {'wall s':>7} {'start s':>7} {'net s':>6} {'tail s':>6} {'cpu s':>6} {'rss MB':>7} " \
             f"{'all MB':>7} " \
             f"{'requests':>8} {'in flight':>9} {'repeated':>8} {'304':>4} {'503':>4} {'bytes':>9} {'req/s':>6} " \
             f"{'wall s*':>7}"
    print(header)
    rows, baseline_rows, references = [], [], []
    for n in range(1, a.runs + 1):
        # with --baseline, its crawls alternate with ours, so both see the same machine
        for code, label, found in [(PROJECT, str(n), rows)] + [(a.baseline, f"base{n}", baseline_rows)] * bool(a.baseline):
            row = crawl_row(*bench.served_crawl(a.latency, a.jitter, f"run{n}", code))
            sampled, _ = bench.served_crawl(a.latency, a.jitter, f"run{n}-memory", code, sample_memory=True)
            row = row[:12] + (sampled.peak_tree_mb,) + row[13:] + (sampled.seconds,)
            found.append(row)
            print(format_row(label, row), flush=True)
        if a.reference:  # and so does the replaced generator
            references.append(bench.reference_run(a.latency, a.jitter, f"reference{n}"))
            wall, returncode, calendars = references[-1]
            print(f"{f'ref{n}':>6} {returncode:>3} {wall:>7.2f}   (the replaced generator: {calendars} .ics written)",
                  flush=True)
    med = tuple(median([r[i] for r in rows]) for i in range(len(rows[0])))
    print(format_row("median", med))
    if baseline_rows:
        base = tuple(median([r[i] for r in baseline_rows]) for i in range(len(rows[0])))
        print(format_row("base", base))
        print(f"  wall time: {med[1]:.2f} s here, {base[1]:.2f} s for {a.baseline}: {med[1] / base[1]:.3f}x "
              f"(medians of {a.runs} alternating runs)")
    print("  start s: from the crawl's start to the server's first request; net s: from there to the server's "
          "last answer; tail s: from there to the crawl's exit")
    print("  cpu s and rss MB: the crawl process (os.wait4); all MB: peak PSS of the crawl and its "
          "worker processes together, every 50 ms, in a second crawl run for it (its wall: wall s*): reading "
          "smaps_rollup takes each process's memory-map lock, which slows the crawl it measures")
    if getattr(bench, "last_peak_by_process", None):
        print("  at the last run's peak, by process (PSS MB): " + "; ".join(
            f"{kind} {', '.join(f'{mb:.1f}' for mb in sorted(sizes, reverse=True))}"
            for kind, sizes in bench.last_peak_by_process.items()))
    if references:
        ours, theirs = med[1], median([wall for wall, _, _ in references])
        print(f"  the replaced generator: median {theirs:.2f} s ({', '.join(f'{w:.2f}' for w, _, _ in references)}); "
              f"ours {ours:.2f} s: {theirs / ours:.1f}x faster (medians of {a.runs} alternating runs)")
        bench.target("against the replaced generator", f"{theirs / ours:.1f}x faster", theirs / ours >= 15, ">= 15x")
    bench.target("memory: crawl and workers, peak PSS", f"{med[12]:.0f} MB", med[12] <= 160, "<= 160 MB")
    bench.target("from the last response to exit", f"{med[13]:.2f} s", med[13] <= 0.2, "<= 0.2 s")
    return rows


def crawl_row(result, stats: dict) -> tuple:
    rate = stats["requests"] / stats["active_seconds"] if stats.get("active_seconds") else None
    return (result.returncode, result.seconds, result.cpu_seconds, result.max_rss_mb,
            stats.get("requests"), stats.get("max_in_flight"), len(stats.get("repeated_paths", {})),
            stats.get("not_modified_304"), (stats.get("refused_503") or 0) + (stats.get("failed_503") or 0),
            stats.get("bytes_sent"), rate, logged_stat(result.output, "autothrottle/delay_ms"),
            result.peak_tree_mb, result.tail, *getattr(result, "phases", (None, None)))


def logged_stat(output: str, name: str) -> float | None:
    """A number from the stats Scrapy dumps at the end of a crawl."""
    found = re.search(rf"'{re.escape(name)}': ([0-9.]+)", output)
    return float(found.group(1)) if found else None


def format_row(label: str, r) -> str:
    return (f"{label:>6} {fmt(r[0], '.0f'):>3} {fmt(r[1]):>7} {fmt(r[14]):>7} {fmt(r[15]):>6} {fmt(r[13]):>6} "
            f"{fmt(r[2]):>6} {fmt(r[3], '.1f'):>7} {fmt(r[12], '.1f'):>7} "
            f"{fmt(r[4], '.0f'):>8} {fmt(r[5], '.0f'):>9} {fmt(r[6], '.0f'):>8} {fmt(r[7], '.0f'):>4} "
            f"{fmt(r[8], '.0f'):>4} {fmt(r[9], '.0f'):>9} {fmt(r[10], '.1f'):>6} {fmt(r[16]):>7}")


# -- 2. the writing phase on its own --

def load_items(root: Path, semester: str):
    """The items one full crawl yields, from the built site's files, by the spider's own callbacks."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from timetable_spider.items import Timetable
    from timetable_spider.spiders.schedules import SchedulesSpider

    crawler = project_crawler(SchedulesSpider)
    spider = crawler._create_spider(semester=semester)
    calendar_path = root / "ro" / "studenti" / "invatamant" / "structura_anului_universitar"

    def saved(url: str) -> HtmlResponse:
        path = calendar_path if url == spider.academic_calendar_url else root / url.split("/", 3)[3]
        return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))

    # the order of a crawl: the three first pages, the index's listings, then the spec pages
    items = [*spider.parse_legend(saved(spider.legend_url)),
             *spider.parse_academic_calendar(saved(spider.academic_calendar_url))]
    spec_requests = []
    for output in spider.parse_index(saved(spider.index_url)):
        (spec_requests if isinstance(output, Request) else items).append(output)
    for request in spec_requests:
        items += request.callback(saved(request.url), **request.cb_kwargs)
    return items, sum(isinstance(item, Timetable) for item in items)


def writing_phase(bench: Bench, repeats: int = 5) -> None:
    root = build_site(SEMESTER)
    started = time.process_time()
    items, pages = load_items(root, SEMESTER)
    parse_cpu = time.process_time() - started
    logging.getLogger("timetable_spider").setLevel(logging.WARNING)
    print(f"\n== writing phase in-process ({pages} spec pages parsed from the built site, no network)")
    print(f"  parse the saved pages into items: {parse_cpu:.2f} CPU s (once)")
    # CPU is measured with PUBLISH_WORKERS=0, where all the writing is this process's own time;
    # with worker processes, wall time shows what spreading it over the cores buys. Creating
    # ~1,600 files costs the kernel 0.1-1.2 s on this machine's disk, varying from run to run,
    # so the same is also timed on tmpfs, where what remains is this project's own CPU.
    places = [("work dir", bench.tmp)]
    if Path("/dev/shm").is_dir():
        places.append(("tmpfs", Path(tempfile.mkdtemp(prefix="bench-crawl-", dir="/dev/shm"))))
    try:
        for label, parent in places:
            user, system, _wall, written, by_writer = time_writing(items, parent, 0, repeats)
            cpu = [u + s for u, s in zip(user, system)]
            print(f"  in-process, {label:>8}, median of {repeats}: {statistics.median(cpu):.2f} CPU s "
                  f"(user {statistics.median(user):.2f} + sys {statistics.median(system):.2f}; "
                  f"min {min(cpu):.2f}, max {max(cpu):.2f}); {written}")
            print("    of which the whole-site writers, CPU s (median): " + ", ".join(
                f"{name} {statistics.median(seconds):.3f}" for name, seconds in by_writer.items()))
        _user, _system, wall, written, _by_writer = time_writing(items, bench.tmp, 2, repeats)
        print(f"  2 worker processes, work dir, median of {repeats}: {statistics.median(wall):.2f} wall s "
              f"(min {min(wall):.2f}, pool start-up included); {written}")
    finally:
        for _label, parent in places[1:]:
            shutil.rmtree(parent, ignore_errors=True)


def time_writing(items, parent: Path, workers: int, repeats: int):
    """PublishSitePipeline over a crawl's items, into fresh sites under parent: user, sys and wall
    times, and each whole-site writer's CPU time (in-process only)."""
    from tests.builders import drive_pipeline
    from timetable_spider import pipelines
    from timetable_spider.pipelines import PublishSitePipeline
    from timetable_spider.spiders.schedules import SchedulesSpider
    from timetable_spider.writers.site_writers import SiteWriters

    by_writer: dict[str, list[float]] = {}

    def timed(write):
        def run(*args):
            started = time.process_time()
            try:
                return write(*args)
            finally:
                by_writer.setdefault(write.__qualname__, []).append(time.process_time() - started)
        return run

    class TimedSiteWriters(SiteWriters):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.writers = [timed(write) for write in self.writers]
            # in-process, begin() writes them all before it returns
            calendars = self.teacher_room_subject_calendars
            calendars.begin = timed(calendars.begin)

    pipelines.SiteWriters = TimedSiteWriters
    user, system, wall, written = [], [], [], ""
    for n in range(repeats):
        site = parent / f"write{workers}-{n}" / "site"
        crawler = project_crawler(SchedulesSpider, SITE_DIR=str(site), PUBLISH_WORKERS=workers)
        spider = SchedulesSpider.from_crawler(crawler, semester=SEMESTER)
        crawler.spider = spider
        started, before = time.perf_counter(), os.times()
        asyncio.run(drive_pipeline(PublishSitePipeline.from_crawler(crawler), items))
        after = os.times()
        wall.append(time.perf_counter() - started)
        user.append(after.user - before.user)
        system.append(after.system - before.system)
        written = (f"{crawler.stats.get_value('timetable_spider/calendars')} calendars, "
                   f"{len(list(site.rglob('*.ics')))} .ics on disk, "
                   f"outcome {crawler.stats.get_value('timetable_spider/outcome')}")
        shutil.rmtree(site.parent, ignore_errors=True)
    pipelines.SiteWriters = SiteWriters
    return user, system, wall, written, by_writer


# -- 3. the re-crawl --

def recrawl(bench: Bench, a) -> None:
    """A crawl, then --runs re-crawls of the unchanged site into the same SITE_DIR and HTTPCACHE_DIR."""
    work = bench.fresh("recrawl")
    site, cache = work / "site", work / "httpcache"
    rows = []  # (label, CrawlResult, the server's stats, files the run rewrote)
    with SimServer(SEMESTER, latency=a.latency, jitter=a.jitter) as server:
        first = bench.crawl(server, site=site, cache=cache)
        rows.append(("first", first, server.restart() or {}, None))  # same port and root: same URLs and validators
        for n in range(1, a.runs + 1):
            beside_site(site)  # the last run's old site removed, as it is long before the next day's crawl
            before = files_of(site)
            again = bench.crawl(server, site=site, cache=cache)
            after = files_of(site)
            rewritten = sorted(path for path, identity in after.items() if before.get(path) != identity)
            rows.append((f"again {n}", again, server.restart() or {}, rewritten))
    shutil.rmtree(work, ignore_errors=True)
    print(f"\n== re-crawl: a crawl, then {a.runs} more into the same SITE_DIR with the same HTTPCACHE_DIR")
    print(f"{'':>8} {'rc':>3} {'wall s':>7} {'cpu s':>6} {'requests':>8} {'304':>4} {'bytes':>9} {'rewritten':>9}")
    for label, r, s, rewritten in rows:
        print(f"{label:>8} {r.returncode:>3} {r.seconds:>7.2f} {r.cpu_seconds:>6.2f} "
              f"{fmt(s.get('requests'), '.0f'):>8} {fmt(s.get('not_modified_304'), '.0f'):>4} "
              f"{fmt(s.get('bytes_sent'), '.0f'):>9} {'-' if rewritten is None else len(rewritten):>9}")
    again = rows[1:]
    print(f"  median of the re-crawls: {statistics.median(r.seconds for _, r, _, _ in again):.2f} s wall; "
          f"{statistics.median(s.get('bytes_sent', 0) for _, _, s, _ in again) / max(1, rows[0][2].get('bytes_sent', 0)):.1%} "
          f"of the first crawl's bytes")
    rewritten = sorted({path for *_, files in again for path in files})
    print(f"  files any re-crawl rewrote (new inode or mtime; status.json aside): {len(rewritten)} "
          f"{rewritten[:5]}{' ...' if len(rewritten) > 5 else ''}")
    bench.recrawl_seconds = statistics.median(r.seconds for _, r, _, _ in again)
    bench.target("re-crawl: files rewritten", str(len(rewritten)), not rewritten, "0")
    pages = min(sum(count for path, count in s.get("paths", {}).items() if path != "/robots.txt") for _, _, s, _ in again)
    not_modified = min(s.get("not_modified_304", 0) for _, _, s, _ in again)
    bench.target("re-crawl: pages answered 304", f"{not_modified} of {pages} (the fewest of {len(again)})",
                 not_modified >= pages, "every page")


def files_of(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and mtime; status.json aside, which every run writes."""
    return {path.relative_to(site).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in site.rglob("*") if path.is_file() and path.name != "status.json"}


# -- 4. AutoThrottle at a slow server --

def throttle(bench: Bench, a, normal_rows) -> None:
    slow, stats = bench.served_crawl(2.0, 0.0, "slow")
    print("\n== AutoThrottle: requests/second over the server's active time, and requests in flight")
    print(f"{'latency':>14} {'rc':>3} {'wall s':>7} {'req/s':>6} {'in flight':>9} {'requests':>8} "
          f"{'delay ms':>8}")
    print(f"{f'{a.latency}+-{a.jitter} s':>14} {fmt(median([r[0] for r in normal_rows]), '.0f'):>3} "
          f"{fmt(median([r[1] for r in normal_rows])):>7} {fmt(median([r[10] for r in normal_rows]), '.1f'):>6} "
          f"{fmt(median([r[5] for r in normal_rows]), '.0f'):>9} {fmt(median([r[4] for r in normal_rows]), '.0f'):>8} "
          f"{fmt(median([r[11] for r in normal_rows]), '.0f'):>8}   (median of the {len(normal_rows)} runs above)")
    rate = stats["requests"] / stats["active_seconds"] if stats.get("active_seconds") else None
    print(f"{'2.0+-0.0 s':>14} {slow.returncode:>3} {slow.seconds:>7.2f} {fmt(rate, '.1f'):>6} "
          f"{fmt(stats.get('max_in_flight'), '.0f'):>9} {fmt(stats.get('requests'), '.0f'):>8} "
          f"{fmt(logged_stat(slow.output, 'autothrottle/delay_ms'), '.0f'):>8}")
    print("  delay ms: AutoThrottle's delay between requests when the crawl ended")


# -- 5. the critical path --

def critical_path(bench: Bench, a, normal_rows, repeats: int = 3) -> None:
    from timetable_spider import settings as project_settings

    concurrency = project_settings.CONCURRENT_REQUESTS_PER_DOMAIN
    startups = []
    with SimServer(SEMESTER, latency=0.0, jitter=0.0) as server:
        for n in range(repeats):
            work = bench.fresh(f"empty{n}")
            result = bench.crawl(server, site=work / "site", cache=work / "httpcache", semester=MISSING_SEMESTER)
            startups.append(result.seconds)
            shutil.rmtree(work, ignore_errors=True)
    robots = 1 if project_settings.ROBOTSTXT_OBEY else 0  # one host: the simulated site
    pages = median([r[4] for r in normal_rows])
    spec_pages = int(pages) - 3 - robots if pages else 0
    startup = statistics.median(startups)
    rounds = robots + 1 + math.ceil(spec_pages / concurrency)
    limit = startup + rounds * a.latency
    crawl = median([r[1] for r in normal_rows])
    print("\n== critical-path limit")
    print(f"  start-up and shutdown: crawl of {MISSING_SEMESTER} (no index) at latency 0, median of {repeats}: "
          f"{startup:.2f} s ({', '.join(f'{s:.2f}' for s in startups)})")
    print(f"  round trips: {robots} (robots.txt) + 1 (index) + ceil({spec_pages} spec pages / {concurrency}) = {rounds} "
          f"x {a.latency} s = {rounds * a.latency:.2f} s")
    print(f"  limit: {limit:.2f} s; measured median crawl {fmt(crawl)} s"
          + (f" ({crawl / limit:.2f}x the limit)" if crawl else ""))
    if crawl:
        bench.target("wall time against the critical-path limit", f"{crawl / limit:.2f}x ({crawl:.2f} s, limit {limit:.2f} s)",
                     crawl <= 1.1 * limit, "<= 1.1x")
    recrawl_seconds = getattr(bench, "recrawl_seconds", None)
    if recrawl_seconds:
        bench.target("re-crawl within the same limit", f"{recrawl_seconds / limit:.2f}x ({recrawl_seconds:.2f} s, median)",
                     recrawl_seconds <= 1.1 * limit, "<= 1.1x")


# -- 6. the workers' start-up --

# Run as a script, which imports Scrapy at the top as the `scrapy` console script does: a worker
# that ran its parent's main script again would have Scrapy's stack too.
WORKER_PROBE = """
import json, sys, time
from scrapy.cmdline import execute
if __name__ != "__main__":
    raise SystemExit("this worker ran its parent's main script")
started = time.perf_counter()
from timetable_spider.worker_processes import worker_pool
pool = worker_pool(2)
pids = sorted(set(pool.map(eval, ["__import__('os').getpid()"] * 8)))
seconds = time.perf_counter() - started
modules = pool.submit(eval, "sorted(__import__('sys').modules)").result()
sizes = [float(line.split()[1]) / 1024 for pid in pids for line in open(f"/proc/{pid}/smaps_rollup")
         if line.startswith("Pss:")]
pool.shutdown()
print(json.dumps({"seconds": seconds, "modules": modules, "pss": sizes}))
"""


def worker_startup(bench: Bench, repeats: int = 3) -> None:
    """In a new process each time, as in a crawl: the forkserver started with what the workers
    import, a pool of 2, until both answered; what a worker then has imported, and its PSS. The
    time to import Scrapy, which the crawl has done long before, is not counted."""
    import json

    probe = bench.tmp / "worker_probe.py"
    probe.write_text(WORKER_PROBE)
    runs = [json.loads(subprocess.run([sys.executable, str(probe)], cwd=PROJECT, check=True,
                                      capture_output=True, text=True).stdout) for _ in range(repeats)]
    startup = statistics.median(run["seconds"] for run in runs)
    modules = runs[-1]["modules"]
    heavy = [name for name in ("scrapy", "twisted", "lxml", "parsel") if name in modules]
    print("\n== worker processes' start-up (forkserver, in a new process each time, as the crawl starts them)")
    print(f"  pool of 2 until both answered, median of {repeats}: {startup:.3f} s "
          f"({', '.join(format(run['seconds'], '.3f') for run in runs)})")
    print(f"  a worker: {len(modules)} modules imported, of Scrapy's stack: {', '.join(heavy) or 'none'}; "
          f"PSS {', '.join(f'{size:.1f}' for size in runs[-1]['pss'])} MB")
    bench.target("workers import none of Scrapy's stack", ", ".join(heavy) or "none", not heavy, "none")
    bench.target("worker start-up", f"{startup:.3f} s", startup <= 0.5, "<= 0.5 s")


def pss_mb(pid: int) -> float:
    found = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
    return int(found.group(1)) / 1024


def print_targets(bench: Bench) -> None:
    print("\n== targets (issue 18)")
    width = max(len(name) for name, *_ in bench.targets)
    for name, figure, met, goal in bench.targets:
        print(f"  {name:<{width}}  {figure:<40} {goal:<12} {'met' if met else 'NOT MET'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--jitter", type=float, default=0.1)
    ap.add_argument("--only", choices=["crawls", "writing", "recrawl"], help="run just one part")
    ap.add_argument("--baseline", type=Path, help="another checkout of the project (say, a git worktree of "
                    "an older commit) whose crawls alternate with this one's, to compare wall times")
    ap.add_argument("--reference", type=Path, help="a checkout of dobrerares/fmi-cal-generator, the generator "
                    "this project replaces: its crawl alternates with ours against the same simulated site")
    ap.add_argument("--work-dir", type=Path, default=PROJECT,
                    help="where the sites are written (default: the project directory, like SITE_DIR=site)")
    a = ap.parse_args(argv)
    bench = Bench(a)
    try:
        root = build_site(SEMESTER)
        print(f"simulated site (semester {SEMESTER}) built under {root}; python {sys.version.split()[0]}")
        if a.only == "writing":
            writing_phase(bench)
            return 0
        if a.only == "recrawl":
            recrawl(bench, a)
            print_targets(bench)
            return 0
        rows = full_crawls(bench, a)
        if a.only == "crawls":
            return 0
        writing_phase(bench)
        recrawl(bench, a)
        throttle(bench, a, rows)
        critical_path(bench, a, rows)
        worker_startup(bench)
        print_targets(bench)
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
