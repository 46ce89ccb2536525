"""Joining a cloud: one-time tokens (stored hashed), and the joining portal's side."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from identity import services as identity
from identity.crypto import secret_decrypt
from identity.models import ROOT_DOMAIN_ID, Account, ApiKey, Domain, Project, User
from identity.services.keys import user_keys_register
from regions.federation.peer.client import PeerError
from regions.federation.replication import join as join_module
from regions.federation.replication import recorder, region_ids
from regions.federation.replication.join import join_accept, join_token_create, region_join
from regions.federation.services import federation_ensure
from regions.models import (
    Change,
    Federation,
    JoinToken,
    ObjectVersion,
    ParkedChange,
    PeerLink,
    PeerNonce,
    Region,
    RegionIdReservation,
)
from regions.services import region_create
from tests import factories
from tests.db_state import db_state


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_root_admin_makes_a_one_time_token_stored_only_as_its_hash(root):
    row, token = join_token_create(by=root)
    assert len(token) >= 40
    assert row.token_hash == sha256(token) and row.created_by == root
    assert row.used_at is None
    assert timedelta(minutes=59) < row.expires_at - timezone.now() <= timedelta(hours=1)
    assert token not in str(db_state())
    assert Federation.objects.filter(pk=1).exists()  # made on first need
    _, second = join_token_create(by=root)
    assert second != token and JoinToken.objects.count() == 2


def test_only_root_admins_make_join_tokens(dadmin, alice, region):
    for actor in (dadmin, alice):
        before = db_state()
        with pytest.raises(PermissionDenied):
            join_token_create(by=actor)
        assert db_state() == before


def test_a_disabled_root_admin_makes_no_token(root):
    User.objects.filter(pk=root.pk).update(state="disabled")
    root.refresh_from_db()
    with pytest.raises(PermissionDenied):
        join_token_create(by=root)
    assert not JoinToken.objects.exists()


def test_no_token_before_this_portal_serves_a_region(db):
    with pytest.raises(ValidationError) as error:
        join_token_create(by=None)
    assert "region" in error.value.message_dict
    assert not JoinToken.objects.exists() and not Federation.objects.exists()


def test_the_join_token_command_prints_a_token_stored_hashed(region, capsys):
    call_command("join_token", "--minutes", "5")
    token = capsys.readouterr().out.strip()
    row = JoinToken.objects.get()
    assert row.token_hash == sha256(token) and row.created_by is None
    assert row.expires_at - timezone.now() <= timedelta(minutes=5)
    with pytest.raises(CommandError):
        call_command("join_token", "--minutes", "0")
    assert JoinToken.objects.count() == 1


def test_join_accept_checks_the_token_before_anything(region, root):
    _, token = join_token_create(by=root)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        join_accept(token=token + "x", name="north", endpoint="https://north.example.com")
    assert set(error.value.message_dict) == {"token"}
    assert db_state() == before


def test_join_accept_gives_ids_in_order(region, root, fake_peers):
    ids = []
    for name in ("north", "south"):
        _, token = join_token_create(by=root)
        ids.append(
            join_accept(token=token, name=name, endpoint=f"https://{name}.example.com")["region"][
                "id"
            ]
        )
    assert ids == [2, 3]
    # Alone, east asked nobody for north's id; north confirmed south's.
    assert fake_peers.actions() == [("north", "reserve", 3)]


# --- the accepting side agrees the new id with every other region ---------------------------


@pytest.fixture
def cloud_of_three(region, root, fake_peers):
    """East (here, region 1) with west (2) and south (3) registered; a join token for north."""
    federation_ensure()
    region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    region_create(id=3, name="south", endpoint="https://south.example.com", by=None)
    _, token = join_token_create(by=root)
    return token


def accept(token: str) -> dict:
    return join_accept(token=token, name="north", endpoint="https://north.example.com")


def test_every_region_confirms_the_id_before_the_row_is_made(cloud_of_three, fake_peers):
    answer = accept(cloud_of_three)
    north = Region.objects.get(name="north")
    assert answer["region"] == {"id": 4, "uuid": str(north.uuid), "name": "north"}
    payload = {"id": 4, "uuid": str(north.uuid), "acceptor": 1}
    assert fake_peers.calls == [("west", "reserve", payload), ("south", "reserve", payload)]
    # The peers hold the promise until north's row reaches them; here the row holds the id.
    assert fake_peers.held == {"west": {4: str(north.uuid)}, "south": {4: str(north.uuid)}}
    assert not RegionIdReservation.objects.exists()
    assert JoinToken.objects.get().used_by_region == 4


def test_a_refused_id_is_released_and_the_next_one_tried(cloud_of_three, fake_peers):
    fake_peers.hold("south", 4)  # another acceptor promised 4 to another joiner meanwhile
    answer = accept(cloud_of_three)
    north = Region.objects.get(name="north")
    assert north.pk == answer["region"]["id"] == 5
    assert fake_peers.actions() == [
        ("west", "reserve", 4),
        ("south", "reserve", 4),
        ("west", "release", 4),
        ("west", "reserve", 5),
        ("south", "reserve", 5),
    ]
    assert fake_peers.held == {
        "west": {5: str(north.uuid)},
        "south": {4: "another-joiner", 5: str(north.uuid)},
    }
    assert not RegionIdReservation.objects.exists()


def test_after_a_refusal_the_next_id_is_above_the_refusers_highest(cloud_of_three, fake_peers):
    fake_peers.hold("west", 4)
    fake_peers.hold("west", 9)  # west knows of joins up to 9 that have not reached us yet
    assert accept(cloud_of_three)["region"]["id"] == 10
    assert fake_peers.actions() == [
        ("west", "reserve", 4),
        ("west", "reserve", 10),
        ("south", "reserve", 10),
    ]


def test_an_id_reserved_here_for_another_joiner_is_skipped(cloud_of_three, fake_peers):
    """Another acceptor's call reached us first: our own candidate starts above it."""
    RegionIdReservation.objects.create(region_id=4, region_uuid=uuid.uuid4(), acceptor=3)
    assert accept(cloud_of_three)["region"]["id"] == 5
    assert fake_peers.actions() == [("west", "reserve", 5), ("south", "reserve", 5)]
    assert list(RegionIdReservation.objects.values_list("region_id", flat=True)) == [4]


