"""The crawl's worker processes: started by a forkserver, so they carry none of the crawl's
memory, and ended with the crawl, however it ends. No Scrapy here."""
from __future__ import annotations

import os
import select
import signal
import sys
import threading
import types
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext, ForkServerProcess
from typing import Any, Callable

# What the workers run, imported once by the forkserver and shared by every worker it forks.
WORKER_MODULES = ["timetable_spider.spec_pages", "timetable_spider.writers.teachers_rooms_subjects"]
_NO_MAIN = types.ModuleType("__main__")
# Added to a worker's nice value. The crawl's event loop sends the next request as each answer
# comes in; when a worker writing calendars holds the CPU instead, the free slot waits. Workers
# that yield to it made the network phase 0.1-0.15 s shorter at 0.3 s latency (6 and 8
# alternating crawls each way, on 2 cores), and they still have all the CPU the crawl leaves idle.
WORKER_NICENESS = 10


class _WorkerProcess(ForkServerProcess):
    """A worker that does not run the crawl's main script again.

    multiprocessing has each new process import the parent's __main__ by its path: for the
    `scrapy` console script, Scrapyd's runner or any other, that imports all of Scrapy, lxml
    included, into every worker (about 27 MB of PSS each, measured). A worker needs none of it,
    so while one is started, __main__ is a bare module with no path to import.
    """

    @staticmethod
    def _Popen(process_obj):
        main = sys.modules["__main__"]
        sys.modules["__main__"] = _NO_MAIN
        try:
            return ForkServerProcess._Popen(process_obj)
        finally:
            sys.modules["__main__"] = main


class _WorkerContext(ForkServerContext):
    Process = _WorkerProcess


_CONTEXT = _WorkerContext()
_CONTEXT.set_forkserver_preload(WORKER_MODULES)


def worker_pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool whose processes start at once, from a thread of its own.

    A pool starts a process when a job finds none idle, and the thread that submits it waits
    while the forkserver forks it (the first time, while the forkserver itself starts and imports
    WORKER_MODULES). That thread would be the crawl's event loop, held up to 0.1 s mid-crawl.
    """
    pool = ProcessPoolExecutor(workers, mp_context=_CONTEXT,
                               initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))
    threading.Thread(target=_start_processes, args=(pool, workers), name="start-workers", daemon=True).start()
    return pool


def _start_processes(pool: ProcessPoolExecutor, workers: int) -> None:
    try:
        for started in [pool.submit(int) for _ in range(workers)]:  # each finds no process idle
            started.result()
    except Exception:  # the pool is broken or shut down: its next job says so
        pass


def _start_worker(crawl_pid: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    exit_with(crawl_pid)
    os.nice(WORKER_NICENESS)
    if initializer:
        initializer(*initargs)


def exit_with(crawl_pid: int) -> None:
    """End this worker when the crawl process ends, even by SIGKILL.

    A worker of a killed crawl would otherwise wait forever on its queues, and keep the
    forkserver alive with it.
    """
    pidfd = os.pidfd_open(crawl_pid)

    def watch() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-crawl", daemon=True).start()


def end_forkserver() -> None:
    """Ends the workers' forkserver now, as the crawl exits; every pool must be shut down.

    Left to itself, the forkserver notices the crawl has gone and then tears its interpreter
    down, with the crawl's output still open: whoever reads that output (cron, Scrapyd, a
    terminal) waited 25 ms more for a crawl already over.
    """
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # CPython's; none: nothing to end
    if pid is not None:
        os.kill(pid, signal.SIGTERM)  # not handled there: it ends at once


def run_here(function: Callable[..., Any], *args) -> Future:
    """Run a job in this process, with the result a worker process would give."""
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except Exception as error:
        future.set_exception(error)
    return future
