"""The client-secret hasher: fast salted SHA-256 for random secrets, never for passwords."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings
from django.contrib.auth.hashers import (
    check_password,
    get_hasher,
    identify_hasher,
    is_password_usable,
    make_password,
)

from identity.sso.hashers import ClientSecretHasher
from tests import factories

SECRET = "f" * 64


def test_it_is_installed_but_never_the_default():
    assert "identity.sso.hashers.ClientSecretHasher" in settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] != "identity.sso.hashers.ClientSecretHasher"
    assert get_hasher("default").algorithm != "sso_client_sha256"
    assert isinstance(get_hasher("sso_client_sha256"), ClientSecretHasher)


def test_make_password_with_it_gives_algorithm_salt_and_hmac():
    encoded = make_password(SECRET, salt="abc123", hasher="sso_client_sha256")
    digest = hmac.new(b"abc123", SECRET.encode(), hashlib.sha256).hexdigest()
    assert encoded == f"sso_client_sha256$abc123${digest}"
    assert identify_hasher(encoded).algorithm == "sso_client_sha256"
    assert is_password_usable(encoded)


def test_a_random_salt_every_time_and_both_verify():
    first = make_password(SECRET, hasher="sso_client_sha256")
    second = make_password(SECRET, hasher="sso_client_sha256")
    assert first != second
    assert check_password(SECRET, first) and check_password(SECRET, second)


@pytest.mark.parametrize("attempt", ["", "F" * 64, "f" * 63, "f" * 65, SECRET + "\x00"])
def test_anything_but_the_secret_is_refused(attempt):
    encoded = make_password(SECRET, hasher="sso_client_sha256")
    assert not check_password(attempt, encoded)
    assert not get_hasher("sso_client_sha256").verify(attempt, encoded)


def test_a_tampered_digest_or_salt_is_refused():
    encoded = make_password(SECRET, salt="abc123", hasher="sso_client_sha256")
    algorithm, salt, digest = encoded.split("$")
    flipped = ("0" if digest[0] != "0" else "1") + digest[1:]
    assert not check_password(SECRET, f"{algorithm}${salt}${flipped}")
    assert not check_password(SECRET, f"{algorithm}$abc124${digest}")


def test_the_summary_masks_the_hash():
    encoded = make_password(SECRET, salt="abc123", hasher="sso_client_sha256")
    summary = get_hasher("sso_client_sha256").safe_summary(encoded)
    assert summary["algorithm"] == "sso_client_sha256"
    digest = encoded.split("$")[2]
    assert summary["hash"] != digest and summary["hash"].startswith(digest[:6])
    assert "*" in summary["hash"]


def test_decode_refuses_another_algorithms_hash():
    other = make_password(SECRET, salt="abc123", hasher="md5")
    with pytest.raises(AssertionError):
        get_hasher("sso_client_sha256").decode(other)


@pytest.mark.django_db
def test_no_password_is_ever_made_with_it(region):
    user = factories.user(password=factories.PASSWORD)
    assert not user.password.startswith("sso_client_sha256$")
    assert identify_hasher(user.password).algorithm == get_hasher("default").algorithm
