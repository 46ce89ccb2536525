"""Signed peer requests: a genuine signature holds; anything altered, stale or replayed fails."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from cryptography.fernet import InvalidToken
from django.utils import timezone

from regions.federation.peer import sealing, signing
from regions.federation.services import federation_ensure
from regions.models import Federation, PeerNonce

SECRET = "federation-secret-for-tests"
PATH = "/api/peer/changes/?after=10&limit=100"
BODY = b'{"hello":"peer"}'


def signed(*, method="GET", path=PATH, body=BODY, secret=SECRET, region_id=2):
    return signing.sign(secret=secret, region_id=region_id, method=method, path=path, body=body)


def verify(headers, *, method="GET", path=PATH, body=BODY, secret=SECRET):
    return signing.verify(method=method, path=path, headers=headers, body=body, secret=secret)


def handmade(*, timestamp: int, nonce: str = "a1b2c3d4e5f60718", method="GET", path=PATH):
    """Headers with a genuine signature over a chosen timestamp and nonce."""
    message = signing._canonical(method, path, "2", str(timestamp), nonce, BODY)
    return {
        signing.REGION_HEADER: "2",
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.NONCE_HEADER: nonce,
        signing.SIGNATURE_HEADER: signing._mac(SECRET, message),
    }


def test_a_changed_sender_id_breaks_the_signature(db):
    headers = signed(region_id=2)
    headers[signing.REGION_HEADER] = "3"
    with pytest.raises(signing.PeerAuthError):
        verify(headers)


def test_a_genuine_signature_verifies_and_names_the_sender(db):
    headers = signed(region_id=7)
    assert set(headers) == {
        signing.REGION_HEADER,
        signing.TIMESTAMP_HEADER,
        signing.NONCE_HEADER,
        signing.SIGNATURE_HEADER,
    }
    assert verify(headers) == 7
    assert PeerNonce.objects.filter(nonce=headers[signing.NONCE_HEADER]).exists()


def test_every_request_gets_its_own_nonce(db):
    first, second = signed(), signed()
    assert first[signing.NONCE_HEADER] != second[signing.NONCE_HEADER]
    assert verify(first) == verify(second) == 2


def test_the_method_name_is_case_insensitive_but_part_of_the_signature(db):
    assert verify(signed(method="post"), method="POST") == 2
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        verify(signed(method="GET"), method="POST")


def test_a_wrong_secret_is_refused(db):
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        verify(signed(secret="another-cloud"))
    assert not PeerNonce.objects.exists()


@pytest.mark.parametrize(
    "tampered",
    [
        {"body": b'{"hello":"peer!"}'},
        {"body": b""},
        {"path": "/api/peer/changes/?after=0&limit=100"},
        {"path": "/api/peer/changes/?after=10&limit=1000"},
        {"path": "/api/peer/changes/?limit=100&after=10"},
        {"path": "/api/peer/changes/"},
        {"path": "/api/peer/snapshot/?after=10&limit=100"},
        {"method": "POST"},
    ],
)
def test_a_tampered_request_is_refused_and_burns_no_nonce(db, tampered):
    headers = signed()
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        verify(headers, **tampered)
    assert not PeerNonce.objects.exists()
    assert verify(headers) == 2  # the genuine request still goes through


def test_a_tampered_signature_or_timestamp_is_refused(db):
    headers = signed()
    forged = headers | {signing.SIGNATURE_HEADER: headers[signing.SIGNATURE_HEADER][::-1]}
    with pytest.raises(signing.PeerAuthError):
        verify(forged)
    later = headers | {signing.TIMESTAMP_HEADER: str(int(headers[signing.TIMESTAMP_HEADER]) + 1)}
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        verify(later)
    other_nonce = headers | {signing.NONCE_HEADER: "f" * 32}
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        verify(other_nonce)


def test_timestamps_inside_the_window_pass(db):
    now = int(time.time())
    assert verify(handmade(timestamp=now - signing.MAX_SKEW + 10, nonce="aaaaaaaa1")) == 2
    assert verify(handmade(timestamp=now + signing.MAX_SKEW - 10, nonce="aaaaaaaa2")) == 2


@pytest.mark.parametrize("offset", [-(signing.MAX_SKEW + 5), signing.MAX_SKEW + 5, -86_400])
def test_an_old_or_future_timestamp_is_refused(db, offset):
    headers = handmade(timestamp=int(time.time()) + offset)
    with pytest.raises(signing.PeerAuthError, match="window"):
        verify(headers)
    assert not PeerNonce.objects.exists()


def test_a_reused_nonce_is_refused(db):
    headers = signed()
    assert verify(headers) == 2
    with pytest.raises(signing.PeerAuthError, match="replayed"):
        verify(headers)
    # Also when the replay is re-signed for another path with the same nonce.
    nonce = headers[signing.NONCE_HEADER]
    again = handmade(timestamp=int(time.time()), nonce=nonce, path="/api/peer/snapshot/")
    with pytest.raises(signing.PeerAuthError, match="replayed"):
        verify(again, path="/api/peer/snapshot/")
    assert PeerNonce.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        signing.REGION_HEADER,
        signing.TIMESTAMP_HEADER,
        signing.NONCE_HEADER,
        signing.SIGNATURE_HEADER,
    ],
)
def test_a_missing_header_is_refused(db, header):
    headers = signed()
    del headers[header]
    with pytest.raises(signing.PeerAuthError, match="missing or malformed"):
        verify(headers)
    assert not PeerNonce.objects.exists()


def test_no_headers_at_all_is_refused(db):
    with pytest.raises(signing.PeerAuthError):
        verify({})


@pytest.mark.parametrize(
    "nonce", ["short", "", "x" * 65, "abc-def-ghi", "abcd efgh", "abcdefgh\n", "../../etc/x"]
)
def test_a_malformed_nonce_is_refused(db, nonce):
    headers = handmade(timestamp=int(time.time()), nonce=nonce)
    with pytest.raises(signing.PeerAuthError, match="malformed nonce"):
        verify(headers)
    assert not PeerNonce.objects.exists()


def test_a_malformed_region_id_or_timestamp_is_refused(db):
    headers = signed()
    with pytest.raises(signing.PeerAuthError, match="missing or malformed"):
        verify(headers | {signing.REGION_HEADER: "west"})
    with pytest.raises(signing.PeerAuthError, match="malformed timestamp"):
        verify(headers | {signing.TIMESTAMP_HEADER: "yesterday"})


def test_the_federation_secret_signs_when_none_is_given(db):
    with pytest.raises(signing.PeerAuthError, match="no federation secret"):
        signing.federation_secret()
    secret = federation_ensure().secret
    headers = signed(secret=secret)
    assert signing.verify(method="GET", path=PATH, headers=headers, body=BODY) == 2
    with pytest.raises(signing.PeerAuthError, match="bad signature"):
        signing.verify(method="GET", path=PATH, headers=signed(), body=BODY)


def test_old_nonces_are_purged_recent_ones_kept(db):
    now = timezone.now()
    PeerNonce.objects.create(nonce="old00000", seen_at=now - timedelta(seconds=3 * 300))
    PeerNonce.objects.create(nonce="new00000", seen_at=now - timedelta(seconds=30))
    assert signing.nonces_purge() == 1
    assert list(PeerNonce.objects.values_list("nonce", flat=True)) == ["new00000"]


def test_sealed_secrets_open_only_with_the_same_federation_secret(db):
    federation_ensure()
    token = sealing.seal("api-secret")
    assert "api-secret" not in token
    assert sealing.unseal(token) == "api-secret"
    assert sealing.seal("api-secret") != token  # fresh IV every time
    Federation.objects.filter(pk=1).update(secret="another-cloud")
    with pytest.raises(InvalidToken):
        sealing.unseal(token)
