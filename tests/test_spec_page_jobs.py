"""spec_page_jobs.py: a spec page is written once the academic calendar and the room legend are
in, and its result, or its error, handed over in the crawl's event loop."""
from __future__ import annotations

import asyncio
import threading

import pytest

from tests.builders import group, listing, spec_items
from timetable_spider import spec_page_jobs
from timetable_spider.spec_page_jobs import SpecPageJobs


def timetable(code: str):
    return spec_items([(listing(code, code), [group("111")])])[1]


class Recorder:
    def __init__(self):
        self.results, self.failures, self.threads = [], [], set()

    def result(self, code, result):
        self.results.append((code, result))
        self.threads.add(threading.current_thread())

    def failure(self, code, error):
        self.failures.append((code, str(error)))


@pytest.fixture
def written(monkeypatch):
    """write_spec_page replaced: each page's "result" is its code, and B1 raises."""
    calls = []

    def write(page, context):
        calls.append((page.code, context))
        if page.code == "B1":
            raise RuntimeError("a bug")
        return f"result of {page.code}"

    monkeypatch.setattr(spec_page_jobs, "write_spec_page", write)
    return calls


def run(steps):
    async def main():
        recorder = Recorder()
        jobs = SpecPageJobs(0, recorder.result, recorder.failure)
        await steps(jobs)
        await jobs.finish()
        jobs.close()
        return recorder, jobs
    return asyncio.run(main())


def test_a_page_waits_for_the_context(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), None)
        assert written == []
        jobs.start_waiting("context")
    recorder, jobs = run(steps)
    assert (written, jobs.waiting) == ([("A1", "context")], [])


def test_a_page_with_the_context_is_written_at_once(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), "context")
        assert written == [("A1", "context")]
    run(steps)


def test_results_are_handed_over_in_the_event_loops_thread(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), "context")
    recorder, _ = run(steps)
    assert (recorder.results, recorder.threads) == ([("A1", "result of A1")], {threading.main_thread()})


def test_an_error_in_a_job_is_handed_over_as_a_failure(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), "context")
        jobs.add(timetable("B1"), "context")
    recorder, _ = run(steps)
    assert (recorder.results, recorder.failures) == ([("A1", "result of A1")], [("B1", "a bug")])


def test_pages_never_given_a_context_stay_waiting(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), None)
    _, jobs = run(steps)
    assert [t.code for t in jobs.waiting] == ["A1"]


def test_each_result_is_handed_over_once(written):
    async def steps(jobs):
        jobs.add(timetable("A1"), "context")
        await asyncio.sleep(0)  # the done-callback's hand-over runs; finish() takes it again
    recorder, _ = run(steps)
    assert recorder.results == [("A1", "result of A1")]
