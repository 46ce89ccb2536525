"""REST API of the federation: health, retry, replication switch, join tokens, events.

Only root admins: everyone else is refused and changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from regions.federation import api as federation_api
from regions.federation.replication import feed
from regions.federation.replication.feed import FEED_LIMIT
from regions.models import Change, Federation, JoinToken, PeerLink
from tests import factories
from tests.api_helpers import (
    ANONYMOUS_REFUSED,
    api_client,
    assert_names_field,
    assert_refused_unchanged,
)
from tests.db_state import db_state

ENDPOINTS = [
    ("get", "/api/federation/", None),
    ("post", "/api/federation/peers/2/retry/", {}),
    ("put", "/api/federation/replication/", {"enabled": False}),
    ("post", "/api/federation/join-tokens/", {}),
    ("get", "/api/events/", None),
    ("get", "/api/federation/overrides/", None),
]


@pytest.fixture
def west(west):
    """The peer, with its link (as the replicator makes it)."""
    PeerLink.objects.create(region=west)
    return west


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_anonymous_callers_are_refused(west, anon_client, queued, method, path, data):
    assert_refused_unchanged(api_client(), method, path, data, ANONYMOUS_REFUSED)
    assert queued == []


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
@pytest.mark.parametrize("actor", ["dadmin", "alice"])
def test_everyone_but_root_admins_is_refused(west, request, queued, actor, method, path, data):
    user = request.getfixturevalue(actor)
    factories.parked_change(attempts=5)
    response = assert_refused_unchanged(api_client(user), method, path, data, 403)
    assert "detail" in response.json()
    assert queued == []


def test_root_reads_federation_health(west, root_api):
    factories.domain(name="eng")
    PeerLink.objects.filter(region=west).update(
        last_error="cannot reach", last_error_at=timezone.now()
    )
    factories.parked_change(attempts=3)
    response = root_api.get("/api/federation/")
    assert response.status_code == 200
    body = response.json()
    head = Change.objects.filter(origin=1).order_by("-seq").first().seq
    assert body["region_id"] == 1 and body["replication_enabled"] is True
    assert body["head_seq"] == head
    [peer] = body["peers"]
    assert peer["region_id"] == 2 and peer["name"] == "west"
    assert peer["endpoint"] == "http://127.0.0.1:9"
    assert peer["reachable"] is False and peer["last_error"] == "cannot reach"
    assert peer["pending"] == Change.objects.filter(origin=1).count()
    assert peer["oldest_pending_seconds"] >= 0
    assert (peer["parked"], peer["dead_letters"]) == (1, 1)
    assert (peer["pulled_seq"], peer["acked_seq"]) == (0, 0)


def test_root_retries_a_peer(west, root_api, queued, django_capture_on_commit_callbacks):
    parked = factories.parked_change(attempts=4)
    with django_capture_on_commit_callbacks(execute=True):
        response = root_api.post("/api/federation/peers/2/retry/")
    assert response.status_code == 202
    parked.refresh_from_db()
    assert parked.attempts == 0
    assert sorted(queued) == [("regions.tasks.peer_poke", (2,)), ("regions.tasks.peer_pull", (2,))]
    assert root_api.post("/api/federation/peers/99/retry/").status_code == 404


def test_retrying_a_peer_id_too_large_for_any_row_is_a_404(west, root_api):
    """Found by schemathesis: on SQLite an id past 64 bits was a 500 (OverflowError)."""
    response = root_api.post(f"/api/federation/peers/{2**80}/retry/")
    assert response.status_code == 404 and "detail" in response.json()


def test_root_turns_replication_off_and_on(west, root_api, queued):
    response = root_api.put("/api/federation/replication/", {"enabled": False}, format="json")
    assert response.status_code == 200 and response.json() == {"enabled": False}
    assert Federation.objects.get().replication_enabled is False
    assert root_api.get("/api/federation/").json()["replication_enabled"] is False
    response = root_api.put("/api/federation/replication/", {"enabled": True}, format="json")
    assert response.json() == {"enabled": True}
    assert Federation.objects.get().replication_enabled is True


@pytest.mark.parametrize("body", [{}, {"enabled": "no"}, {"enabled": 0}, {"enabled": None}])
def test_the_replication_switch_wants_a_boolean(west, root_api, body):
    before = db_state()
    response = root_api.put("/api/federation/replication/", body, format="json")
    assert_names_field(response, "enabled")
    assert db_state() == before


def test_root_makes_a_join_token_shown_once_and_stored_hashed(west, root_api, root, fake_peers):
    response = root_api.post("/api/federation/join-tokens/")
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    token = response.json()["token"]
    row = JoinToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.created_by == root and row.used_at is None
    assert row.expires_at > timezone.now() + timedelta(minutes=50)
    assert token not in str(db_state())
    # The token works for exactly one join.
    from django.test import Client

    join = {"token": token, "name": "north", "endpoint": "https://north.example.com"}
    answer = Client().post("/api/peer/join/", join, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["region"]["id"] == 3
    assert fake_peers.actions() == [("west", "reserve", 3)]  # every region confirmed the id


def test_events_page_through_this_regions_changes(west, root_api):
    for n in range(5):
        factories.domain(name=f"d{n}")
    Change.objects.create(
        model="identity.domain", object_id="x", op="delete", wall=1, counter=0, origin=2
    )
    mine = list(Change.objects.filter(origin=1).order_by("seq"))
    assert len(mine) == 9  # east, west, the root admin's account and user, five domains

    first = root_api.get("/api/events/?limit=3").json()
    assert [e["seq"] for e in first["events"]] == [c.seq for c in mine[:3]]
    assert first["more"] is True and first["last_seq"] == mine[2].seq
    event = first["events"][0]
    assert set(event) == {
        "seq",
        "created",
        "model",
        "object_id",
        "op",
        "version",
        "payload",
        "format",
    }
    assert event["version"] == [mine[0].wall, mine[0].counter, 1]
    assert event["payload"]["name"] == "east"

    rest = root_api.get(f"/api/events/?after={first['last_seq']}&limit=100").json()
    assert [e["seq"] for e in rest["events"]] == [c.seq for c in mine[3:]]
    assert rest["more"] is False and rest["last_seq"] == mine[-1].seq
    assert {e["version"][2] for e in first["events"] + rest["events"]} == {1}

    empty = root_api.get(f"/api/events/?after={mine[-1].seq}").json()
    assert empty == {"events": [], "last_seq": mine[-1].seq, "more": False}


def test_events_default_to_pages_of_100_and_at_most_the_feed_limit(west, root_api, monkeypatch):
    factories.domain(name="d")
    assert len(root_api.get("/api/events/").json()["events"]) == 5
    assert len(root_api.get("/api/events/?limit=0").json()["events"]) == 1
    for module in (federation_api, feed):
        monkeypatch.setattr(module, "FEED_LIMIT", 2)
    page = root_api.get(f"/api/events/?limit={FEED_LIMIT}").json()
    assert len(page["events"]) == 2 and page["more"] is True


@pytest.mark.parametrize("query", ["after=x", "limit=many", "after=1.5"])
def test_events_with_a_bad_cursor_name_the_field(west, root_api, query):
    assert_names_field(root_api.get(f"/api/events/?{query}"), "after")


def test_events_are_recorded_and_listed_while_replication_is_off(west, root_api, queued):
    root_api.put("/api/federation/replication/", {"enabled": False}, format="json")
    domain = factories.domain(name="offline")
    events = root_api.get("/api/events/?limit=1000").json()["events"]
    [event] = [e for e in events if e["object_id"] == str(domain.pk)]
    assert event["op"] == "upsert" and event["payload"]["name"] == "offline"
    assert event["model"] == "identity.domain" and event["version"][2] == 1


def test_root_reads_what_replication_overrode_newest_first_with_filters(west, root_api):
    from regions.models import Override

    Override.objects.create(
        kind="delete_wins",
        model="identity.user",
        object_id="u1",
        overridden_origin=2,
        detail="An update lost to a delete.",
    )
    Override.objects.create(
        kind="name_clash",
        model="identity.domain",
        object_id="d1",
        winner_origin=2,
        detail="Renamed.",
    )
    rows = root_api.get("/api/federation/overrides/").json()
    assert [r["object_id"] for r in rows] == ["d1", "u1"]
    assert rows[1]["overridden_origin"] == 2 and rows[1]["kind"] == "delete_wins"
    only = root_api.get("/api/federation/overrides/?kind=delete_wins").json()
    assert [r["object_id"] for r in only] == ["u1"]
    assert [
        r["object_id"] for r in root_api.get("/api/federation/overrides/?object_id=d1").json()
    ] == ["d1"]
    for query, field in (("kind=nope", "kind"), ("limit=0", "limit"), ("limit=x", "limit")):
        response = root_api.get(f"/api/federation/overrides/?{query}")
        assert response.status_code == 400 and field in response.json()


def test_the_federation_page_lists_overrides(west, root):
    from django.test import Client

    from regions.models import Override

    Override.objects.create(
        kind="cascade",
        model="identity.account",
        object_id="a1",
        overridden_origin=3,
        detail="Account x was deleted because its domain was deleted in region 2.",
    )
    client = Client()
    client.force_login(root)
    html = client.get("/federation/").content.decode()
    assert "Conflicts resolved" in html
    assert "Account x was deleted because its domain was deleted in region 2." in html
