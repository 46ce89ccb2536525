"""Encryption at rest for secrets the portal must read back (API secret keys).

Passwords are hashed, but an API secret key signs requests, so the portal needs it in the
clear to check a signature. It is stored encrypted with Fernet (AES-128-CBC plus
HMAC-SHA256) under a key derived from settings.PORTAL_ENCRYPTION_KEY. That setting may list
several comma-separated keys: the first encrypts, every one decrypts, so a key can be
rotated without losing the secrets already stored.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt"]

_CONTEXT = b"region-portal/identity/secret-at-rest/v1\x00"


def _fernet_key(material: str) -> bytes:
    """A Fernet key from any string: a passphrase or SECRET_KEY is not one as it stands."""
    return base64.urlsafe_b64encode(hashlib.sha256(_CONTEXT + material.encode()).digest())


@functools.cache
def _cipher(materials: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(m)) for m in materials])


def _current() -> MultiFernet:
    materials = tuple(
        m.strip() for m in str(settings.PORTAL_ENCRYPTION_KEY).split(",") if m.strip()
    )
    if not materials:
        raise ValueError("PORTAL_ENCRYPTION_KEY is empty.")
    return _cipher(materials)


def secret_encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode("ascii")


def secret_decrypt(token: str) -> str:
    """The plaintext of TOKEN; raises InvalidToken when no configured key opens it."""
    return _current().decrypt(token.encode("ascii")).decode()
