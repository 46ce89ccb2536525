"""Writes of single sign-on: remembered region, global sign-out, signing keys, OIDC clients."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from allauth.core.internal import jwkkit
from allauth.idp.oidc.models import Client
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

from identity.crypto import secret_decrypt
from identity.sso import mesh
from identity.sso.adapters import RegionIdpAdapter
from identity.sso.models import GlobalSignOut, RegionChoice, SigningKey
from identity.sso.services import (
    RETIRED_KEY_PUBLISHED,
    region_choose,
    signing_key_create,
    signing_key_ensure,
    signing_key_rotate,
    sso_clients_sync,
    user_sign_out_everywhere,
)
from regions.federation.services import federation_ensure
from regions.models import Change, Federation
from regions.services import region_create, region_delete, region_update

from .conftest import DOWN_ENDPOINT, NORTH_ENDPOINT

pytestmark = pytest.mark.django_db


def changes_of(model, pk) -> int:
    return Change.objects.filter(model=model._meta.label_lower, object_id=str(pk)).count()


# --- region_choose -------------------------------------------------------------------------


def test_region_choose_remembers_the_region_in_a_row_keyed_by_the_users_uuid(alice, west):
    choice = region_choose(user=alice, region=west)
    assert choice.pk == alice.pk
    stored = RegionChoice.objects.get()
    assert (stored.pk, stored.user_id, stored.region_id) == (alice.pk, alice.pk, 2)


def test_region_choose_writes_only_when_the_choice_changes(alice, west, north):
    region_choose(user=alice, region=west)
    first = RegionChoice.objects.get()
    assert changes_of(RegionChoice, alice.pk) == 1

    again = region_choose(user=alice, region=west)
    assert again.region_id == 2
    assert RegionChoice.objects.get().updated == first.updated  # not saved
    assert changes_of(RegionChoice, alice.pk) == 1  # nothing to replicate

    changed = region_choose(user=alice, region=north)
    assert changed.pk == alice.pk and changed.region_id == 3
    stored = RegionChoice.objects.get()
    assert stored.region_id == 3 and stored.updated > first.updated
    assert RegionChoice.objects.count() == 1
    assert changes_of(RegionChoice, alice.pk) == 2


def test_every_user_has_a_choice_of_their_own(alice, bob, west, north):
    region_choose(user=alice, region=west)
    region_choose(user=bob, region=north)
    assert dict(RegionChoice.objects.values_list("user_id", "region_id")) == {
        alice.pk: 2,
        bob.pk: 3,
    }


# --- user_sign_out_everywhere --------------------------------------------------------------


def test_sign_out_everywhere_records_now_by_default(alice):
    before = timezone.now()
    record = user_sign_out_everywhere(user=alice)
    after = timezone.now()
    assert record.pk == alice.pk and record.user_id == alice.pk
    assert before <= GlobalSignOut.objects.get().at <= after


def test_sign_out_everywhere_only_moves_forward(alice):
    t0 = timezone.now() - timedelta(hours=1)
    user_sign_out_everywhere(user=alice, at=t0)
    assert changes_of(GlobalSignOut, alice.pk) == 1

    later = t0 + timedelta(minutes=10)
    assert user_sign_out_everywhere(user=alice, at=later).at == later
    assert GlobalSignOut.objects.get().at == later
    assert changes_of(GlobalSignOut, alice.pk) == 2

    # An older moment (a late, replayed or skewed one) never moves it back ...
    record = user_sign_out_everywhere(user=alice, at=t0)
    assert record.at == later
    assert GlobalSignOut.objects.get().at == later
    # ... and the same moment again is no write either.
    user_sign_out_everywhere(user=alice, at=later)
    assert changes_of(GlobalSignOut, alice.pk) == 2
    assert GlobalSignOut.objects.count() == 1


# --- signing keys --------------------------------------------------------------------------


def _kid(pem: str) -> str:
    return jwkkit.load_jwk_from_pem(pem)[0]["kid"]


def signing_kid() -> str:
    return _kid(RegionIdpAdapter().get_signing_key().pem)


def published_kids() -> set[str]:
    response = HttpClient().get("/.well-known/jwks.json")
    assert response.status_code == 200
    return {key["kid"] for key in response.json()["keys"]}


def test_migrate_left_a_signing_key_and_ensure_returns_it_without_making_another(region):
    [existing] = SigningKey.objects.all()  # made by the post_migrate hook
    assert signing_key_ensure() == existing
    assert SigningKey.objects.count() == 1


def test_ensure_makes_a_key_when_there_is_none(region):
    SigningKey.objects.all().delete()
    key = signing_key_ensure()
    assert SigningKey.objects.get() == key
    assert key.expires_at is None and key.not_before <= timezone.now()
    assert signing_key_ensure() == key


def test_ensure_does_not_count_expired_or_future_keys(region):
    now = timezone.now()
    SigningKey.objects.update(expires_at=now - timedelta(seconds=1))
    future = signing_key_create()
    SigningKey.objects.filter(pk=future.pk).update(not_before=now + timedelta(hours=1))
    made = signing_key_ensure()
    assert made.pk != future.pk
    assert made.expires_at is None and made.not_before <= timezone.now()
    assert SigningKey.objects.count() == 3


def test_a_key_is_stored_encrypted_and_its_kid_is_the_one_allauth_publishes(region):
    key = signing_key_create()
    assert "PRIVATE KEY" not in key.private_key_encrypted
    pem = secret_decrypt(key.private_key_encrypted)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert _kid(pem) == key.kid
    assert key.kid in published_kids()


def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_published(region):
    old = signing_key_ensure()
    assert signing_kid() == old.kid
    before = timezone.now()

    new = signing_key_rotate()

    after = timezone.now()
    assert new.kid != old.kid and new.expires_at is None
    assert signing_kid() == new.kid
    old.refresh_from_db()
    assert before + RETIRED_KEY_PUBLISHED <= old.expires_at <= after + RETIRED_KEY_PUBLISHED
    assert published_kids() == {old.kid, new.kid}


def test_a_retired_key_is_no_longer_published_once_it_expires_and_the_next_rotation_removes_it(
    region,
):
    old = signing_key_ensure()
    middle = signing_key_rotate(retire_after=timedelta(hours=2))
    SigningKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert published_kids() == {middle.kid}

    newest = signing_key_rotate(retire_after=timedelta(hours=3))

    assert not SigningKey.objects.filter(pk=old.pk).exists()
    middle.refresh_from_db()
    assert middle.expires_at > timezone.now() + timedelta(hours=2, minutes=59)
    assert published_kids() == {middle.kid, newest.kid}
    assert signing_kid() == newest.kid


def test_rotation_does_not_extend_a_key_already_retiring(region):
    first = signing_key_ensure()
    signing_key_rotate(retire_after=timedelta(hours=1))
    first.refresh_from_db()
    retiring_until = first.expires_at
    signing_key_rotate(retire_after=timedelta(days=30))
    first.refresh_from_db()
    assert first.expires_at == retiring_until


def test_the_rotate_command_makes_a_new_signing_key_and_retires_the_old_for_keep_hours(region):
    old = signing_key_ensure()
    out = io.StringIO()
    before = timezone.now()

    call_command("sso_rotate_key", "--keep-hours", "2", stdout=out)

    new = SigningKey.objects.exclude(pk=old.pk).get()
    assert f"New signing key {new.kid}; older keys retire in 2 h." in out.getvalue()
    assert signing_kid() == new.kid
    old.refresh_from_db()
    assert abs(old.expires_at - (before + timedelta(hours=2))) < timedelta(minutes=1)
    assert published_kids() == {old.kid, new.kid}


def test_the_rotate_command_keeps_retired_keys_a_day_by_default(region):
    old = signing_key_ensure()
    before = timezone.now()
    out = io.StringIO()
    call_command("sso_rotate_key", stdout=out)
    old.refresh_from_db()
    assert abs(old.expires_at - (before + timedelta(days=1))) < timedelta(minutes=1)
    assert "older keys retire in 24 h." in out.getvalue()


# --- sso_clients_sync ----------------------------------------------------------------------


def region_clients() -> dict[str, Client]:
    return {c.id: c for c in Client.objects.filter(id__startswith="region-")}


def test_without_a_federation_secret_no_client_is_registered(region, west):
    assert not Federation.objects.exists()
    assert sso_clients_sync() == 0
    assert region_clients() == {}


def test_one_client_per_peer_region_keyed_by_its_uuid(region, west, north, federation):
    assert sso_clients_sync() == 2

    clients = region_clients()
    assert set(clients) == {mesh.client_id(west), mesh.client_id(north)}
    assert mesh.client_id(region) not in clients  # never a client of itself
    west_client = clients[f"region-{west.uuid}"]
    assert west_client.get_redirect_uris() == [
        f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/callback/"
    ]
    assert clients[f"region-{north.uuid}"].get_redirect_uris() == [
        f"{NORTH_ENDPOINT}/accounts/sso/region-1/login/callback/"
    ]
    assert west_client.name == "west (region 2)"
    assert west_client.type == Client.Type.CONFIDENTIAL
    assert west_client.get_scopes() == ["openid", "profile"]
    assert west_client.get_default_scopes() == ["openid", "profile"]
    assert west_client.get_grant_types() == ["authorization_code"]
    assert west_client.get_response_types() == ["code"]
    assert west_client.skip_consent is True


def test_a_clients_secret_is_the_mesh_secret_stored_with_the_fast_hasher(
    region, west, north, federation
):
    sso_clients_sync()
    west_client = Client.objects.get(pk=mesh.client_id(west))
    assert west_client.secret.startswith("sso_client_sha256$")
    assert mesh.client_secret(west) not in west_client.secret  # never in clear
    assert west_client.check_secret(mesh.client_secret(west))
    assert not west_client.check_secret(mesh.client_secret(north))
    assert not west_client.check_secret(mesh.client_secret(region))
    assert not west_client.check_secret("")
    # Checking never rehashes it with the password hasher.
    west_client.refresh_from_db()
    assert west_client.secret.startswith("sso_client_sha256$")


def test_sync_is_idempotent(region, west, north, federation):
    assert sso_clients_sync() == 2
    stored = {c.id: c.secret for c in Client.objects.all()}
    assert sso_clients_sync() == 0
    assert {c.id: c.secret for c in Client.objects.all()} == stored  # not rewritten


def test_a_deleted_region_loses_its_client(region, west, north, federation):
    sso_clients_sync()
    west_client_id = mesh.client_id(west)
    region_delete(region=west, by=None)

    assert sso_clients_sync() == 1
    assert set(region_clients()) == {mesh.client_id(north)}
    assert not Client.objects.filter(pk=west_client_id).exists()
    assert sso_clients_sync() == 0


def test_a_moved_region_gets_its_new_redirect_uri(region, west, federation):
    sso_clients_sync()
    region_update(region=west, endpoint="http://127.0.0.1:19002", by=None)

    assert sso_clients_sync() == 1
    client = Client.objects.get(pk=mesh.client_id(west))
    assert client.get_redirect_uris() == [
        "http://127.0.0.1:19002/accounts/sso/region-1/login/callback/"
    ]
    assert sso_clients_sync() == 0


def test_a_renamed_region_gets_its_new_name(region, west, federation):
    sso_clients_sync()
    region_update(region=west, name="far-west", by=None)
    assert sso_clients_sync() == 1
    assert Client.objects.get(pk=mesh.client_id(west)).name == "far-west (region 2)"


def test_a_new_federation_secret_rewrites_every_client_secret(region, west, north, federation):
    sso_clients_sync()
    Federation.objects.filter(pk=1).update(secret="a-brand-new-federation-secret")
    assert sso_clients_sync() == 2
    client = Client.objects.get(pk=mesh.client_id(west))
    assert client.check_secret(mesh.client_secret(west, secret="a-brand-new-federation-secret"))
    assert not client.check_secret(mesh.client_secret(west, secret=federation.secret))


def test_a_joining_region_gets_a_client(region, west, federation):
    assert sso_clients_sync() == 1
    south = region_create(id=4, name="south", endpoint="http://127.0.0.1:19004", by=None)
    assert sso_clients_sync() == 1
    assert set(region_clients()) == {mesh.client_id(west), mesh.client_id(south)}


def test_a_tampered_client_is_put_right(region, west, federation):
    sso_clients_sync()
    Client.objects.filter(pk=mesh.client_id(west)).update(
        redirect_uris="https://evil.example/cb", secret="sso_client_sha256$x$0"
    )
    assert sso_clients_sync() == 1
    client = Client.objects.get(pk=mesh.client_id(west))
    assert client.get_redirect_uris() == [f"{DOWN_ENDPOINT}/accounts/sso/region-1/login/callback/"]
    assert client.check_secret(mesh.client_secret(west))


def test_clients_that_are_not_regions_are_left_alone(region, west, federation):
    other = Client.objects.create(id="monitoring", name="monitoring", redirect_uris="")
    sso_clients_sync()
    region_delete(region=west, by=None)
    sso_clients_sync()
    assert Client.objects.filter(pk=other.pk).exists()


def test_without_a_federation_secret_any_region_client_is_removed(region, west, federation):
    sso_clients_sync()
    Federation.objects.all().delete()
    assert sso_clients_sync() == 1
    assert region_clients() == {}


def test_without_a_local_region_no_client_is_registered(db):
    federation_ensure()
    region_create(id=2, name="west", endpoint=DOWN_ENDPOINT, by=None)
    assert sso_clients_sync() == 0
    assert region_clients() == {}
