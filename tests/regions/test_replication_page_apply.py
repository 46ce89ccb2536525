"""page_apply must end exactly where applying the same changes one by one ends."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction

from identity.crypto import secret_decrypt, secret_encrypt
from identity.models import (
    ROOT_DOMAIN_ID,
    Account,
    ApiKey,
    Domain,
    Project,
    ProjectMembership,
    User,
)
from regions.federation.peer.sealing import unseal
from regions.federation.replication import registry
from regions.federation.replication.apply import IncomingChange, Outcome, change_apply, parked_retry
from regions.federation.replication.page_apply import page_apply
from regions.federation.services import federation_ensure
from regions.models import Change, ObjectVersion, Override, ParkedChange, Region
from regions.services import region_create
from tests import factories
from tests.db_state import replicated_state

WALL = 4_000_000_000_000  # ahead of any local write of this run
NS = uuid.UUID("6f2a4b0e-0000-4000-8000-000000000000")
CAROL = uuid.UUID("00000000-0000-4000-8000-00000000ca01")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def wire(model: type, object_id: str, tick: int, instance=None, *, op: str = "upsert") -> dict:
    spec = registry.spec_for(model)
    return {
        "model": spec.label,
        "object_id": object_id,
        "op": op,
        "version": [WALL + tick, 0, 2],
        "payload": spec.to_payload(instance) if op == "upsert" else {},
    }


def domain(tick, name, path, parent=ROOT_DOMAIN_ID, **fields):
    return wire(Domain, uid(path), tick, Domain(parent_id=parent, name=name, path=path, **fields))


def account(tick, name, domain_path, **fields):
    domain_id = ROOT_DOMAIN_ID if domain_path == "ROOT" else uid(domain_path)
    return wire(
        Account, uid(f"acct:{name}"), tick, Account(domain_id=domain_id, name=name, **fields)
    )


def user(tick, key, username, account_name, **fields):
    row = User(
        account_id=uid(f"acct:{account_name}"),
        username=username,
        password=make_password(f"pw-{key}"),
        **fields,
    )
    return wire(User, uid(f"user:{key}"), tick, row)


def project(tick, name, domain_path, owner, **fields):
    row = Project(domain_id=uid(domain_path), name=name, owner_id=uid(f"acct:{owner}"), **fields)
    return wire(Project, uid(f"proj:{name}"), tick, row)


def membership(tick, project_name, account_name):
    row = ProjectMembership(
        project_id=uid(f"proj:{project_name}"), account_id=uid(f"acct:{account_name}")
    )
    return wire(ProjectMembership, uid(f"member:{project_name}:{account_name}"), tick, row)


def api_key(tick, user_key, secret):
    row = ApiKey(
        user_id=uid(f"user:{user_key}"),
        api_key=f"public-{user_key}",
        secret_key_encrypted=secret_encrypt(secret),
    )
    return wire(ApiKey, uid(f"key:{user_key}"), tick, row)


def delete(model, object_id, tick):
    return wire(model, object_id, tick, op="delete")


def outcome_of(strategy: Callable[[list[dict]], None], changes: list[dict]) -> dict:
    """The state STRATEGY leaves after applying CHANGES, rolled back afterwards."""
    with transaction.atomic():
        strategy(changes)
        state = replicated_state(parked=True)
        transaction.set_rollback(True)
    return state


def one_by_one(changes: list[dict]) -> None:
    for data in changes:
        change_apply(IncomingChange.from_wire(data))
    parked_retry()


def in_pages(size: int) -> Callable[[list[dict]], None]:
    def strategy(changes: list[dict]) -> None:
        for start in range(0, len(changes), size):
            page_apply(changes[start : start + size])

    return strategy


@pytest.fixture
def here(region):
    """What this region holds before the peer's changes arrive."""
    federation_ensure()
    shared = factories.domain(name="shared")
    carol = factories.user(username="carol")
    # A key below the clashing user's, so carol keeps her name and the peer's user is renamed
    # (as the row with the lower key keeps a name taken in two regions at once).
    User.objects.filter(pk=carol.pk).update(id=CAROL)
    ObjectVersion.objects.filter(object_id=str(carol.pk)).update(object_id=str(CAROL))
    return {"shared": shared, "carol": User.objects.get(pk=CAROL)}


