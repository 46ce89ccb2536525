"""Applying changes from peers: newest wins, ties by origin, tombstones, parked children."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from identity import services as identity_services
from identity.models import ROOT_DOMAIN_ID, Account, Domain, ProjectMembership, User
from regions.federation.replication import registry
from regions.federation.replication.apply import (
    UNVERSIONED,
    IncomingChange,
    Outcome,
    batch_apply,
    change_apply,
    parked_retry,
)
from regions.models import Change, ObjectVersion, Override, ParkedChange, Region
from tests import factories

WALL = 1_700_000_000_000


def domain_change(object_id, version, *, name="remote", parent=ROOT_DOMAIN_ID, path=None, **extra):
    payload = registry.spec_for(Domain).to_payload(
        Domain(parent_id=parent, name=name, path=path or f"ROOT/{name}", **extra)
    )
    return IncomingChange("identity.domain", str(object_id), "upsert", version, payload)


def account_change(object_id, version, *, domain=ROOT_DOMAIN_ID, name="acct", **fields):
    account = Account(domain_id=domain, name=name, **fields)
    payload = registry.spec_for(Account).to_payload(account)
    return IncomingChange("identity.account", str(object_id), "upsert", version, payload)


def user_change(object_id, version, *, account, username="remote-user", **fields):
    user = User(account_id=account, username=username, password=make_password("x"), **fields)
    payload = registry.spec_for(User).to_payload(user)
    return IncomingChange("identity.user", str(object_id), "upsert", version, payload)


def delete_change(model, object_id, version):
    return IncomingChange(model, str(object_id), "delete", version, {})


def stored_version(model, object_id):
    row = ObjectVersion.objects.filter(model=model, object_id=str(object_id)).first()
    return None if row is None else (row.version, row.deleted)


def test_a_new_object_is_created_with_its_version_and_nothing_is_recorded(region):
    before = Change.objects.count()
    pk = uuid.uuid4()
    assert change_apply(domain_change(pk, (WALL, 0, 2), name="west-eng")) == Outcome.APPLIED
    domain = Domain.objects.get(pk=pk)
    assert (domain.name, domain.path, domain.parent_id) == (
        "west-eng",
        "ROOT/west-eng",
        ROOT_DOMAIN_ID,
    )
    assert stored_version("identity.domain", pk) == ((WALL, 0, 2), False)
    assert Change.objects.count() == before


def test_the_newer_version_wins_in_either_order(region):
    pk = uuid.uuid4()
    old = domain_change(pk, (WALL, 0, 2), name="old")
    new = domain_change(pk, (WALL + 1, 0, 2), name="new")
    assert change_apply(old) == Outcome.APPLIED
    assert change_apply(new) == Outcome.APPLIED
    assert Domain.objects.get(pk=pk).name == "new"

    pk2 = uuid.uuid4()
    assert change_apply(domain_change(pk2, (WALL + 1, 0, 2), name="new2")) == Outcome.APPLIED
    assert change_apply(domain_change(pk2, (WALL, 5, 2), name="old2")) == Outcome.IGNORED
    assert Domain.objects.get(pk=pk2).name == "new2"
    assert stored_version("identity.domain", pk2) == ((WALL + 1, 0, 2), False)


def test_the_counter_orders_changes_within_one_millisecond(region):
    pk = uuid.uuid4()
    change_apply(domain_change(pk, (WALL, 3, 2), name="third"))
    assert change_apply(domain_change(pk, (WALL, 2, 2), name="second")) == Outcome.IGNORED
    assert change_apply(domain_change(pk, (WALL, 4, 2), name="fourth")) == Outcome.APPLIED
    assert Domain.objects.get(pk=pk).name == "fourth"


def test_a_duplicate_is_ignored_and_changes_nothing(region):
    pk = uuid.uuid4()
    change = domain_change(pk, (WALL, 0, 2), name="dup")
    assert change_apply(change) == Outcome.APPLIED
    Domain.objects.filter(pk=pk).update(network_domain="edited-here-without-signal")
    assert change_apply(change) == Outcome.IGNORED
    assert Domain.objects.get(pk=pk).network_domain == "edited-here-without-signal"


@pytest.mark.parametrize("order", [(2, 3), (3, 2)])
def test_a_tie_is_broken_by_the_origin_region_id(region, order):
    pk = uuid.uuid4()
    changes = {
        origin: domain_change(pk, (WALL, 0, origin), name=f"from{origin}") for origin in (2, 3)
    }
    outcomes = [change_apply(changes[origin]) for origin in order]
    assert Domain.objects.get(pk=pk).name == "from3"
    assert stored_version("identity.domain", pk) == ((WALL, 0, 3), False)
    expected = (
        [Outcome.APPLIED, Outcome.APPLIED]
        if order == (2, 3)
        else [Outcome.APPLIED, Outcome.IGNORED]
    )
    assert outcomes == expected


def test_a_remote_change_older_than_a_local_write_is_ignored(region):
    domain = factories.domain(name="local")
    local = ObjectVersion.objects.get(object_id=str(domain.pk)).version
    older = domain_change(domain.pk, (local[0] - 1, 9, 2), name="stale")
    assert change_apply(older) == Outcome.IGNORED
    assert Domain.objects.get(pk=domain.pk).name == "local"
    newer = domain_change(domain.pk, (local[0] + 1, 0, 2), name="fresh")
    assert change_apply(newer) == Outcome.APPLIED
    assert Domain.objects.get(pk=domain.pk).name == "fresh"


def test_a_delete_leaves_a_tombstone_that_no_older_upsert_can_get_past(region):
    pk = uuid.uuid4()
    change_apply(domain_change(pk, (WALL, 0, 2), name="gone"))
    assert change_apply(delete_change("identity.domain", pk, (WALL + 10, 0, 2))) == Outcome.APPLIED
    assert not Domain.objects.filter(pk=pk).exists()
    assert stored_version("identity.domain", pk) == ((WALL + 10, 0, 2), True)

    # A late update (made before the delete) and a replay of the create: both ignored.
    assert change_apply(domain_change(pk, (WALL + 5, 0, 3), name="late")) == Outcome.IGNORED
    assert change_apply(domain_change(pk, (WALL, 0, 2), name="gone")) == Outcome.IGNORED
    assert change_apply(delete_change("identity.domain", pk, (WALL + 10, 0, 2))) == Outcome.IGNORED
    assert not Domain.objects.filter(pk=pk).exists()
    assert stored_version("identity.domain", pk) == ((WALL + 10, 0, 2), True)


def test_a_delete_arriving_before_the_create_still_wins(region):
    pk = uuid.uuid4()
    assert change_apply(delete_change("identity.domain", pk, (WALL + 10, 0, 2))) == Outcome.APPLIED
    assert stored_version("identity.domain", pk) == ((WALL + 10, 0, 2), True)
    assert change_apply(domain_change(pk, (WALL, 0, 2))) == Outcome.IGNORED
    assert not Domain.objects.filter(pk=pk).exists()


def test_a_child_whose_parent_is_missing_is_parked_then_applied_when_it_arrives(region):
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    child = user_change(user_id, (WALL + 1, 0, 2), account=account_id, username="orphan")
    assert change_apply(child) == Outcome.PARKED
    parked = ParkedChange.objects.get()
    assert (parked.model, parked.object_id, parked.version, parked.op) == (
        "identity.user",
        str(user_id),
        (WALL + 1, 0, 2),
        "upsert",
    )
    assert f"identity.account {account_id}" in parked.reason
    assert parked.payload == child.payload and parked.attempts == 0
    assert not User.objects.filter(pk=user_id).exists()
    assert stored_version("identity.user", user_id) is None

    # Retrying without the parent keeps it parked (never dropped), counting the attempts.
    assert parked_retry() == 0
    assert parked_retry() == 0
    parked.refresh_from_db()
    assert parked.attempts == 2

    assert change_apply(account_change(account_id, (WALL, 0, 2))) == Outcome.APPLIED
    assert parked_retry() == 1
    assert not ParkedChange.objects.exists()
    user = User.objects.get(pk=user_id)
    assert user.username == "orphan" and user.account_id == account_id
    assert stored_version("identity.user", user_id) == ((WALL + 1, 0, 2), False)


def test_a_chain_of_missing_parents_is_unparked_in_one_retry(region):
    parent, child, grandchild = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert (
        change_apply(
            domain_change(grandchild, (WALL + 2, 0, 2), name="c", parent=child, path="ROOT/a/b/c")
        )
        == Outcome.PARKED
    )
    assert (
        change_apply(
            domain_change(child, (WALL + 1, 0, 2), name="b", parent=parent, path="ROOT/a/b")
        )
        == Outcome.PARKED
    )
    assert change_apply(domain_change(parent, (WALL, 0, 2), name="a")) == Outcome.APPLIED
    assert parked_retry() == 2
    assert Domain.objects.get(pk=grandchild).path == "ROOT/a/b/c"
    assert not ParkedChange.objects.exists()


def test_a_batch_with_children_before_parents_applies_everything(region):
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    counts = batch_apply(
        [
            {
                "model": c.model,
                "object_id": c.object_id,
                "op": c.op,
                "version": list(c.version),
                "payload": c.payload,
            }
            for c in [
                user_change(user_id, (WALL + 1, 0, 2), account=account_id),
                account_change(account_id, (WALL, 0, 2)),
            ]
        ]
    )
    assert counts["parked"] == 1 and counts["unparked"] == 1
    assert User.objects.filter(pk=user_id, account_id=account_id).exists()
    assert not ParkedChange.objects.exists()


def test_a_parked_change_overtaken_by_a_newer_one_is_cleared_not_applied(region):
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    other = factories.account()
    change_apply(user_change(user_id, (WALL, 0, 2), account=account_id, username="first"))
    newer = user_change(user_id, (WALL + 5, 0, 2), account=other.pk, username="second")
    assert change_apply(newer) == Outcome.APPLIED
    change_apply(account_change(account_id, (WALL, 0, 2)))
    assert parked_retry() == 0
    assert not ParkedChange.objects.exists()
    assert User.objects.get(pk=user_id).username == "second"
    assert stored_version("identity.user", user_id) == ((WALL + 5, 0, 2), False)


def test_deleting_a_parent_still_referenced_here_deletes_its_children_everywhere(region):
    """A user made in one region while its account was deleted in another: the delete wins,
    and this region records the user's delete as its own change so every region follows."""
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    change_apply(account_change(account_id, (WALL, 0, 2)))
    change_apply(user_change(user_id, (WALL + 1, 0, 3), account=account_id))
    parent_delete = delete_change("identity.account", account_id, (WALL + 3, 0, 2))
    assert change_apply(parent_delete) == Outcome.APPLIED
    assert not Account.objects.filter(pk=account_id).exists()
    assert not User.objects.filter(pk=user_id).exists()
    assert not ParkedChange.objects.exists()
    assert stored_version("identity.account", account_id) == ((WALL + 3, 0, 2), True)
    version, deleted = stored_version("identity.user", user_id)
    assert deleted and version > (WALL + 1, 0, 3) and version[2] == region.pk
    recorded = Change.objects.get(object_id=str(user_id))
    assert (recorded.op, recorded.origin) == ("delete", region.pk)
    override = Override.objects.get(object_id=str(user_id))
    assert override.kind == "cascade" and "deleted" in override.detail


