"""Who is asking, and what they sent: the client's address behind trusted proxies, the edit key,
and a JSON body, each checked where it enters."""
from __future__ import annotations

import ipaddress
import json
from typing import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BadBody(ValueError):
    """The body is not the JSON object asked for: 400, with this message."""


class TrustedProxies:
    """The proxies (nginx) whose X-Forwarded-For is believed, by address or network.

    Each proxy appends the address it was connected from to X-Forwarded-For, so reading it from
    the right, an entry is believed only while the one who wrote it is trusted: the client's
    address is the first one, from the right, that no trusted proxy has. What a client writes
    into the header itself stands to the left of that, and is never read."""

    def __init__(self, proxies: Iterable[str]):
        self.networks: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(p, strict=False) for p in proxies)

    def trusts(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        if parsed.version == 6 and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        return any(parsed in network for network in self.networks)

    def client_address(self, peer: str, forwarded: list[bytes]) -> str:
        hops = [hop.strip() for header in forwarded for hop in header.decode("latin-1").split(",")]
        client = peer
        while self.trusts(client) and hops:
            client = hops.pop()
        return client


def bearer_key(request) -> str:
    value = (request.getHeader(b"Authorization") or b"").decode("latin-1")
    scheme, _, key = value.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def json_object(request, max_body: int) -> dict:
    """The request's body as a JSON object. The server has refused a longer body before reading it."""
    body = request.content.read(max_body + 1) if request.content is not None else b""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise BadBody("the body must be JSON") from None
    if not isinstance(document, dict):
        raise BadBody("the body must be a JSON object")
    return document
