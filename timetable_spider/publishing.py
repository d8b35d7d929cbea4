"""Build the site in a staging directory beside SITE_DIR and swap it in whole.

Readers of SITE_DIR (a web server, a deploy, a student's subscription) see either the old
site or the new one, never a mix, a partial file or a temp file, even if the crawl is killed.
A file whose bytes did not change is hard-linked from the published site, so it keeps its
inode and mtime and a deploy syncs only real changes.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

logger = logging.getLogger(__name__)

STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"
LOCK_SUFFIX = ".lock"
RENAME_EXCHANGE = 2  # linux/fs.h
WRITER_THREADS = 4
WRITE_BACK_SECONDS = 0.1
WRITES_QUEUED = 64


class PublishingRefused(Exception):
    """This crawl may not publish to SITE_DIR at all; outcome says why, for the run's status."""

    def __init__(self, outcome: str, message: str):
        super().__init__(message)
        self.outcome = outcome


class SiteFiles:
    """Files of a new site version in its staging directory; usable from a worker process."""

    def __init__(self, site_dir: str | os.PathLike, staging: str | os.PathLike):
        self.site_dir = Path(site_dir).absolute()
        self.path = Path(staging)
        self.files_written = 0  # new or changed
        self.files_kept = 0  # same bytes as published
        self._directories: set[Path] = set()
        self._reserved: set[str] = set()  # created empty, not written yet
        self._written: set[str] = set()
        self._bookkeeping = threading.Lock()

    def write(self, relative: str, data: bytes) -> None:
        target = self._inside(self.path, relative)
        with self._bookkeeping:
            self._written.add(relative)
            reserved = relative in self._reserved
            self._reserved.discard(relative)
        if not reserved:
            self._make_directory(target.parent)
        published = self.site_dir / relative
        try:
            if published.stat().st_size == len(data) and published.read_bytes() == data:
                if reserved:
                    target.unlink()
                os.link(published, target)
                self.count(kept=1)
                return
        except OSError:  # not published yet, or on another filesystem: write it
            pass
        if reserved:  # empty: no O_TRUNC, which would have ext4 flush it on close (auto_da_alloc)
            with open(os.open(target, os.O_WRONLY), "wb") as file:
                file.write(data)
        else:
            target.write_bytes(data)
        self.count(written=1)

    def count(self, *, written: int = 0, kept: int = 0) -> None:
        """Adds files written or kept elsewhere (a worker process, the gatherer) to this site's
        counts. Writer threads count at the same time, and `+=` is no atomic step."""
        with self._bookkeeping:
            self.files_written += written
            self.files_kept += kept

    def reserve(self, relatives: Iterable[str]) -> None:
        """Creates, empty, files that will be written later in this version of the site.

        Creating a file costs far more than filling one that exists when the filesystem is busy:
        on the ext4 of the machines this was measured on, 0.3-0.8 ms late in a crawl, growing
        with the writes not yet flushed, against 0.04 ms. A writer that knows its files' names
        while the crawl still downloads reserves them then, so the crawl's end only fills them.
        flush() removes a reserved file that was never written, so no placeholder is published.
        """
        for relative in relatives:
            target = self._inside(self.path, relative)
            with self._bookkeeping:
                if relative in self._written or relative in self._reserved:
                    continue
                self._make_directory(target.parent)
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
                self._reserved.add(relative)

    def flush(self) -> None:
        """Everything written is in place; reserved files never written are gone."""
        with self._bookkeeping:
            unwritten, self._reserved = self._reserved, set()
        for relative in unwritten:
            self._inside(self.path, relative).unlink()

    def _make_directory(self, directory: Path) -> None:
        if directory not in self._directories:
            directory.mkdir(parents=True, exist_ok=True)
            self._directories.add(directory)

    def keep_published(self, relative: str) -> None:
        """Carry a published file into the new site unchanged."""
        target = self._inside(self.path, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(self._inside(self.site_dir, relative), target)
        self.count(kept=1)

    def is_published(self, relative: str) -> bool:
        return self._inside(self.site_dir, relative).is_file()

    def read_staged(self, relative: str) -> bytes:
        """A file of the new site, as written so far."""
        return self._inside(self.path, relative).read_bytes()

    def read_published(self, relative: str) -> bytes | None:
        """The currently published bytes of a file, if any."""
        try:
            return self._inside(self.site_dir, relative).read_bytes()
        except (OSError, ValueError):
            return None

    @staticmethod
    def _inside(root: Path, relative: str) -> Path:
        """root/relative, refusing any path that would leave root ("..", absolute paths)."""
        target = os.path.normpath(os.path.join(root, relative))
        if not target.startswith(os.path.join(root, "")) or "\0" in relative:
            raise ValueError(f"refusing to write {relative!r} outside the site")
        return Path(target)


class BackgroundSiteFiles(SiteFiles):
    """Files written by background threads: creating hundreds of files is mostly the kernel's
    work, which then overlaps the writer's own; so are reservations. A reserved file is filled
    in the writer's own thread. flush() waits for them and raises what failed; a path outside
    the site is refused at once."""

    def __init__(self, site_dir: str | os.PathLike, staging: str | os.PathLike):
        self._writing = ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="site-writer")
        self._pending: list[Future] = []
        self._queued = threading.BoundedSemaphore(WRITES_QUEUED)
        super().__init__(site_dir, staging)

    def write(self, relative: str, data: bytes) -> None:
        if relative in self._reserved:
            # filling a file costs less than handing it to a thread that must wait for the GIL
            super().write(relative, data)
            return
        self._inside(self.path, relative)
        self._queued.acquire()  # a writer that outruns the disk waits, rather than holding every file in memory
        self._pending.append(self._writing.submit(self._write_queued, relative, data))

    def _write_queued(self, relative: str, data: bytes) -> None:
        try:
            super().write(relative, data)
        finally:
            self._queued.release()

    def reserve(self, relatives: Iterable[str]) -> None:
        relatives = list(relatives)
        for relative in relatives:
            self._inside(self.path, relative)
        self._pending.append(self._writing.submit(super().reserve, relatives))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for written in pending:
            written.result()
        super().flush()

    def close(self) -> None:
        self._writing.shutdown(cancel_futures=True)


