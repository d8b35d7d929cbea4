#!/usr/bin/env python3
"""Fetch the published site from where it is served into SITE_DIR, so the next crawl has its
history: the last published counts for the shrink guard, the spec records whose DTSTAMPs,
SEQUENCEs and UIDs the next crawl carries on, the change log, and every calendar a failed spec
page keeps.

    scripts/restore-published-site.py https://example.github.io/timetable/ site

The GitHub workflow runs it when its own cache of the site is gone. It writes nothing unless
the whole site came: into a directory beside SITE_DIR first, then renamed into place, and only
when SITE_DIR does not exist yet. Standard library only. Exit status: 0 restored, 1 not (with
the reason on stderr), 2 usage.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin
from urllib.request import Request, urlopen

USER_AGENT = "timetable_spider restore-published-site"
OPTIONAL = {"data/changes.json"}  # older sites have no change log


def fetch(base: str, path: str) -> bytes:
    request = Request(urljoin(base, quote(path)), headers={"User-Agent": USER_AGENT})
    with urlopen(request, timeout=30) as response:
        return response.read()


def site_files(base: str) -> dict[str, bytes]:
    """Every file a crawl reads back from the published site, by its path under SITE_DIR."""
    files = {path: fetch(base, path) for path in ("data/status.json", "data/index.json", "data/rooms.json")}
    for path in OPTIONAL:
        try:
            files[path] = fetch(base, path)
        except HTTPError as error:
            if error.code != 404:
                raise
    for spec in json.loads(files["data/index.json"]):
        for year in spec["years"]:
            if not year.get("data"):
                continue
            record = json.loads(files.setdefault(year["data"], fetch(base, year["data"])))
            if year.get("timetable"):
                files[year["timetable"]] = fetch(base, year["timetable"])
            for group in record["groups"]:
                for calendar in group["calendars"]:
                    path = f"{record['directory']}/{calendar['file']}"
                    files[path] = fetch(base, path)
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base, site = argv[0].rstrip("/") + "/", Path(argv[1]).absolute()
    if site.exists():
        print(f"restore-published-site: {site} exists already; nothing done", file=sys.stderr)
        return 1
    try:
        files = site_files(base)
    except (HTTPError, URLError, OSError, ValueError, KeyError) as error:
        print(f"restore-published-site: could not fetch the site from {base}: {error}", file=sys.stderr)
        return 1
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site.name}.restoring-", dir=site.parent))
    try:
        for path, data in files.items():
            parts = PurePosixPath(path).parts
            if PurePosixPath(path).is_absolute() or ".." in parts:
                raise ValueError(f"refusing a path outside the site: {path!r}")
            target = staging.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.chmod(0o755)
        staging.rename(site)
    except (OSError, ValueError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"restore-published-site: {error}", file=sys.stderr)
        return 1
    print(f"restored {len(files)} files from {base} into {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
