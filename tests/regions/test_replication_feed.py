"""The change feed peers pull, and the snapshot a joining region loads."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction

from identity import services as identity
from identity.models import (
    ROOT_DOMAIN_ID,
    Account,
    ApiKey,
    Domain,
    Project,
    ProjectMembership,
    User,
)
from identity.services.keys import user_keys_register
from regions.federation.peer.sealing import unseal
from regions.federation.replication import recorder, registry
from regions.federation.replication.apply import IncomingChange, Outcome, change_apply, parked_retry
from regions.federation.replication.feed import (
    FEED_LIMIT,
    change_to_wire,
    feed_head,
    feed_page_json,
    feed_read,
    snapshot_build,
)
from regions.federation.replication.join import snapshot_apply
from regions.federation.services import federation_ensure
from regions.models import Change, ObjectVersion, ParkedChange, PeerLink, Region
from regions.services import region_create
from tests import factories
from tests.db_state import replicated_state

FUTURE = 4_000_000_000_000


def local_changes() -> list[Change]:
    return list(Change.objects.filter(origin=1).order_by("seq"))


def test_the_feed_pages_in_order_with_more_and_last_seq(region):
    for n in range(7):
        factories.domain(name=f"d{n}")
    everything = local_changes()
    assert len(everything) == 8  # the region row, then seven domains

    first = feed_read(origin=1, after=0, limit=3)
    assert [c["seq"] for c in first["changes"]] == [c.seq for c in everything[:3]]
    assert first["more"] is True and first["last_seq"] == everything[2].seq
    assert first["format"] == registry.PAYLOAD_FORMAT and first["origin"] == 1

    seen, after = [], 0
    while True:
        page = feed_read(origin=1, after=after, limit=3)
        seen += [c["seq"] for c in page["changes"]]
        after = page["last_seq"]
        if not page["more"]:
            break
    assert seen == [c.seq for c in everything]
    assert after == everything[-1].seq == feed_head(origin=1)

    exact = feed_read(origin=1, after=everything[4].seq, limit=3)
    assert len(exact["changes"]) == 3 and exact["more"] is False

    done = feed_read(origin=1, after=after, limit=3)
    assert done == {
        "format": registry.PAYLOAD_FORMAT,
        "origin": 1,
        "changes": [],
        "last_seq": after,
        "more": False,
    }


def test_the_feed_carries_only_changes_made_here(region):
    factories.domain(name="mine")
    Change.objects.create(
        model="identity.domain",
        object_id=str(uuid.uuid4()),
        op="upsert",
        wall=FUTURE,
        counter=0,
        origin=2,
        payload={},
    )
    factories.domain(name="mine-too")
    page = feed_read(origin=1, after=0)
    assert {c["version"][2] for c in page["changes"]} == {1}
    assert len(page["changes"]) == 3
    assert feed_head(origin=1) == local_changes()[-1].seq
    assert feed_head(origin=5) == 0


def test_the_page_size_is_clamped(region):
    for n in range(3):
        factories.domain(name=f"d{n}")
    assert len(feed_read(origin=1, after=0, limit=0)["changes"]) == 1
    assert len(feed_read(origin=1, after=0, limit=-5)["changes"]) == 1
    assert len(feed_read(origin=1, after=0, limit=FEED_LIMIT * 10)["changes"]) == 4


def test_the_page_as_json_text_is_the_page(region):
    """Streams and pulls send the page as the database's text; it reads back as feed_read's
    page, whatever the payloads hold."""
    odd = {"t": 'quote " back\\ tab\t', "u": "ëü ✓ 雪", "n": None, "f": 1.5, "l": [1, {"a": []}]}
    Change.objects.create(
        model="m", object_id="odd", op="upsert", wall=9, counter=0, origin=region.pk, payload=odd
    )
    identity.domain_create(parent=Domain.objects.get(pk=ROOT_DOMAIN_ID), name="jsonpage", by=None)
    head = feed_head(origin=region.pk)
    for after, limit in ((0, FEED_LIMIT), (0, 1), (head - 1, 5), (head, 5)):
        text, last_seq, more = feed_page_json(origin=region.pk, after=after, limit=limit)
        page = feed_read(origin=region.pk, after=after, limit=limit)
        assert json.loads(text) == json.loads(json.dumps(page))
        assert (last_seq, more) == (page["last_seq"], page["more"])
    assert any(
        c["payload"] == odd
        for c in json.loads(feed_page_json(origin=region.pk, after=0)[0])["changes"]
    )


def test_a_wire_change_carries_state_version_and_origin(region):
    domain = factories.domain(name="eng")
    change = local_changes()[-1]
    wire = change_to_wire(change)
    assert wire == {
        "seq": change.seq,
        "created": change.created.isoformat(),
        "model": "identity.domain",
        "object_id": str(domain.pk),
        "op": "upsert",
        "version": [change.wall, change.counter, 1],
        "payload": change.payload,
        "format": 1,
    }
    assert IncomingChange.from_wire(wire).version == change.version


def test_the_api_key_secret_travels_sealed_and_unseals_to_the_same_secret(region):
    federation_ensure()
    user = factories.user()
    pair = user_keys_register(user=user, by=None)
    [change] = Change.objects.filter(model="identity.apikey")
    assert "secret_key_encrypted" not in change.payload
    stored = ApiKey.objects.get().secret_key_encrypted
    text = str(change.payload)
    assert pair.secret_key not in text and stored not in text
    assert unseal(change.payload["secret_key_sealed"]) == pair.secret_key
    assert change.payload["api_key"] == pair.api_key

    snapshot = snapshot_build(local=region)
    [key] = [o for o in snapshot["objects"] if o["model"] == "identity.apikey"]
    assert pair.secret_key not in str(key) and stored not in str(key)
    assert unseal(key["payload"]["secret_key_sealed"]) == pair.secret_key


def test_the_snapshot_lists_parents_first_with_versions_tombstones_and_cursors(region):
    eng = factories.domain(name="eng")
    ops = factories.domain(parent=eng, name="ops")
    gone = factories.domain(name="gone")
    gone_id = str(gone.pk)
    identity.domain_delete(domain=gone, by=None)
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    PeerLink.objects.create(region=west, pulled_seq=42)

    snapshot = snapshot_build(local=region)
    assert snapshot["origin"] == 1 and snapshot["format"] == registry.PAYLOAD_FORMAT
    assert snapshot["cursors"] == {"1": feed_head(origin=1), "2": 42}

    labels = [o["model"] for o in snapshot["objects"]]
    order = [spec.label for spec in registry.registered()]
    assert labels == sorted(labels, key=order.index)
    domains = [o["object_id"] for o in snapshot["objects"] if o["model"] == "identity.domain"]
    assert domains.index(str(ROOT_DOMAIN_ID)) < domains.index(str(eng.pk))
    assert domains.index(str(eng.pk)) < domains.index(str(ops.pk))
    assert gone_id not in domains

    by_id = {o["object_id"]: o for o in snapshot["objects"]}
    assert by_id[str(ROOT_DOMAIN_ID)]["version"] == [0, 0, 0]  # made by the migration
    ops_version = ObjectVersion.objects.get(object_id=str(ops.pk)).version
    assert by_id[str(ops.pk)]["version"] == list(ops_version)
    assert by_id[str(west.uuid)]["payload"]["id"] == 2
    assert snapshot["parked"] == []
    assert snapshot["tombstones"] == [
        {
            "model": "identity.domain",
            "object_id": gone_id,
            "op": "delete",
            "version": list(ObjectVersion.objects.get(object_id=gone_id).version),
            "payload": {},
        }
    ]


def wipe_identity() -> None:
    """Leave this portal as a fresh install would be: only ROOT and its own region row."""
    with recorder.applying_remote():
        for model in (ApiKey, ProjectMembership, Project, User, Account):
            for row in model.objects.all():
                row.delete()
        for domain in sorted(Domain.objects.exclude(pk=ROOT_DOMAIN_ID), key=lambda d: -d.level):
            domain.delete()
        Region.objects.filter(is_local=False).delete()
        ObjectVersion.objects.all().delete()
        ParkedChange.objects.all().delete()


@pytest.fixture
def populated(region, root):
    federation_ensure()
    eng = factories.domain(name="eng")
    ops = factories.domain(parent=eng, name="ops")
    identity.domain_update(domain=ops, network_domain="ops.example.com", by=None)
    owner = factories.account(domain=ops, name="team")
    user = factories.user(account=owner, username="dana", email="dana@example.com")
    user_keys_register(user=user, by=None)
    project = factories.project(owner=owner, name="p1")
    identity.project_member_add(project=project, account=root.account, by=None)
    gone = factories.domain(name="gone")
    gone_id = str(gone.pk)
    identity.domain_delete(domain=gone, by=None)
    region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    return gone_id


def test_a_snapshot_round_trips_into_an_empty_identity(populated, region):
    before = replicated_state()
    snapshot = snapshot_build(local=region)
    changes = Change.objects.count()
    with transaction.atomic():
        wipe_identity()
        assert not User.objects.exists() and not ObjectVersion.objects.exists()
        loaded = snapshot_apply(snapshot)
        assert replicated_state() == before
        assert not ParkedChange.objects.exists()
        assert loaded["identity.user"] == 2 and loaded["identity.apikey"] == 1
        # Loading is applying, not writing here: nothing enters the change log.
        assert Change.objects.count() == changes
        # A late replay of the deleted domain's creation cannot bring it back.
        tombstone = ObjectVersion.objects.get(object_id=populated)
        assert tombstone.deleted
        transaction.set_rollback(True)
    assert replicated_state() == before


def test_a_snapshot_loaded_twice_changes_nothing(populated, region):
    snapshot = snapshot_build(local=region)
    before = replicated_state()
    snapshot_apply(snapshot)
    assert replicated_state() == before


def test_a_snapshot_carries_changes_parked_here(region):
    """A change parked here is behind the cursor the snapshot hands out: a joiner that did
    not get it in the snapshot would never pull it again."""
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    PeerLink.objects.create(region=west, pulled_seq=10)
    account_id, user_id = uuid.uuid4(), uuid.uuid4()
    waiting = IncomingChange(
        "identity.user",
        str(user_id),
        "upsert",
        (FUTURE, 0, 2),
        registry.spec_for(User).to_payload(
            User(account_id=account_id, username="waiting", password=make_password("x"))
        ),
    )
    assert change_apply(waiting) == Outcome.PARKED

    snapshot = snapshot_build(local=region)
    assert snapshot["cursors"]["2"] == 10
    assert snapshot["parked"] == [
        {
            "model": "identity.user",
            "object_id": str(user_id),
            "op": "upsert",
            "version": [FUTURE, 0, 2],
            "payload": waiting.payload,
        }
    ]
    with transaction.atomic():
        wipe_identity()
        snapshot_apply(snapshot)
        # The joiner holds the change (still waiting for its parent) ...
        assert ParkedChange.objects.filter(object_id=str(user_id)).exists()
        # ... and applies it when the parent comes (from region 3, say).
        parent = registry.spec_for(Account).to_payload(
            Account(domain_id=ROOT_DOMAIN_ID, name="late")
        )
        change_apply(
            IncomingChange("identity.account", str(account_id), "upsert", (FUTURE, 0, 3), parent)
        )
        assert parked_retry() == 1
        assert User.objects.get(pk=user_id).username == "waiting"
        transaction.set_rollback(True)


# --- catch-up: pulling a peer's feed from our cursor -------------------------------------


def peer_feed(changes: list[dict], page_size: int):
    """A peer's feed as its changes/ endpoint serves it (seq numbers 1..n)."""

    def call_region(region, *, method, path, params):
        assert (method, path, region.pk) == ("GET", "/api/peer/changes/", 2)
        after = params["after"]
        rows = [dict(c, seq=n) for n, c in enumerate(changes, 1) if n > after]
        page = rows[:page_size]
        return {
            "format": 1,
            "origin": 2,
            "changes": page,
            "last_seq": page[-1]["seq"] if page else after,
            "more": len(rows) > page_size,
        }

    return call_region


