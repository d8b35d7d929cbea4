"""What changed, for people: data/changes.json, the Atom feeds changes.atom and
changes/<CODE>.atom (RFC 4287), and changes/<CODE>.json, the page's copy for one spec page.

Each crawl that publishes and changes something adds one entry to the log; the first crawl of a
semester adds one saying the semester began. A crawl that changed nothing leaves every file here
as it was (data/status.json tells when the timetable was last checked), so a re-crawl rewrites
nothing. The log keeps the newest CHANGES_KEEP crawls with changes. The feeds are written with
ElementTree, which escapes every text.
"""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from timetable_spider import changes, run_status
from timetable_spider.publishing import SiteFiles
from timetable_spider.site_paths import data_file_name, safe_component
from timetable_spider.writers import CrawledSite
from timetable_spider.open_data import PAGE_CHANGES, Crawl, Record, load_change_log, load_record
from timetable_spider.writers.json_data import dumps, record_classes

LOG = "data/changes.json"
FEED = "changes.atom"
SITE_FILES = (LOG, FEED)
ATOM = "http://www.w3.org/2005/Atom"
ElementTree.register_namespace("", ATOM)


def write_change_log(files: SiteFiles, site: CrawledSite) -> None:
    entry, last = crawl_entry(files, site, _last_semester(files)), _last_log(files)
    # a crawl that changed nothing leaves the log's bytes alone: status.json says when it ran
    log = [entry, *last][:site.settings.getint("CHANGES_KEEP")] if entry["changes"] or entry.get("began") else last
    files.write(LOG, dumps(log))
    titles = {year["code"]: f"{spec['name']}, Year {year['year']}" for spec in site.index for year in spec["years"]}
    files.write(FEED, atom_feed(log, "UBB FMI timetable: what changed", "timetable-spider:changes", ""))
    for code, title in titles.items():
        own = [crawl | {"changes": [c for c in crawl["changes"] if c["code"] == code]} for crawl in log]
        own = [crawl for crawl in own if crawl["changes"] or crawl.get("began")]
        log_file, feed_file = page_files(code)
        files.write(log_file, dumps({"schema": PAGE_CHANGES.url, "code": code, "feed": feed_file, "crawls": own}))
        files.write(feed_file, atom_feed(own, f"UBB FMI timetable: what changed in {code} ({title})",
                                         f"timetable-spider:changes:{code}", "../"))


def page_files(code: str) -> tuple[str, str]:
    """A spec page's own change log and feed."""
    stem = safe_component(code)
    return f"changes/{stem}.json", f"changes/{stem}.atom"


def crawl_entry(files: SiteFiles, site: CrawledSite, last_semester: str | None) -> dict[str, Any]:
    """This crawl's entry: its changes in index order, or that the semester began. A spec page
    published for the first time in a semester under way has all its classes added."""
    entry = {"finished": site.finished.isoformat(timespec="seconds"), "semester": site.semester}
    if last_semester != site.semester:
        return entry | {"began": True, "changes": []}
    found = []
    for code in (year["code"] for spec in site.index for year in spec["years"] if year["code"] in site.records):
        listed = site.changes.get(code, [])
        found += listed if listed is not None else [
            changes.describe("added", facts, code, uid) for facts, uid, _ in record_classes(_staged_record(files, code))]
    return entry | {"changes": found}


def atom_feed(log: list[dict[str, Any]], title: str, feed_key: str, to_site: str) -> bytes:
    """An Atom feed with an entry per spec page and crawl that changed something (or began a
    semester); to_site is the way from the feed's folder to the site's root, for links."""
    told = [crawl for crawl in log if crawl["changes"] or crawl.get("began")]
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", _urn(feed_key))
    _text(feed, "title", title)
    # the newest entry's time, so a crawl that changed nothing leaves the feed's bytes alone
    _text(feed, "updated", told[0]["finished"] if told else "1970-01-01T00:00:00+00:00")
    _text(ElementTree.SubElement(feed, f"{{{ATOM}}}author"), "name", "timetable_spider")
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=f"{to_site}index.html")
    for crawl in told:
        if crawl.get("began"):
            _entry(feed, f"{feed_key}:{crawl['finished']}", f"Semester {crawl['semester']} began", crawl["finished"],
                   f"{to_site}index.html", [f"The timetable of semester {crawl['semester']} is published."])
            continue
        by_code: dict[str, list[dict[str, Any]]] = {}
        for change in crawl["changes"]:
            by_code.setdefault(change["code"], []).append(change)
        for code, found in by_code.items():
            when = datetime.fromisoformat(crawl["finished"])
            query = urlencode({"code": code, "group": found[0]["groups"][0] if found[0]["groups"] else "",
                               "date": when.date().isoformat()})
            _entry(feed, f"timetable-spider:changes:{code}:{crawl['finished']}",
                   f"{code}: {len(found)} change{'s' * (len(found) != 1)}, {when:%a %d %b %Y}", crawl["finished"],
                   f"{to_site}index.html?{query}", [changes.sentence(change) for change in found])
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _entry(feed: ElementTree.Element, key: str, title: str, updated: str, link: str, lines: list[str]) -> None:
    entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", _urn(key))
    _text(entry, "title", title)
    _text(entry, "updated", updated)
    ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=link)
    content = ElementTree.Element("ul")
    for line in lines:
        ElementTree.SubElement(content, "li").text = line
    _text(entry, "content", ElementTree.tostring(content, encoding="unicode")).set("type", "html")


def _text(parent: ElementTree.Element, name: str, text: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = text
    return element


def _urn(key: str) -> str:
    """A stable, absolute id (RFC 4287 4.2.6) for a feed or entry."""
    return uuid.uuid5(uuid.NAMESPACE_URL, key).urn


def _staged_record(files: SiteFiles, code: str) -> Record | None:
    """A spec page's record with its classes, as the new site holds it (site.records has none)."""
    return load_record(files.read_staged(data_file_name(code)))


def _last_log(files: SiteFiles) -> list[Crawl]:
    return load_change_log(files.read_published(LOG))


def _last_semester(files: SiteFiles) -> str | None:
    """The semester of the last site published, as its status says."""
    last = run_status.last_published(files.read_published("data/status.json"))
    return last.get("semester") if last else None
