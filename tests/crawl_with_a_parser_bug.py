"""`scrapy crawl` with a bug planted in the spec-page parser, for tests of how a crawl survives one.

    PARSER_BUG_PAGES=IE2.html python -m tests.crawl_with_a_parser_bug crawl schedules ...

The parser raises RuntimeError on every spec page whose URL ends with one of the comma-separated
names in PARSER_BUG_PAGES, and works as usual on the others.
"""
from __future__ import annotations

import os
import sys

from scrapy.cmdline import execute

from timetable_spider.spiders import schedules

BROKEN = tuple(name for name in os.environ.get("PARSER_BUG_PAGES", "").split(",") if name)
_parse = schedules.parse_timetable_page


def parse_with_a_bug(page):
    if page.url.endswith(BROKEN):
        raise RuntimeError("a planted parser bug")
    return _parse(page)


if __name__ == "__main__":
    schedules.parse_timetable_page = parse_with_a_bug
    sys.exit(execute(["scrapy", *sys.argv[1:]]))
