"""Deploy the project to a real Scrapyd with scrapyd-deploy, run the spider there against the
simulated site, and tell a published run from a failed one by SITE_DIR/data/status.json
(Scrapyd lists both as 'finished')."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.crawling import PROJECT, free_port, group_calendars
from tests.ubb_site import SimServer

BIN = Path(sys.executable).parent
CALENDARS = 1491
PROJECT_NAME = "timetable_spider"
VERSION = "test-1"


class Scrapyd:
    """The venv's `scrapyd`, in its own working directory, on a free port of 127.0.0.1."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address  = 127.0.0.1\n"
            f"http_port     = {self.port}\n"
            f"eggs_dir      = {workdir / 'eggs'}\n"
            f"logs_dir      = {workdir / 'logs'}\n"
            f"dbs_dir       = {workdir / 'dbs'}\n"
            f"items_dir     = {workdir / 'items'}\n"
            "max_proc      = 1\n"
            "poll_interval = 0.2\n")
        # HOME too, so that no ~/.scrapyd.conf or ~/.scrapy.cfg of the machine's is read.
        self.env = {**os.environ, "HOME": str(workdir)}
        self.log_path = workdir / "scrapyd.out"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([str(BIN / "scrapyd")], cwd=self.workdir, env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"scrapyd exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"scrapyd did not answer:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, endpoint: str, **query) -> dict:
        url = self.url + endpoint + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + endpoint, data=data, timeout=10) as response:
            return json.load(response)

    def schedule(self, semester: str, settings: dict[str, object]) -> str:
        fields = [("project", PROJECT_NAME), ("spider", "schedules"), ("semester", semester)]
        fields += [("setting", f"{name}={value}") for name, value in settings.items()]
        answer = self.post("schedule.json", fields)
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait_finished(self, job: str, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.get("listjobs.json", project=PROJECT_NAME)
            for finished in jobs["finished"]:
                if finished["id"] == job:
                    return finished
            time.sleep(0.2)
        raise AssertionError(f"job {job} did not finish: {jobs}\n{self.log()[-3000:]}")

    def job_log(self, job: str) -> str:
        return (self.workdir / "logs" / PROJECT_NAME / "schedules" / f"{job}.log").read_text()


def repo_build_state() -> dict[str, object]:
    """What a build in the project directory would leave (scrapyd-deploy runs setup.py there)."""
    state: dict[str, object] = {}
    for name in ("build/lib", "build/bdist.linux-x86_64", "dist", "eggs", "project.egg-info"):
        state[name] = (PROJECT / name).exists()
    egg_info = PROJECT / "timetable_spider.egg-info"
    state["timetable_spider.egg-info"] = sorted(
        (p.name, p.stat().st_mtime_ns) for p in egg_info.iterdir()) if egg_info.is_dir() else None
    state["setup.py"] = (PROJECT / "setup.py").read_bytes()
    return state


@pytest.fixture(scope="module")
def sim():
    with SimServer(latency=0.02, jitter=0.0) as server:
        yield server


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    server = Scrapyd(tmp_path_factory.mktemp("scrapyd"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def deployed(scrapyd, tmp_path_factory):
    """`scrapyd-deploy local -p timetable_spider -v test-1`, run in the project directory.

    The target comes from a scrapy.cfg in $XDG_CONFIG_HOME, which scrapyd-deploy reads before
    the project's (it adds a [deploy:local] target; the project's [deploy] stays as it is).
    DIST_EXTRA_CONFIG points setuptools' build directories outside the repository, so the
    deploy leaves no build/ or *.egg-info behind.
    """
    tmp = tmp_path_factory.mktemp("deploy")
    (tmp / "xdg").mkdir()
    (tmp / "xdg" / "scrapy.cfg").write_text(
        f"[deploy:local]\nurl = {scrapyd.url}\nproject = {PROJECT_NAME}\n")
    (tmp / "dist.cfg").write_text(
        f"[build]\nbuild_base = {tmp / 'build'}\n"
        f"[egg_info]\negg_base = {tmp}\n"
        f"[bdist_egg]\nbdist_dir = {tmp / 'bdist'}\n")
    env = {**os.environ, "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "xdg"),
           "DIST_EXTRA_CONFIG": str(tmp / "dist.cfg")}
    before = repo_build_state()
    done = subprocess.run([str(BIN / "scrapyd-deploy"), "local", "-p", PROJECT_NAME, "-v", VERSION],
                          cwd=PROJECT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f'Deploying to project "{PROJECT_NAME}" in {scrapyd.url}addversion.json' in done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "ok" and answer["spiders"] == 1, answer
    assert repo_build_state() == before, "scrapyd-deploy left build leftovers in the project"
    return scrapyd.workdir / "eggs" / PROJECT_NAME / f"{VERSION}.egg"


def test_deployed_egg_holds_the_templates_and_the_settings_entry_point(deployed):
    with zipfile.ZipFile(deployed) as egg:
        names = set(egg.namelist())
        assert "timetable_spider/templates/index.html" in names
        assert "timetable_spider/spiders/schedules.py" in names
        assert not any(name.startswith("tests/") for name in names)
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]" in entry_points and "settings = timetable_spider.settings" in entry_points


def test_scrapyd_runner_imports_the_project_from_the_egg(scrapyd, deployed):
    """As a Scrapyd job does: the code, and the template read with importlib.resources, come
    from the deployed egg (a zip), not from the checkout the venv has installed."""
    code = (
        "import os, importlib.resources\n"
        "from scrapyd.runner import project_environment\n"
        "with project_environment('timetable_spider'):\n"
        "    import timetable_spider\n"
        "    print(timetable_spider.__file__)\n"
        "    print(os.environ['SCRAPY_SETTINGS_MODULE'])\n"
        "    page = importlib.resources.files('timetable_spider').joinpath('templates/index.html')\n"
        "    print(len(page.read_text(encoding='utf-8')))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=scrapyd.workdir,
                          env={**scrapyd.env, "SCRAPY_PROJECT": PROJECT_NAME},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    module_file, settings_module, template_length = done.stdout.split()
    assert ".egg" in module_file and not module_file.startswith(str(PROJECT)), module_file
    assert settings_module == "timetable_spider.settings"
    assert int(template_length) > 100


def test_scrapyd_lists_the_spider(scrapyd, deployed):
    assert scrapyd.get("listprojects.json")["projects"] == [PROJECT_NAME]
    assert scrapyd.get("listversions.json", project=PROJECT_NAME)["versions"] == [VERSION]
    assert scrapyd.get("listspiders.json", project=PROJECT_NAME)["spiders"] == ["schedules"]


def test_scheduled_jobs_publish_then_fail_and_status_json_tells_them_apart(scrapyd, deployed, sim,
                                                                         tmp_path):
    site_dir = tmp_path / "site"
    status_file = site_dir / "data" / "status.json"

    # A run against the site: published.
    job = scrapyd.schedule("2025-2", {**sim.crawl_settings, "SITE_DIR": site_dir,
                                      "HTTPCACHE_DIR": tmp_path / "httpcache"})
    finished = scrapyd.wait_finished(job)
    log = scrapyd.job_log(job)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert " ERROR: " not in log, log[-3000:]  # Scrapyd exports the items as JSON lines: they must all serialize
    assert len(group_calendars(site_dir)) == CALENDARS, log[-3000:]
    published = json.loads(status_file.read_text())
    assert published["outcome"] == "published", published
    assert published["counts"]["calendars"] == CALENDARS
    assert finished["log_url"].endswith(f"{job}.log")

    # A run while the site is down (nothing listens on the port): Scrapyd says 'finished' all
    # the same; status.json says 'failed', and the site published before stays.
    dead = f"http://127.0.0.1:{free_port()}"
    job = scrapyd.schedule("2025-2", {
        "TIMETABLE_ROOT": f"{dead}/files/orar",
        "ACADEMIC_CALENDAR_URL": f"{dead}/ro/studenti/invatamant/structura_anului_universitar",
        "SITE_DIR": site_dir, "HTTPCACHE_DIR": tmp_path / "httpcache",
        "RETRY_TIMES": 0})  # refused connections would otherwise be retried with backoff
    scrapyd.wait_finished(job)
    assert job not in [j["id"] for j in scrapyd.get("listjobs.json", project=PROJECT_NAME)["running"]]
    failed = json.loads(status_file.read_text())
    assert failed["outcome"] == "failed", failed
    assert failed["problems"], failed
    assert any(dead in page["url"] for page in failed["failed_pages"])
    assert failed["last_published"] == published["last_published"]
    assert len(group_calendars(site_dir)) == CALENDARS
    assert "Nothing published" in scrapyd.job_log(job)
