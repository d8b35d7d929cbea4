"""The published site's files, as a static web server serves SITE_DIR: read beneath it, never
outside it, never a dotfile; a directory's index.html."""
from __future__ import annotations

import logging
import os
import stat
from urllib.parse import quote

from twisted.web.server import NOT_DONE_YET

from timetable_spider.feed_server.http import content, content_type, current_copy, echo, plain
from timetable_spider.feed_server.services import ServiceRoute
from timetable_spider.published_site import OPEN_FLAGS, is_missing, open_beneath, read_all

logger = logging.getLogger(__name__)


class SiteFile(ServiceRoute):
    methods = (b"GET",)

    def GET(self, request) -> bytes | int:
        names = self.names
        if any(name.startswith(".") or not name for name in names[:-1]) or names[-1].startswith("."):
            return plain(request, 404, "not found")
        try:
            return self._answer(request, names)
        except OSError as error:
            if is_missing(error):
                return plain(request, 404, "not found")
            # Out of descriptors, an unreadable file: the file is there, so the answer is not "no
            # such file", which a calendar app would take as its calendar gone for good.
            logger.error("Could not read %s from the published site: %s", echo("/".join(names)), error.strerror)
            return plain(request, 503, "the server could not read this file; try again in a moment", retry_after=60)

    def _answer(self, request, names: list[str]) -> bytes | int:
        root = os.open(self.services.published.site_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fd = open_beneath(root, names if names[-1] else names[:-1])
        finally:
            os.close(root)
        try:
            info = os.fstat(fd)
            name = names[-1]
            if stat.S_ISDIR(info.st_mode):
                index = os.open("index.html", OPEN_FLAGS, dir_fd=fd)
                os.close(fd)
                fd, name = index, "index.html"
                if names[-1]:  # "/Year 2" is the directory "/Year 2/": links in its page are relative to it
                    request.setHeader(b"Location", quote(names[-1]).encode() + b"/")
                    return plain(request, 301, "moved to the directory's address, with a slash")
                info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return plain(request, 404, "not found")
            etag = f'"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}"'
            max_age = self.services.max_age(self.services.published.snapshot)
            if current_copy(request, etag, info.st_mtime, b"public, max-age=%d" % max_age):
                return NOT_DONE_YET
            body = read_all(fd, info.st_size)
        finally:
            os.close(fd)
        return content(request, body, content_type(name))
