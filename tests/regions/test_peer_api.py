"""The peer API (/api/peer/): signed, replay-proof, and it changes nothing when refused."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from regions.federation.peer import client as peer_client
from regions.federation.peer import signing
from regions.federation.replication import feed
from regions.federation.replication.join import join_token_create
from regions.federation.services import federation_ensure
from regions.models import Change, Federation, JoinToken, PeerLink, Region, RegionIdReservation
from regions.services import region_create
from tests import factories
from tests.db_state import db_state

PEER_PATHS = [
    ("post", "/api/peer/poke/"),
    ("get", "/api/peer/changes/?after=0&limit=10"),
    ("get", "/api/peer/snapshot/"),
    ("get", "/api/peer/stream/?after=0"),
    ("post", "/api/peer/ack/"),
    ("post", "/api/peer/region-ids/reserve/"),
    ("post", "/api/peer/region-ids/release/"),
]


@pytest.fixture
def west(region):
    federation_ensure()
    return region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)


def send(method, path, *, body=b"", region_id=2, secret=None, headers=None):
    """A request as a peer sends it: signed over method, path with query, and body."""
    if headers is None:
        headers = signing.sign(
            secret=secret or signing.federation_secret(),
            region_id=region_id,
            method=method,
            path=path,
            body=body,
        )
    client = Client()
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(path, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("method", "path"), PEER_PATHS)
def test_unsigned_requests_are_refused_and_change_nothing(west, queued, method, path):
    before = db_state()
    response = send(method, path, headers={})
    assert response.status_code == 403
    assert "Peer authentication failed" in response.json()["detail"]
    assert db_state() == before and queued == []


@pytest.mark.parametrize(("method", "path"), PEER_PATHS)
def test_badly_signed_requests_are_refused_and_change_nothing(west, queued, method, path):
    before = db_state()
    assert send(method, path, secret="another-cloud").status_code == 403
    assert db_state() == before and queued == []


def test_a_request_signed_for_another_query_is_refused(west, queued):
    headers = signing.sign(
        secret=signing.federation_secret(),
        region_id=2,
        method="GET",
        path="/api/peer/changes/?after=0&limit=10",
    )
    before = db_state()
    response = send("get", "/api/peer/changes/?after=5&limit=10", headers=headers)
    assert response.status_code == 403
    assert db_state() == before


def test_a_replayed_request_is_refused(west, queued):
    path = "/api/peer/changes/?after=0&limit=10"
    headers = signing.sign(secret=signing.federation_secret(), region_id=2, method="GET", path=path)
    assert send("get", path, headers=headers).status_code == 200
    before = db_state()
    response = send("get", path, headers=headers)
    assert response.status_code == 403 and "replayed" in response.json()["detail"]
    assert db_state() == before


def test_a_request_claiming_to_come_from_this_region_is_refused(west, queued):
    assert send("get", "/api/peer/changes/?after=0", region_id=1).status_code == 403
    assert not PeerLink.objects.exists()


def test_changes_returns_our_feed_and_records_the_callers_cursor(west, queued):
    for n in range(4):
        factories.domain(name=f"d{n}")
    mine = list(Change.objects.filter(origin=1).order_by("seq"))
    # A change from elsewhere never enters our feed.
    Change.objects.create(
        model="identity.domain", object_id="x", op="delete", wall=1, counter=0, origin=2
    )

    response = send("get", f"/api/peer/changes/?after={mine[1].seq}&limit=2")
    assert response.status_code == 200
    body = response.json()
    assert [c["seq"] for c in body["changes"]] == [mine[2].seq, mine[3].seq]
    assert body["more"] is True and body["last_seq"] == mine[3].seq
    assert body == json.loads(json.dumps(feed.feed_read(origin=1, after=mine[1].seq, limit=2)))
    link = PeerLink.objects.get(region=west)
    assert link.acked_seq == mine[1].seq and link.reachable and link.last_contact

    send("get", f"/api/peer/changes/?after={mine[3].seq}&limit=2")
    link.refresh_from_db()
    assert link.acked_seq == mine[3].seq
    # A late, lower cursor never moves it back.
    send("get", "/api/peer/changes/?after=1&limit=2")
    link.refresh_from_db()
    assert link.acked_seq == mine[3].seq
    assert queued == []


def test_changes_from_a_region_not_in_our_registry_yet_records_no_cursor(west, queued):
    response = send("get", "/api/peer/changes/?after=0", region_id=9)
    assert response.status_code == 200
    assert not PeerLink.objects.filter(region_id=9).exists()


@pytest.mark.parametrize("query", ["after=x", "limit=ten", "after=1.5"])
def test_changes_with_a_bad_cursor_answers_400(west, query):
    response = send("get", f"/api/peer/changes/?{query}")
    assert response.status_code == 400
    assert not PeerLink.objects.filter(acked_seq__gt=0).exists()


def test_poke_answers_202_and_queues_a_pull_from_the_sender(west, queued):
    response = send("post", "/api/peer/poke/", body=b"{}")
    assert response.status_code == 202 and response.json() == {"accepted": True}
    assert queued == [("regions.tasks.peer_pull", (2,))]
    assert PeerLink.objects.filter(region=west).exists()


def test_a_poke_from_a_region_we_do_not_know_yet_queues_a_sweep(west, queued):
    assert send("post", "/api/peer/poke/", body=b"{}", region_id=5).status_code == 202
    assert queued == [("regions.tasks.replication_sweep", ())]


def test_snapshot_returns_every_replicated_row_with_versions(west, queued):
    domain = factories.domain(name="eng")
    response = send("get", "/api/peer/snapshot/")
    assert response.status_code == 200
    body = response.json()
    ids = {(o["model"], o["object_id"]) for o in body["objects"]}
    assert ("identity.domain", str(domain.pk)) in ids
    assert ("regions.region", str(west.uuid)) in ids
    assert body["cursors"]["1"] == feed.feed_head(origin=1)


def test_wrong_methods_are_refused(west, queued):
    assert Client().get("/api/peer/poke/").status_code == 405
    assert Client().post("/api/peer/changes/").status_code == 405
    assert Client().get("/api/peer/join/").status_code == 405


@pytest.mark.parametrize(("method", "path"), PEER_PATHS)
def test_with_replication_off_the_peer_api_answers_503(west, queued, method, path):
    Federation.objects.filter(pk=1).update(replication_enabled=False)
    factories.domain(name="still-recorded")
    response = send(method, path, body=b"{}" if method == "post" else b"")
    assert response.status_code == 503
    assert "turned off" in response.json()["detail"]
    assert queued == []
    assert not PeerLink.objects.filter(acked_seq__gt=0).exists()
    # Changes are still recorded while replication is off.
    assert Change.objects.filter(origin=1, payload__name="still-recorded").exists()


def test_the_client_signs_what_the_view_verifies(west, queued, monkeypatch):
    """peer_call against this portal's own peer API (requests routed to the test client)."""
    factories.domain(name="eng")
    client = Client()

    def request(method, url, data=None, headers=None, timeout=None):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.generic(
            method, path, data=data or b"", content_type="application/json", headers=headers
        )
        return SimpleNamespace(
            status_code=response.status_code,
            content=response.content,
            text=response.content.decode(),
            json=lambda: json.loads(response.content),
        )

    monkeypatch.setattr(peer_client._session, "request", request)
    secret = signing.federation_secret()
    page = peer_client.peer_call(
        endpoint="http://testserver",
        method="GET",
        path="/api/peer/changes/",
        local_region_id=2,
        secret=secret,
        params={"after": 0, "limit": 2},
    )
    assert page["last_seq"] == page["changes"][-1]["seq"] and page["more"] is True
    assert PeerLink.objects.get(region=west).acked_seq == 0
    assert peer_client.peer_call(
        endpoint="http://testserver",
        method="POST",
        path="/api/peer/poke/",
        local_region_id=2,
        secret=secret,
        payload={},
    ) == {"accepted": True}
    with pytest.raises(peer_client.PeerError) as refused:
        peer_client.peer_call(
            endpoint="http://testserver",
            method="GET",
            path="/api/peer/snapshot/",
            local_region_id=2,
            secret="another-cloud",
        )
    assert refused.value.status == 403


