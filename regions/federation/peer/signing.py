"""HMAC signatures on peer requests, replay-proof.

The signature covers method, path with query, the sender's region id, timestamp, nonce and
the SHA-256 of the body,
keyed with the federation secret. A request older (or newer) than MAX_SKEW seconds, or one
whose nonce was seen before, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.concurrency import commit_without_flush
from regions.models import Federation, PeerNonce

MAX_SKEW = 300
REGION_HEADER = "X-Region-Id"
TIMESTAMP_HEADER = "X-Region-Timestamp"
NONCE_HEADER = "X-Region-Nonce"
SIGNATURE_HEADER = "X-Region-Signature"


class PeerAuthError(Exception):
    """The request is not from a region of this cloud (or is a replay)."""


def federation_secret() -> str:
    federation = Federation.objects.filter(pk=1).first()
    if federation is None:
        raise PeerAuthError("this region has no federation secret yet")
    return federation.secret


def _canonical(
    method: str, path: str, region_id: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, region_id, timestamp, nonce, digest]).encode()


def _mac(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def sign(
    *, secret: str, region_id: int, method: str, path: str, body: bytes = b""
) -> dict[str, str]:
    """Headers for a request from REGION_ID; PATH includes the query string."""
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    return {
        REGION_HEADER: str(region_id),
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: _mac(
            secret, _canonical(method, path, str(region_id), timestamp, nonce, body)
        ),
    }


def verify(
    *, method: str, path: str, headers: dict[str, str], body: bytes, secret: str | None = None
) -> int:
    """The sender's region id if the signature holds; PeerAuthError otherwise."""
    try:
        region_id = int(headers[REGION_HEADER])
        timestamp = headers[TIMESTAMP_HEADER]
        nonce = headers[NONCE_HEADER]
        signature = headers[SIGNATURE_HEADER]
    except (KeyError, ValueError) as error:
        raise PeerAuthError("missing or malformed signature headers") from error
    if not (8 <= len(nonce) <= 64) or not nonce.isalnum():
        raise PeerAuthError("malformed nonce")
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError as error:
        raise PeerAuthError("malformed timestamp") from error
    if skew > MAX_SKEW:
        raise PeerAuthError("timestamp outside the allowed window")
    expected = _mac(
        secret or federation_secret(),
        _canonical(method, path, str(region_id), timestamp, nonce, body),
    )
    if not hmac.compare_digest(expected, signature):
        raise PeerAuthError("bad signature")
    try:
        with transaction.atomic():
            # A crash can forget the nonces of its last fraction of a second (whole
            # transactions): a replay still needs a captured request, sent again within
            # MAX_SKEW of its signing with the crash in between. Every peer call waited
            # for a WAL sync here.
            commit_without_flush()
            PeerNonce.objects.create(nonce=nonce, seen_at=timezone.now())
    except IntegrityError as error:
        raise PeerAuthError("replayed request") from error
    return region_id


def nonces_purge() -> int:
    """Forget nonces older than twice the window: their timestamps are refused anyway."""
    cutoff = timezone.now() - timedelta(seconds=2 * MAX_SKEW)
    deleted, _ = PeerNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
