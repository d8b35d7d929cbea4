"""Benchmark `scrapy notify`: push alerts for many stable subscriptions, against a push service on loopback.

    .venv/bin/python benchmarks/notify.py [--subscriptions 10000] [--hanging 0.02] [--answer-after 0.1]

Everything printed is measured by this run:
  1. The simulated site crawled, one course moved room (every IE2 calendar has it), crawled again.
  2. --subscriptions stable subscriptions, each with a browser attached (its own P-256 keys),
     spread over every IE2 calendar, so each gets one alert.
  3. `scrapy notify` as a process, timed: its wall time, messages per second as received and
     counted by a push service on this machine (an HTTP server answering 201 after
     --answer-after seconds, as a real one takes about 100 ms; a --hanging share of its
     endpoints never answers), the process's peak RSS, and the command's own summary.
  4. `scrapy notify` again: nothing to send twice but the hanging ones, and how long that takes.
"""
from __future__ import annotations

import argparse
import base64
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from tests.crawling import run_crawl  # noqa: E402
from tests.page_fixtures import COURSE_IN_2I  # noqa: E402
from tests.ubb_site import SimServer, build_site  # noqa: E402
from timetable_spider.subscriptions import Subscriptions  # noqa: E402


class Counter(BaseHTTPRequestHandler):
    received = 0
    lock = threading.Lock()
    answer_after = 0.1
    stop = threading.Event()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.startswith("/hang/"):
            Counter.stop.wait()
            return
        time.sleep(Counter.answer_after)
        with Counter.lock:
            Counter.received += 1
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--hanging", type=float, default=0.02, help="the share of endpoints that never answer")
    parser.add_argument("--answer-after", type=float, default=0.1, help="seconds the push service takes to answer")
    options = parser.parse_args()
    Counter.answer_after = options.answer_after
    hanging_every = round(1 / options.hanging) if options.hanging else 0
    with tempfile.TemporaryDirectory(prefix="bench-notify-") as temporary:
        tmp = Path(temporary)
        www = tmp / "www"
        shutil.copytree(build_site("2025-2"), www)
        sim = SimServer(root=www, latency=0.0, jitter=0.0)
        settings = {"HTTPCACHE_DIR": tmp / "cache"}
        with sim:
            assert run_crawl(sim, site_dir=tmp / "site", settings=settings).returncode == 0
        page = www / "files/orar/2025-2/tabelar/IE2.html"
        page.write_bytes(page.read_bytes().decode("iso-8859-2").replace(
            COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<")).encode("iso-8859-2"))
        # the browsers count as attached before the second crawl: a browser is told only crawls after its attach
        attached = time.time() - 1
        with sim:
            assert run_crawl(sim, site_dir=tmp / "site", settings=settings).returncode == 0

        # a backlog for the many connections notify opens at once (the default, 5, drops SYNs)
        ThreadingHTTPServer.request_queue_size = 1024
        service = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
        service.daemon_threads = True
        threading.Thread(target=service.serve_forever, daemon=True).start()
        calendars = sorted(p.name for p in (tmp / "site/Informatica - in limba engleza/Year 2").glob("*.ics"))
        started = time.perf_counter()
        store = Subscriptions(tmp / "db.sqlite3")
        for n in range(options.subscriptions):
            identifier, key = store.create(f"/feeds/IE2/{calendars[n % len(calendars)]}", now=attached)
            public = ec.generate_private_key(ec.SECP256R1()).public_key()
            kind = "hang" if hanging_every and n % hanging_every == 0 else "push"
            store.attach_push(identifier, key, f"http://127.0.0.1:{service.server_address[1]}/{kind}/{n}",
                              b64(public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)), b64(os.urandom(16)),
                              now=attached)
        store.close()
        print(f"{options.subscriptions} subscriptions with push made in {time.perf_counter() - started:.1f} s, "
              f"over {len(calendars)} IE2 calendars")

        command = [sys.executable, "-m", "scrapy", "notify", "-s", f"SITE_DIR={tmp / 'site'}",
                   "-s", f"SUBSCRIPTIONS_DB={tmp / 'db.sqlite3'}", "-s", f"PUSH_VAPID_KEY_FILE={tmp / 'vapid.pem'}",
                   "-s", "LOG_LEVEL=ERROR", "-s", "PUSH_ALLOW_HTTP_ENDPOINTS=1"]
        for label in ("first run", "second run"):
            before = Counter.received
            started = time.perf_counter()
            with open(tmp / "stdout", "w+") as output:
                process = subprocess.Popen(command, cwd=PROJECT, stdout=output, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(process.pid, 0)  # this process's own peak RSS, not the crawls'
                seconds = time.perf_counter() - started
                output.seek(0)
                printed = output.read().strip()
            process.returncode = os.waitstatus_to_exitcode(status)
            received = Counter.received - before
            print(f"{label}: {seconds:.1f} s, exit {process.returncode}, {received} messages received "
                  f"({received / seconds:.0f} messages/s), peak RSS {usage.ru_maxrss / 1024:.0f} MB; "
                  f"it printed: {printed}")
        Counter.stop.set()
        service.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
