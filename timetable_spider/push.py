"""Web Push (RFC 8030) with VAPID (RFC 8292): the server's key pair, and one message sent,
encrypted as RFC 8291 aes128gcm by pywebpush."""
from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush


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


def send(endpoint: str, p256dh: str, auth: str, payload: dict, vapid: Vapid02, contact: str, ttl: int,
         session: requests.Session | None = None) -> int | None:
    """The push service's status code (201 accepted; 404 and 410: the endpoint is gone; 429 and
    5xx: try again later), or None when it could not be reached. A session keeps connections to
    the push services open from one message to the next."""
    try:
        response = webpush({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
                           json.dumps(payload, ensure_ascii=False), vapid_private_key=vapid,
                           vapid_claims={"sub": contact}, ttl=ttl, timeout=10, requests_session=session)
    except WebPushException as error:
        return error.response.status_code if error.response is not None else None
    except requests.RequestException:
        return None
    return response.status_code