def history(here) -> list[dict]:
    """A peer's (region 2) changes, in the order it made them."""
    shared = here["shared"]
    changes = [
        domain(1, "west", "ROOT/west"),
        domain(2, "apps", "ROOT/west/apps", parent=uid("ROOT/west")),
        domain(3, "web", "ROOT/west/apps/web", parent=uid("ROOT/west/apps")),
        account(4, "builders", "ROOT/west/apps"),
        account(5, "testers", "ROOT/west"),
        user(6, "u1", "u1", "builders"),
        user(7, "u2", "u2", "testers", email="u2@example.com"),
        # upsert, delete, upsert of one object: the delete is final
        user(8, "u3", "u3", "testers", first_name="first"),
        delete(User, uid("user:u3"), 9),
        domain(10, "apps", "ROOT/west/apps", parent=uid("ROOT/west"), network_domain="apps.west"),
        user(11, "u3", "u3", "testers", first_name="again", state="disabled"),
        # a username this region already gives to another user
        user(12, "clash", "Carol", "testers"),
        project(13, "p1", "ROOT/west/apps", "builders"),
        membership(14, "p1", "testers"),
        project(15, "p2", "ROOT/west", "testers"),
        delete(Project, uid("proj:p2"), 16),
        api_key(17, "u1", "the-secret-of-u1"),
        # an update of a row made here
        wire(
            Domain,
            str(shared.pk),
            18,
            Domain(parent_id=ROOT_DOMAIN_ID, name="shared", path="ROOT/shared", network_domain="s"),
        ),
        account(19, "builders", "ROOT/west/apps", state="disabled"),
        user(20, "u2", "u2", "testers", email="u2@west.example.com"),
    ]
    return changes


def check_expected(state: dict, here) -> None:
    """The one-by-one reference itself ends where the history says."""
    rows = {
        label: {str(r.get("id", r.get("uuid"))): r for r in v} for label, v in state["rows"].items()
    }
    domains = rows["identity.domain"]
    assert domains[uid("ROOT/west/apps/web")]["path"] == "ROOT/west/apps/web"
    assert domains[uid("ROOT/west/apps")]["network_domain"] == "apps.west"
    assert domains[str(here["shared"].pk)]["network_domain"] == "s"
    users = rows["identity.user"]
    assert uid("user:u3") not in users
    assert users[uid("user:u2")]["email"] == "u2@west.example.com"
    clash_suffix = uid("user:clash").replace("-", "")[:8]
    assert users[uid("user:clash")]["username"] == f"Carol-{clash_suffix}"
    assert users[str(here["carol"].pk)]["username"] == "carol"
    assert rows["identity.account"][uid("acct:builders")]["state"] == "disabled"
    assert uid("proj:p2") not in rows["identity.project"]
    assert uid("proj:p1") in rows["identity.project"]
    assert uid("member:p1:testers") in rows["identity.projectmembership"]
    assert rows["identity.apikey"][uid("key:u1")]["secret_key_encrypted"] == "the-secret-of-u1"
    versions = {(m, o): (w - WALL, c, origin, d) for m, o, w, c, origin, d in state["versions"]}
    assert versions[("identity.project", uid("proj:p2"))] == (16, 0, 2, True)
    assert versions[("identity.user", uid("user:u3"))] == (11, 0, 2, True)
    assert versions[("identity.domain", str(here["shared"].pk))] == (18, 0, 2, False)
    # The rename of the clashing user is this region's own change, after the peer's.
    local = Region.objects.get(is_local=True).pk
    assert versions[("identity.user", uid("user:clash"))] == (12, 1, local, False)
    assert state["parked"] == []


def orders(changes: list[dict]) -> list[list[dict]]:
    shuffled = []
    for seed in range(6):
        order = list(changes)
        random.Random(seed).shuffle(order)
        shuffled.append(order)
    return [list(changes), list(reversed(changes)), *shuffled]


def test_the_reference_run_ends_as_the_history_says(here):
    check_expected(outcome_of(one_by_one, history(here)), here)