def test_a_child_whose_parent_is_a_tombstone_is_deleted_and_its_delete_recorded(region):
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    change_apply(account_change(account_id, (WALL, 0, 2)))
    change_apply(delete_change("identity.account", account_id, (WALL + 1, 0, 2)))
    late_child = user_change(user_id, (WALL + 2, 0, 3), account=account_id)
    assert change_apply(late_child) == Outcome.APPLIED
    assert not User.objects.filter(pk=user_id).exists()
    assert not ParkedChange.objects.exists()
    version, deleted = stored_version("identity.user", user_id)
    assert deleted and version > (WALL + 2, 0, 3)
    assert Change.objects.filter(object_id=str(user_id), op="delete", origin=region.pk).exists()
    assert Override.objects.get(object_id=str(user_id)).overridden_origin == 3


def test_a_delete_wins_over_a_newer_update_and_says_so(region):
    account_id = uuid.uuid4()
    change_apply(account_change(account_id, (WALL, 0, 2)))
    change_apply(account_change(account_id, (WALL + 5, 0, 3), network_domain="late.example"))
    assert change_apply(delete_change("identity.account", account_id, (WALL + 1, 0, 2))) == (
        Outcome.APPLIED
    )
    assert not Account.objects.filter(pk=account_id).exists()
    # The tombstone keeps the highest version seen, so it is the same in every region.
    assert stored_version("identity.account", account_id) == ((WALL + 5, 0, 3), True)
    override = Override.objects.get(object_id=str(account_id))
    assert (override.kind, override.overridden_origin, override.winner_origin) == (
        "delete_wins",
        3,
        2,
    )
    # An update that arrives later still cannot bring it back.
    late = account_change(account_id, (WALL + 9, 0, 3), network_domain="again")
    assert change_apply(late) == Outcome.IGNORED
    assert not Account.objects.filter(pk=account_id).exists()
    assert stored_version("identity.account", account_id) == ((WALL + 9, 0, 3), True)


