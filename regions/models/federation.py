"""How this region is linked to its peers: the federation secret, per-peer cursors and
health, one-time join tokens, and the nonces that make peer requests replay-proof."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from portal.declarations import Audience, Menu, Scope, declare


class Federation(models.Model):
    """One row: the cloud-wide secret that signs peer traffic, and whether we replicate."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    secret = models.CharField(max_length=128)
    replication_enabled = models.BooleanField(
        default=True,
        help_text="Off: nothing is sent to or pulled from peers; changes are still published "
        "as events for operators' own sync tools.",
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "federation"


declare(
    Federation,
    scope=Scope.REGION,
    audience=Audience.ROOT,
    menu=Menu("Federation", "regions:federation", order=90),
    secret_fields=("secret",),
)


class PeerLink(models.Model):
    """This region's view of one peer: how far each side has pulled, and its health."""

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, primary_key=True, related_name="link"
    )
    pulled_seq = models.BigIntegerField(default=0, help_text="Their feed, applied here up to.")
    acked_seq = models.BigIntegerField(default=0, help_text="Our feed, pulled by them up to.")
    reachable = models.BooleanField(default=False)
    last_contact = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    drained_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a pull last read their feed to its end: everything they had committed "
        "before then is here.",
    )

    def __str__(self) -> str:
        return f"link to region {self.region_id}"


# Cursors and health, moved by every replication round: no change an operator made.
declare(PeerLink, scope=Scope.REGION, audience=Audience.ROOT, logged=False)


class JoinToken(models.Model):
    """A one-time, expiring token with which a new region joins through this one.

    Only a hash is stored; the token itself is shown once, to the admin who made it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by_region = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"join token {self.id}"


declare(JoinToken, scope=Scope.REGION, audience=Audience.ROOT, secret_fields=("token_hash",))


class PeerNonce(models.Model):
    """A nonce seen on a signed peer request; a second request with it is a replay."""

    nonce = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce


declare(PeerNonce, scope=Scope.REGION, audience=Audience.SYSTEM)
