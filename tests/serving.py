"""Running `scrapy serve` in tests and the benchmark: a real process on a free port.

Not a test module: tests/test_serve.py and benchmarks/serve.py use it.

    with ServeProcess(site_dir) as server:
        server.get("/feeds/IE2/921-1.ics")     # (status, headers, body)
"""
from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Mapping

from tests.crawling import PROJECT
from tests.published_json import check_answer

LISTENING = re.compile(r"Serving .* at http://127\.0\.0\.1:(\d+)/")


class ServeProcess:
    """`python -m scrapy serve --port 0 -s SITE_DIR=...` in the project root; its output is kept.

    With a port, on that port: a replica behind nginx, whose upstream names it, restarts on it."""

    def __init__(self, site_dir: Path | str, settings: Mapping[str, object] | None = None,
                 start_timeout: float = 60.0, port: int = 0):
        self.command = [sys.executable, "-m", "scrapy", "serve", "--port", str(port), "-s", f"SITE_DIR={site_dir}"]
        for name, value in (settings or {}).items():
            self.command += ["-s", f"{name}={value}"]
        self.start_timeout = start_timeout
        self.output: list[str] = []
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> "ServeProcess":
        self.process = subprocess.Popen(self.command, cwd=PROJECT, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace",
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        listening = threading.Event()

        def read() -> None:
            for line in self.process.stdout:
                self.output.append(line)
                found = LISTENING.search(line)
                if found:
                    self.port = int(found.group(1))
                    listening.set()
            listening.set()  # the process ended

        threading.Thread(target=read, daemon=True).start()
        if not listening.wait(self.start_timeout) or not self.port:
            self.stop()
            raise RuntimeError(f"scrapy serve did not start:\n{self.log}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "ServeProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def log(self) -> str:
        return "".join(self.output)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, target: str, headers: Mapping[str, str] | None = None,
            method: str = "GET", body: bytes | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request on a new connection; the target is sent exactly as given. A JSON answer
        must follow the schema openapi.yaml gives it."""
        connection = self.connection()
        try:
            connection.request(method, target, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            answer = response.read()
            check_answer(method, target, response.status, response.headers["Content-Type"], answer)
            return response.status, response.headers, answer
        finally:
            connection.close()

    def api(self, method: str, target: str, body=None, key: str | None = None, headers: Mapping[str, str] | None = None,
            source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
        """One request to the API: a body given as a dict is sent as JSON, a key as the Bearer
        edit key; from the given loopback source address (a proxy on 127.0.0.2, say). A JSON
        answer must follow the schema openapi.yaml gives it."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        if data is not None:
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0))
        try:
            connection.request(method, target, body=data, headers=sent)
            response = connection.getresponse()
            answer = response.read()
            check_answer(method, target, response.status, response.headers["Content-Type"], answer)
            return response.status, dict(response.headers), answer
        finally:
            connection.close()
