"""Shared test helpers: the saved real pages, built into Scrapy responses from their bytes, and
a crawler with the project's settings."""
from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from simsite import SHARED
from timetable_spider import settings as project_settings

FIXTURES = SHARED / "fixtures" / "ubb"


def saved_response(path: Path, url: str) -> HtmlResponse:
    """A response from a saved page's bytes, decoded as Scrapy decodes the live page (the <meta> charset)."""
    return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))


def project_crawler(spidercls=None, **overrides):
    """A crawler with the project's settings (get_crawler alone gives Scrapy's defaults)."""
    values = {name: value for name, value in vars(project_settings).items() if name.isupper()}
    return get_crawler(spidercls, {**values, **overrides})


@pytest.fixture
def site_page():
    def load(name: str, url: str | None = None) -> HtmlResponse:
        return saved_response(FIXTURES / "site" / name,
                              url or f"https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/{name}")
    return load
