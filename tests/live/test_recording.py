"""The recording path itself, against the simulated site on loopback: tests/live records every
page the index lists when CI is unset, then replays them with CI=true and the server stopped."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.crawling import PROJECT
from tests.ubb_site import SimServer

LIVE_TESTS = "tests/live/test_live_site.py"


def run_live_tests(cassettes, server: SimServer, ci: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(LIVE_CASSETTES=str(cassettes), LIVE_TIMETABLE_ROOT=server.timetable_root,
               LIVE_ACADEMIC_CALENDAR=server.academic_calendar_url, LIVE_SEMESTER="2025-2")
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", LIVE_TESTS],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    cassettes = tmp_path_factory.mktemp("cassettes")
    server = SimServer("2025-2", latency=0.0, jitter=0.0)
    with server:
        result = run_live_tests(cassettes, server, ci=False)
    return cassettes, server, result


def test_recording_runs_every_test_against_the_site(recorded):
    """The index, the legend, the academic calendar and the 71 spec pages the index lists."""
    result = recorded[2]
    assert (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0]) == (0, "74 passed"), result.stdout[-3000:]


def test_recording_writes_a_cassette_per_page_and_the_semester(recorded):
    cassettes = recorded[0]
    assert (len(list(cassettes.glob("*.yaml"))), (cassettes / "semester.txt").read_text()) == (74, "2025-2\n")


def test_replaying_with_ci_and_the_server_stopped_passes(recorded):
    cassettes, server, _ = recorded
    assert not server.running
    result = run_live_tests(cassettes, server, ci=True)
    assert (result.returncode, result.stdout.strip().splitlines()[-1].split(" in ")[0]) == (0, "74 passed"), result.stdout[-3000:]


def test_replaying_with_ci_a_missing_cassette_fails(recorded, tmp_path):
    cassettes, server, _ = recorded
    partial = tmp_path / "cassettes"
    partial.mkdir()
    for path in cassettes.iterdir():
        if path.name != "test_room_legend__legend.yaml":
            (partial / path.name).write_bytes(path.read_bytes())
    result = run_live_tests(partial, server, ci=True)
    assert (result.returncode, "CannotOverwriteExistingCassetteException" in result.stdout) == (1, True), result.stdout[-3000:]
