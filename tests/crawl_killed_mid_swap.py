"""`scrapy crawl` killed with SIGKILL between the two renames that publish a site where the kernel
has no renameat2(RENAME_EXCHANGE): SITE_DIR has just become the retired site, and the new one
is not in its place yet.

    python -m tests.crawl_killed_mid_swap crawl schedules ...
"""
from __future__ import annotations

import os
import signal
import sys

from scrapy.cmdline import execute

from timetable_spider import publishing

_rename = os.rename


def rename_then_die_if_retiring(source, destination, **kwargs):
    _rename(source, destination, **kwargs)
    if publishing.RETIRED_PREFIX in os.path.basename(destination):
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    publishing._exchange = lambda a, b: False  # as on a kernel or libc without renameat2
    os.rename = rename_then_die_if_retiring
    sys.exit(execute(["scrapy", *sys.argv[1:]]))