def test_when_the_regions_never_agree_the_join_is_refused_and_nothing_changes(
    cloud_of_three, fake_peers, monkeypatch
):
    pauses = []
    monkeypatch.setattr(region_ids, "_pause", pauses.append)
    original = fake_peers.call_region

    def always_busy(region, **kwargs):
        """South has just promised every id it is asked for to some other joiner."""
        if region.name == "south" and kwargs["path"].endswith("reserve/"):
            fake_peers.hold("south", kwargs["payload"]["id"])
        return original(region, **kwargs)

    monkeypatch.setattr(region_ids, "call_region", always_busy)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        accept(cloud_of_three)
    assert "did not agree" in error.value.message_dict["peer"][0]
    assert db_state() == before
    assert pauses == [1, 2, 3, 4]  # a random pause, longer each time, before every retry
    reserved = [c for c in fake_peers.actions() if c[1] == "reserve"]
    assert len(reserved) == 2 * region_ids.ATTEMPTS
    # West got every id it confirmed released again.
    assert fake_peers.held["west"] == {}


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (PeerError("cannot reach https://south.example.com: ConnectionError"), "cannot reach"),
        (
            PeerError(
                "https://south.example.com answered 503: Replication is turned off in this region.",
                status=503,
            ),
            "turned off",
        ),
    ],
)
def test_a_region_that_cannot_confirm_refuses_the_join_and_nothing_changes(
    cloud_of_three, fake_peers, error, shown
):
    fake_peers.down["south"] = error
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        accept(cloud_of_three)
    message = refused.value.message_dict["peer"][0]
    assert "Region south (https://south.example.com)" in message and shown in message
    assert "every region" in message
    assert db_state() == before  # token unused, no reservation, no region row, no change
    # What west had confirmed is released again (south too, in case it did reserve).
    assert fake_peers.actions() == [
        ("west", "reserve", 4),
        ("south", "reserve", 4),
        ("west", "release", 4),
        ("south", "release", 4),
    ]
    assert fake_peers.held["west"] == {}
    # Once south is back, the same token works.
    del fake_peers.down["south"]
    assert accept(cloud_of_three)["region"]["id"] == 4


