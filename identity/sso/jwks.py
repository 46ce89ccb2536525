"""ID tokens from sibling regions, verified against their published keys.

A region's JWKS is cached for a few minutes; a token signed with a key not in the cached
set (the provider rotated) refetches it once, so rotation needs no coordination.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import requests
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.cache import cache

JWKS_CACHE_SECONDS = 300
#: clock skew tolerated between regions for `iat` and `exp` (ID tokens live 60 s)
LEEWAY_SECONDS = 30
FETCH_TIMEOUT = 5


def _fetch(jwks_uri: str) -> dict[str, Any]:
    response = requests.get(jwks_uri, timeout=FETCH_TIMEOUT)
    response.raise_for_status()
    keys = response.json()
    cache.set(_key(jwks_uri), keys, JWKS_CACHE_SECONDS)
    return keys


def _key(jwks_uri: str) -> str:
    return f"sso-jwks:{jwks_uri}"


def _public_key(keys: dict[str, Any], kid: str) -> Any | None:
    for jwk in keys.get("keys", []):
        if jwk.get("kid") == kid and jwk.get("kty") == "RSA":
            return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    return None


def id_token_verify(token: str, *, jwks_uri: str, issuer: str, audience: str) -> dict[str, Any]:
    """The claims of TOKEN; raises OAuth2Error unless signature, issuer, audience and
    expiry all check out."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"Malformed ID token: {error}") from error
    if header.get("alg") != "RS256":
        raise OAuth2Error(f"Unexpected ID token algorithm {header.get('alg')!r}.")
    kid = str(header.get("kid", ""))
    keys = cache.get(_key(jwks_uri))
    key = _public_key(keys, kid) if keys else None
    if key is None:
        key = _public_key(_fetch(jwks_uri), kid)
    if key is None:
        raise OAuth2Error(f"The ID token's key {kid!r} is not published by {issuer}.")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"Invalid ID token: {error}") from error