def test_a_username_taken_here_waits_for_a_pull_round_then_the_higher_key_is_renamed(region):
    local = factories.user(username="carol")
    clash_id = uuid.uuid4()
    change = user_change(clash_id, (WALL, 0, 2), account=local.account_id, username="Carol")
    assert change_apply(change) == Outcome.PARKED
    assert ParkedChange.objects.get().reason.startswith("name clash")
    assert not User.objects.filter(pk=clash_id).exists()
    # This region has no peers, so nothing can be in transit: the clash settles.
    assert parked_retry() == 1
    loser = str(max(str(clash_id), str(local.pk)))
    names = dict(User.objects.values_list("pk", "username"))
    assert names[uuid.UUID(loser)].endswith("-" + loser[:8])
    assert not ParkedChange.objects.exists()
    assert Override.objects.get().kind == "name_clash"


def test_a_name_clash_waits_while_a_peer_has_not_been_read_to_its_end(region):
    from regions.models import PeerLink
    from regions.services import region_create

    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    link = PeerLink.objects.create(region=west)
    local = factories.user(username="dave")
    clash_id = uuid.uuid4()
    change_apply(user_change(clash_id, (WALL, 0, 2), account=local.account_id, username="dave"))
    assert parked_retry() == 0
    assert ParkedChange.objects.count() == 1
    # A pull that started after the change was parked read the peer's feed to its end.
    PeerLink.objects.filter(pk=link.pk).update(drained_at=timezone.now())
    assert parked_retry() == 1
    assert not ParkedChange.objects.exists()