def test_an_unreachable_peer_is_a_peer_error(west):
    with pytest.raises(peer_client.PeerError, match="cannot reach"):
        peer_client.peer_call(
            endpoint="http://127.0.0.1:9",
            method="GET",
            path="/api/peer/changes/",
            local_region_id=1,
            secret="x",
            timeout=(2, 2),
        )


# --- join/ : authorised by a one-time token instead of a signature ---------------------------


def join(**data):
    return Client().post("/api/peer/join/", data=json.dumps(data), content_type="application/json")


@pytest.fixture
def token(west, root, fake_peers):
    """A join token; west (a registered peer) confirms the ids the joins reserve."""
    return join_token_create(by=root)


def join_data(token_text, **overrides):
    return {"token": token_text, "name": "north", "endpoint": "https://north.example.com"} | (
        overrides
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"token": "not-a-token"}, "token"),
        ({"token": ""}, "token"),
        ({"name": "WEST"}, "name"),
        ({"name": ""}, "name"),
        ({"endpoint": "http://127.0.0.1:8002/"}, "endpoint"),
        ({"endpoint": "http://127.0.0.1:8000"}, "endpoint"),
        ({"endpoint": "ftp://north.example.com"}, "endpoint"),
    ],
)
def test_a_refused_join_names_the_field_and_changes_nothing(token, overrides, field):
    row, text = token
    before = db_state()
    response = join(**join_data(text, **overrides))
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field]
    assert db_state() == before
    row.refresh_from_db()
    assert row.used_at is None
    # The token still works afterwards.
    assert join(**join_data(text)).status_code == 200


