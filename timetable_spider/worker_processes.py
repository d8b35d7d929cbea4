"""The crawl's worker processes: started by a forkserver, so they carry none of the crawl's
memory, and ended with the crawl, however it ends. No Scrapy here."""
from __future__ import annotations

import multiprocessing
import os
import select
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable


def worker_pool(workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))


def _start_worker(crawl_pid: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    exit_with(crawl_pid)
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


def run_here(function: Callable[..., Any], *args) -> Future:
    """Run a job in this process, with the result a worker process would give."""
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except Exception as error:
        future.set_exception(error)
    return future
