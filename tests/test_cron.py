"""scripts/cron-crawl.sh run as cron runs it: an empty environment, another working directory,
no stdin, against the simulated site."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.crawling import PROJECT, group_calendars
from tests.ubb_site import SimServer

SCRIPT = PROJECT / "scripts" / "cron-crawl.sh"
EX_LOCKED = 75
EX_CONFIG = 78
CALENDARS = 1491


def cron_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What cron gives a job (HOME, a bare PATH), plus only the variables the script documents."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "PATH": "/usr/bin:/bin",
            "LOG_FILE": str(tmp_path / "logs" / "crawl.log"),
            "LOCK_FILE": str(tmp_path / "cron-crawl.lock"), **extra}


def crawl_args(server: SimServer, site_dir: Path, tmp_path: Path) -> list[str]:
    args = ["-a", f"semester={server.semester}"]
    # The HTTP cache goes to tmp_path, not to the project's .scrapy/.
    settings = {**server.crawl_settings, "SITE_DIR": site_dir, "HTTPCACHE_DIR": tmp_path / "httpcache"}
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return args


def start_script(tmp_path: Path, env: dict[str, str], args: list[str]) -> subprocess.Popen:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir(exist_ok=True)
    return subprocess.Popen([str(SCRIPT), *args], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def run_script(tmp_path: Path, env: dict[str, str], args: list[str], timeout: float = 180):
    process = start_script(tmp_path, env, args)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        stop_group(process)
    return process.returncode, out, err


def stop_group(process: subprocess.Popen) -> None:
    """Leave nothing behind: the script and the crawl it started share a session."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def count_calendars(site_dir: Path) -> int:
    return len(group_calendars(site_dir))


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_cron_run_publishes_and_logs(tmp_path):
    env = cron_env(tmp_path)
    site_dir = tmp_path / "site"
    with SimServer(latency=0.02, jitter=0.0) as server:
        rc, out, err = run_script(tmp_path, env, crawl_args(server, site_dir, tmp_path))
    log = Path(env["LOG_FILE"]).read_text()
    assert rc == 0, f"{err}\n{log[-3000:]}"
    assert out == "" and err == ""  # cron mails nothing when all went well
    assert count_calendars(site_dir) == CALENDARS
    status = json.loads((site_dir / "data" / "status.json").read_text())
    assert status["outcome"] == "published"
    assert status["counts"]["calendars"] == CALENDARS
    # The crawl's own log, between the script's start and end lines.
    assert "cron-crawl[" in log and "start: scrapy crawl schedules -a semester=2025-2" in log
    assert f"Crawling semester 2025-2 from {server.index_url()}" in log
    assert "Spider closed (finished)" in log
    assert "push alerts:" in log  # scrapy notify ran after the crawl published
    assert log.rstrip().endswith("done: published (exit 0)")
    assert server.stats["requests"] >= 74


def test_second_run_while_one_holds_the_lock_exits_at_once(tmp_path):
    """A slow crawl holds the lock; a second invocation leaves at once and touches nothing."""
    env = cron_env(tmp_path)
    log_file = Path(env["LOG_FILE"])
    first_site, second_site = tmp_path / "site-1", tmp_path / "site-2"
    with SimServer(latency=1.0, jitter=0.0) as slow, SimServer(latency=0.02, jitter=0.0) as fast:
        first = start_script(tmp_path, env, crawl_args(slow, first_site, tmp_path / "1"))
        try:
            wait_for(lambda: log_file.exists() and "start: scrapy crawl" in log_file.read_text(),
                     30, "the first run to take the lock")
            started = time.monotonic()
            rc, out, err = run_script(tmp_path, env, crawl_args(fast, second_site, tmp_path / "2"),
                                      timeout=30)
            seconds = time.monotonic() - started
            assert first.poll() is None, "the first run should still be crawling"

            # Stopping the first run (as `kill` or a shutdown would): the crawl stops cleanly,
            # publishes nothing, and the script says so in its exit status.
            wait_for(lambda: "Crawling semester" in log_file.read_text(), 30,
                     "the first crawl to be under way")
            first.send_signal(signal.SIGTERM)
            first_out, first_err = first.communicate(timeout=60)
        finally:
            stop_group(first)
    assert rc == EX_LOCKED, err
    assert seconds < 2.0
    assert "already running" in err
    assert not second_site.exists()
    assert fast.stats["requests"] == 0  # the second run did not crawl
    log = log_file.read_text()
    assert "another crawl is already running" in log
    assert log.count("start: scrapy crawl") == 1

    assert first.returncode == 1, first_err
    assert "did not publish in full (exit 1)" in first_err
    assert count_calendars(first_site) == 0
    assert "Received SIGTERM" in log and "done: NOT published in full (exit 1)" in log

    # The lock went with the first run.
    with open(env["LOCK_FILE"], "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_lock_held_by_another_process(tmp_path):
    """Whoever holds the lock file (flock(1) from a shell, say), the script does not start."""
    env = cron_env(tmp_path)
    with open(env["LOCK_FILE"], "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        started = time.monotonic()
        rc, out, err = run_script(tmp_path, env, ["-s", f"SITE_DIR={tmp_path / 'site'}"], timeout=30)
        assert time.monotonic() - started < 2.0
    assert rc == EX_LOCKED
    assert "already running" in err
    assert not (tmp_path / "site").exists()


def test_missing_python_is_a_configuration_error(tmp_path):
    env = cron_env(tmp_path, CRAWL_PYTHON=str(tmp_path / "no-venv" / "bin" / "python"))
    rc, out, err = run_script(tmp_path, env, [], timeout=30)
    assert rc == EX_CONFIG
    assert "no Python at" in err