def test_a_used_or_expired_token_is_refused(token, root):
    row, text = token
    assert join(**join_data(text)).status_code == 200
    row.refresh_from_db()
    assert row.used_at is not None and row.used_by_region == 3
    before = db_state()
    again = join(**join_data(text, name="south", endpoint="https://south.example.com"))
    assert again.status_code == 400 and "token" in again.json()
    assert db_state() == before

    expired, expired_text = join_token_create(by=root)
    JoinToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    before = db_state()
    late = join(**join_data(expired_text, name="south", endpoint="https://south.example.com"))
    assert late.status_code == 400 and "token" in late.json()
    assert db_state() == before


def test_a_join_body_that_is_not_a_json_object_is_refused(token):
    before = db_state()
    for body in (b"not json", b"[1, 2]", b'"token"'):
        response = Client().post("/api/peer/join/", data=body, content_type="application/json")
        assert response.status_code == 400
    assert db_state() == before


def test_a_good_token_registers_the_region_with_the_next_id(token, fake_peers):
    row, text = token
    changes = Change.objects.count()
    response = join(**join_data(text, description="far north"))
    assert response.status_code == 200, response.content
    body = response.json()
    north = Region.objects.get(name="north")
    assert north.pk == 3 and not north.is_local and north.description == "far north"
    assert body["region"] == {"id": 3, "uuid": str(north.uuid), "name": "north"}
    assert body["acceptor"] == 1
    assert body["secret"] == Federation.objects.get().secret
    snapshot = body["snapshot"]
    assert {"objects", "tombstones", "cursors"} <= set(snapshot)
    assert ("regions.region", str(north.uuid)) in {
        (o["model"], o["object_id"]) for o in snapshot["objects"]
    }
    row.refresh_from_db()
    assert row.used_at is not None and row.used_by_region == 3
    assert PeerLink.objects.filter(region=north).exists()
    # The new region row is a replicated change, so every region learns of it.
    assert Change.objects.filter(model="regions.region", object_id=str(north.uuid)).count() == 1
    assert Change.objects.count() == changes + 1
    # West confirmed id 3 for north's UUID before the row was made; the row holds it here.
    assert fake_peers.calls == [
        ("west", "reserve", {"id": 3, "uuid": str(north.uuid), "acceptor": 1})
    ]
    assert not RegionIdReservation.objects.exists()