def domain_wire(name: str, tick: int, parent=ROOT_DOMAIN_ID, path=None) -> dict:
    object_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, path or f"ROOT/{name}"))
    payload = registry.spec_for(Domain).to_payload(
        Domain(parent_id=parent, name=name, path=path or f"ROOT/{name}")
    )
    return {
        "model": "identity.domain",
        "object_id": object_id,
        "op": "upsert",
        "version": [FUTURE + tick, 0, 2],
        "payload": payload,
    }


def test_a_pull_applies_every_page_and_moves_the_cursor_with_them(region, monkeypatch):
    from regions.federation.replication import delivery

    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:9", by=None)
    changes = [domain_wire(f"w{n}", n) for n in range(5)]
    monkeypatch.setattr(delivery, "call_region", peer_feed(changes, page_size=2))
    delivery.peer_links()
    totals = delivery.peer_pull(region_id=2)
    assert totals == {"applied": 5, "ignored": 0, "parked": 0, "batches": 3}
    link = PeerLink.objects.get(region=west)
    assert link.pulled_seq == 5 and link.reachable
    assert Domain.objects.filter(name__startswith="w").count() == 5
    assert not Change.objects.filter(model="identity.domain").exists()  # applied, not recorded

    # Pulling again asks from the cursor and finds nothing new.
    assert delivery.peer_pull(region_id=2)["applied"] == 0
    assert PeerLink.objects.get(region=west).pulled_seq == 5


def test_a_page_that_fails_leaves_the_cursor_and_applies_nothing_of_it(region, monkeypatch):
    from regions.federation.replication import delivery

    region_create(id=2, name="west", endpoint="http://127.0.0.1:9", by=None)
    changes = [domain_wire("ok1", 1), domain_wire("ok2", 2), domain_wire("ok3", 3)]
    changes.append(dict(domain_wire("bad", 4), op="merge"))
    monkeypatch.setattr(delivery, "call_region", peer_feed(changes, page_size=2))
    delivery.peer_links()
    with pytest.raises(ValueError):
        delivery.peer_pull(region_id=2)
    # The first page stands with its cursor; nothing of the failed page was applied.
    assert PeerLink.objects.get(region_id=2).pulled_seq == 2
    assert set(Domain.objects.filter(name__startswith="ok").values_list("name", flat=True)) == {
        "ok1",
        "ok2",
    }