@pytest.mark.parametrize("index", range(8))
def test_one_page_ends_exactly_as_one_by_one_in_any_order(here, index):
    order = orders(history(here))[index]
    expected = outcome_of(one_by_one, order)
    check_expected(expected, here)
    assert outcome_of(page_apply, order) == expected


@pytest.mark.parametrize(("index", "size"), [(0, 3), (1, 4), (4, 5), (6, 1), (7, 7)])
def test_several_pages_end_exactly_as_one_by_one(here, index, size):
    order = orders(history(here))[index]
    expected = outcome_of(one_by_one, order)
    assert outcome_of(in_pages(size), order) == expected


def test_page_apply_records_only_what_it_decided_and_counts_what_it_did(here):
    before = Change.objects.count()
    last_seq = Change.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    changes = history(here)
    counts = page_apply(changes)
    # One change of its own: the rename of the user whose name was taken here.
    [rename] = Change.objects.filter(seq__gt=last_seq)
    assert (rename.object_id, rename.payload["username"]) == (
        uid("user:clash"),
        f"Carol-{uid('user:clash').replace('-', '')[:8]}",
    )
    assert Change.objects.count() == before + 1
    # The clash waits for a pull round (none is needed without peers), then settles.
    assert (counts["parked"], counts["unparked"]) == (1, 1)
    assert counts["applied"] + counts["ignored"] + counts["parked"] == len(changes)


def test_a_domain_whose_parent_comes_later_in_the_page_is_applied(region):
    changes = [
        domain(3, "c", "ROOT/a/b/c", parent=uid("ROOT/a/b")),
        domain(2, "b", "ROOT/a/b", parent=uid("ROOT/a")),
        domain(1, "a", "ROOT/a"),
    ]
    counts = page_apply(changes)
    assert counts["applied"] == 3 and counts["parked"] == 0
    assert Domain.objects.get(pk=uid("ROOT/a/b/c")).parent_id == uuid.UUID(uid("ROOT/a/b"))
    assert not ParkedChange.objects.exists()


def test_upsert_delete_upsert_in_one_page_keeps_the_last(region):
    changes = [
        account(1, "acct", "ROOT", network_domain="one"),
        delete(Account, uid("acct:acct"), 2),
        account(3, "acct", "ROOT", network_domain="three"),
    ]
    page_apply(changes)
    assert Account.objects.get(pk=uid("acct:acct")).network_domain == "three"
    row = ObjectVersion.objects.get(model="identity.account", object_id=uid("acct:acct"))
    assert (row.wall - WALL, row.deleted) == (3, False)

    page_apply([account(4, "acct", "ROOT"), delete(Account, uid("acct:acct"), 5)])
    assert not Account.objects.filter(pk=uid("acct:acct")).exists()
    row.refresh_from_db()
    assert (row.wall - WALL, row.deleted) == (5, True)


def test_a_username_clash_renames_the_higher_key_and_applies_the_rest(region):
    local = factories.user(username="carol")
    changes = [
        account(1, "team", "ROOT"),
        user(2, "a", "alpha", "team"),
        user(3, "clash", "CAROL", "team"),
        user(4, "b", "beta", "team"),
    ]
    counts = page_apply(changes)
    assert (counts["applied"], counts["parked"], counts["unparked"]) == (3, 1, 1)
    incoming_keeps = uid("user:clash") < str(local.pk)
    loser = uid("user:clash") if not incoming_keeps else str(local.pk)
    renamed = ("CAROL" if loser == uid("user:clash") else "carol") + "-" + loser[:8]
    names = dict(User.objects.values_list("pk", "username"))
    assert names[uuid.UUID(loser)] == renamed
    winner = "CAROL" if incoming_keeps else "carol"
    assert {names[uuid.UUID(uid("user:clash"))], names[local.pk]} == {renamed, winner}
    assert not ParkedChange.objects.exists()
    [override] = Override.objects.all()
    assert (override.kind, override.object_id) == ("name_clash", loser)
    # The rename is recorded here, so every region renames the same user.
    assert Change.objects.filter(object_id=loser, payload__username=renamed).exists()


