"""Web Push (RFC 8030) with VAPID (RFC 8292): the server's key pair, the rules a push endpoint
and a browser's keys must meet, and one message sent, encrypted as RFC 8291 aes128gcm by
pywebpush.

The one owner of those rules: `scrapy serve` checks an endpoint and keys when a browser attaches
(EndpointPolicy.check, check_keys), and `scrapy notify` checks them again before each message,
as a row may predate the rules, and checks the address the host resolves to at that moment, as
a DNS answer can change after the attach. A push endpoint is a URL a stranger gives us and we
POST to, so everything but the Web Push services browsers use is refused before any connection.
"""
from __future__ import annotations

import base64
import enum
import http.client
import ipaddress
import json
import os
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple
from urllib.parse import SplitResult, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02
from pywebpush import WebPusher


# Endpoints browsers hand out are under 500 characters; a longer one is not one.
MAX_ENDPOINT_LENGTH = 1024
# A push service answers with a status and a short error text; the rest is never read.
MAX_RESPONSE_BODY = 64 * 1024
# How long a VAPID signature is good for: RFC 8292 allows at most a day.
VAPID_VALIDITY = 12 * 60 * 60
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TOP_LABEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")  # never numeric: 0x7f000001, 2130706433
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
# The system's trusted CAs, loaded once: loading them takes longer than a push's encryption.
_TLS = ssl.create_default_context()


class RefusedEndpoint(ValueError):
    """A push endpoint we will not send to; the message says why."""


class BadKeys(ValueError):
    """A browser's p256dh or auth that no browser makes; the message says which."""


@dataclass(frozen=True)
class EndpointPolicy:
    hosts: tuple[str, ...]  # host suffixes of the push services accepted, matched at a label boundary
    allow_http_loopback: bool  # http push services on a loopback address: for tests only

    @classmethod
    def from_settings(cls, settings) -> EndpointPolicy:
        hosts = [*settings.getlist("PUSH_SERVICE_HOSTS"), *settings.getlist("PUSH_EXTRA_SERVICE_HOSTS")]
        return cls(tuple(host.strip().lower().strip(".") for host in hosts if host.strip()),
                   settings.getbool("PUSH_ALLOW_HTTP_ENDPOINTS"))

    def check(self, endpoint: str) -> None:
        """Raises RefusedEndpoint unless endpoint is an https URL of an accepted push service,
        on port 443, named by host name (no address in any spelling), without user or password;
        or, with allow_http_loopback, an http URL of a loopback address."""
        if not isinstance(endpoint, str) or not endpoint:
            raise RefusedEndpoint("the endpoint is not a URL")
        if len(endpoint) > MAX_ENDPOINT_LENGTH:
            raise RefusedEndpoint(f"the endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
        if any(character <= " " or character == "\x7f" for character in endpoint):
            raise RefusedEndpoint("the endpoint has spaces or control characters")
        try:
            parts = urlsplit(endpoint)
            port = parts.port
        except ValueError as error:
            raise RefusedEndpoint(f"the endpoint is not a URL: {error}") from None
        if "@" in parts.netloc:
            raise RefusedEndpoint("the endpoint has a user name or password")
        host = parts.hostname
        if not host:
            raise RefusedEndpoint("the endpoint has no host")
        if parts.scheme == "http" and self.allow_http_loopback:
            if not _is_loopback_literal(host):
                raise RefusedEndpoint("an http endpoint must be a loopback address (PUSH_ALLOW_HTTP_ENDPOINTS)")
            return
        if parts.scheme != "https":
            raise RefusedEndpoint("the endpoint must be https")
        if port not in (None, 443):
            raise RefusedEndpoint("the endpoint must use port 443")
        if _is_address(host):
            raise RefusedEndpoint(f"the endpoint's host {host} is an address, not a host name")
        labels = host.split(".")
        if (len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels)
                or not _TOP_LABEL.fullmatch(labels[-1])):
            raise RefusedEndpoint(f"the endpoint's host {host!r} is not a host name")
        if not any(host == suffix or host.endswith("." + suffix) for suffix in self.hosts):
            raise RefusedEndpoint(f"{host} is not a known push service (PUSH_EXTRA_SERVICE_HOSTS adds one)")


