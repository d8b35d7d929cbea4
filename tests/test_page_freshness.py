"""The change logs stay with the data they belong to (issue 28): the service worker keeps
changes/<CODE>.json for offline use, and when it finds a spec's timetable new after a crawl it
brings that spec's change log along before the page offers to reload. (nginx revalidates both on
every request: tests/test_deploy.py.)
"""
from __future__ import annotations

import json
import shutil

from playwright.sync_api import expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 launch_browser, playwright, published_site, wait_for_async, wait_for_week)
from tests.page_server import PageServer

QUERY = "index.html?code=IE2&group=921&subgroup=1&date=2026-03-09"
CACHED_CHANGES = """async () => { const found = await (await caches.open('data'))
    .match(new URL('changes/IE2.json', location.href).href); return found ? await found.text() : null; }"""


def test_the_change_log_is_kept_offline_and_refreshed_with_its_timetable(browser, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    server = PageServer(site).start()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(server.url(QUERY))
        wait_for_week(page)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.reload()  # now through the worker
        wait_for_week(page)
        before = wait_for_async(page, CACHED_CHANGES)
        assert json.loads(before)["crawls"] is not None

        changes = site / "changes" / "IE2.json"
        log = json.loads(changes.read_text("utf-8"))
        log["marker"] = "the next crawl's"
        changes.write_text(json.dumps(log), "utf-8")
        timetable = site / "data" / "timetables" / "IE2.json"
        timetable.write_text(timetable.read_text("utf-8") + " ", "utf-8")  # a new crawl's data
        page.evaluate("fetch('data/timetables/IE2.json')")  # the worker answers from its cache and refreshes
        expect(page.locator("#banner")).to_contain_text("A new timetable was published")
        assert "the next crawl's" in page.evaluate(CACHED_CHANGES)

        server.stop()  # offline: the changes card is still there, from the worker's cache
        page.reload()
        wait_for_week(page)
        expect(page.locator("#changes")).to_be_visible()
    finally:
        context.close()
        server.stop()
