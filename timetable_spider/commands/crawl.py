"""`scrapy crawl` that exits non-zero unless the run published the site.

Scrapy's own command exits 0 even when callbacks failed or nothing was published; cron
needs the exit status to say whether students got a fresh, whole site.
"""
from __future__ import annotations

import logging
import os
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

# By the run's outcome; anything else (partial, failed, refused, a crash) is 1.
# "waiting": the new semester is not published yet and the site keeps the last one, as expected
# in a semester's first days (run_outcome.py); no failure, so 0.
# 75 (EX_TEMPFAIL): another crawl held SITE_DIR's lock, so this one did nothing; as scripts/cron-crawl.sh.
EXIT_STATUS = {"published": 0, "waiting": 0, "locked": 75}


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, spname):
        self.crawler = super()._create_crawler(spname)
        return self.crawler

    def run(self, args, opts):
        super().run(args, opts)
        if self.exitcode == 0:
            stats = self.crawler.stats
            self.exitcode = EXIT_STATUS.get(stats.get_value("timetable_spider/outcome") if stats else None, 1)
        if not opts.profile:  # --profile writes its stats after run()
            exit_now(self.exitcode)


def exit_now(status: int) -> None:
    """Exits once the logs are flushed, without tearing the interpreter down: freeing a crawl's
    objects one by one took 0.3 s after the site was published, and nothing in them matters then.
    The worker pools are shut down in the pipeline's close_spider, and the site's files are closed;
    their forkserver goes at once too."""
    from timetable_spider.worker_processes import end_forkserver  # Scrapy imports every command's module

    end_forkserver()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
