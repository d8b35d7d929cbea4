"""The students' page: every file of timetable_spider/web/, copied to the same place in the site.

The files are package data, so the egg that Scrapyd runs carries them.
"""
from __future__ import annotations

from importlib.resources import files as package_files
from importlib.resources.abc import Traversable

from timetable_spider.publishing import SiteFiles
from timetable_spider.writers import CrawledSite


def write_page(files: SiteFiles, site: CrawledSite) -> None:
    for relative, data in page_files(package_files("timetable_spider") / "web"):
        files.write(relative, data)


def page_files(folder: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    """(path under the site, bytes) of every file under folder."""
    if not folder.is_dir():  # a checkout without the page's files, or an egg without the folder
        return []
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found += page_files(entry, f"{prefix}{entry.name}/")
        elif not entry.name.startswith("."):
            found.append((prefix + entry.name, entry.read_bytes()))
    return found