def test_a_baseline_row_applies_without_a_version(region):
    root = Domain.objects.get(pk=ROOT_DOMAIN_ID)
    change = domain_change(
        ROOT_DOMAIN_ID,
        UNVERSIONED,
        name="ROOT",
        parent=None,
        path="ROOT",
        network_domain="cloud.example.com",
    )
    assert change_apply(change) == Outcome.APPLIED
    root.refresh_from_db()
    assert root.network_domain == "cloud.example.com"
    assert stored_version("identity.domain", ROOT_DOMAIN_ID) is None


def test_a_peers_change_to_this_regions_row_keeps_it_local(region):
    payload = registry.spec_for(Region).to_payload(region) | {"description": "edited in west"}
    change = IncomingChange(
        "regions.region", str(region.uuid), "upsert", (WALL * 10, 0, 2), payload
    )
    assert change_apply(change) == Outcome.APPLIED
    region.refresh_from_db()
    assert region.description == "edited in west" and region.is_local


def test_a_new_region_arrives_keyed_by_its_uuid(region):
    west_uuid = uuid.uuid4()
    payload = registry.spec_for(Region).to_payload(
        Region(id=2, name="west", endpoint="http://127.0.0.1:8002")
    )
    change = IncomingChange("regions.region", str(west_uuid), "upsert", (WALL, 0, 2), payload)
    assert change_apply(change) == Outcome.APPLIED
    west = Region.objects.get(uuid=west_uuid)
    assert (west.pk, west.name, west.is_local) == (2, "west", False)


def test_changes_from_the_wire_are_checked(region):
    with pytest.raises(ValueError):
        IncomingChange.from_wire(
            {"model": "identity.domain", "object_id": "x", "op": "merge", "version": [1, 0, 2]}
        )
    with pytest.raises(ValueError):
        change_apply(IncomingChange("zones.zone", "x", "upsert", (WALL, 0, 2), {}))
    parsed = IncomingChange.from_wire(
        {"model": "identity.domain", "object_id": 5, "op": "delete", "version": ["7", 1, 2]}
    )
    assert parsed == IncomingChange("identity.domain", "5", "delete", (7, 1, 2), {})


def test_a_child_made_under_a_parent_renamed_elsewhere_takes_the_new_path(region):
    parent, child = uuid.uuid4(), uuid.uuid4()
    change_apply(domain_change(parent, (WALL, 0, 2), name="ren"))
    # Region 3 made the child while it still saw ROOT/ren; region 2 renamed the parent.
    rename = domain_change(parent, (WALL + 2, 0, 2), name="ren-x", path="ROOT/ren-x")
    kid = domain_change(child, (WALL + 1, 0, 3), name="kid", parent=parent, path="ROOT/ren/kid")
    for order in ([rename, kid], [kid, rename]):
        with transaction.atomic():
            for change in order:
                change_apply(change)
            assert Domain.objects.get(pk=child).path == "ROOT/ren-x/kid"
            transaction.set_rollback(True)
    # A rename that arrives after the child moves the whole subtree.
    change_apply(kid)
    grandchild = uuid.uuid4()
    change_apply(
        domain_change(grandchild, (WALL + 1, 1, 3), name="g", parent=child, path="ROOT/ren/kid/g")
    )
    change_apply(rename)
    assert Domain.objects.get(pk=grandchild).path == "ROOT/ren-x/kid/g"


