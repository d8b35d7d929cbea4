"""The shipped systemd units' commands, run inside their units' sandboxes, end to end: a crawl
publishes, a replica takes a stable subscription and a browser (its VAPID key made in its state
directory), a course moves, the crawl runs again, and the crawl unit's own `scrapy notify` pushes
to a push service on loopback, whose message the test decrypts.

systemd cannot be PID 1 here, so each sandbox is reproduced with util-linux, as root, in a mount
namespace of its own (`unshare --mount`), following the unit's settings:
- ProtectSystem=strict: / is remounted read-only; only the unit's ReadWritePaths= (the crawl:
  /var/lib/timetable_spider) or StateDirectory= (a replica: /var/lib/timetable_spider/subscriptions)
  are writable, SITE_DIR included for the crawl alone;
- ProtectHome=yes: /root and /home are empty (but for the Python this machine's venv links to);
- PrivateTmp=yes: a /tmp of its own;
- User=: an unprivileged user (nobody, standing for `timetable`), with NoNewPrivileges=yes;
- the paths the units name: the checkout at /opt/timetable_spider, the state at /var/lib/timetable_spider.
The commands are the units' ExecStart= and ExecStopPost= lines as shipped, with the one change
that the venv's `scrapy` script (whose #! names the checkout's real path) is run as
`python -m scrapy`, and the test's settings (the simulated site, http push on loopback) added.
"""
from __future__ import annotations

import base64
import configparser
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.crawling import PROJECT, free_port
from tests.nginx_server import public_directory
from tests.page_fixtures import COURSE_IN_2I
from tests.serving import ServeProcess
from tests.test_push import PushService
from tests.ubb_site import SimServer, build_site

UNITS = PROJECT / "deploy" / "systemd"
STATE = "/var/lib/timetable_spider"
CHECKOUT = "/opt/timetable_spider"
NOBODY = 65534  # standing for the units' user, timetable


def service_lines(unit: str, key: str) -> str:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(UNITS / unit, encoding="utf-8")
    return parser["Service"][key]


def unit_command(unit: str, key: str, substitutions: dict[str, str], extra: list[str]) -> list[str]:
    """The unit's command line as shipped, the venv's scrapy run as `python -m scrapy`."""
    line = service_lines(unit, key).replace(f"{CHECKOUT}/.venv/bin/scrapy", f"{CHECKOUT}/.venv/bin/python -m scrapy")
    for name, value in substitutions.items():
        line = line.replace(name, value)
    return shlex.split(line) + extra


def sandboxed(command: list[str], base: Path, writable: list[str]) -> list[str]:
    """command inside a sandbox as the module docstring describes; writable: paths under STATE."""
    prefix = Path(sys.base_prefix).resolve()
    steps = ["set -e",
             # what the unit sees at its paths, held before /root, /opt, /var/lib and /tmp are covered
             f"mount --bind {shlex.quote(str(PROJECT))} {base}/.hold/checkout",
             f"mount --bind {shlex.quote(str(prefix))} {base}/.hold/python",
             "mount -t tmpfs -o mode=755 tmpfs /root", "mount -t tmpfs -o mode=755 tmpfs /home"]
    if any(home in prefix.parents for home in (Path("/root"), Path("/home"))):
        steps += [f"mkdir -p {shlex.quote(str(prefix))}", f"mount --bind {base}/.hold/python {shlex.quote(str(prefix))}"]
    steps += ["mount -t tmpfs -o mode=755 tmpfs /opt", f"mkdir {CHECKOUT}",
              f"mount --bind {base}/.hold/checkout {CHECKOUT}", f"mount -o remount,bind,ro {CHECKOUT}",
              "mount -t tmpfs -o mode=755 tmpfs /var/lib", f"mkdir {STATE}",
              f"mount --bind {base}/var {STATE}", f"mount -o remount,bind,ro {STATE}"]
    for path in writable:
        steps.append(f"mount --bind {base}/var{path.removeprefix(STATE)} {path}")
    steps += ["mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -o remount,bind,ro /",
              f"cd {CHECKOUT}",
              f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups --no-new-privs "
              f"env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 "
              f"PYTHONPATH={CHECKOUT} " + shlex.join(command)]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(steps)]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def deployment():
    """The state directory as the units find it (owned by their user), the simulated site, a push service."""
    base = public_directory("sandboxed-")
    (base / ".hold" / "checkout").mkdir(parents=True)
    (base / ".hold" / "python").mkdir()
    (base / "var" / "subscriptions").mkdir(parents=True)
    shutil.chown(base / "var", NOBODY, NOBODY)
    shutil.chown(base / "var" / "subscriptions", NOBODY, NOBODY)
    www = base / "www"
    shutil.copytree(build_site("2025-2"), www)
    service = PushService()
    yield base, SimServer(root=www, latency=0.01, jitter=0.0), service, www
    service.httpd.shutdown()
    shutil.rmtree(base, ignore_errors=True)