def test_a_join_that_fails_after_the_id_was_agreed_releases_it_everywhere(
    cloud_of_three, fake_peers, monkeypatch
):
    """The name was taken meanwhile (another join through another region replicated here)."""
    original = fake_peers.call_region

    def name_taken_meanwhile(region, **kwargs):
        if region.name == "south" and not Region.objects.filter(name="north").exists():
            Region.objects.create(id=40, name="north", endpoint="https://n.example.com")
        return original(region, **kwargs)

    monkeypatch.setattr(region_ids, "call_region", name_taken_meanwhile)
    with pytest.raises(ValidationError) as error:
        accept(cloud_of_three)
    assert "name" in error.value.message_dict
    assert fake_peers.actions()[-2:] == [("west", "release", 4), ("south", "release", 4)]
    assert fake_peers.held == {"west": {}, "south": {}}
    assert not RegionIdReservation.objects.exists()
    assert JoinToken.objects.get().used_at is None
    assert not Region.objects.filter(pk=4).exists()


def test_a_token_being_used_by_a_join_under_way_is_refused(cloud_of_three, fake_peers, monkeypatch):
    original = fake_peers.call_region
    second = []

    def second_join_meanwhile(region, **kwargs):
        if not second:
            with pytest.raises(ValidationError) as error:
                join_accept(
                    token=cloud_of_three, name="other", endpoint="https://other.example.com"
                )
            second.append(error.value.message_dict)
        return original(region, **kwargs)

    monkeypatch.setattr(region_ids, "call_region", second_join_meanwhile)
    assert accept(cloud_of_three)["region"]["id"] == 4
    assert second == [{"token": ["This join token is unknown, used or expired."]}]


# --- the joining side --------------------------------------------------------------------


def fake_response(status: int, body) -> SimpleNamespace:
    def as_json():
        if isinstance(body, bytes):
            raise ValueError("not JSON")
        return body

    return SimpleNamespace(status_code=status, json=as_json)


@pytest.fixture
def answer(monkeypatch):
    """What the existing region answers to POST /api/peer/join/ (no real peer)."""
    sent = []

    def install(status: int, body):
        def post(url, json=None, timeout=None):
            sent.append((url, json))
            return fake_response(status, body)

        monkeypatch.setattr(join_module.requests, "post", post)
        return sent

    return install


def join_args(**overrides):
    return {
        "peer": "https://east.example.com/",
        "token": "t0ken",
        "name": "north",
        "endpoint": "https://north.example.com",
    } | overrides


def test_a_portal_that_serves_a_region_cannot_join(region, answer):
    sent = answer(200, {})
    with pytest.raises(ValidationError) as error:
        region_join(**join_args())
    assert "peer" in error.value.message_dict and sent == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"peer": "east.example.com"}, "peer"),
        ({"peer": ""}, "peer"),
        ({"endpoint": "not a url"}, "endpoint"),
        ({"token": ""}, "token"),
    ],
)
def test_bad_input_is_refused_before_the_peer_is_asked(db, answer, overrides, field):
    sent = answer(200, {})
    before = db_state()
    with pytest.raises(ValidationError) as error:
        region_join(**join_args(**overrides))
    assert field in error.value.message_dict
    assert sent == [] and db_state() == before


