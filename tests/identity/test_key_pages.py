"""The user page shows the API key and generates a pair; the secret is shown once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from identity.models import ApiKey
from identity.selectors import api_key_secret, root_domain
from identity.services import user_keys_register
from regions.configuration.services import setting_update
from regions.federation.services import federation_ensure
from tests import factories


@pytest.fixture
def region(db):
    local = factories.local_region()
    federation_ensure()
    return local


def test_the_user_page_shows_the_api_key_and_the_generate_button(root_client, alice):
    pair = user_keys_register(user=alice, by=None)
    html = root_client.get(alice.get_absolute_url()).content.decode()
    assert pair.api_key in html
    assert pair.secret_key not in html
    assert reverse("identity:user_keys", args=[alice.pk]) in html
    assert "Generate API keys" in html


def test_without_api_key_access_a_user_is_not_offered_keys(alice_client, alice, root_client, root):
    """Issue #11, item 9: user_keys_register refuses keys for users (api.key.access), so
    their page does not offer the button, whoever looks; root admins keep theirs, and a
    page from before the change is refused with a message."""
    setting_update(name="api.key.access", value=False, by=None)
    assert "Generate API keys" not in alice_client.get(alice.get_absolute_url()).content.decode()
    assert "Generate API keys" not in root_client.get(alice.get_absolute_url()).content.decode()
    assert "Generate API keys" in root_client.get(root.get_absolute_url()).content.decode()

    response = alice_client.post(reverse("identity:user_keys", args=[alice.pk]), follow=True)
    assert response.redirect_chain == [(alice.get_absolute_url(), 302)]
    assert "api.key.access" in response.content.decode()
    assert not ApiKey.objects.filter(user=alice).exists()


def test_generating_keys_shows_the_secret_once(root_client, alice):
    response = root_client.post(reverse("identity:user_keys", args=[alice.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    pair = response.context["pair"]
    html = response.content.decode()
    assert pair.api_key in html and pair.secret_key in html
    assert api_key_secret(api_key=pair.api_key) == pair.secret_key
    assert pair.secret_key not in root_client.get(alice.get_absolute_url()).content.decode()


def test_users_generate_their_own_keys(alice_client, alice):
    response = alice_client.post(reverse("identity:user_keys", args=[alice.pk]))
    assert response.status_code == 200
    assert ApiKey.objects.filter(user=alice).count() == 1


def test_nobody_generates_keys_for_users_they_cannot_see(alice_client, bob):
    response = alice_client.post(reverse("identity:user_keys", args=[bob.pk]))
    assert response.status_code == 404
    assert not ApiKey.objects.filter(user=bob).exists()


def test_viewing_a_user_is_not_enough_to_generate_keys(root):
    viewer = factories.domain_admin(domain=root_domain())
    client = Client()
    client.force_login(viewer)
    html = client.get(root.get_absolute_url()).content.decode()
    assert "Generate API keys" not in html
    response = client.post(reverse("identity:user_keys", args=[root.pk]))
    assert response.status_code == 403
    assert not ApiKey.objects.filter(user=root).exists()


def test_keys_are_generated_by_post_only(root_client, alice):
    assert root_client.get(reverse("identity:user_keys", args=[alice.pk])).status_code == 405
    assert not ApiKey.objects.filter(user=alice).exists()
