"""Publishing, in-process: the run's outcome is known only once the new site is in place, a failed
spec page never brings back another semester's calendars, one crawl at a time per SITE_DIR, and
a SITE_DIR that is a mount point is refused before anything is crawled.

The pipeline is fed hand-built items (tests/builders.py) and publishes a real site under tmp_path.
"""
from __future__ import annotations

import errno
import fcntl
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from freezegun import freeze_time
from scrapy.exceptions import CloseSpider

from tests.builders import entry, group, listing, outcome, run_pipeline, spec_items, spider_crawler
from tests.crawling import beside_site, snapshot
from timetable_spider import publishing, run_outcome
from timetable_spider.items import PageFailure
from timetable_spider.pipelines import PublishSitePipeline
from timetable_spider.publishing import PublishingRefused, SiteBuild, SiteFiles
from timetable_spider.writers import index_page

STATUS = "data/status.json"
SPECS = [(listing("A1", "Alpha"), [group("111"), group("112")]),
         (listing("B1", "Beta"), [group("211"), group("212")])]


def status_of(site: Path) -> dict:
    return json.loads((site / STATUS).read_text("utf-8"))


def calendars_of(site: Path, code: str) -> list[Path]:
    record = json.loads((site / "data" / f"{code}.json").read_text("utf-8"))
    return [site / record["directory"] / c["file"] for g in record["groups"] for c in g["calendars"]]


@pytest.fixture
def published(tmp_path) -> Path:
    """A site published from SPECS, in a directory of its own."""
    site = tmp_path / "public" / "site"
    assert outcome(run_pipeline(site, spec_items(SPECS))) == "published"
    return site


def changed_specs() -> list:
    """SPECS with another subject in A1, so a new site differs from the published one."""
    return spec_items([(listing("A1", "Alpha"), [group("111", entry("Geometrie", formation="111")), group("112")]),
                       SPECS[1]])


def assert_failed_and_untouched(site: Path, before: dict, crawler, problem: str) -> None:
    assert outcome(crawler) == "failed"
    assert snapshot(site, skip=(STATUS,)) == before, "the published site changed"
    status = status_of(site)
    assert status["outcome"] == "failed"
    assert any(problem in p for p in status["problems"]), status["problems"]
    assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"]


# -- 6: the outcome is known only after publishing -------------------------------------------------

def test_a_failing_swap_fails_the_run_and_keeps_the_old_site(published, monkeypatch, caplog):
    before = snapshot(published, skip=(STATUS,))

    def broken_exchange(a, b):
        raise OSError(errno.EIO, "Input/output error", str(b))
    monkeypatch.setattr(publishing, "_exchange", broken_exchange)

    crawler = run_pipeline(published, changed_specs())

    assert_failed_and_untouched(published, before, crawler, "publishing failed: OSError(5, 'Input/output error')")
    assert "Publishing the new site failed" in caplog.text
    assert "Nothing published" in caplog.text


def test_an_error_while_building_fails_the_run_and_keeps_the_old_site(published, monkeypatch, caplog):
    before = snapshot(published, skip=(STATUS,))

    def broken_render(*args, **kwargs):
        raise RuntimeError("template bug")
    monkeypatch.setattr(index_page, "render", broken_render)

    crawler = run_pipeline(published, changed_specs())

    assert_failed_and_untouched(published, before, crawler, "building the site failed: RuntimeError('template bug')")
    assert "Building the site failed" in caplog.text


def test_a_full_disk_when_writing_the_status_fails_the_run(published, monkeypatch):
    before = snapshot(published, skip=(STATUS,))
    write = SiteFiles.write

    def full_disk(self, relative, data):
        if relative == STATUS and self.path != self.site_dir:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, relative, data)
    monkeypatch.setattr(SiteFiles, "write", full_disk)

    crawler = run_pipeline(published, changed_specs())

    assert_failed_and_untouched(published, before, crawler, "No space left on device")


def test_a_discarded_build_has_ended_its_write_back_thread(published):
    """Else the thread outlives the staging directory it syncs (an unhandled thread exception)."""
    build = SiteBuild(published)
    build.discard()
    try:
        assert [t.name for t in threading.enumerate() if t.name == "write-back"] == []
    finally:
        build.close()


# -- 5: a new semester never republishes the old one ------------------------------------------------

def failed(code: str, semester: str = "2025-2") -> PageFailure:
    return PageFailure(url=listing(code, "", semester=semester).url, reason="HTTP 404", kind="timetable", code=code)


@pytest.fixture
def published_2025_1(tmp_path) -> Path:
    site = tmp_path / "public" / "site"
    specs = [(listing(code, name, semester="2025-1"), groups) for (spec, groups), (code, name)
             in zip(SPECS, [("A1", "Alpha"), ("B1", "Beta")])]
    assert outcome(run_pipeline(site, spec_items(specs), semester="2025-1")) == "published"
    return site


