"""API key pairs: a user has at most one, as in CloudStack; registering again replaces it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from identity.crypto import secret_decrypt, secret_encrypt
from identity.models import ApiKey, User
from identity.permissions import Action, may_use_api_keys, require
from portal.concurrency import atomic_write
from portal.validation import invalid

# CloudStack makes both halves from a 64-byte HmacSHA1 key, URL-safe base64: 86 characters.
_KEY_BYTES = 64


@dataclass(frozen=True)
class KeyPair:
    """A freshly made pair; the only moment the secret exists outside the database."""

    api_key: str
    secret_key: str
    record: ApiKey


@atomic_write
def user_keys_register(*, user: User, by: User | None) -> KeyPair:
    """Give USER a new key pair, revoking the old one (clients using it stop working)."""
    require(by, Action.CHANGE, user)
    if not may_use_api_keys(user):
        raise invalid(
            "user",
            "API keys are turned off for users in this cloud (api.key.access).",
            "api_keys_off",
        )
    for old in user.api_keys.all():
        old.delete()  # one by one: each delete is a change to replicate
    api_key, secret_key = secrets.token_urlsafe(_KEY_BYTES), secrets.token_urlsafe(_KEY_BYTES)
    record = ApiKey.objects.create(
        user=user, api_key=api_key, secret_key_encrypted=secret_encrypt(secret_key)
    )
    return KeyPair(api_key=api_key, secret_key=secret_key, record=record)


@atomic_write
def user_keys_revoke(*, user: User, by: User | None) -> int:
    """Remove USER's key pair; returns how many were removed (0 when there was none)."""
    require(by, Action.CHANGE, user)
    removed = 0
    for old in user.api_keys.all():
        old.delete()
        removed += 1
    return removed


def user_keys_reveal(*, user: User, by: User | None) -> tuple[str, str] | None:
    """USER's (api_key, secret_key), or None without a pair. CloudStack's getUserKeys gives
    them to the user and to whoever administers them; here, whoever may change the user."""
    require(by, Action.CHANGE, user)
    record = user.api_keys.first()
    if record is None:
        return None
    return record.api_key, secret_decrypt(record.secret_key_encrypted)
