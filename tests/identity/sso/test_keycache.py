"""allauth's key loading goes through the per-process cache (an allauth upgrade that moves
the function would show here first)."""

from __future__ import annotations

from allauth.core.internal import jwkkit

from identity.crypto import secret_decrypt
from identity.sso import keycache
from identity.sso.services import signing_key_ensure


def test_allauth_loads_keys_through_the_cache(region):
    assert jwkkit.load_jwk_from_pem is keycache.load_jwk_from_pem
    pem = secret_decrypt(signing_key_ensure().private_key_encrypted)
    keycache._cached.cache_clear()
    first_jwk, first_key = jwkkit.load_jwk_from_pem(pem)
    second_jwk, second_key = jwkkit.load_jwk_from_pem(pem)
    assert keycache._cached.cache_info().hits == 1
    assert second_key is first_key  # loaded (and checked) once
    assert first_jwk == second_jwk and first_jwk["kid"] == signing_key_ensure().kid
    first_jwk["kid"] = "changed by a caller"
    assert jwkkit.load_jwk_from_pem(pem)[0]["kid"] == signing_key_ensure().kid
