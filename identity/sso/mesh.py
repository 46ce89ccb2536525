"""The single sign-on mesh, derived from the replicated region registry.

Nothing here is configured by hand or stored per peer: every region computes the same
client ids, secrets and endpoints from the registry and the federation secret it already
shares, so a region that joins, moves or leaves changes the mesh everywhere as soon as its
registry change arrives.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.urls import reverse

from regions.models import Federation, Region

#: the allauth social provider (identity/sso/provider.py) every peer region is an app of
PROVIDER = "region"
SCOPES = ("openid", "profile")
_SECRET_CONTEXT = b"region-portal/sso/client-secret/v1\x00"


def provider_id(region: Region) -> str:
    """How this region names PEER as a provider: in URLs (/accounts/sso/region-2/login/)."""
    return f"region-{region.pk}"


def client_id(region: Region) -> str:
    """How every provider names REGION as its client."""
    return f"region-{region.uuid}"


def federation_secret() -> str | None:
    return Federation.objects.filter(pk=1).values_list("secret", flat=True).first()


def client_secret(region: Region, *, secret: str | None = None) -> str:
    """REGION's client secret, the same wherever it is computed; never stored in clear."""
    secret = secret if secret is not None else federation_secret()
    if not secret:
        raise LookupError("This region has no federation secret yet.")
    message = _SECRET_CONTEXT + str(region.uuid).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def callback_url(*, client: Region, provider: Region) -> str:
    """Where PROVIDER sends CLIENT's users back to: the only redirect it will accept."""
    path = reverse("region_callback", kwargs={"provider_id": provider_id(provider)})
    return f"{client.endpoint.rstrip('/')}{path}"


def login_url(*, client: Region, provider: Region) -> str:
    """Where a switch from PROVIDER to CLIENT starts, on CLIENT."""
    path = reverse("region_login", kwargs={"provider_id": provider_id(provider)})
    return f"{client.endpoint.rstrip('/')}{path}"


def provider_configuration(provider: Region) -> dict[str, Any]:
    """PROVIDER's OpenID configuration, known without fetching its discovery document.

    Every region runs the same code, so the paths are ours and the public URL is the one in
    the registry, never a Host header.
    """
    base = provider.endpoint.rstrip("/")
    return {
        "issuer": base,
        "authorization_endpoint": base + reverse("idp:oidc:authorization"),
        "token_endpoint": base + reverse("idp:oidc:token"),
        "userinfo_endpoint": base + reverse("idp:oidc:userinfo"),
        "jwks_uri": base + reverse("idp:oidc:jwks"),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
    }


def peer_from_provider_id(value: str) -> Region | None:
    """The non-local region PROVIDER_ID names, or None (a tampered or removed one)."""
    prefix = "region-"
    digits = value[len(prefix) :]
    # ASCII digits in provider_id's own form: str.isdigit() also takes '²' (int() fails on it)
    # and other scripts' digits, and int() takes leading zeros.
    if not value.startswith(prefix) or not (digits.isascii() and digits.isdigit()):
        return None
    if digits != str(int(digits)):
        return None
    return Region.objects.filter(pk=int(digits), is_local=False).first()
