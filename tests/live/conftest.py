"""The live site, recorded: scrapy-mock's `response` fixture (a page fetched with requests, as a
Scrapy HtmlResponse) over VCR cassettes in tests/fixtures/cassettes/live/.

With CI set, or when the site cannot be reached, cassettes are only replayed, and a missing one
fails its test (the index's spec pages without one are not tests then). Without CI and online (a
maintainer at the start of a semester), a missing cassette is recorded from the site. docs/semester-lifecycle.md
gives the command that re-records them at the start of a semester.

Environment, for recording another site (tests/live/test_recording.py records the simulated one):
  LIVE_CASSETTES           the cassettes' folder      (default: tests/fixtures/cassettes/live)
  LIVE_TIMETABLE_ROOT      the timetable site          (default: the TIMETABLE_ROOT setting)
  LIVE_ACADEMIC_CALENDAR   the academic calendar       (default: the ACADEMIC_CALENDAR_URL setting)
  LIVE_SEMESTER            the semester to record      (default: the cassettes' semester.txt, else today's)
"""
from __future__ import annotations

import os
import socket
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import vcr
from scrapy_mock import MockSession

from timetable_spider import calendar_rules, settings
from timetable_spider.parsing.timetable_pages import parse_index

CASSETTES = Path(os.environ.get("LIVE_CASSETTES") or Path(__file__).parent.parent / "fixtures" / "cassettes" / "live")
TIMETABLE_ROOT = os.environ.get("LIVE_TIMETABLE_ROOT", settings.TIMETABLE_ROOT).rstrip("/")
ACADEMIC_CALENDAR_URL = os.environ.get("LIVE_ACADEMIC_CALENDAR", settings.ACADEMIC_CALENDAR_URL)


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)), 5).close()
    except OSError:
        return False
    return True


RECORDING = not os.environ.get("CI") and reachable(TIMETABLE_ROOT)


def recorded_semester() -> str:
    """The semester the cassettes hold; a new recording is of today's semester unless LIVE_SEMESTER says."""
    marker = CASSETTES / "semester.txt"
    chosen = os.environ.get("LIVE_SEMESTER") or (marker.read_text().strip() if marker.exists() else
                                                   calendar_rules.default_semester(date.today()))
    if RECORDING:
        CASSETTES.mkdir(parents=True, exist_ok=True)
        marker.write_text(chosen + "\n")
    return chosen


SEMESTER = recorded_semester()
INDEX_URL = f"{TIMETABLE_ROOT}/{SEMESTER}/tabelar/index.html"
LEGEND_URL = f"{TIMETABLE_ROOT}/{SEMESTER}/sali/legenda.html"

# scrapy-mock's own: CI replays only; otherwise a missing cassette is recorded once
RECORDER = vcr.VCR(serializer="yaml", decode_compressed_response=True, cassette_library_dir=str(CASSETTES),
                   record_mode="once" if RECORDING else "none")


@pytest.fixture(scope="session")
def vcr_settings():
    """Replaces scrapy-mock's, which keeps its cassettes in tests/fixtures/cassettes."""
    return RECORDER


def fetch(cassette: str, url: str):
    with RECORDER.use_cassette(cassette):
        return MockSession().get(url)


def spec_pages() -> list:
    """The index's spec pages: each a test. Replaying, only those recorded (a bootstrap from the
    saved pages has two); recording, all of them."""
    listings = parse_index(fetch("test_index__index.yaml", INDEX_URL), INDEX_URL)
    if RECORDING:
        return listings
    return [listing for listing in listings if (CASSETTES / f"test_spec_page__{listing.code}.yaml").exists()]