def test_names_swapped_through_a_temporary_name_in_one_page_end_as_one_by_one(here):
    """Rows known here, renamed x->tmp, y->x, tmp->y in one page: only the newest versions
    of each would clash with each other, so the page must not lose the steps between."""
    created = [account(1, "team", "ROOT"), user(2, "u5", "x", "team"), user(3, "u6", "y", "team")]
    renames = [
        user(4, "u5", "tmp", "team"),
        user(5, "u6", "x", "team"),
        user(6, "u5", "y", "team"),
    ]

    def reference(_):
        one_by_one(created)
        one_by_one(renames)

    def paged(_):
        page_apply(created)
        page_apply(renames)

    expected = outcome_of(reference, [])
    users = {r["id"]: r["username"] for r in expected["rows"]["identity.user"]}
    assert users[uuid.UUID(uid("user:u5"))] == "y" and users[uuid.UUID(uid("user:u6"))] == "x"
    assert expected["parked"] == []
    assert outcome_of(paged, []) == expected


def test_an_older_version_whose_parent_is_here_applies_while_the_newest_waits(region):
    """A project moved to an owner that has not arrived yet: as one by one, the project is
    here (at the version before the move) while the move waits for its new owner."""
    changes = [
        domain(1, "d", "ROOT/d"),
        account(2, "first", "ROOT/d"),
        project(3, "p", "ROOT/d", "first"),
        project(5, "p", "ROOT/d", "later"),  # account "later" is made in another region
    ]
    expected = outcome_of(one_by_one, changes)
    projects = expected["rows"]["identity.project"]
    assert [p["owner_id"] for p in projects] == [uuid.UUID(uid("acct:first"))]
    assert [p[:2] for p in expected["parked"]] == [("identity.project", uid("proj:p"))]
    assert outcome_of(page_apply, changes) == expected


def test_a_sealed_api_key_unseals_to_the_same_secret_on_apply(region):
    federation_ensure()
    changes = [account(1, "team", "ROOT"), user(2, "k", "keyed", "team"), api_key(3, "k", "s3")]
    assert "secret_key_encrypted" not in changes[2]["payload"]
    assert unseal(changes[2]["payload"]["secret_key_sealed"]) == "s3"
    assert page_apply(changes)["applied"] == 3
    assert secret_decrypt(ApiKey.objects.get(pk=uid("key:k")).secret_key_encrypted) == "s3"


def test_an_empty_or_fully_known_page_changes_nothing(here):
    changes = history(here)
    page_apply(changes)
    state = replicated_state(parked=True)
    counts = page_apply(changes)
    assert counts["applied"] == 0
    assert replicated_state(parked=True)["rows"] == state["rows"]
    assert replicated_state(parked=True)["versions"] == state["versions"]
    assert page_apply([])["applied"] == 0


def test_outcomes_are_the_documented_ones():
    assert {o.value for o in Outcome} == {"applied", "ignored", "parked"}


def test_an_update_of_a_known_region_applies_in_bulk_and_keeps_its_id(region):
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    renamed = Region(id=2, name="west-1", endpoint="http://127.0.0.1:8002", description="new")
    own = Region(id=1, name="east", endpoint="http://127.0.0.1:8000", description="edited")
    changes = [
        wire(Region, str(west.uuid), 1, renamed),
        wire(Region, str(region.uuid), 2, own),
    ]
    expected = outcome_of(one_by_one, changes)
    assert outcome_of(page_apply, changes) == expected
    assert page_apply(changes)["applied"] == 2
    west.refresh_from_db()
    region.refresh_from_db()
    assert (west.pk, west.name, west.description) == (2, "west-1", "new")
    assert (region.description, region.is_local) == ("edited", True)


def test_a_known_region_arriving_with_another_id_is_refused_never_parked(region):
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    moved = Region(id=7, name="west", endpoint="http://127.0.0.1:8002")
    changes = [wire(Region, str(west.uuid), 1, moved)]
    expected = outcome_of(one_by_one, changes)
    assert expected["parked"] == []
    assert outcome_of(page_apply, changes) == expected
    assert page_apply(changes)["ignored"] == 1
    assert list(Region.objects.values_list("pk", flat=True)) == [1, 2]
    override = Override.objects.get(object_id=str(west.uuid))
    assert override.kind == "region_id" and "never changes" in override.detail