def test_a_failed_page_of_a_new_semester_has_no_calendars_and_the_rest_is_published(published_2025_1):
    site = published_2025_1
    old_beta = calendars_of(site, "B1")
    assert old_beta

    # one of two pages is a big shrink; the guard is not what this test is about
    crawler = run_pipeline(site, [*spec_items(SPECS[:1]), SPECS[1][0], failed("B1")], PUBLISH_ALLOW_SHRINK=1)

    assert outcome(crawler) == "partial"
    assert not (site / "data" / "B1.json").exists()
    assert not any(path.exists() for path in old_beta), "last semester's calendars were published again"
    assert json.loads((site / "data" / "A1.json").read_text("utf-8"))["semester"] == "2025-2"
    status = status_of(site)
    assert status["outcome"] == "partial"
    assert status["counts"]["spec_pages_without_calendars"] == 1
    assert status["counts"]["spec_pages_kept_from_last_run"] == 0
    assert status["failed_pages"] == [{"url": failed("B1").url, "kind": "timetable", "reason": "HTTP 404"}]
    assert status["problems"] == [f"timetable page {failed('B1').url}: HTTP 404; it has no calendars this run "
                                  "(its last published version is of semester 2025-1)"]
    index = json.loads((site / "data" / "index.json").read_text("utf-8"))
    assert [(y["code"], y["calendars"] != []) for spec in index for y in spec["years"]] == [
        ("A1", True), ("B1", False)]


def test_a_failed_page_of_the_same_semester_keeps_its_last_version(published):
    kept = {path: path.read_bytes() for path in calendars_of(published, "B1")}

    crawler = run_pipeline(published, [*spec_items(SPECS[:1]), SPECS[1][0], failed("B1")])

    assert outcome(crawler) == "partial"
    assert {path: path.read_bytes() for path in kept} == kept
    assert status_of(published)["counts"]["spec_pages_kept_from_last_run"] == 1


def test_a_failed_page_never_published_before_has_no_calendars_and_the_rest_is_published(tmp_path):
    site = tmp_path / "site"
    crawler = run_pipeline(site, [*spec_items(SPECS[:1]), SPECS[1][0], failed("B1")])
    assert outcome(crawler) == "partial"
    assert status_of(site)["problems"] == [
        f"timetable page {failed('B1').url}: HTTP 404; it has no calendars this run "
        "(no version of it was published before)"]
    assert calendars_of(site, "A1")


# -- 9: one crawl at a time per SITE_DIR ----------------------------------------------------------

def test_a_second_build_of_the_same_site_is_refused_and_touches_nothing(tmp_path):
    site = tmp_path / "site"
    first = SiteBuild(site)
    leftover = tmp_path / ".site.staging-killed"
    leftover.mkdir()
    try:
        with pytest.raises(PublishingRefused) as refused:
            SiteBuild(site)
        assert refused.value.outcome == "locked"
        assert str(refused.value) == (f"Another crawl is publishing to {site} (it holds "
                                      f"{tmp_path / '.site.lock'}); this one stops without touching anything.")
        assert leftover.is_dir() and first.path.is_dir()
    finally:
        first.discard()
        first.close()
    SiteBuild(site).close()  # free again, and only now are leftovers removed
    assert not leftover.exists()


def test_a_locked_site_closes_the_spider_before_any_request(tmp_path, caplog):
    site = tmp_path / "site"
    holder = SiteBuild(site)
    try:
        crawler = spider_crawler(SITE_DIR=str(site), PUBLISH_WORKERS=0)
        pipeline = PublishSitePipeline.from_crawler(crawler)
        with pytest.raises(CloseSpider) as closed:
            pipeline.open_spider()
        assert closed.value.reason == "publishing_locked"
        assert outcome(crawler) == "locked"
        assert "Another crawl is publishing to" in caplog.text
        pipeline.spider_closed(crawler.spider, "publishing_locked")  # and closing touches nothing either
        assert not site.exists()
    finally:
        holder.discard()
        holder.close()


