"""worker_processes.py: workers started from a script, as by the `scrapy` console script, do
not run that script again, so they carry none of Scrapy's stack."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.crawling import PROJECT

# A main script as the `scrapy` console script is: Scrapy imported at the top, run by its path.
SCRIPT = """
import json, sys
from scrapy.cmdline import execute
from timetable_spider.worker_processes import worker_pool

if __name__ == "__main__":
    pool = worker_pool(2)
    modules = pool.submit(eval, "sorted(__import__('sys').modules)").result()
    pool.shutdown()
    print(json.dumps(modules))
"""


def worker_modules(tmp_path) -> list[str]:
    script = tmp_path / "scrapy"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_worker_does_not_import_scrapy_from_its_parents_main_script(tmp_path):
    assert [name for name in ("scrapy", "twisted", "lxml") if name in worker_modules(tmp_path)] == []


def test_a_worker_has_what_it_runs_imported_by_the_forkserver(tmp_path):
    assert "timetable_spider.spec_pages" in worker_modules(tmp_path)


ENDING = """
import json, os
from multiprocessing import forkserver
from timetable_spider.worker_processes import end_forkserver, worker_pool

pool = worker_pool(1)
pool.submit(int).result()
pool.shutdown()
pid = forkserver._forkserver._forkserver_pid
end_forkserver()
_, status = os.waitpid(pid, 0)
print(json.dumps(os.WTERMSIG(status) if os.WIFSIGNALED(status) else None))
"""


def test_the_forkserver_ends_when_told_not_after_tearing_itself_down():
    done = subprocess.run([sys.executable, "-c", ENDING], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == 15  # SIGTERM, not an exit of its own


NICENESS = """
import json, os
from timetable_spider.worker_processes import worker_pool

pool = worker_pool(1)
print(json.dumps([os.nice(0), pool.submit(os.nice, 0).result()]))
pool.shutdown()
"""


def test_a_worker_yields_the_cpu_to_the_crawl():
    done = subprocess.run([sys.executable, "-c", NICENESS], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    crawl, worker = json.loads(done.stdout)
    assert worker == min(crawl + 10, 19)
