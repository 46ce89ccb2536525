"""API key pairs: one per user, the secret encrypted at rest, and who may see or change it."""

from __future__ import annotations

import pytest
from cryptography.fernet import InvalidToken
from django.core.exceptions import PermissionDenied

from identity import crypto
from identity.models import ApiKey
from identity.selectors import api_key_lookup, api_key_secret, root_domain
from identity.services import user_keys_register, user_keys_reveal, user_keys_revoke
from regions.federation.services import federation_ensure
from tests import factories


@pytest.fixture
def region(db):
    """As region_setup leaves it: with the federation secret key pairs replicate under."""
    local = factories.local_region()
    federation_ensure()
    return local


def test_a_pair_is_stored_with_its_secret_encrypted(alice):
    pair = user_keys_register(user=alice, by=alice)
    record = ApiKey.objects.get(user=alice)
    assert record.api_key == pair.api_key
    assert pair.secret_key not in record.secret_key_encrypted
    assert crypto.secret_decrypt(record.secret_key_encrypted) == pair.secret_key
    assert api_key_secret(api_key=pair.api_key) == pair.secret_key
    assert api_key_lookup(api_key=pair.api_key).user == alice
    assert api_key_secret(api_key="unknown") is None


def test_registering_again_replaces_the_pair(alice):
    first = user_keys_register(user=alice, by=None)
    second = user_keys_register(user=alice, by=None)
    assert first.api_key != second.api_key and first.secret_key != second.secret_key
    assert list(ApiKey.objects.filter(user=alice).values_list("api_key", flat=True)) == [
        second.api_key
    ]
    assert api_key_secret(api_key=first.api_key) is None


def test_revoking_removes_the_pair(alice):
    user_keys_register(user=alice, by=None)
    assert user_keys_revoke(user=alice, by=alice) == 1
    assert user_keys_revoke(user=alice, by=alice) == 0
    assert not ApiKey.objects.filter(user=alice).exists()


def test_reveal_gives_the_current_pair_or_none(alice, root):
    assert user_keys_reveal(user=alice, by=root) is None
    pair = user_keys_register(user=alice, by=root)
    assert user_keys_reveal(user=alice, by=alice) == (pair.api_key, pair.secret_key)


def test_only_whoever_may_change_the_user_handles_their_keys(alice, bob, dadmin, root):
    assert user_keys_register(user=alice, by=dadmin).api_key  # alice is below dadmin's domain
    for call in (user_keys_register, user_keys_reveal, user_keys_revoke):
        with pytest.raises(PermissionDenied):
            call(user=bob, by=alice)
    root_domain_admin = factories.domain_admin(domain=root_domain())
    with pytest.raises(PermissionDenied):
        user_keys_register(user=root, by=root_domain_admin)
    assert not ApiKey.objects.filter(user__in=[bob, root]).exists()


def test_deleting_a_user_deletes_their_pair(alice, root):
    from identity.services import user_delete

    pair = user_keys_register(user=alice, by=None)
    user_delete(user=alice, by=root)
    assert api_key_secret(api_key=pair.api_key) is None


def test_a_rotated_encryption_key_still_opens_old_secrets(settings):
    settings.PORTAL_ENCRYPTION_KEY = "old-key"
    token = crypto.secret_encrypt("the secret")
    settings.PORTAL_ENCRYPTION_KEY = "new-key, old-key"
    assert crypto.secret_decrypt(token) == "the secret"
    fresh = crypto.secret_encrypt("the secret")
    settings.PORTAL_ENCRYPTION_KEY = "new-key"
    assert crypto.secret_decrypt(fresh) == "the secret"
    with pytest.raises(InvalidToken):
        crypto.secret_decrypt(token)