def check_keys(p256dh: str, auth: str) -> None:
    """Raises BadKeys unless p256dh is an uncompressed point on P-256 and auth 16 bytes, both
    base64url with or without padding, as browsers make them."""
    point = _decode("p256dh", p256dh)
    if len(point) != 65 or point[0] != 4:
        raise BadKeys("p256dh is not an uncompressed P-256 point (65 bytes)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise BadKeys("p256dh is not a point on P-256") from None
    if len(_decode("auth", auth)) != 16:
        raise BadKeys("auth is not 16 bytes")


def _decode(name: str, value: str) -> bytes:
    if not isinstance(value, str) or not _BASE64URL.fullmatch(value):
        raise BadKeys(f"{name} is not base64url")
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except ValueError:  # a length no encoding makes: 4n + 1 characters
        raise BadKeys(f"{name} is not base64url") from None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback_literal(host: str) -> bool:
    return _is_address(host) and ipaddress.ip_address(host).is_loopback


def default_key_path(site_dir: str | Path) -> Path:
    """`.<site>-vapid.pem` beside SITE_DIR."""
    site = Path(site_dir).absolute()
    return site.parent / f".{site.name}-vapid.pem"


def load_or_create_key(path: str | Path) -> Vapid02:
    """The VAPID private key in path, made on first use into a file only its owner can read.
    Replicas starting together make one key: the first to create the file writes it."""
    path = Path(path)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process is writing it
            if path.stat().st_size:
                return Vapid02.from_file(str(path))
            time.sleep(0.02)
        return Vapid02.from_file(str(path))
    vapid = Vapid02()
    vapid.generate_keys()
    with os.fdopen(descriptor, "wb") as file:
        file.write(vapid.private_pem())
    return vapid


def public_key(vapid: Vapid02) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point, base64url."""
    point = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


def check_contact(contact: str) -> None:
    """Raises ValueError unless contact can be VAPID's "sub", a mailto: or https: URL: py_vapid
    would refuse to sign every message, and every endpoint would look as if it failed."""
    if not isinstance(contact, str) or not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+|https://[^\s/]+\S*", contact):
        raise ValueError(f"PUSH_CONTACT {contact!r} is not a mailto: or https: URL")


# -- sending --------------------------------------------------------------------------------------

class Outcome(enum.Enum):
    DELIVERED = "delivered"  # the push service took the message (2xx)
    GONE = "gone"  # 404, 410: the browser unsubscribed; the endpoint is removed
    RETRY = "retry later"  # any other answer (429, 5xx, a redirect, ...) or no connection
    REFUSED = "refused"  # endpoint, keys or address against the rules: nothing was sent
    TIMED_OUT = "timed out"  # no whole answer before the deadline


class Delivery(NamedTuple):
    outcome: Outcome
    reason: str  # for the log: the status, or what was wrong


Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address host has now, as connecting would use them."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def checked_address(host: str, port: int, allow_loopback: bool, resolver: Resolver = resolve) -> str:
    """The address to connect to: host's first, when none of them is off the public Internet
    (loopback, private, shared, link-local, multicast, reserved, unspecified); loopback is
    allowed only for an http endpoint under PUSH_ALLOW_HTTP_ENDPOINTS. Raises RefusedEndpoint."""
    try:
        addresses = resolver(host, port)
    except OSError as error:
        raise RefusedEndpoint(f"{host} does not resolve: {error}") from None
    if not addresses:
        raise RefusedEndpoint(f"{host} has no address")
    for text in addresses:
        address = ipaddress.ip_address(text.partition("%")[0])  # an IPv6 scope is no part of it
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address.is_loopback and allow_loopback:
            continue
        if address.is_multicast or not address.is_global:
            raise RefusedEndpoint(f"{host} resolves to {address}, not a public address")
    return addresses[0]


def send(endpoint: str, p256dh: str, auth: str, payload: dict, vapid: Vapid02, contact: str, ttl: int,
         policy: EndpointPolicy, timeout: float, resolver: Resolver = resolve) -> Delivery:
    """Sends one message; never raises for what this one endpoint or its keys do. Refused
    before any connection unless the endpoint, the keys and the address host resolves to now are
    within the rules; then connects to that address (no second lookup that could answer
    differently), follows no redirect, and gives up after timeout seconds in all."""
    deadline = time.monotonic() + timeout
    try:
        policy.check(endpoint)
        check_keys(p256dh, auth)
        parts = urlsplit(endpoint)
        secure = parts.scheme == "https"
        # policy.check lets http through only for a loopback address under PUSH_ALLOW_HTTP_ENDPOINTS
        address = checked_address(parts.hostname, parts.port or (443 if secure else 80), not secure, resolver)
        body = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}).encode(
            json.dumps(payload, ensure_ascii=False).encode())["body"]
        # the push service's origin, as it checks it: no default port
        origin = f"https://{parts.hostname}" if secure else f"http://{parts.netloc}"
        headers = {**vapid.sign({"aud": origin, "sub": contact,
                                 "exp": int(time.time()) + VAPID_VALIDITY}),
                   "TTL": str(ttl), "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream"}
    except (RefusedEndpoint, BadKeys) as error:
        return Delivery(Outcome.REFUSED, str(error))
    except Exception as error:  # pywebpush, http_ece or py_vapid refusing what passed the checks
        return Delivery(Outcome.REFUSED, f"cannot encrypt or sign: {error!r}")
    try:
        status, text = _post(parts, address, body, headers, deadline)
    except Exception as error:  # OSError, http.client's, ssl's: each is this endpoint's failure
        if time.monotonic() >= deadline:
            return Delivery(Outcome.TIMED_OUT, f"no answer in {timeout:g} s")
        return Delivery(Outcome.RETRY, f"no answer: {error!r}")
    if 200 <= status < 300:
        return Delivery(Outcome.DELIVERED, str(status))
    if status in (404, 410):
        return Delivery(Outcome.GONE, str(status))
    return Delivery(Outcome.RETRY, f"answered {status}: {text[:200].decode(errors='replace')}")


def _post(parts: SplitResult, address: str, body: bytes, headers: dict[str, str], deadline: float) -> tuple[int, bytes]:
    """POSTs body to address (https: TLS verified for the host name, sent as SNI) and returns the
    status and what came of the answer's body by the deadline, at most MAX_RESPONSE_BODY (the
    status decides; the body only says why, for the log). Socket timeouts bound each read, not a
    service that drips its answer a byte at a time; a timer shuts the connection at the deadline,
    whatever it is doing then."""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    remaining = max(deadline - time.monotonic(), 0.001)
    raw = socket.create_connection((address, port), remaining)
    # a descriptor of the deadline's own: shutting any one down ends the connection, and
    # http.client drops its reference when the answer says the connection closes after it
    handle = raw.dup()
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.001), _cut, (handle,))
    watchdog.start()
    try:
        if https:
            connection = http.client.HTTPSConnection(parts.hostname, port, timeout=remaining)
            connection.sock = _TLS.wrap_socket(raw, server_hostname=parts.hostname)
        else:  # loopback, checked: the host is the address
            connection = http.client.HTTPConnection(parts.hostname, port, timeout=remaining)
            connection.sock = raw
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
        response = connection.getresponse()
        text = response.read(MAX_RESPONSE_BODY)  # what a service drips beyond that is never waited for
        connection.close()
        return response.status, text
    finally:
        watchdog.cancel()
        handle.close()
        raw.close()


def _cut(handle: socket.socket) -> None:
    try:
        handle.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed already
        pass
