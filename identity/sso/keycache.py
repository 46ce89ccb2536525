"""Loaded signing keys, kept per process.

allauth loads the PEM of a signing key on every ID token it signs and every JWKS it serves;
cryptography's RSA key check makes each load cost 15 to 40 ms here, the largest single
part of a region switch. A key's PEM never changes, so its loaded form is kept (up to a few
keys, enough for rotation); the check still runs once per key and process.
"""

from __future__ import annotations

import functools
from typing import Any

from allauth.core.internal import jwkkit

_load = jwkkit.load_jwk_from_pem


@functools.lru_cache(maxsize=8)
def _cached(pem: str) -> tuple[dict[str, Any], Any]:
    return _load(pem)


def load_jwk_from_pem(pem: str) -> tuple[dict[str, Any], Any]:
    jwk, key = _cached(pem)
    return dict(jwk), key


def install() -> None:
    """Route allauth's key loading through the cache (its callers look it up at call time)."""
    jwkkit.load_jwk_from_pem = load_jwk_from_pem