class SiteBuild(BackgroundSiteFiles):
    """A new version of the site, written beside the published one until it is published.

    It holds the lock ".<site>.lock" beside SITE_DIR from its start until close(), so two crawls
    (cron and Scrapyd, or two Scrapyd jobs) never build for one site at once; only the holder
    removes what a killed crawl left.
    """

    def __init__(self, site_dir: str | os.PathLike):
        site_dir = Path(site_dir).absolute()
        if os.path.ismount(site_dir):
            raise PublishingRefused("refused", (
                f"SITE_DIR {site_dir} is a mount point. A new site is swapped in by renaming a "
                f"directory in its place, which a mount point does not allow. Mount the volume one "
                f"level up and publish into a directory inside it (for example -s SITE_DIR={site_dir}/site), "
                f"then serve that directory."))
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock_beside(site_dir)
        try:
            restore_retired(site_dir)
            self.warnings = remove_leftovers(site_dir)  # for the run's status
            super().__init__(site_dir, tempfile.mkdtemp(prefix=f".{site_dir.name}{STAGING_PREFIX}",
                                                        dir=site_dir.parent))
            self._keep_dotfiles()
        except BaseException:
            self._lock.close()
            raise
        self._writing_back = WriteBack(self.path)

    def close(self) -> None:
        """Let the next crawl build: release the lock (closing the file releases the flock)."""
        self._writing_back.stop()
        super().close()
        if not self._lock.closed:
            self._lock.close()

    def publish(self) -> None:
        """Make the staged site the published one, atomically where the kernel allows."""
        self.flush()
        os.chmod(self.path, 0o755)  # mkdtemp makes it private; the site is for everyone
        if not self.site_dir.exists():
            os.rename(self.path, self.site_dir)
            return
        retired = self.site_dir.parent / f".{self.site_dir.name}{RETIRED_PREFIX}{os.getpid()}"
        if _exchange(self.path, self.site_dir):  # the staging directory's name now holds the old site
            try:
                os.rename(self.path, retired)
            except OSError:  # published all the same: remove the old site where it is
                retired = self.path
        else:  # no renameat2 here: two renames, with a gap of microseconds between them
            os.rename(self.site_dir, retired)
            os.rename(self.path, self.site_dir)
        remove_in_background(retired)

    def discard(self) -> None:
        self._writing_back.stop()
        for written in self._pending:  # none may recreate the folder once it is gone
            written.cancel() or written.exception()
        self._pending.clear()
        shutil.rmtree(self.path, ignore_errors=True)

    def _keep_dotfiles(self) -> None:
        """Files such as .gitignore or .htaccess at the top of the site are the owner's: keep them."""
        if self.site_dir.is_dir():
            for entry in self.site_dir.iterdir():
                if entry.name.startswith(".") and entry.is_file():
                    os.link(entry, self.path / entry.name)


