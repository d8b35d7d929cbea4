"""Fixtures shared by the tests: saved pages as responses, and the simulated UBB site on a free port."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from tests.saved_pages import FIXTURES, saved_response
from tests.ubb_site import SimServer


@pytest.fixture
def site_page():
    """A saved page of tests/fixtures/site as the response to its 2025-2 URL (or to url)."""
    def load(name: str, url: str | None = None) -> HtmlResponse:
        return saved_response(FIXTURES / "site" / name,
                              url or f"https://www.cs.ubbcluj.ro/files/orar/2025-2/tabelar/{name}")
    return load


@pytest.fixture
def sim_server():
    """Starts the simulated UBB site on a free port: sim_server(semester, latency=..., root=...).

    Every server it started is stopped when the test ends, whatever happened.
    """
    servers: list[SimServer] = []

    def start(semester: str = "2025-2", **options) -> SimServer:
        server = SimServer(semester, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def tmpfs():
    """Mount a tmpfs of a given size on a directory; unmounted after the test. Needs root."""
    mounted: list[Path] = []

    def mount(target: Path, size: str) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=True)
