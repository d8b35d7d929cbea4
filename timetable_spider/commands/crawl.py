"""`scrapy crawl` that exits non-zero unless the run published the site.

Scrapy's own command exits 0 even when callbacks failed or nothing was published; cron
needs the exit status to say whether students got a fresh, whole site.
"""
from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawlCommand


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, spname):
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args, opts):
        super().run(args, opts)
        stats = self.crawler.stats
        if self.exitcode == 0 and stats and stats.get_value("timetable_spider/outcome") != "published":
            self.exitcode = 1
