"""Scheduling the spec pages' worker jobs.

A spec page waits only until the academic calendar and the room legend are in; then it is
written by a worker process (spec_pages.write_spec_page), or in this process with no workers.
Each result is handed over in the crawl's event loop as soon as its job is done, so that what
needs it runs while the crawl still downloads. No Scrapy here.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Callable

from timetable_spider.items import Timetable
from timetable_spider.spec_pages import SemesterContext, SpecPageResult, write_spec_page
from timetable_spider.worker_processes import run_here, worker_pool


class SpecPageJobs:
    """on_result(code, result) or on_failure(code, error) is called once per page, in the loop's thread."""

    def __init__(self, workers: int, on_result: Callable[[str, SpecPageResult], None],
                 on_failure: Callable[[str, BaseException], None]):
        self.on_result, self.on_failure = on_result, on_failure
        self.loop = asyncio.get_running_loop()  # the crawl's, where results are taken
        # started now, so the workers are up by the time the first spec page arrives
        self.pool: ProcessPoolExecutor | None = worker_pool(workers) if workers else None
        self.waiting: list[Timetable] = []
        self.jobs: dict[str, Future] = {}
        self.taken: set[str] = set()

    def add(self, timetable: Timetable, context: SemesterContext | None) -> None:
        """Writes the page now, or once start_waiting() is given the context it needs."""
        self.waiting.append(timetable)
        if context is not None:
            self.start_waiting(context)

    def start_waiting(self, context: SemesterContext) -> None:
        for timetable in self.waiting:
            job = self.pool.submit(write_spec_page, timetable, context) if self.pool \
                else run_here(write_spec_page, timetable, context)
            self.jobs[timetable.code] = job
            job.add_done_callback(partial(self._done_in_worker, timetable.code))
        self.waiting.clear()

    def _done_in_worker(self, code: str, job: Future) -> None:
        """In the worker pool's thread: the result is taken in the crawl's."""
        self.loop.call_soon_threadsafe(self._take, code, job)

    def _take(self, code: str, job: Future) -> None:
        if code in self.taken:
            return
        self.taken.add(code)
        try:
            result = job.result()
        except Exception as error:  # a bug, not bad input
            self.on_failure(code, error)
            return
        self.on_result(code, result)

    async def finish(self) -> None:
        """Every started job's result taken; the workers then end, their memory free for the rest."""
        for code, job in self.jobs.items():
            await asyncio.wait([asyncio.wrap_future(job)])
            self._take(code, job)
        if self.pool:
            self.pool.shutdown(wait=False)

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown()
