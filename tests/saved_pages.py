"""The saved university pages and the expected occurrences, in tests/fixtures (see its README)."""
from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = FIXTURES / "expected"


def saved_response(path: Path, url: str) -> HtmlResponse:
    """A response from a saved page's bytes, decoded as Scrapy decodes the live page (the <meta> charset)."""
    return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))