def test_with_site_dir_missing_the_site_retired_last_is_put_back(tmp_path):
    """An older retired site a crawl could not remove, then one a crawl killed mid-swap left."""
    site = tmp_path / "site"
    for name in (".site.retired-9", ".site.retired-10"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(name)
        time.sleep(0.01)  # ctimes apart even on a coarse clock

    SiteBuild(site).close()

    assert (site / "index.html").read_text() == ".site.retired-10"


# -- a leftover this crawl cannot remove ------------------------------------------------------------

@pytest.fixture
def read_only(tmp_path):
    """Makes a directory read-only even for root, as a bind mount onto itself; unmounted after
    the test. (chmod does not stop root, which runs the tests here.)"""
    mounted: list[Path] = []

    def mount(target: Path) -> Path:
        done = subprocess.run(f"mount --bind {target} {target} && mount -o remount,bind,ro {target}",
                              shell=True, capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot bind-mount here: {done.stderr.strip() or done.returncode}")
        mounted.append(target)
        return target

    yield mount
    for target in mounted:
        subprocess.run(["umount", str(target)], check=True)


def test_a_leftover_that_cannot_be_removed_is_a_warning_in_the_log_and_the_status(published, read_only, caplog):
    leftover = published.parent / ".site.retired-4242"  # as a crawl run by hand as root leaves it
    (leftover / "data").mkdir(parents=True)
    read_only(leftover)

    assert outcome(run_pipeline(published, changed_specs())) == "published"

    problem = f"could not remove {leftover}, left by an earlier crawl: [Errno 30] Read-only file system: 'data'"
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and str(leftover) in r.getMessage()] == [
        f"{problem}. Remove it as its owner; each crawl leaves it there."]
    assert status_of(published)["warnings"] == [problem]


def lock_is_held(path: Path) -> bool:
    """Whether a crawl holds the lock: a flock through another open file of it is refused."""
    with open(path) as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False  # closing the file releases the lock this took


def test_the_lock_is_held_until_the_published_site_has_its_status(tmp_path, monkeypatch):
    """A crawl starting between the swap and the status would publish over a site whose status
    is not written yet, and the status written last would describe the wrong site."""
    site = tmp_path / "site"
    seen = []
    publish = SiteBuild.publish

    def publish_and_look(build):
        publish(build)
        seen.append((status_of(site)["outcome"], lock_is_held(tmp_path / ".site.lock")))

    monkeypatch.setattr(SiteBuild, "publish", publish_and_look)
    run_pipeline(site, spec_items(SPECS))
    assert seen == [("published", True)]


def test_the_lock_is_held_while_a_failed_run_writes_its_status(published, monkeypatch):
    seen = []
    write = run_outcome.write_atomically

    def write_and_look(path, data, directory):
        write(path, data, directory)
        seen.append((path.name, lock_is_held(published.parent / ".site.lock")))

    monkeypatch.setattr(run_outcome, "write_atomically", write_and_look)
    assert outcome(run_pipeline(published, spec_items(SPECS[:1]))) == "failed"  # half the pages: the guard refuses
    assert seen == [("status.json", True)]


# -- the shrink guard at its boundary ---------------------------------------------------------------

def groups(count: int) -> list:
    return spec_items([(listing("A1", "Alpha"), [group(f"{100 + n}") for n in range(count)])])


@pytest.mark.parametrize("now, settings, expected", [
    (79, {}, "failed"),  # 21% fewer groups, calendars and events than published: more than the default 0.2
    (81, {}, "published"),
    (71, {"PUBLISH_MAX_SHRINK": 0.3}, "published"),
    (89, {"PUBLISH_MAX_SHRINK": 0.1}, "failed"),
])
def test_the_shrink_guard_refuses_only_more_than_publish_max_shrink(tmp_path, now, settings, expected):
    site = tmp_path / "site"
    run_pipeline(site, groups(100))
    assert outcome(run_pipeline(site, groups(now), **settings)) == expected


# -- 7: SITE_DIR may be a mount point ------------------------------------------------------------

@pytest.fixture
def mount_point(tmp_path, tmpfs):
    return tmpfs(tmp_path / "site", "8m")


def test_a_mount_point_is_refused_naming_it_and_what_to_do(mount_point):
    (mount_point / "index.html").write_text("the old site")
    with pytest.raises(PublishingRefused) as refused:
        SiteBuild(mount_point)
    assert refused.value.outcome == "refused"
    message = str(refused.value)
    assert message.startswith(f"SITE_DIR {mount_point} is a mount point.")
    assert f"-s SITE_DIR={mount_point}/site" in message
    assert sorted(p.name for p in mount_point.parent.iterdir()) == ["site"]  # no lock, no staging
    assert (mount_point / "index.html").read_text() == "the old site"


def test_a_directory_inside_a_mount_point_publishes(mount_point):
    site = mount_point / "site"
    assert outcome(run_pipeline(site, spec_items(SPECS))) == "published"
    assert calendars_of(site, "A1") and status_of(site)["outcome"] == "published"
    shutil.rmtree(site)


def test_the_old_site_is_removed_after_the_new_one_is_published(published):
    assert outcome(run_pipeline(published, changed_specs())) == "published"

    assert beside_site(published) == [".site.lock", "site"]


def test_a_crawl_a_day_later_that_changes_nothing_leaves_every_file_as_it_was(tmp_path):
    """Same bytes, same file (inode and mtime), whatever the date: only status.json is new."""
    site = tmp_path / "public" / "site"
    with freeze_time("2026-03-02 06:00:00"):
        assert outcome(run_pipeline(site, spec_items(SPECS))) == "published"
    before = snapshot(site, skip=(STATUS,))
    with freeze_time("2026-03-03 06:00:00"):
        assert outcome(run_pipeline(site, spec_items(SPECS))) == "published"

    after = snapshot(site, skip=(STATUS,))
    assert [name for name in after if after[name] != before.get(name)] == []
