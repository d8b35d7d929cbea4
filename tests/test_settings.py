"""settings.py: the components a crawl does not use are not even imported, and those it uses are."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.crawling import PROJECT

# The crawl's extensions and downloader middlewares built as a crawl builds them, in a fresh
# interpreter (another test may have imported anything), then what was imported.
SCRIPT = """
import json, sys
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.extension import ExtensionManager
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler
from timetable_spider.spiders.schedules import SchedulesSpider

settings = get_project_settings()
install_reactor(settings["TWISTED_REACTOR"])
crawler = get_crawler(SchedulesSpider, settings.copy_to_dict())
extensions = ExtensionManager.from_crawler(crawler)
middlewares = DownloaderMiddlewareManager.from_crawler(crawler)
print(json.dumps({"modules": sorted(sys.modules),
                  "components": [type(c).__name__ for c in [*extensions.middlewares, *middlewares.middlewares]]}))
"""


def built_components() -> dict:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_the_remote_control_and_the_cookies_middleware_bring_in_none_of_their_libraries():
    modules = set(built_components()["modules"])

    assert {"aiohttp", "tldextract", "requests"} & modules == set()


def test_the_crawl_still_has_its_throttle_retries_cache_and_robots_txt():
    components = built_components()["components"]

    assert {"PoliteAutoThrottle", "BackoffRetryMiddleware", "HttpCacheMiddleware", "RobotsTxtMiddleware"} \
        <= set(components)
