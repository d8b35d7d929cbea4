"""SiteFiles and BackgroundSiteFiles: files of a new site version, reserved early, written late.

A reserved file is created empty so the crawl's end only fills it; it is never published empty,
and an unchanged file still shares the published file's inode. WriteBack syncs the staging
filesystem while a site is built.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from timetable_spider.publishing import BackgroundSiteFiles, SiteFiles, WriteBack


@pytest.fixture(params=[SiteFiles, BackgroundSiteFiles])
def files(request, tmp_path) -> SiteFiles:
    (tmp_path / "site").mkdir()
    made = request.param(tmp_path / "site", tmp_path / "staging")
    yield made
    if isinstance(made, BackgroundSiteFiles):
        made.close()


def wait(files: SiteFiles) -> None:
    """The background writers' work done, without flush()'s clean-up."""
    for pending in getattr(files, "_pending", []):
        pending.result()


def test_a_reserved_file_exists_empty_before_it_is_written(files):
    files.reserve(["teachers/susa.ics"])
    wait(files)

    assert (files.path / "teachers/susa.ics").read_bytes() == b""


def test_a_reserved_file_gets_what_is_written(files):
    files.reserve(["teachers/susa.ics"])
    wait(files)
    files.write("teachers/susa.ics", b"BEGIN:VCALENDAR")
    files.flush()

    assert (files.path / "teachers/susa.ics").read_bytes() == b"BEGIN:VCALENDAR"


def test_a_reserved_file_never_written_is_removed_by_flush(files):
    files.reserve(["teachers/susa.ics", "teachers/gone.ics"])
    files.write("teachers/susa.ics", b"x")
    files.flush()

    assert sorted(p.name for p in (files.path / "teachers").iterdir()) == ["susa.ics"]


def test_reserving_a_file_already_written_leaves_it_alone(files):
    files.write("teachers/susa.ics", b"written first")
    wait(files)
    files.reserve(["teachers/susa.ics"])
    files.flush()

    assert (files.path / "teachers/susa.ics").read_bytes() == b"written first"


@pytest.fixture
def unchanged(files) -> Path:
    """A reserved file written with the bytes it has in the published site: that file."""
    published = files.site_dir / "teachers/susa.ics"
    published.parent.mkdir()
    published.write_bytes(b"same")
    files.reserve(["teachers/susa.ics"])
    wait(files)
    files.write("teachers/susa.ics", b"same")
    files.flush()
    return published


def test_a_reserved_file_unchanged_since_published_is_the_published_file(files, unchanged):
    assert (files.path / "teachers/susa.ics").stat().st_ino == unchanged.stat().st_ino


def test_a_reserved_file_unchanged_since_published_is_counted_as_kept(files, unchanged):
    assert (files.files_kept, files.files_written) == (1, 0)


def test_a_reservation_outside_the_site_is_refused_at_once(files):
    with pytest.raises(ValueError, match="outside the site"):
        files.reserve(["../escape.ics"])


def test_write_back_syncs_the_staging_filesystem_until_stopped(tmp_path):
    synced = threading.Event()
    calls = []

    def syncfs(fd):
        calls.append(os.fstat(fd).st_ino)
        synced.set()

    write_back = WriteBack(tmp_path, seconds=0.01, syncfs=syncfs)
    assert synced.wait(5)
    write_back.stop()
    time.sleep(0.05)
    stopped_at = len(calls)
    time.sleep(0.05)

    assert (calls[0], len(calls)) == (tmp_path.stat().st_ino, stopped_at)


def test_write_back_stop_returns_once_its_thread_has_ended(tmp_path):
    WriteBack(tmp_path, seconds=0.01, syncfs=lambda fd: None).stop()
    assert [t for t in threading.enumerate() if t.name == "write-back"] == []


def test_counts_wait_for_the_lock_the_writer_threads_count_under(tmp_path):
    """Writer threads, the pipeline and the gatherer's results all count into one site: `+=` from
    two threads at once could lose a count."""
    files = SiteFiles(tmp_path / "site", tmp_path / "staging")
    with files._bookkeeping:  # a writer thread counting
        counting = threading.Thread(target=files.count, kwargs={"written": 2, "kept": 3})
        counting.start()
        counting.join(0.2)
        while_held = (files.files_written, files.files_kept)
    counting.join()

    assert (while_held, (files.files_written, files.files_kept)) == ((0, 0), (2, 3))
