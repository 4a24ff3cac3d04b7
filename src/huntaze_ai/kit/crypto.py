"""Encryption at rest for third-party secrets (platform access tokens), keyed from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str) -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; derive them so operators manage one secret, not two.
    digest = hashlib.sha256(b"huntaze-ai/oauth-tokens/" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret_key: str, plaintext: str) -> bytes:
    return _fernet(secret_key).encrypt(plaintext.encode())


def decrypt(secret_key: str, ciphertext: bytes) -> str | None:
    """None when the value was encrypted under another key (rotated SECRET_KEY) or is corrupt."""
    try:
        return _fernet(secret_key).decrypt(ciphertext).decode()
    except InvalidToken:
        return None