def test_sibling_domains_named_alike_in_two_regions_keep_both_and_rename_the_higher_key(region):
    here = factories.domain(name="twin")
    sub = factories.domain(parent=here, name="sub")
    theirs = uuid.uuid4()
    assert change_apply(domain_change(theirs, (WALL, 0, 2), name="Twin")) == Outcome.PARKED
    assert parked_retry() == 1  # no peers: nothing can be in transit
    loser = max(str(here.pk), str(theirs))
    rows = {str(d.pk): d for d in Domain.objects.all()}
    assert rows[loser].name.endswith("-" + loser[:8])
    assert rows[str(here.pk)].path == f"ROOT/{rows[str(here.pk)].name}"
    # The local domain's subtree follows its new name when it is the one renamed.
    assert Domain.objects.get(pk=sub.pk).path == f"{rows[str(here.pk)].path}/sub"
    assert Change.objects.filter(object_id=loser, origin=region.pk).exists()


def test_a_membership_added_in_two_regions_at_once_keeps_one_row(region):
    project = factories.project(name="shared-proj")
    member = factories.account(domain=project.domain)
    here = identity_services.project_member_add(project=project, account=member, by=None)
    theirs = uuid.uuid4()
    payload = registry.spec_for(ProjectMembership).to_payload(
        ProjectMembership(project_id=project.pk, account_id=member.pk, role="admin")
    )
    change = IncomingChange(
        "identity.projectmembership", str(theirs), "upsert", (WALL, 0, 2), payload
    )
    assert change_apply(change) == Outcome.PARKED
    parked_retry()
    kept = min(str(here.pk), str(theirs))
    assert [
        str(pk)
        for pk in ProjectMembership.objects.filter(project=project, account=member).values_list(
            "pk", flat=True
        )
    ] == [kept]
    dropped = max(str(here.pk), str(theirs))
    _, deleted = stored_version("identity.projectmembership", dropped)
    assert deleted
    assert Override.objects.get(object_id=dropped).kind == "duplicate"
    assert not ParkedChange.objects.exists()


def test_a_newer_parked_change_of_a_clashing_row_is_the_one_settled(region):
    local = factories.user(username="erin")
    theirs = uuid.uuid4()
    first = user_change(theirs, (WALL, 0, 2), account=local.account_id, username="erin")
    second = user_change(
        theirs, (WALL + 1, 0, 2), account=local.account_id, username="erin", email="e@x.example"
    )
    change_apply(first)
    change_apply(second)
    assert ParkedChange.objects.count() == 2
    parked_retry()
    assert not ParkedChange.objects.exists()
    assert User.objects.get(pk=theirs).email == "e@x.example"


def test_a_domain_that_would_break_the_tree_is_refused_and_said_so(region):
    """Only a faulty or hostile peer sends one; taken in, paths would grow on every apply."""
    child = factories.domain(name="child")
    grandchild = factories.domain(parent=child, name="grandchild")
    own = uuid.uuid4()
    cases = [
        domain_change(own, (WALL, 0, 2), name="selfish", parent=own),
        domain_change(child.pk, (WALL + 1, 0, 2), name="child", parent=grandchild.pk),
        domain_change(uuid.uuid4(), (WALL + 2, 0, 2), name="orphan", parent=None),
        domain_change(ROOT_DOMAIN_ID, (WALL + 3, 0, 2), name="ROOT", parent=child.pk),
    ]
    before = list(Domain.objects.order_by("pk").values_list("pk", "parent_id", "path"))
    for change in cases:
        assert change_apply(change) == Outcome.IGNORED
    assert list(Domain.objects.order_by("pk").values_list("pk", "parent_id", "path")) == before
    refused = Override.objects.filter(kind="invalid").order_by("created", "id")
    assert refused.count() == 4
    assert "own ancestor" in refused[0].detail and "own ancestor" in refused[1].detail
    assert "without a parent" in refused[2].detail and "ROOT" in refused[3].detail
    # a valid move still applies
    later = (10**13, 0, 2)  # after the local writes that made these domains
    moved = domain_change(grandchild.pk, later, name="grandchild", parent=ROOT_DOMAIN_ID)
    assert change_apply(moved) == Outcome.APPLIED
    assert Domain.objects.get(pk=grandchild.pk).path == "ROOT/grandchild"