def test_an_unreachable_peer_is_named_and_nothing_changes(db):
    before = db_state()
    with pytest.raises(ValidationError) as error:
        region_join(**join_args(peer="http://127.0.0.1:9"))
    assert "Cannot reach" in error.value.message_dict["peer"][0]
    assert db_state() == before


@pytest.mark.parametrize(
    ("status", "body", "fields"),
    [
        (400, {"token": ["This join token is unknown, used or expired."]}, {"token"}),
        (400, {"name": ["taken"], "endpoint": ["taken"]}, {"name", "endpoint"}),
        (400, {"id": ["Region id 3 is taken."]}, {"peer"}),
        (400, {"detail": "Send a JSON object."}, {"peer"}),
        (400, b"<html>", {"peer"}),
        (500, b"<html>", {"peer"}),
        (404, {"detail": "Not found"}, {"peer"}),
    ],
)
def test_the_peers_refusal_is_mapped_to_our_fields(db, answer, status, body, fields):
    sent = answer(status, body)
    before = db_state()
    with pytest.raises(ValidationError) as error:
        region_join(**join_args())
    assert set(error.value.message_dict) == fields
    assert db_state() == before
    assert sent == [
        (
            "https://east.example.com/api/peer/join/",
            {
                "token": "t0ken",
                "name": "north",
                "endpoint": "https://north.example.com",
                "description": "",
            },
        )
    ]


def wipe_to_fresh_install() -> None:
    """This test database as a fresh portal has it: ROOT and the settings, nothing else."""
    with recorder.applying_remote():
        for model in (ApiKey, Project, User, Account):
            for row in model.objects.all():
                row.delete()
        for domain in sorted(Domain.objects.exclude(pk=ROOT_DOMAIN_ID), key=lambda d: -d.level):
            domain.delete()
        Region.objects.all().delete()
        for model in (ObjectVersion, ParkedChange, Change, Federation, JoinToken, PeerNonce):
            model.objects.all().delete()


def test_a_fresh_portal_joins_loads_everything_and_pulls_from_the_cursors(root, answer):
    federation_ensure()
    eng = factories.domain(name="eng")
    user = factories.user(account=factories.account(domain=eng, name="team"), username="dana")
    secret = user_keys_register(user=user, by=None).secret_key
    gone = factories.domain(name="gone")
    gone_id = str(gone.pk)
    identity.domain_delete(domain=gone, by=None)
    _, token = join_token_create(by=root)
    accepted = json.loads(
        json.dumps(join_accept(token=token, name="north", endpoint="https://north.example.com"))
    )
    east_head = accepted["snapshot"]["cursors"]["1"]
    expected_users = sorted(User.objects.values_list("username", flat=True))
    federation_secret = Federation.objects.get().secret

    with transaction.atomic():
        wipe_to_fresh_install()
        assert not Region.objects.exists()
        answer(200, accepted)
        result = region_join(**join_args(token=token))

        north = result.region
        assert (north.pk, north.name, north.is_local) == (2, "north", True)
        assert Region.objects.get(pk=1).is_local is False
        assert Federation.objects.get().secret == federation_secret
        assert sorted(User.objects.values_list("username", flat=True)) == expected_users
        assert Domain.objects.get(pk=eng.pk).path == "ROOT/eng"
        key = ApiKey.objects.get(user__username="dana")
        assert secret_decrypt(key.secret_key_encrypted) == secret
        assert ObjectVersion.objects.get(object_id=gone_id).deleted
        link = PeerLink.objects.get(region_id=1)
        assert link.pulled_seq == east_head
        assert not PeerLink.objects.filter(region_id=2).exists()
        assert result.loaded["identity.user"] == len(expected_users)
        assert any("region 2" in step for step in result.steps)
        # Loading recorded nothing; the first write here is a change of region 2.
        assert not Change.objects.exists()
        factories.domain(name="made-in-north")
        assert Change.objects.get().origin == 2
        transaction.set_rollback(True)
