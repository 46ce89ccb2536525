"""A user's remembered region and global sign-out replicate; signing keys and OIDC rows don't."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from allauth.idp.oidc.models import Client as OidcClient
from allauth.idp.oidc.models import Token
from django.test import Client
from django.utils import timezone

from identity import services as identity
from identity.sso.models import GlobalSignOut, RegionChoice, SigningKey
from identity.sso.services import region_choose, user_sign_out_everywhere
from regions.federation.replication import registry
from regions.federation.replication.apply import IncomingChange, Outcome, change_apply
from regions.models import Change, ObjectVersion, ParkedChange
from tests import factories

pytestmark = pytest.mark.django_db

WALL = 1_700_000_000_000


def changes_for(instance) -> list[Change]:
    spec = registry.spec_for(type(instance))
    return list(
        Change.objects.filter(model=spec.label, object_id=spec.object_id(instance)).order_by("seq")
    )


def test_both_user_rows_are_registered_keyed_by_the_users_uuid():
    for model, fields in ((RegionChoice, {"user", "region"}), (GlobalSignOut, {"user", "at"})):
        spec = registry.spec_for(model)
        assert spec is not None and spec.model is model
        assert spec.key == "pk"
        assert {f.name for f in spec.fields()} == fields
    assert registry.spec_for("sso.regionchoice").model is RegionChoice
    assert registry.spec_for("sso.globalsignout").model is GlobalSignOut


def test_what_stays_local_is_not_registered():
    assert registry.spec_for(SigningKey) is None  # each region signs with its own keys
    assert registry.spec_for(OidcClient) is None  # derived from the registry everywhere
    assert registry.spec_for(Token) is None


def test_the_user_rows_register_after_their_parents():
    # The order comes from the foreign keys: a choice points to a user and a region, a
    # sign-out to a user only.
    labels = [spec.label for spec in registry.registered()]
    for child in ("sso.regionchoice", "sso.globalsignout"):
        assert labels.index("identity.user") < labels.index(child)
    assert labels.index("regions.region") < labels.index("sso.regionchoice")


def test_choosing_a_region_records_one_change_with_the_full_row(region, alice, west):
    before = Change.objects.count()
    choice = region_choose(user=alice, region=west)

    assert Change.objects.count() == before + 1
    [change] = changes_for(choice)
    assert change.model == "sso.regionchoice" and change.object_id == str(alice.pk)
    assert change.op == "upsert" and change.origin == region.pk == 1
    assert change.payload == {"user_id": str(alice.pk), "region_id": 2}


def test_a_new_choice_records_a_newer_change_and_the_same_choice_none(region, alice, west, north):
    region_choose(user=alice, region=west)
    region_choose(user=alice, region=west)
    choice = region_choose(user=alice, region=north)

    first, second = changes_for(choice)
    assert second.payload == {"user_id": str(alice.pk), "region_id": 3}
    assert first.version < second.version


def test_signing_out_everywhere_records_the_moment(region, alice):
    at = timezone.now().replace(microsecond=123456)
    record = user_sign_out_everywhere(user=alice, at=at)

    [change] = changes_for(record)
    assert change.model == "sso.globalsignout" and change.object_id == str(alice.pk)
    assert change.op == "upsert" and change.origin == 1
    assert change.payload["user_id"] == str(alice.pk)
    assert registry.spec_for(GlobalSignOut).values_from_payload(change.payload)["at"] == at


def test_only_a_later_sign_out_records_again(region, alice):
    at = timezone.now()
    user_sign_out_everywhere(user=alice, at=at)
    user_sign_out_everywhere(user=alice, at=at - timedelta(minutes=5))
    assert len(changes_for(GlobalSignOut.objects.get())) == 1
    user_sign_out_everywhere(user=alice, at=at + timedelta(minutes=5))
    assert len(changes_for(GlobalSignOut.objects.get())) == 2


def test_signing_in_records_nothing(region, alice):
    before = Change.objects.count()
    client = Client()
    client.post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert client.get("/").status_code == 200
    assert not Change.objects.filter(model__startswith="sso.").exists()
    assert Change.objects.count() == before


def test_rotating_a_signing_key_records_nothing(region):
    from identity.sso.services import signing_key_rotate

    before = Change.objects.count()
    signing_key_rotate()
    assert Change.objects.count() == before


def test_deleting_the_user_deletes_both_rows_everywhere(region, alice, west):
    region_choose(user=alice, region=west)
    user_sign_out_everywhere(user=alice)
    pk = str(alice.pk)
    identity.user_delete(user=alice, by=None)

    assert not RegionChoice.objects.exists() and not GlobalSignOut.objects.exists()
    for model in ("sso.regionchoice", "sso.globalsignout"):
        ops = list(
            Change.objects.filter(model=model, object_id=pk)
            .order_by("seq")
            .values_list("op", flat=True)
        )
        assert ops == ["upsert", "delete"]
        assert ObjectVersion.objects.get(model=model, object_id=pk).deleted


# --- arriving from another region ----------------------------------------------------------


def incoming(model, instance, version) -> IncomingChange:
    spec = registry.spec_for(model)
    return IncomingChange(
        spec.label, spec.object_id(instance), "upsert", version, spec.to_payload(instance)
    )


def test_a_choice_made_elsewhere_is_applied_here_and_not_recorded_again(region, alice, west):
    before = Change.objects.count()
    change = incoming(
        RegionChoice, RegionChoice(id=alice.pk, user=alice, region=west), (WALL, 0, 2)
    )

    assert change_apply(change) == Outcome.APPLIED

    stored = RegionChoice.objects.get()
    assert (stored.pk, stored.user_id, stored.region_id) == (alice.pk, alice.pk, 2)
    assert Change.objects.count() == before
    older = incoming(
        RegionChoice, RegionChoice(id=alice.pk, user=alice, region=region), (WALL - 1, 0, 2)
    )
    assert change_apply(older) == Outcome.IGNORED
    assert RegionChoice.objects.get().region_id == 2


def test_a_sign_out_made_elsewhere_ends_sessions_here(region, alice):
    browser = Client()
    browser.post("/accounts/login/", {"login": "alice", "password": factories.PASSWORD})
    assert browser.get("/").status_code == 200

    change = incoming(
        GlobalSignOut, GlobalSignOut(id=alice.pk, user=alice, at=timezone.now()), (WALL, 0, 2)
    )
    assert change_apply(change) == Outcome.APPLIED

    assert browser.get("/").status_code == 302
    assert "_auth_user_id" not in browser.session


def test_a_choice_of_a_region_not_here_yet_waits(region, alice):
    spec = registry.spec_for(RegionChoice)
    change = IncomingChange(
        spec.label,
        str(alice.pk),
        "upsert",
        (WALL, 0, 2),
        {"user_id": str(alice.pk), "region_id": 7},
    )
    assert change_apply(change) == Outcome.PARKED
    assert not RegionChoice.objects.exists()
    assert ParkedChange.objects.filter(model="sso.regionchoice", object_id=str(alice.pk)).exists()


def test_a_sign_out_of_a_user_not_here_yet_waits(region):
    ghost = uuid.uuid4()
    spec = registry.spec_for(GlobalSignOut)
    change = IncomingChange(
        spec.label,
        str(ghost),
        "upsert",
        (WALL, 0, 2),
        {"user_id": str(ghost), "at": timezone.now().isoformat()},
    )
    assert change_apply(change) == Outcome.PARKED
    assert not GlobalSignOut.objects.exists()
