"""Benchmark `scrapy serve`: personal and published feeds under load, on this machine, load generator included.

    .venv/bin/python benchmarks/serve.py [--clients 200] [--seconds 10] [--runs 3] [--tailored 0.5]
                                         [-s NAME=VALUE ...] [--work-dir DIR] [--nginx]

Everything printed is measured by this run:
  1. The real crawl publishes the simulated UBB site (tests/ubb_site.py, 71 spec pages, 1491 calendars).
  2. `scrapy serve` starts on it (a separate process, with the -s settings given); its memory once
     the whole faculty is loaded, and that of one started on an empty directory.
  3. --runs times: --clients keep-alive connections at once, each asking again as soon as it has its
     answer, for --seconds, after a warm-up; a --tailored share of the requests are personal feeds
     (hide, hide with a type, take, add, and combinations, over every calendar of the faculty), the
     rest published feeds. Requests per second, p50 and p99 latency (from sending the request to
     having the whole body), errors (anything but a 200 of the expected length, or a dropped
     connection), and the CPU used by the server, by the load generator (this process, an asyncio
     client) and by the machine's other processes, which may be what slows a run down.
     With --nginx, each run also sends the same load through Debian's nginx with deploy/nginx.conf
     in front of two more replicas (the server's CPU is then theirs and nginx's), alternating
     with the replica answered directly, so that both figures come from the same machine state.
     With --stable, each personal feed is also made a stable subscription, and each run also
     sends the same load of their links (/feeds/s/<id>.ics) to the replica answered directly;
     their requests per second are then printed beside the query URLs' as a ratio. And while
     another connection holds the subscriptions database's write lock, the latency of 50
     published feeds, 50 personal feeds and 50 stable links, one at a time.
  4. In the server's code, in this process: the CPU time of one personal feed built from a loaded
     snapshot, and of one taken from the snapshot's cache.
The medians over the runs are printed last.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.crawling import free_port, run_crawl  # noqa: E402
from tests.nginx_server import NginxProcess, public_directory  # noqa: E402
from tests.serving import ServeProcess  # noqa: E402
from tests.ubb_site import SimServer  # noqa: E402
from timetable_spider import personal_feeds, published_site  # noqa: E402
from timetable_spider.subscriptions import default_path  # noqa: E402

SEMESTER = "2025-2"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def feed_targets(site: Path, tailored_share: float, seed: int = 1) -> list[str]:
    """Published and personal feed paths over every calendar, personal ones in the given share."""
    rng = random.Random(seed)
    index = json.loads((site / "data" / "index.json").read_text())
    records = {y["code"]: json.loads((site / y["data"]).read_text())
               for spec in index for y in spec["years"] if y.get("data")}
    calendars = [(code, group, calendar["file"]) for code, record in records.items()
                 for group in record["groups"] for calendar in group["calendars"]]
    plain, personal = [], []
    for code, group, file in calendars:
        plain.append(f"/feeds/{code}/{file}")
        subjects = sorted({e["subject_code"] for e in group["entries"] if e["dates"]})
        labs = sorted({e["subject_code"] for e in group["entries"] if e["dates"] and "/" in e["formation"]})
        other_code = rng.choice(sorted(records))
        other_group = rng.choice(records[other_code]["groups"])
        other_subjects = sorted({e["subject_code"] for e in other_group["entries"] if e["dates"]})
        choices = [f"hide={rng.choice(subjects)}", f"hide={rng.choice(subjects)}:C",
                   f"add={other_code}/{other_group['name']}:{rng.choice(other_subjects)}"]
        if labs and not file.endswith(f"{group['name']}.ics"):
            choices.append(f"take={rng.choice(labs)}:{rng.choice((1, 2))}")
        picked = rng.sample(choices, rng.randint(1, len(choices)))
        personal.append(f"/feeds/{code}/{file}?{'&'.join(picked)}")
    count = round(len(calendars) * tailored_share)
    return rng.sample(plain, len(calendars) - count) + rng.sample(personal, count)


class Client(asyncio.Protocol):
    """One keep-alive connection asking for a random target as soon as the last answer is in."""

    def __init__(self, requests: list[tuple[bytes, int]], run: "Run", rng: random.Random):
        self.requests, self.run, self.rng = requests, run, rng
        self.buffer = b""
        self.expected_length = 0
        self.started = 0.0
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ask()

    def ask(self) -> None:
        request, self.expected_length = self.rng.choice(self.requests)
        self.started = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
        if len(self.buffer) < end + 4 + length:
            return
        finished = time.perf_counter()
        ok = head.startswith(b"HTTP/1.1 200 ") and length == self.expected_length
        self.buffer = self.buffer[end + 4 + length:]
        self.run.record(finished - self.started, ok, finished)
        if finished < self.run.stop_at:
            self.ask()
        else:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if time.perf_counter() < self.run.stop_at:
            self.run.dropped += 1
        self.run.closed += 1
        if self.run.closed == self.run.clients:
            self.run.done.set_result(None)


class Run:
    def __init__(self, clients: int, measure_from: float, stop_at: float):
        self.clients, self.measure_from, self.stop_at = clients, measure_from, stop_at
        self.latencies: list[float] = []
        self.errors = 0
        self.dropped = 0
        self.closed = 0
        self.done: asyncio.Future | None = None

    def record(self, seconds: float, ok: bool, at: float) -> None:
        if at >= self.measure_from:
            self.latencies.append(seconds)
            self.errors += not ok


async def load(port: int, requests: list[tuple[bytes, int]], clients: int, warm_up: float, seconds: float) -> Run:
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    run = Run(clients, start + warm_up, start + warm_up + seconds)
    run.done = loop.create_future()
    for n in range(clients):
        await loop.create_connection(lambda n=n: Client(requests, run, random.Random(n)), "127.0.0.1", port)
    await run.done
    return run


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used, from /proc/stat."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def memory_mb(pid: int) -> dict[str, float]:
    values = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {key: int(values[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * share))]


def build_cost(site: Path, targets: list[str]) -> tuple[float, float]:
    """Microseconds of CPU for a personal feed built from the snapshot, and taken from its cache."""
    snapshot = published_site.load_snapshot(str(site), cache_size=len(targets))
    personal = [t for t in targets if "?" in t]
    parsed = []
    for target in personal:
        path, _, query = target.partition("?")
        code, file = path.split("/")[2:4]
        parsed.append((code, file, personal_feeds.parse_query(query)))
    timings = []
    for _ in range(2):  # the first pass builds every feed, the second finds each in the cache
        started = time.process_time()
        for code, file, selection in parsed:
            snapshot.feed(code, file, selection)
        timings.append((time.process_time() - started) / len(parsed) * 1e6)
    snapshot.close()
    return timings[0], timings[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warm-up", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tailored", type=float, default=0.5, help="share of personal feeds among the requests")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the server, e.g. -s SERVE_FEED_CACHE_SIZE=0")
    parser.add_argument("--work-dir", type=Path, help="keep the crawled site here (default: a temporary directory)")
    parser.add_argument("--stable", action="store_true",
                        help="also, in each run: every personal feed asked for by its stable subscription's link")
    parser.add_argument("--nginx", action="store_true",
                        help="also, alternately in each run: Debian's nginx (deploy/nginx.conf) in front of two replicas")
    options = parser.parse_args()

    with contextlib.ExitStack() as stack:
        # nginx's workers run as www-data: a mkdtemp directory (mode 700) would be closed to them
        work = options.work_dir or (public_directory("bench-serve-") if options.nginx
                                    else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-serve-"))))
        if not options.work_dir:
            stack.callback(shutil.rmtree, work, ignore_errors=True)
        site = work / "site"
        with SimServer(SEMESTER, latency=0.02, jitter=0.01) as sim:
            crawl = run_crawl(sim, site_dir=site, settings={"HTTPCACHE_DIR": work / "httpcache"})
        if crawl.returncode != 0:
            print(crawl.output[-3000:])
            return 1
        targets = feed_targets(site, options.tailored)
        calendars = sum(1 for _ in site.rglob("*.ics"))
        print(f"site: {calendars} calendars; {len(targets)} feed URLs, {sum('?' in t for t in targets)} of them personal")
        built, cached = build_cost(site, targets)

        settings = dict(setting.split("=", 1) for setting in options.settings)
        with ServeProcess(work / "empty", settings) as server:
            empty = memory_mb(server.process.pid)
        server = stack.enter_context(ServeProcess(site, settings))
        pid = server.process.pid
        loaded = memory_mb(pid)
        print(f"server memory: RSS {loaded['VmRSS']:.0f} MB with the whole faculty loaded, "
              f"{empty['VmRSS']:.0f} MB serving an empty directory")
        requests = []
        for target in targets:
            status, _, body = server.get(target)
            if status != 200:
                raise SystemExit(f"{target}: {status} {body[:200]!r}")
            requests.append((f"GET {target} HTTP/1.1\r\nHost: bench\r\n\r\n".encode(), len(body)))

        setups = [("scrapy serve, one replica answering directly", server.port, [pid])]
        if options.stable:
            stable_requests = []
            personal_requests = [request for request, target in zip(requests, targets) if "?" in target]
            for target in targets:  # each personal feed also as a stable subscription's link
                if "?" in target:
                    status, _, body = server.get("/subscriptions", method="POST",
                                                 headers={"X-Forwarded-For": f"10.{len(stable_requests) // 30}.0.1"},
                                                 body=json.dumps({"calendar": target}).encode())
                    feed = json.loads(body)["feed"]
                    stable_requests.append((f"GET {feed} HTTP/1.1\r\nHost: bench\r\n\r\n".encode(),
                                            len(server.get(feed)[2])))
            print(f"{len(stable_requests)} stable subscriptions made, one per personal feed")
        if options.nginx:
            replicas = [stack.enter_context(ServeProcess(site, settings, port=free_port())) for _ in range(2)]
            nginx = stack.enter_context(NginxProcess(site, [replica.port for replica in replicas],
                                                     worker_processes=os.cpu_count()))
            for _ in range(2):  # each replica builds the feeds it gets, as the one above did
                for target in targets:
                    nginx.get(target)
            setups.append(("nginx in front of two scrapy serve replicas", nginx.port,
                           [replica.process.pid for replica in replicas] + [nginx.process.pid, *children(nginx.process.pid)]))
        figures: dict[str, list[dict]] = {name: [] for name, _, _ in setups}
        for number in range(1, options.runs + 1):
            for name, port, pids in setups:  # alternately, so that each sees the machine as the other does
                figure = measure(port, pids, requests, options)
                if options.stable and name.startswith("scrapy serve"):
                    figures.setdefault("the same replica, stable subscriptions' links (/feeds/s/)", []).append(
                        measure(port, pids, stable_requests, options))
                    figures.setdefault("the same replica, the same personal feeds by their query URLs", []).append(
                        measure(port, pids, personal_requests, options))
                figures[name].append(figure)
                print(f"run {number}, {name}: {figure['rps']:.0f} requests/s, p50 {figure['p50']:.1f} ms, "
                      f"p99 {figure['p99']:.1f} ms, max {figure['max']:.1f} ms, {figure['errors']} errors "
                      f"in {figure['answers']} answers; CPU cores: server {figure['cpu']:.2f}, load generator "
                      f"{figure['client']:.2f}, rest of the machine {figure['others']:.2f}")
                if options.stable and name.startswith("scrapy serve"):
                    stable = figures["the same replica, stable subscriptions' links (/feeds/s/)"][-1]
                    query = figures["the same replica, the same personal feeds by their query URLs"][-1]
                    for label, figure_ in (("stable links", stable), ("their query URLs", query)):
                        print(f"run {number}, {label}: {figure_['rps']:.0f} requests/s, p50 {figure_['p50']:.1f} ms, "
                              f"p99 {figure_['p99']:.1f} ms, {figure_['errors']} errors in {figure_['answers']} answers")
        after = memory_mb(pid)
        locked = latency_with_the_write_lock_held(server, settings, site, targets, stable_requests) if options.stable else {}

    for name, runs in figures.items():
        print()
        print(f"{name}: median of {options.runs} runs, {options.clients} keep-alive clients, "
              f"{options.tailored:.0%} personal feeds, {os.cpu_count()} CPUs"
              f"{' ' + ' '.join(options.settings) if settings else ''}:")
        for key, label, spec in (("rps", "requests/s", ".0f"), ("p50", "p50 ms", ".1f"), ("p99", "p99 ms", ".1f"),
                                 ("max", "max ms", ".1f"), ("errors", "errors", ".0f"), ("cpu", "server CPU", ".2f"),
                                 ("client", "client CPU", ".2f"), ("others", "rest CPU", ".2f")):
            print(f"  {label:<12} {statistics.median(f[key] for f in runs):{spec}}")
    if options.stable:
        stable_rps = statistics.median(f["rps"] for f in figures["the same replica, stable subscriptions' links (/feeds/s/)"])
        query_rps = statistics.median(f["rps"] for f in figures["the same replica, the same personal feeds by their query URLs"])
        print(f"\n  stable links against the same feeds' query URLs: {stable_rps:.0f} / {query_rps:.0f} requests/s "
              f"= {stable_rps / query_rps:.2f}x")
        print("  with the database's write lock held by another connection, one request at a time:")
        for kind, times in locked.items():
            print(f"    {kind:<16} median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({len(times)} requests)")
    print()
    print(f"  {'memory':<12} RSS {loaded['VmRSS']:.0f} MB loaded ({empty['VmRSS']:.0f} MB with no site), "
          f"{after['VmRSS']:.0f} MB after the runs, peak {after['VmHWM']:.0f} MB (the replica answering directly)")
    print(f"  {'CPU per personal feed':<12} {built:.0f} µs to build, {cached:.1f} µs from the cache (in-process)")
    return 0


def latency_with_the_write_lock_held(server: ServeProcess, settings: dict, site: Path, targets: list[str],
                                     stable_requests: list[tuple[bytes, int]]) -> dict[str, list[float]]:
    """Milliseconds per request, one at a time, while another connection holds the write lock."""
    holder = sqlite3.connect(settings.get("SUBSCRIPTIONS_DB") or default_path(site), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    kinds = {"published feeds": [t for t in targets if "?" not in t][:50],
             "personal feeds": [t for t in targets if "?" in t][:50],
             "stable links": [request.split(b" ")[1].decode() for request, _ in stable_requests[:50]]}
    times: dict[str, list[float]] = {}
    try:
        for kind, paths in kinds.items():
            for path in paths:
                started = time.perf_counter()
                status, _, _ = server.get(path)
                times.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise SystemExit(f"{path}: {status} with the write lock held")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    return times


def children(pid: int) -> list[int]:
    """nginx's workers: the master's child processes."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def measure(port: int, pids: list[int], requests: list[tuple[bytes, int]], options) -> dict:
    """One run of the load against port; the CPU of the server's processes (pids), of the load
    generator and of the rest of the machine."""
    before = sum(map(cpu_seconds, pids)), cpu_seconds(os.getpid()), machine_busy_seconds()
    run = asyncio.run(load(port, requests, options.clients, options.warm_up, options.seconds))
    spent = [(now - then) / (options.warm_up + options.seconds) for now, then in
             zip((sum(map(cpu_seconds, pids)), cpu_seconds(os.getpid()), machine_busy_seconds()), before)]
    latencies = sorted(run.latencies)
    return {"rps": len(latencies) / options.seconds, "p50": percentile(latencies, 0.5) * 1000,
            "p99": percentile(latencies, 0.99) * 1000, "max": latencies[-1] * 1000,
            "errors": run.errors + run.dropped, "answers": len(latencies), "cpu": spent[0], "client": spent[1],
            "others": max(spent[2] - spent[0] - spent[1], 0.0)}


if __name__ == "__main__":
    sys.exit(main())
