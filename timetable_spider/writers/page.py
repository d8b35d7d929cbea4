"""The students' page: every file of timetable_spider/web/, copied to the same place in the site.

The files are package data, so the egg that Scrapyd runs carries them. The service worker
(web/sw.js) is given the list of the page's files to keep for offline use and a version that
changes whenever one of them does, so a browser installs the new page once it is published.
"""
from __future__ import annotations

import hashlib
import json
from importlib.resources import files as package_files
from importlib.resources.abc import Traversable

from timetable_spider.publishing import SiteFiles

SERVICE_WORKER = "sw.js"


def write_page(files: SiteFiles) -> None:
    for relative, data in page_files(package_files("timetable_spider") / "web"):
        files.write(relative, data)


def page_files(folder: Traversable) -> list[tuple[str, bytes]]:
    """(path under the site, bytes) of every page file, the service worker filled in."""
    if not folder.is_dir():  # a checkout without the page's files, or an egg without the folder
        return []
    found = _files(folder)
    shell = [path for path, _ in found if path != SERVICE_WORKER]
    version = hashlib.sha1(b"".join(path.encode() + b"\0" + data for path, data in found)).hexdigest()[:12]
    return [(path, service_worker(data, version, shell) if path == SERVICE_WORKER else data) for path, data in found]


def service_worker(source: bytes, version: str, shell: list[str]) -> bytes:
    return source.replace(b'"__VERSION__"', json.dumps(version).encode()) \
        .replace(b"__SHELL__", json.dumps(shell).encode())


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found += _files(entry, f"{prefix}{entry.name}/")
        elif not entry.name.startswith("."):
            found.append((prefix + entry.name, entry.read_bytes()))
    return found
