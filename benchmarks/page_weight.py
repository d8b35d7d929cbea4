"""The students' page: the bytes a first view of a group's week costs, measured, and (optionally)
its Lighthouse scores.

    .venv/bin/python benchmarks/page_weight.py [--site DIR] [--lighthouse PATH/TO/lighthouse]

Without --site it crawls the project's simulated UBB site first (about 5 s). It serves the site
with tests/page_server.py (uncompressed, as a plain static server sends it), opens
index.html?code=IE2&group=921&subgroup=1&date=2026-03-10 in Debian's Chromium with an empty cache,
and counts the bytes of every answer the server sent until the week is drawn (the first view),
then those the service worker fetched to work offline. With --lighthouse it runs Lighthouse
(mobile, its default) on the same URL and prints the category scores; Lighthouse comes from npm
(`npm i lighthouse` in a scratch directory) and finds the browser through CHROME_PATH.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.crawling import run_crawl  # noqa: E402
from tests.page_fixtures import CHROMIUM, CHROMIUM_ARGS, wait_for_async, wait_for_week  # noqa: E402
from tests.page_server import PageServer  # noqa: E402
from tests.ubb_site import SimServer  # noqa: E402

WEEK_VIEW = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-10"
BUDGET = 250_000  # bytes, uncompressed, for the first view


def crawl(into: Path) -> Path:
    with SimServer("2025-2", latency=0.02, jitter=0.01) as sim:
        result = run_crawl(sim, site_dir=into / "site", settings={"HTTPCACHE_DIR": into / "cache"})
    if result.returncode != 0:
        sys.exit(f"the crawl failed:\n{result.output[-3000:]}")
    return into / "site"


def first_view(server: PageServer, viewport: dict) -> tuple[list[tuple], list[tuple]]:
    """The server's answers (path, status, bytes) for the first view, then what a first visit with
    the service worker fetched on top of them (for offline use)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        views = []
        for workers in ("block", "allow"):
            context = browser.new_context(viewport=viewport, service_workers=workers)
            page = context.new_page()
            start = len(server.requests)
            page.goto(server.url(WEEK_VIEW))
            wait_for_week(page)
            page.wait_for_load_state("load")
            if workers == "allow":
                page.wait_for_function("navigator.serviceWorker.controller !== null")
                wait_for_async(page, """async () => Boolean(await (await caches.open('data'))
                                        .match(new URL('data/timetables/IE2.json', location.href).href))""")
            page.wait_for_timeout(500)
            views.append(server.requests[start:])
            context.close()
        browser.close()
    shown, with_worker = views
    return shown, with_worker[len(shown):]


def report(title: str, answers: list[tuple]) -> int:
    total = sum(size for _, _, size in answers)
    print(f"{title}: {len(answers)} requests, {total:,} bytes")
    for path, status, size in answers:
        print(f"  {size:>8,}  {status}  {path}")
    return total


def lighthouse(binary: str, url: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "report.json"
        done = subprocess.run(
            [binary, url, "--quiet", "--output=json", f"--output-path={output}",
             "--only-categories=performance,accessibility,best-practices,seo",
             "--chrome-flags=--headless --no-sandbox --disable-gpu"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            sys.exit(f"lighthouse failed:\n{done.stderr[-3000:]}")
        result = json.loads(output.read_text())
    scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
    metrics = {audit: result["audits"][audit]["displayValue"] for audit in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
                "total-byte-weight")}
    print("lighthouse (mobile):", ", ".join(f"{name} {score}" for name, score in scores.items()))
    print("  " + ", ".join(f"{name} {value}" for name, value in metrics.items()))
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a published site (default: crawl the simulated one)")
    parser.add_argument("--lighthouse", help="the lighthouse command, to print its scores as well")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        site = options.site or crawl(Path(scratch))
        with PageServer(site) as server:
            for name, viewport in (("phone 390x844", {"width": 390, "height": 844}),
                                   ("desktop 1280x800", {"width": 1280, "height": 800})):
                shown, worker = first_view(server, viewport)
                total = report(f"first view of a group's week, {name}", shown)
                print(f"  within the {BUDGET:,}-byte budget: {'yes' if total <= BUDGET else 'NO'}")
                report("  then the service worker, for offline use", worker)
            if options.lighthouse:
                lighthouse(options.lighthouse, server.url(WEEK_VIEW))
    return 0


if __name__ == "__main__":
    sys.exit(main())
