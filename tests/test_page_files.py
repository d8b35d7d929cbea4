"""The students' page as files: what write_page publishes, what the egg carries, and that the page
names nothing on another origin. The page's behaviour is tested in a browser in test_page.py."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.resources import files

from scrapy import Selector

from tests.crawling import PROJECT
from timetable_spider.writers.page import SERVICE_WORKER, page_files

WEB = PROJECT / "timetable_spider" / "web"
# where the subscribe dialog sends a student, as links they follow; the page itself fetches nothing there
CALENDAR_APPS = ("https://calendar.google.com/calendar/r/settings/addbyurl", "https://outlook.live.com/calendar/0/addfromweb",
                 "https://outlook.office.com/calendar/0/addfromweb")


def web_files() -> list[str]:
    return sorted(p.relative_to(WEB).as_posix() for p in WEB.rglob("*") if p.is_file() and not p.name.startswith("."))


def service_worker_values(source: bytes) -> tuple[str, list[str]]:
    text = source.decode()
    version = json.loads(re.search(r"const VERSION = (\".*?\");", text).group(1))
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", text).group(1))
    return version, shell


def test_the_service_worker_keeps_every_page_file_under_a_version_that_follows_them(tmp_path):
    published = dict(page_files(files("timetable_spider") / "web"))
    assert sorted(published) == web_files()
    version, shell = service_worker_values(published[SERVICE_WORKER])
    assert sorted(shell) == [name for name in web_files() if name != SERVICE_WORKER]
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert all(published[name] == (WEB / name).read_bytes() for name in shell)

    changed = tmp_path / "web"
    shutil.copytree(WEB, changed)
    (changed / "app.css").write_text((changed / "app.css").read_text() + "\n/* changed */\n")
    assert service_worker_values(dict(page_files(changed))[SERVICE_WORKER])[0] != version


def test_without_javascript_the_page_links_the_list_of_every_calendar():
    page = Selector(text=(WEB / "index.html").read_text("utf-8"))
    assert page.xpath("//noscript//a/@href").getall() == ["calendars.html"]
    local = page.xpath("//link/@href | //script/@src").getall()
    assert local and all((WEB / href).is_file() for href in local), local


def test_the_page_names_nothing_on_another_origin():
    for name in web_files():
        if name.endswith(".png"):
            continue
        text = (WEB / name).read_text("utf-8")
        for url in re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"'`)]*", text):
            if url.startswith("//"):  # a comment, not a URL
                continue
            assert url.startswith(CALENDAR_APPS) or url == "http://www.w3.org/2000/svg", f"{name}: {url}"
    modules = [name for name in web_files() if name.endswith(".js")]
    for name in modules:
        for target in re.findall(r"""from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)""", (WEB / name).read_text()):
            path = next(filter(None, target))
            assert path.startswith("./") and (WEB / name).parent.joinpath(path).is_file(), f"{name}: {path}"


def test_the_egg_carries_the_page_and_write_page_reads_it_from_there(tmp_path):
    """scrapyd-deploy builds the egg with setup.py; a Scrapyd job then reads web/ from the zip."""
    config = tmp_path / "dist.cfg"
    config.write_text(f"[build]\nbuild_base = {tmp_path / 'build'}\n[egg_info]\negg_base = {tmp_path}\n"
                      f"[bdist_egg]\nbdist_dir = {tmp_path / 'bdist'}\n")
    done = subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "--dist-dir", str(tmp_path / "dist")],
                          cwd=PROJECT, env={**os.environ, "DIST_EXTRA_CONFIG": str(config)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    egg = next((tmp_path / "dist").glob("*.egg"))
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
    assert {f"timetable_spider/web/{name}" for name in web_files()} <= names
    code = ("import sys, json; sys.path.insert(0, sys.argv[1])\n"
            "from importlib.resources import files\n"
            "import timetable_spider; assert '.egg' in timetable_spider.__file__\n"
            "from timetable_spider.writers.page import page_files\n"
            "print(json.dumps(sorted(path for path, _ in page_files(files('timetable_spider') / 'web'))))\n")
    run = subprocess.run([sys.executable, "-c", code, str(egg)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == web_files()
