"""Debian's real nginx with deploy/nginx.conf filled in, for tests and the benchmark.

Not a test module: tests/test_deploy.py and benchmarks/serve.py use it.

    with NginxProcess(site_dir, feed_ports=[8001, 8002]) as nginx:
        nginx.get("/feeds/IE2/921-1.ics")     # (status, headers, body)

It runs in the foreground (`daemon off`) with a prefix of its own, as an unprivileged worker
user as in production, so a site that only root could read fails here as it would there.
"""
from __future__ import annotations

import http.client
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Mapping

from tests.crawling import PROJECT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
CONFIG_TEMPLATE = PROJECT / "deploy" / "nginx.conf"
def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def worker_user() -> str:
    """Debian's nginx package creates www-data; nobody is there on any Linux."""
    return next(name for name in ("www-data", "nobody") if _user_exists(name))


def fill_in(listen: str, site_dir: Path | str, feed_ports: list[int]) -> str:
    """deploy/nginx.conf with its placeholders filled in, by the command docs/deploying.md gives."""
    feeds = " ".join(f"server 127.0.0.1:{port} max_fails=0;" for port in feed_ports)
    command = ["sed", "-e", f"/^ *#/!s|{{{{LISTEN}}}}|{listen}|", "-e", f"/^ *#/!s|{{{{SITE_DIR}}}}|{site_dir}|",
               "-e", f"/^ *#/!s|{{{{FEEDS}}}}|{feeds}|", str(CONFIG_TEMPLATE)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def public_directory(prefix: str) -> Path:
    """A new directory under /tmp that nginx's unprivileged workers can traverse (mkdtemp's is 700)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


class NginxProcess:
    """nginx in the foreground on a free loopback port, in front of the feed servers' ports."""

    def __init__(self, site_dir: Path | str, feed_ports: list[int], *, worker_processes: int = 1):
        self.site_dir = Path(site_dir)
        self.feed_ports = feed_ports
        self.worker_processes = worker_processes
        self.prefix = Path(tempfile.mkdtemp(prefix="nginx-"))
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def main_config(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def write_config(self) -> None:
        """The main context as Debian's nginx.conf has it (mime.types included), and the site's file."""
        self.port = free_port()
        (self.prefix / "timetable_spider.conf").write_text(
            fill_in(f"127.0.0.1:{self.port}", self.site_dir, self.feed_ports))
        self.main_config.write_text(f"""
user {worker_user()};
worker_processes {self.worker_processes};
daemon off;
pid {self.prefix}/nginx.pid;
error_log {self.prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {self.prefix}/client_body;
    proxy_temp_path {self.prefix}/proxy;
    fastcgi_temp_path {self.prefix}/fastcgi;
    uwsgi_temp_path {self.prefix}/uwsgi;
    scgi_temp_path {self.prefix}/scgi;
    include {self.prefix}/timetable_spider.conf;
}}
""")

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on the filled-in configuration."""
        return subprocess.run([NGINX, "-t", "-p", str(self.prefix), "-c", str(self.main_config)],
                              capture_output=True, text=True)

    def start(self, timeout: float = 15.0) -> "NginxProcess":
        self.write_config()
        self.process = subprocess.Popen([NGINX, "-p", str(self.prefix), "-c", str(self.main_config)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n"
                                   f"{self.process.stdout.read()}\n{self.error_log}")
            try:
                connection = self.connection(timeout=1)
                connection.request("HEAD", "/")
                connection.getresponse().read()
                connection.close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not answer on port {self.port}:\n{self.error_log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # a fast shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> "NginxProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, target: str, headers: Mapping[str, str] | None = None, method: str = "GET",
            body: bytes | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request on a new connection; the target is sent exactly as given."""
        connection = self.connection()
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in {**dict(headers or {}), **({"Content-Length": str(len(body))} if body is not None else {})}.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()