# --- region-ids/: another region reserves a joining region's id here -----------------------

RESERVE = "/api/peer/region-ids/reserve/"
RELEASE = "/api/peer/region-ids/release/"
NORTH = "0b5f6f7e-1111-4c5e-9d4e-000000000003"
SOUTH = "0b5f6f7e-2222-4c5e-9d4e-000000000003"


def post(path, data, *, region_id=2):
    return send("post", path, body=json.dumps(data).encode(), region_id=region_id)


def test_a_peer_reserves_a_free_id_for_the_joiner_idempotently(west):
    response = post(RESERVE, {"id": 3, "uuid": NORTH, "acceptor": 2})
    assert response.status_code == 200, response.content
    assert response.json() == {"reserved": 3, "uuid": NORTH, "by": 1}
    row = RegionIdReservation.objects.get()
    assert (row.region_id, str(row.region_uuid), row.acceptor) == (3, NORTH, 2)
    # Asked again for the same joiner (a retried call): the same promise.
    assert post(RESERVE, {"id": 3, "uuid": NORTH, "acceptor": 2}).status_code == 200
    assert RegionIdReservation.objects.count() == 1


def test_a_peer_refuses_an_id_reserved_for_another_joiner(west):
    assert post(RESERVE, {"id": 3, "uuid": NORTH}, region_id=2).status_code == 200
    response = post(RESERVE, {"id": 3, "uuid": SOUTH, "acceptor": 7}, region_id=7)
    assert response.status_code == 409
    body = response.json()
    assert body["reason"] == "reserved" and body["highest"] == 3
    assert NORTH in body["detail"] and "region 2" in body["detail"]
    row = RegionIdReservation.objects.get()
    assert (row.region_id, str(row.region_uuid), row.acceptor) == (3, NORTH, 2)


def test_a_peer_refuses_an_id_that_belongs_to_a_region(west):
    before = RegionIdReservation.objects.count()
    response = post(RESERVE, {"id": 2, "uuid": NORTH, "acceptor": 2})
    assert response.status_code == 409
    assert response.json()["reason"] == "region" and "west" in response.json()["detail"]
    assert response.json()["highest"] == 2
    assert RegionIdReservation.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[3]",
        b'{"id": "3", "uuid": "0b5f6f7e-1111-4c5e-9d4e-000000000003"}',
        b'{"id": true, "uuid": "0b5f6f7e-1111-4c5e-9d4e-000000000003"}',
        b'{"id": 3, "uuid": "not-a-uuid"}',
        b'{"id": 3}',
        # The acceptor is whoever signed the call.
        b'{"id": 3, "uuid": "0b5f6f7e-1111-4c5e-9d4e-000000000003", "acceptor": 5}',
    ],
)
@pytest.mark.parametrize("path", [RESERVE, RELEASE])
def test_a_malformed_region_id_call_is_refused(west, path, body):
    response = send("post", path, body=body)
    assert response.status_code == 400
    assert not RegionIdReservation.objects.exists()


@pytest.mark.parametrize("region_id", [0, -1, 2**31])
def test_an_id_out_of_range_is_refused(west, region_id):
    response = post(RESERVE, {"id": region_id, "uuid": NORTH})
    assert response.status_code == 409 and response.json()["reason"] == "invalid"
    assert not RegionIdReservation.objects.exists()


def test_release_forgets_only_that_joiners_reservation(west):
    post(RESERVE, {"id": 3, "uuid": NORTH})
    response = post(RELEASE, {"id": 3, "uuid": SOUTH})
    assert response.status_code == 200 and response.json() == {"released": 0}
    assert RegionIdReservation.objects.filter(region_id=3).exists()
    response = post(RELEASE, {"id": 3, "uuid": NORTH, "acceptor": 2})
    assert response.status_code == 200 and response.json() == {"released": 1}
    assert not RegionIdReservation.objects.exists()
    # Then the id is free for another joiner.
    assert post(RESERVE, {"id": 3, "uuid": SOUTH}).status_code == 200
