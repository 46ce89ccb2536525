"""The Federation page renders at once while peers are down, and its actions are root-only."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
import requests
from django.test import Client
from django.utils import timezone

from regions.federation.peer.client import PeerError
from regions.federation.replication import delivery
from regions.models import Federation, JoinToken, PeerLink
from tests import factories
from tests.db_state import db_state

CLOSED = factories.CLOSED_ENDPOINT


@pytest.fixture
def outbound(monkeypatch):
    """Every HTTP request the portal makes while rendering (there must be none)."""
    calls = []
    real = requests.Session.request

    def record(self, method, url, *args, **kwargs):
        calls.append(url)
        return real(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", record)
    return calls


def peer_row(html: str, region_id: int) -> str:
    match = re.search(rf'<tr data-region-id="{region_id}">(.*?)</tr>', html, re.S)
    assert match, html
    return match.group(1)


def render(client: Client):
    started = time.monotonic()
    response = client.get("/federation/")
    return response, time.monotonic() - started


def test_the_page_renders_fast_while_a_peer_is_unreachable(west, root_client, outbound):
    factories.domain(name="eng")
    response, elapsed = render(root_client)
    assert response.status_code == 200
    assert elapsed < 2.0
    assert outbound == []  # health comes from local tables only
    row = peer_row(response.content.decode(), 2)
    assert "west" in row and CLOSED in row
    assert "unreachable" in row and "never" in row


def test_after_a_failed_pull_the_page_shows_the_error(west, root_client, outbound):
    delivery.peer_links()
    with pytest.raises(PeerError):
        delivery.peer_pull(region_id=2)
    assert outbound and outbound[0].startswith(CLOSED)
    outbound.clear()
    response, elapsed = render(root_client)
    assert response.status_code == 200 and elapsed < 2.0 and outbound == []
    row = peer_row(response.content.decode(), 2)
    assert "unreachable" in row and "cannot reach" in row


def test_a_peer_heard_from_just_now_is_reachable(west, root_client):
    PeerLink.objects.create(region=west, reachable=True, last_contact=timezone.now())
    row = peer_row(render(root_client)[0].content.decode(), 2)
    assert "reachable" in row and "unreachable" not in row


def test_pending_changes_and_dead_letters_are_shown(west, root_client):
    factories.domain(name="eng")
    factories.parked_change(attempts=3)
    row = peer_row(render(root_client)[0].content.decode(), 2)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # Region, Endpoint, Status, Last contact, Pending, Oldest, Pulled, Parked, Dead letters
    assert cells[4].strip() == "5"  # east, west, root's account and user, eng
    assert cells[5].strip().endswith(" s")
    assert cells[7].strip() == "1"
    assert "text-bg-danger" in cells[8] and ">1<" in cells[8]


def test_the_page_renders_with_no_peer_yet(region, root_client):
    response = root_client.get("/federation/")
    assert response.status_code == 200 and b"No other region yet" in response.content


def test_only_root_admins_see_the_page(west, dadmin_client, alice_client, anon_client):
    assert dadmin_client.get("/federation/").status_code == 403
    assert alice_client.get("/federation/").status_code == 403
    response = anon_client.get("/federation/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_join_token_is_shown_once_and_stored_hashed(west, root_client):
    response = root_client.post("/federation/join-tokens/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = re.search(r'<code id="join-token"[^>]*>([^<]+)</code>', response.content.decode())[1]
    assert JoinToken.objects.get().token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(db_state())
    assert token not in root_client.get("/federation/").content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/federation/join-tokens/", {}),
        ("/federation/replication/", {"enabled": "0"}),
        ("/federation/peers/2/retry/", {}),
    ],
)
def test_actions_are_root_only_and_change_nothing_otherwise(
    west, dadmin_client, alice_client, queued, path, data
):
    PeerLink.objects.create(region=west)
    factories.parked_change(attempts=4)
    for client in (dadmin_client, alice_client):
        before = db_state()
        assert client.post(path, data).status_code == 403
        assert db_state() == before
    assert queued == []


def test_root_turns_replication_off_and_the_page_says_so(west, root_client, queued):
    response = root_client.post("/federation/replication/", {"enabled": "0"})
    assert response.status_code == 302
    assert Federation.objects.get().replication_enabled is False
    page = root_client.get("/federation/").content.decode()
    assert re.search(r'id="replication-state"[^>]*>off<', page)
    assert "/api/events/" in page
    root_client.post("/federation/replication/", {"enabled": "1"})
    assert Federation.objects.get().replication_enabled is True


def test_root_retries_a_peer_from_the_page(
    west, root_client, queued, django_capture_on_commit_callbacks
):
    PeerLink.objects.create(region=west)
    parked = factories.parked_change(attempts=4)
    with django_capture_on_commit_callbacks(execute=True):
        response = root_client.post("/federation/peers/2/retry/")
    assert response.status_code == 302
    parked.refresh_from_db()
    assert parked.attempts == 0
    assert ("regions.tasks.peer_pull", (2,)) in queued
    assert root_client.post("/federation/peers/9/retry/").status_code == 404