class WriteBack:
    """Writes the filesystem's new files to disk every `seconds` while a site is built, from a
    thread of its own (syncfs(2) on the staging directory's filesystem).

    The kernel would write them back within 30 s anyway. Sooner saves the build CPU: on the ext4
    this was measured on, creating a file cost 0.3-0.8 ms of kernel time with thousands of new
    files not yet on disk and under 0.1 ms once they were, and a crawl creates about 3,000 (six
    crawls each way: 7.1 -> 6.6 CPU s in all, wall 5.49 -> 5.18 s, medians). Where libc has no
    syncfs, nothing is done.
    """

    def __init__(self, path: Path, seconds: float = WRITE_BACK_SECONDS, syncfs=None):
        self._stopped = threading.Event()
        self._thread = None
        syncfs = syncfs or getattr(_libc(), "syncfs", None)
        if syncfs is not None:
            # opened here, not in the thread: the directory may be gone by the time the thread runs
            fd = os.open(path, os.O_RDONLY)
            self._thread = threading.Thread(target=self._run, args=(syncfs, fd, seconds), name="write-back",
                                            daemon=True)
            self._thread.start()

    def _run(self, syncfs, fd: int, seconds: float) -> None:
        try:
            while not self._stopped.wait(seconds):
                syncfs(fd)
        finally:
            os.close(fd)

    def stop(self) -> None:
        """Returns once the thread has ended, so nothing syncs a staging directory being removed."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()


def _libc():
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _lock_beside(site_dir: Path):
    path = site_dir.parent / f".{site_dir.name}{LOCK_SUFFIX}"
    lock = open(path, "a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise PublishingRefused("locked", (
            f"Another crawl is publishing to {site_dir} (it holds {path}); this one stops "
            f"without touching anything.")) from None
    return lock


def restore_retired(site_dir: Path) -> None:
    """Puts the last published site back when a crawl was killed between publish()'s two renames
    (where there is no renameat2): SITE_DIR is missing and a retired site holds it whole. Else
    remove_leftovers would delete it, and a failing crawl would leave SITE_DIR with its status only.
    Of several (older ones a crawl could not remove), the one renamed last: a rename sets ctime."""
    retired = list(site_dir.parent.glob(f".{site_dir.name}{RETIRED_PREFIX}*"))
    if retired and not os.path.lexists(site_dir):
        last = max(retired, key=lambda path: path.lstat().st_ctime_ns)
        logger.warning("%s was missing, and %s held the last published site: a crawl was stopped while "
                       "swapping a new one in; put it back", site_dir, last)
        os.rename(last, site_dir)


def remove_leftovers(site_dir: Path) -> list[str]:
    """Staging and retired directories left by a killed crawl; they are never published.

    Returns, and logs, each one that could not be removed, with why: a crawl once run by hand as
    root leaves directories the service's user cannot remove, filling the disk crawl by crawl.
    """
    problems = []
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for leftover in site_dir.parent.glob(f".{site_dir.name}{prefix}*"):
            try:
                shutil.rmtree(leftover)
            except FileNotFoundError:  # removed meanwhile by the last crawl's rm (remove_in_background)
                pass
            except OSError as error:
                problems.append(f"could not remove {leftover}, left by an earlier crawl: {error}")
                logger.warning("%s. Remove it as its owner; each crawl leaves it there.", problems[-1])
    return problems


def remove_in_background(directory: Path) -> None:
    """Removes a directory from a process of its own, which the crawl does not wait for.

    Once the new site is published, the old one is only disk space, and deleting its ~2,600
    files took 0.25 s on the ext4 measured: the whole tail of a re-crawl. If that process is
    stopped first (systemd ends what a finished service left running), the next crawl removes
    the rest before it builds (remove_leftovers).
    """
    subprocess.Popen(["rm", "-rf", "--", str(directory)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def write_atomically(path: Path, data: bytes, temp_dir: Path) -> None:
    """Replace one file whole, through a temp file in temp_dir (same filesystem, out of sight)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=temp_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)  # a full disk must not also leave a temp file behind
        raise


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step with renameat2(RENAME_EXCHANGE); False where unsupported."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
