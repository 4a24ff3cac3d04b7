"""The signature on every delivery (DESIGN §2.9):

    X-Huntaze-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

keyed by WEBHOOK_SECRET.
The timestamp is inside what is signed, so a receiver that also refuses old timestamps refuses a
replayed request; `verify` is what a Python receiver (and the tests) check it with.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Huntaze-Signature"
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def header_value(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """True when `header` signs `body` with `secret` within `tolerance_s` of `now`."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = signature(secret, body, timestamp)
    # Bytes: compare_digest refuses a non-ASCII str with a TypeError (a receiver's 500).
    return hmac.compare_digest(expected.encode(), parts.get("v1", "").encode("utf-8", "replace"))
