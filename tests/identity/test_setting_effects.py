"""Global settings that change what the portal does: session idle timeout, the defaults a
new account form offers, and whether users may have and use API keys."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from identity.models import AccountType
from identity.services import user_keys_register
from regions.configuration.services import setting_update
from tests.cloudstack.conftest import sign


def test_session_idle_timeout_follows_the_setting(alice_client, alice):
    alice_client.get("/")
    assert alice_client.session.get_expiry_age() == 30 * 60  # the default, 30 minutes
    setting_update(name="session.timeout", value=5, by=None)
    alice_client.get("/")
    assert alice_client.session.get_expiry_age() == 5 * 60


def test_new_account_form_offers_the_default_domain_and_type(root_client, eng):
    setting_update(name="account.default.domain", value="ROOT/eng", by=None)
    setting_update(name="account.default.type", value="domain-admin", by=None)
    form = root_client.get("/identity/accounts/add/").context["form"]
    assert form.fields["domain"].initial == eng
    assert form.fields["type"].initial == AccountType.DOMAIN_ADMIN


def test_without_api_key_access_users_get_no_keys_but_root_admins_do(alice, root):
    setting_update(name="api.key.access", value=False, by=None)
    with pytest.raises(ValidationError) as refused:
        user_keys_register(user=alice, by=alice)
    assert "user" in refused.value.message_dict
    assert not alice.api_keys.exists()
    assert user_keys_register(user=root, by=root).api_key


def test_turning_api_key_access_off_stops_existing_user_keys(alice, region):
    pair = user_keys_register(user=alice, by=None)
    params = {"command": "listZones", "response": "json", "apikey": pair.api_key}
    client = Client()
    assert client.get("/client/api", sign(dict(params), pair.secret_key)).status_code == 200
    setting_update(name="api.key.access", value=False, by=None)
    assert client.get("/client/api", sign(dict(params), pair.secret_key)).status_code == 401
