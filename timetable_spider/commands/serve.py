"""`scrapy serve`: the published site and personal calendars under /feeds/, on Twisted's web server.

    scrapy serve [--bind 127.0.0.1] [--port 8000] [-s SITE_DIR=...] [-s NAME=VALUE ...]

The application is timetable_spider.feed_server; this command only listens with it.
"""
from __future__ import annotations

import argparse
import logging

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no crawl: the command runs its own reactor

    def syntax(self) -> str:
        return "[--bind ADDRESS] [--port PORT] [-s NAME=VALUE ...]"

    def short_desc(self) -> str:
        return "Serve SITE_DIR and personal calendars under /feeds/"

    def long_desc(self) -> str:
        return ("Serve the published site (SITE_DIR) as a web server would, and personal calendars at "
                "/feeds/<CODE>/<calendar file>?hide=...&take=...&add=... (see README). "
                "The site is read again when a crawl publishes a new one.")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)")
        parser.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                            help="address to listen on (default: 127.0.0.1; 0.0.0.0: every interface)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        configure_logging(self.settings)
        # Imported here: importing the reactor installs it, and only this command needs one.
        from twisted.internet import reactor

        from timetable_spider.feed_server import make_site

        site = make_site(self.settings)
        site.resource.start_expiring()
        # Twisted's backlog of 50 drops connections when nginx opens many at once (a burst, or a
        # replica back after a restart), and each dropped one waits a second for its retry.
        port = reactor.listenTCP(opts.port, site, backlog=1024, interface=opts.bind)
        address = port.getHost()
        host = f"[{address.host}]" if ":" in address.host else address.host
        logger.info("Serving %s at http://%s:%d/ (feeds under /feeds/)", self.settings["SITE_DIR"], host, address.port)
        reactor.run()
