""".github/workflows/crawl.yml keeps the site's history between runs: the Actions cache, or the
published site fetched back by scripts/restore-published-site.py, served here by the test site."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.builders import group, listing, outcome, run_pipeline, spec_items
from tests.crawling import PROJECT, free_port, is_group_calendar, snapshot
from tests.ubb_site import SimServer

WORKFLOW = PROJECT / ".github" / "workflows" / "crawl.yml"
RESTORE = PROJECT / "scripts" / "restore-published-site.py"
SPECS = [(listing(f"S{n}", f"Spec {n}"), [group(f"{n}11"), group(f"{n}12")]) for n in range(1, 6)]


def restore(base_url: str, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RESTORE), base_url, str(site)], capture_output=True, text=True,
                          timeout=60)


def test_the_published_site_comes_back_whole_and_the_next_crawl_builds_on_it(tmp_path):
    published = tmp_path / "pages" / "site"
    assert outcome(run_pipeline(published, spec_items(SPECS))) == "published"
    with SimServer(root=published.parent, latency=0, jitter=0) as pages:
        done = restore(f"{pages.base_url}/site/", tmp_path / "runner" / "site")
    assert done.returncode == 0, done.stderr
    restored = tmp_path / "runner" / "site"
    # what a crawl reads back: the status, the index, the legend, the change log, and each spec's record, page data and calendars
    read_back = {"data/status.json", "data/index.json", "data/rooms.json", "data/changes.json"} | {
        name for name in snapshot(published) if name.startswith(("data/S", "data/timetables/S")) or is_group_calendar(name)}
    original = {name: value[0] for name, value in snapshot(published).items() if name in read_back}
    assert {name: value[0] for name, value in snapshot(restored).items() if value != "dir"} == original

    # the history is there: the shrink guard sees the last published counts...
    shrunk = run_pipeline(restored, spec_items(SPECS[:2]))
    assert outcome(shrunk) == "failed"
    # ...where a runner starting from nothing would have published the shrink
    assert outcome(run_pipeline(tmp_path / "empty" / "site", spec_items(SPECS[:2]))) == "published"


def test_restoring_writes_nothing_when_the_site_cannot_be_fetched(tmp_path):
    site = tmp_path / "site"
    done = restore(f"http://127.0.0.1:{free_port()}/", site)
    assert done.returncode == 1
    assert "could not fetch the site" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_restoring_never_overwrites_a_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    done = restore("http://127.0.0.1:9/", site)
    assert (done.returncode, list(site.iterdir())) == (1, [])
    assert "exists already" in done.stderr


def steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["crawl"]["steps"]


def position(predicate) -> int:
    return next(n for n, step in enumerate(steps()) if predicate(step))


def test_the_workflow_restores_the_site_before_crawling_and_saves_it_after():
    uses = lambda name: lambda step: step.get("uses", "").startswith(name)  # noqa: E731
    restore_cache = position(uses("actions/cache/restore@"))
    fetch = position(lambda step: "restore-published-site.py" in step.get("run", ""))
    crawl = position(lambda step: "cron-crawl.sh" in step.get("run", ""))
    save_cache = position(uses("actions/cache/save@"))
    assert restore_cache < fetch < crawl < save_cache
    restored, saved = steps()[restore_cache]["with"], steps()[save_cache]["with"]
    assert restored["path"].split() == saved["path"].split() == ["site", ".site-httpcache"]
    assert restored["restore-keys"] == "published-site-" and saved["key"].startswith("published-site-")
    assert steps()[fetch]["if"] == "steps.restore.outputs.cache-matched-key == ''"
    assert steps()[save_cache]["if"] == "always()"  # a failed run's status.json is history too


def test_the_workflow_runs_daily_so_its_cache_is_never_evicted():
    schedule = yaml.safe_load(WORKFLOW.read_text())[True]["schedule"]  # YAML 1.1 reads "on" as True
    minute, hour, day, month, weekday = schedule[0]["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*")
