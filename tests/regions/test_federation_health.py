"""Federation health from local tables: pending, lag, dead letters; the operator's actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from regions.federation.replication import announce, delivery
from regions.federation.replication.health import (
    DEAD_LETTER_ATTEMPTS,
    STALE_SECONDS,
    federation_health,
)
from regions.federation.services import peer_retry, replication_set
from regions.models import Change, Federation, ParkedChange, PeerLink
from regions.services import region_create
from tests import factories
from tests.db_state import db_state


@pytest.fixture
def north(west):
    return region_create(id=3, name="north", endpoint="http://127.0.0.1:10", by=None)


@pytest.fixture
def no_network(monkeypatch):
    """Health never asks a peer."""
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("health must not call a peer")

    monkeypatch.setattr(requests.Session, "request", refuse)


def peer(health, region_id):
    [found] = [p for p in health.peers if p.region.pk == region_id]
    return found


def park(origin: int, attempts: int, n: int) -> ParkedChange:
    return factories.parked_change(
        attempts=attempts, origin=origin, object_id=f"user-{origin}-{n}", wall=10**12 + n
    )


def test_pending_and_oldest_pending_follow_the_peers_acked_cursor(west, no_network):
    for n in range(4):
        factories.domain(name=f"d{n}")
    changes = list(Change.objects.filter(origin=1).order_by("seq"))
    now = timezone.now()
    assert len(changes) == 6  # east, west, four domains
    for age, change in zip([600, 500, 400, 300, 200, 100], changes, strict=True):
        Change.objects.filter(pk=change.pk).update(created=now - timedelta(seconds=age))

    health = federation_health()
    assert health.head_seq == changes[-1].seq and health.local.pk == 1
    west_health = peer(health, 2)
    assert west_health.pending == 6 and west_health.acked_seq == 0
    assert 600 <= west_health.oldest_pending_seconds < 630

    PeerLink.objects.filter(region=west).update(acked_seq=changes[3].seq)
    west_health = peer(federation_health(), 2)
    assert west_health.pending == 2 and west_health.acked_seq == changes[3].seq
    assert 200 <= west_health.oldest_pending_seconds < 230

    PeerLink.objects.filter(region=west).update(acked_seq=changes[-1].seq)
    west_health = peer(federation_health(), 2)
    assert west_health.pending == 0 and west_health.oldest_pending_seconds is None


def test_changes_from_elsewhere_are_never_pending_here(west, no_network):
    Change.objects.create(
        model="identity.domain", object_id="x", op="delete", wall=1, counter=0, origin=2
    )
    head = Change.objects.filter(origin=1).order_by("-seq").first().seq
    PeerLink.objects.create(region=west, acked_seq=head)
    assert peer(federation_health(), 2).pending == 0


def test_each_peer_has_its_own_cursor(north, no_network):
    factories.domain(name="d")
    head = Change.objects.filter(origin=1).order_by("-seq").first().seq
    PeerLink.objects.create(region_id=2, acked_seq=head)
    health = federation_health()
    assert peer(health, 2).pending == 0
    assert peer(health, 3).pending == Change.objects.filter(origin=1).count() == 4
    assert [p.region.pk for p in health.peers] == [2, 3]  # never the local region


def test_dead_letters_are_parked_changes_retried_three_times(north, no_network):
    assert DEAD_LETTER_ATTEMPTS == 3
    for n, attempts in enumerate([0, 2, 3, 7]):
        park(2, attempts, n)
    park(3, 5, 9)
    health = federation_health()
    assert (peer(health, 2).parked, peer(health, 2).dead_letters) == (4, 2)
    assert (peer(health, 3).parked, peer(health, 3).dead_letters) == (1, 1)


def test_reachability_needs_a_recent_contact_without_a_later_error(west, no_network):
    now = timezone.now()
    link, _ = PeerLink.objects.get_or_create(region=west)
    assert not peer(federation_health(), 2).reachable  # never heard from

    PeerLink.objects.filter(pk=link.pk).update(reachable=True, last_contact=now)
    health = peer(federation_health(), 2)
    assert health.reachable and health.last_error == ""

    stale = now - timedelta(seconds=STALE_SECONDS + 5)
    PeerLink.objects.filter(pk=link.pk).update(last_contact=stale)
    assert not peer(federation_health(), 2).reachable

    PeerLink.objects.filter(pk=link.pk).update(
        last_contact=now - timedelta(seconds=5), last_error="refused", last_error_at=now
    )
    health = peer(federation_health(), 2)
    assert not health.reachable and health.last_error == "refused"

    PeerLink.objects.filter(pk=link.pk).update(
        last_contact=now, last_error_at=now - timedelta(seconds=30)
    )
    health = peer(federation_health(), 2)
    assert health.reachable and health.last_error == ""


def test_a_failed_pull_marks_the_peer_unreachable_with_the_error(west):
    from regions.federation.peer.client import PeerError

    link, _ = PeerLink.objects.get_or_create(region=west)
    PeerLink.objects.filter(pk=link.pk).update(pulled_seq=7)
    with pytest.raises(PeerError):
        delivery.peer_pull(region_id=2)
    health = peer(federation_health(), 2)
    assert not health.reachable and "cannot reach" in health.last_error
    assert health.pulled_seq == 7  # the cursor moves only with an applied page


def test_health_before_setup_has_no_peers(db):
    health = federation_health()
    assert health.local is None and health.peers == [] and health.head_seq == 0
    assert health.replication_enabled is False


def test_peer_retry_resets_that_peers_attempts_and_queues_a_pull_and_a_poke(
    north, root, queued, django_capture_on_commit_callbacks
):
    for n in range(3):
        park(2, 5, n)
    other = park(3, 5, 9)
    assert peer(federation_health(), 2).dead_letters == 3
    with django_capture_on_commit_callbacks(execute=True):
        peer_retry(link=PeerLink.objects.get_or_create(region_id=2)[0], by=root)
    assert set(ParkedChange.objects.filter(origin=2).values_list("attempts", flat=True)) == {0}
    other.refresh_from_db()
    assert other.attempts == 5
    health = federation_health()
    assert (peer(health, 2).parked, peer(health, 2).dead_letters) == (3, 0)
    assert sorted(queued) == [("regions.tasks.peer_poke", (2,)), ("regions.tasks.peer_pull", (2,))]


def test_only_root_admins_retry_peers(west, dadmin, alice, queued):
    park(2, 5, 1)
    link, _ = PeerLink.objects.get_or_create(region=west)
    for actor in (dadmin, alice):
        before = db_state()
        with pytest.raises(PermissionDenied):
            peer_retry(link=link, by=actor)
        assert db_state() == before
    assert queued == []


def test_replication_switch_is_root_only_and_shown_in_health(west, root, dadmin, queued):
    with pytest.raises(PermissionDenied):
        replication_set(enabled=False, by=dadmin)
    assert federation_health().replication_enabled is True
    replication_set(enabled=False, by=root)
    assert federation_health().replication_enabled is False
    assert Federation.objects.get().replication_enabled is False
    assert not delivery.replication_enabled()
    replication_set(enabled=True, by=root)
    assert delivery.replication_enabled()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_announce_pokes_every_peer_once_and_nothing_with_replication_off(north, queued):
    cache.clear()
    announce.announce_local_changes()
    assert sorted(queued) == [("regions.tasks.peer_poke", (2,)), ("regions.tasks.peer_poke", (3,))]
    announce.announce_local_changes()  # a poke is queued already for each
    assert len(queued) == 2

    cache.clear()
    queued.clear()
    Federation.objects.filter(pk=1).update(replication_enabled=False)
    factories.domain(name="still-recorded")
    announce.announce_local_changes()
    assert queued == []
    assert Change.objects.filter(payload__name="still-recorded").exists()
    cache.clear()


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_a_failed_enqueue_clears_the_poke_mark(west, monkeypatch):
    from regions import tasks

    cache.clear()
    attempts = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: attempts.append(args) or False)
    announce.announce_local_changes()
    announce.announce_local_changes()
    assert attempts == [(2,), (2,)]  # not held back by a mark for a poke never queued
    cache.clear()
