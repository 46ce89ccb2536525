"""Sealing secrets for the journey between regions.

Each region encrypts secrets at rest under its own key, so a stored ciphertext means
nothing elsewhere. In a change payload a secret travels sealed under a key derived from the
federation secret, which every region of the cloud holds; the receiver re-encrypts it under
its own key. Peer traffic is also signed, and should run over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet

from regions.federation.services import federation_ensure

_CONTEXT = b"region-portal/replication/sealed-secret/v1\x00"


def _fernet() -> Fernet:
    """The key derived from the federation secret (a lone region makes its secret now)."""
    digest = hashlib.sha256(_CONTEXT + federation_ensure().secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def unseal(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode()
