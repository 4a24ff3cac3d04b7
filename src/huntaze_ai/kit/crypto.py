"""Encryption at rest for third-party secrets (platform access tokens), keyed from SECRET_KEY;
and, under a key of its own per `purpose`, for what the pages' cookies carry: a secret a page
shows once after a redirect, a login's device cookie (auth/sessions.py)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

OAUTH_TOKENS = "oauth-tokens"


def _fernet(secret_key: str, purpose: str) -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; derive them so operators manage one secret, not two,
    # and one key per purpose, so a value made for one can never be read as the other.
    digest = hashlib.sha256(f"huntaze-ai/{purpose}/".encode() + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret_key: str, plaintext: str, purpose: str = OAUTH_TOKENS) -> bytes:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode())


def decrypt(
    secret_key: str, ciphertext: bytes, purpose: str = OAUTH_TOKENS, ttl: int | None = None
) -> str | None:
    """None when the value was encrypted under another key (rotated SECRET_KEY), for another
    purpose, more than `ttl` seconds ago, or is corrupt."""
    try:
        return _fernet(secret_key, purpose).decrypt(ciphertext, ttl=ttl).decode()
    except InvalidToken:
        return None
