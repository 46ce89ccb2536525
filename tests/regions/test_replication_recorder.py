"""The recorder: every write to a replicated model appends one change in its own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from identity import services as identity
from identity.models import ROOT_DOMAIN_ID, Domain, User
from regions.federation.replication import clock, recorder, registry
from regions.models import Change, ObjectVersion, Region
from regions.services import region_update
from tests import factories


def changes_for(instance) -> list[Change]:
    spec = registry.spec_for(type(instance))
    return list(
        Change.objects.filter(model=spec.label, object_id=spec.object_id(instance)).order_by("seq")
    )


def version_of(instance) -> ObjectVersion:
    spec = registry.spec_for(type(instance))
    return ObjectVersion.objects.get(model=spec.label, object_id=spec.object_id(instance))


def test_a_write_appends_exactly_one_change_with_full_payload_version_and_origin(region):
    before = Change.objects.count()
    domain = factories.domain(name="eng")

    assert Change.objects.count() == before + 1
    [change] = changes_for(domain)
    assert change.model == "identity.domain" and change.object_id == str(domain.pk)
    assert change.op == "upsert" and change.format == registry.PAYLOAD_FORMAT
    assert change.origin == region.pk == 1
    assert change.payload == {
        "parent_id": str(ROOT_DOMAIN_ID),
        "name": "eng",
        "path": "ROOT/eng",
        "network_domain": "",
    }
    stored = version_of(domain)
    assert change.version == stored.version and not stored.deleted
    assert abs(change.wall - clock.now_ms()) < 60_000


def test_the_payload_is_the_full_row_without_local_fields(region):
    user = factories.user(username="carol", email="carol@example.com", first_name="Carol")
    [change] = changes_for(user)
    assert set(change.payload) == {
        "password",
        "account_id",
        "username",
        "first_name",
        "last_name",
        "email",
        "timezone",
        "state",
    }
    assert change.payload["password"] == user.password and user.password.startswith("md5$")
    assert change.payload["account_id"] == str(user.account_id)
    # The payload rebuilds the same row.
    values = registry.spec_for(User).values_from_payload(change.payload)
    for name, value in values.items():
        assert getattr(user, name) == value, name


def test_the_region_registry_records_its_id_but_not_which_region_is_local(region):
    [change] = changes_for(region)
    assert change.object_id == str(region.uuid)
    assert change.payload["id"] == 1 and change.payload["name"] == "east"
    assert "is_local" not in change.payload and "uuid" not in change.payload


def test_a_rolled_back_transaction_leaves_no_change(region):
    before = (Change.objects.count(), ObjectVersion.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.domain(name="doomed")
        assert Change.objects.count() == before[0] + 1  # recorded inside the transaction
        raise RuntimeError("abort")
    assert not Domain.objects.filter(name="doomed").exists()
    assert (Change.objects.count(), ObjectVersion.objects.count()) == before


def test_a_write_whose_change_cannot_be_recorded_does_not_happen(region, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("change log unavailable")

    monkeypatch.setattr(Change.objects, "create", broken)
    with pytest.raises(RuntimeError):
        factories.domain(name="orphan")
    assert not Domain.objects.filter(name="orphan").exists()


def test_update_and_delete_append_newer_changes_and_a_tombstone(region):
    domain = factories.domain(name="eng")
    identity.domain_update(domain=domain, network_domain="eng.example.com", by=None)
    pk = domain.pk
    identity.domain_delete(domain=domain, by=None)

    created, updated, deleted = Change.objects.filter(object_id=str(pk)).order_by("seq")
    assert [c.op for c in (created, updated, deleted)] == ["upsert", "upsert", "delete"]
    assert created.version < updated.version < deleted.version
    assert updated.payload["network_domain"] == "eng.example.com"
    assert deleted.payload == {}
    tombstone = ObjectVersion.objects.get(model="identity.domain", object_id=str(pk))
    assert tombstone.deleted and tombstone.version == deleted.version


def test_a_cascaded_delete_is_recorded_for_every_row_it_removes(region):
    user = factories.user()
    factories.project(owner=user.account)
    from identity.services.keys import user_keys_register
    from regions.federation.services import federation_ensure

    federation_ensure()
    key = user_keys_register(user=user, by=None).record
    with transaction.atomic():
        User.objects.filter(pk=user.pk).get().delete()
    [key_delete] = [c for c in changes_for(key) if c.op == "delete"]
    assert key_delete.payload == {}
    assert version_of(key).deleted


def test_changes_applied_from_a_peer_are_not_recorded_again(region):
    before = Change.objects.count()
    with recorder.applying_remote():
        domain = Domain.objects.create(parent_id=ROOT_DOMAIN_ID, name="remote", path="ROOT/remote")
        domain.name = "remote2"
        domain.save()
        with recorder.applying_remote():
            pass  # nesting keeps the outer state
        Domain.objects.filter(pk=domain.pk).get().save()
    assert Change.objects.count() == before
    assert not ObjectVersion.objects.filter(object_id=str(domain.pk)).exists()

    # Outside the block recording resumes.
    domain.save()
    assert len(changes_for(domain)) == 1


def test_applying_remote_ends_even_when_the_block_fails(region):
    with pytest.raises(ValueError), recorder.applying_remote():
        raise ValueError
    factories.domain(name="after")
    assert Change.objects.filter(model="identity.domain").count() == 1


def test_nothing_is_recorded_before_the_region_is_set_up(db):
    Domain.objects.create(parent_id=ROOT_DOMAIN_ID, name="early", path="ROOT/early")
    assert not Change.objects.exists() and not ObjectVersion.objects.exists()


def test_next_version_never_goes_back_even_when_the_wall_clock_does():
    first = clock.next_version(previous=None, origin=1, wall=1_000)
    assert first == (1_000, 0, 1)
    behind = clock.next_version(previous=first, origin=1, wall=900)
    assert behind == (1_000, 1, 1) and behind > first
    same = clock.next_version(previous=behind, origin=1, wall=1_000)
    assert same == (1_000, 2, 1) and same > behind
    ahead = clock.next_version(previous=same, origin=1, wall=1_001)
    assert ahead == (1_001, 0, 1) and ahead > same


def test_a_local_write_after_a_remote_one_wins_over_it_whatever_the_origins():
    remote = (5_000, 7, 9)  # a peer with a higher region id and a clock ahead of ours
    local = clock.next_version(previous=remote, origin=1, wall=4_000)
    assert local == (5_000, 8, 1) and local > remote


def test_recorded_versions_increase_per_object_while_the_wall_clock_goes_backwards(
    region, monkeypatch
):
    walls = iter([10_000, 9_000, 9_000, 8_000, 10_000, 10_500])
    monkeypatch.setattr(clock, "now_ms", lambda: next(walls))
    domain = factories.domain(name="eng")
    for name in ("a", "b", "c", "d", "e"):
        identity.domain_update(domain=domain, network_domain=f"{name}.example.com", by=None)
    versions = [c.version for c in changes_for(domain)]
    assert len(versions) == 6
    assert versions == sorted(versions) and len(set(versions)) == 6
    assert versions[:5] == [(10_000, n, 1) for n in range(5)]
    assert versions[5] == (10_500, 0, 1)
    assert version_of(domain).version == versions[-1]


def test_a_local_write_over_a_remote_version_is_newer_than_it(region):
    domain = factories.domain(name="eng")
    future = clock.now_ms() + 3_600_000
    ObjectVersion.objects.filter(object_id=str(domain.pk)).update(wall=future, counter=4, origin=7)
    identity.domain_update(domain=domain, network_domain="x.example.com", by=None)
    assert changes_for(domain)[-1].version == (future, 5, 1)


def test_a_region_update_is_recorded_under_its_uuid(region):
    peer = Region.objects.create(id=2, name="west", endpoint="http://127.0.0.1:8002")
    region_update(region=peer, description="second", by=None)
    ops = [(c.op, c.payload.get("description")) for c in changes_for(peer)]
    assert ops == [("upsert", ""), ("upsert", "second")]


def test_a_sign_in_records_no_change(region, client):
    user = factories.user(username="dana")
    before = (Change.objects.count(), version_of(user).version)
    client.force_login(user)
    user.refresh_from_db()
    assert user.last_login is not None
    assert (Change.objects.count(), version_of(user).version) == before


def test_a_sign_in_here_does_not_undo_a_disable_made_elsewhere(region, client):
    """The disable (region 2) and the sign-in (here) race; the disable must win everywhere."""
    from regions.federation.replication.apply import IncomingChange, Outcome, change_apply

    user = factories.user(username="dana")
    mine = version_of(user).version
    disabled = registry.spec_for(User).to_payload(user) | {"state": "disabled"}
    client.force_login(user)  # before the disable arrives
    change = IncomingChange("identity.user", str(user.pk), "upsert", (mine[0] + 1, 0, 2), disabled)
    assert change_apply(change) == Outcome.APPLIED
    user.refresh_from_db()
    assert user.state == "disabled"
    # Nothing of ours could override it at the peers: no newer change of this user here.
    assert all(c.version < change.version for c in changes_for(user))


def test_a_save_of_named_replicated_fields_is_recorded(region):
    user = factories.user(username="dana")
    user.first_name = "Dana"
    user.save(update_fields=["first_name"])
    user.account_id = factories.account().pk
    user.save(update_fields=["account_id"])  # an attname counts too
    assert [c.payload["first_name"] for c in changes_for(user)] == ["", "Dana", "Dana"]
