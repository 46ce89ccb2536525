"""Every write of single sign-on: remembered regions, global sign-out, signing keys and the
OIDC client registrations derived from the region registry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from allauth.core.internal import jwkkit
from allauth.idp.oidc.models import Client
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from identity.crypto import secret_encrypt
from identity.models import User
from identity.sso import mesh
from identity.sso.hashers import ClientSecretHasher
from identity.sso.models import GlobalSignOut, RegionChoice, SigningKey
from regions.models import Region
from regions.selectors import region_local

#: how long a retired signing key stays published: ID tokens live a minute, JWKS caches
#: five; a day leaves room for clocks and caches of every kind
RETIRED_KEY_PUBLISHED = timedelta(days=1)


@transaction.atomic
def region_choose(*, user: User, region: Region) -> RegionChoice:
    """Remember REGION as USER's region; written (and replicated) only when it changes."""
    choice = RegionChoice.objects.select_for_update().filter(pk=user.pk).first()
    if choice is None:
        return RegionChoice.objects.create(id=user.pk, user=user, region=region)
    if choice.region_id != region.pk:
        choice.region = region
        choice.save(update_fields=["region", "updated"])
    return choice


@transaction.atomic
def user_sign_out_everywhere(*, user: User, at: datetime | None = None) -> GlobalSignOut:
    """End every session USER has in every region, as each region learns of it."""
    at = at or timezone.now()
    record, created = GlobalSignOut.objects.select_for_update().get_or_create(
        id=user.pk, defaults={"user": user, "at": at}
    )
    if not created and record.at < at:
        record.at = at
        record.save(update_fields=["at", "updated"])
    return record


def signing_key_create(*, using: str = "default") -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk, _ = jwkkit.load_jwk_from_pem(pem)  # the kid allauth publishes: an RFC 7638 thumbprint
    return SigningKey.objects.using(using).create(
        kid=jwk["kid"], private_key_encrypted=secret_encrypt(pem), not_before=timezone.now()
    )


def signing_key_ensure(*, using: str = "default") -> SigningKey:
    """This region's signing key, made on first use."""
    now = timezone.now()
    current = (
        SigningKey.objects.using(using)
        .filter(not_before__lte=now)
        .exclude(expires_at__lte=now)
        .order_by("-not_before")
        .first()
    )
    return current or signing_key_create(using=using)


def signing_key_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver (SsoConfig.ready): every region has a signing key from its first
    migrate on; rotation adds more."""
    signing_key_ensure(using=using)


@transaction.atomic
def signing_key_rotate(*, retire_after: timedelta = RETIRED_KEY_PUBLISHED) -> SigningKey:
    """A new key signs from now on; older ones stay published for RETIRE_AFTER, then go."""
    now = timezone.now()
    SigningKey.objects.filter(expires_at__lte=now).delete()
    SigningKey.objects.filter(expires_at__isnull=True).update(expires_at=now + retire_after)
    return signing_key_create()


def _desired_clients(local: Region, peers: list[Region], secret: str) -> dict[str, dict]:
    return {
        mesh.client_id(peer): {
            "name": f"{peer.name} (region {peer.pk})"[:100],
            "secret": mesh.client_secret(peer, secret=secret),
            "redirect_uris": mesh.callback_url(client=peer, provider=local),
        }
        for peer in peers
    }


def sso_clients_sync() -> int:
    """Make this region's OIDC client registrations match the region registry.

    One client per peer region, its secret derived from the federation secret (stored
    hashed, with a hasher fit for random secrets), its only redirect URI the peer's
    registered endpoint. Run before every authorization, so a region that joined, moved or
    left is right at once; a few small queries when nothing changed. Returns the number of
    registrations written or removed.
    """
    local = region_local()
    secret = mesh.federation_secret()
    peers = list(Region.objects.filter(is_local=False).order_by("pk"))
    desired = _desired_clients(local, peers, secret) if local and secret else {}
    written = 0
    with transaction.atomic():
        stale = Client.objects.filter(id__startswith="region-").exclude(id__in=list(desired))
        written += stale.delete()[0]
        existing = {c.id: c for c in Client.objects.filter(id__in=list(desired))}
        for client_id, values in desired.items():
            client = existing.get(client_id)
            if client is None:
                client = Client(id=client_id, secret="")  # no throwaway default secret
            elif (
                client.name == values["name"]
                and client.redirect_uris == values["redirect_uris"]
                and client.check_secret(values["secret"])
            ):
                continue
            client.name = values["name"]
            client.secret = make_password(values["secret"], hasher=ClientSecretHasher.algorithm)
            client.type = Client.Type.CONFIDENTIAL
            client.scopes = "\n".join(mesh.SCOPES)
            client.default_scopes = "\n".join(mesh.SCOPES)
            client.grant_types = Client.GrantType.AUTHORIZATION_CODE
            client.response_types = "code"
            client.redirect_uris = values["redirect_uris"]
            client.skip_consent = True
            try:
                with transaction.atomic():
                    client.save()
            except IntegrityError:
                continue  # a concurrent sync made the same registration first
            written += 1
    return written
