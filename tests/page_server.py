"""A published site served over HTTP on 127.0.0.1, as a static web server would: each file with
its MIME type (JavaScript modules need text/javascript), from a background thread.

Not a test module: the page tests and benchmarks/page_weight.py use it.

    with PageServer(site_dir) as server:
        server.url("index.html?code=IE2&group=921&subgroup=1")
"""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json",
         ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".ics": "text/calendar",
         ".html": "text/html", ".png": "image/png"}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def send_response(self, code, message=None):
        self._answer = [self.path, int(code), 0]
        super().send_response(code, message)

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self._answer[2] = int(value)
        super().send_header(keyword, value)

    def end_headers(self):
        self.server.requests.append(tuple(self._answer))
        super().end_headers()

    def log_message(self, format, *args):  # quiet: the answers are in PageServer.requests
        pass


class PageServer:
    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> "PageServer":
        handler = functools.partial(_Handler, directory=str(self.directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="page-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    @property
    def requests(self) -> list[tuple[str, int, int]]:
        """(path, status, body bytes) of every request answered, in order."""
        return self.httpd.requests

    def url(self, path: str = "") -> str:
        return self.base + path

    def __enter__(self) -> "PageServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