def crawl_unit(base: Path, sim: SimServer) -> list[subprocess.CompletedProcess]:
    """ExecStart=, then ExecStopPost=, each in the crawl unit's sandbox (ReadWritePaths=/var/lib/timetable_spider)."""
    arguments = " ".join(f"-s {name}={value}" for name, value in sim.crawl_settings.items()) + " -a semester=2025-2"
    runs = []
    for key, extra in (("ExecStart", []), ("ExecStopPost", ["-s", "PUSH_ALLOW_HTTP_ENDPOINTS=1"])):
        command = unit_command("timetable-crawl.service", key, {"${FEEDS_URL}": "", "$CRAWL_ARGS": arguments}, extra)
        runs.append(subprocess.run(sandboxed(command, base, [STATE]), capture_output=True, text=True, timeout=300))
    return runs


@pytest.fixture(scope="module")
def end_to_end(deployment):
    base, sim, service, www = deployment
    with sim:
        first = crawl_unit(base, sim)
    replica = ServeProcess(base / "var" / "site")
    port = free_port()
    replica.command = sandboxed(unit_command("timetable-serve@.service", "ExecStart", {"%i": str(port)},
                                             ["-s", "PUSH_ALLOW_HTTP_ENDPOINTS=1"]),
                                base, [f"{STATE}/subscriptions"])
    private, auth = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    with replica:
        key_status = replica.api("GET", "/push/key")[0]
        made = json.loads(replica.api("POST", "/subscriptions", {"calendar": "/feeds/IE2/921-1.ics"})[2])
        identifier = made["feed"][len("/feeds/s/"):-len(".ics")]
        point = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        attached = replica.api("POST", f"/subscriptions/{identifier}/push",
                               {"endpoint": service.url("/browser"), "keys": {"p256dh": b64(point), "auth": b64(auth)}},
                               made["key"])[0]
        replica_log = replica.log
    page = www / "files/orar/2025-2/tabelar/IE2.html"
    page.write_bytes(page.read_bytes().decode("iso-8859-2").replace(
        COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<")).encode("iso-8859-2"))
    with sim:
        second = crawl_unit(base, sim)
    return {"base": base, "first": first, "second": second, "key": key_status, "attached": attached,
            "replica log": replica_log, "service": service, "browser": (private, auth)}


def test_the_first_crawl_publishes_in_its_sandbox(end_to_end):
    crawl, notify = end_to_end["first"]
    assert (crawl.returncode, notify.returncode) == (0, 0), crawl.stdout[-2000:] + crawl.stderr[-3000:] + notify.stderr[-2000:]


def test_the_site_is_written_by_the_units_user(end_to_end):
    assert (end_to_end["base"] / "var" / "site" / "data" / "index.json").stat().st_uid == NOBODY


def test_a_replica_makes_its_push_key_in_its_state_directory(end_to_end):
    assert (end_to_end["key"], "push alerts are not available" in end_to_end["replica log"].lower()) == (200, False)


def test_the_key_file_is_the_units_users_alone(end_to_end):
    key = (end_to_end["base"] / "var" / "subscriptions" / "vapid.pem").stat()
    assert (key.st_uid, oct(key.st_mode & 0o777)) == (NOBODY, "0o600")


def test_a_browser_is_attached_through_the_sandboxed_replica(end_to_end):
    assert end_to_end["attached"] == 201


def test_the_crawl_units_notify_pushes_the_change_to_the_browser(end_to_end):
    crawl, notify = end_to_end["second"]
    private, auth = end_to_end["browser"]
    [(_, _, body)] = [message for message in end_to_end["service"].messages if message[0] == "/browser"]
    payload = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm"))
    assert (crawl.returncode, notify.returncode, "moved to C510" in payload["title"]) == (0, 0, True), notify.stdout
