"""user_password_change: your own password only with the current one; admins set others'."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from identity.services import user_password_change
from tests.factories import PASSWORD


def test_your_own_password_needs_the_current_one(alice):
    for current in (None, "", "wrong-password-1"):
        with pytest.raises(ValidationError) as refused:
            user_password_change(
                user=alice, password="a-new-passphrase-8", current_password=current, by=alice
            )
        assert "current_password" in refused.value.message_dict
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    user_password_change(
        user=alice, password="a-new-passphrase-8", current_password=PASSWORD, by=alice
    )
    alice.refresh_from_db()
    assert alice.check_password("a-new-passphrase-8")


def test_an_admin_sets_another_users_password_without_it(alice, dadmin):
    user_password_change(
        user=alice, password="a-new-passphrase-8", current_password=None, by=dadmin
    )
    alice.refresh_from_db()
    assert alice.check_password("a-new-passphrase-8")


def test_the_new_password_still_passes_the_rules(alice):
    with pytest.raises(ValidationError) as refused:
        user_password_change(user=alice, password="123", current_password=PASSWORD, by=alice)
    assert "password" in refused.value.message_dict
