"""Celery tasks of the replication engine: thin wrappers over regions.federation.replication."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.db import DatabaseError

from regions.federation.change_log.services import change_log_purge
from regions.federation.peer.client import PeerError
from regions.federation.peer.signing import nonces_purge
from regions.federation.replication import delivery, stream
from regions.federation.replication.pull_lock import (
    PULL_LOCK_SECONDS,
    pull_again_key,
    pull_lock_key,
)
from regions.federation.replication.region_ids import region_id_reservations_purge
from regions.models import ParkedChange

log = logging.getLogger(__name__)

#: a queued poke's mark (one queued per peer at a time) outlives a lost task this long
POKE_MARK_SECONDS = 30


def poke_queued_key(region_id: int) -> str:
    """Set while a poke of region REGION_ID is queued (announce.announce_local_changes)."""
    return f"peer-poke-queued:{region_id}"


@shared_task(
    bind=True,
    autoretry_for=(PeerError,),
    retry_backoff=1,
    retry_backoff_max=60,
    max_retries=8,
    acks_late=True,
)
def peer_poke(self, region_id: int) -> None:
    """Tell a peer we have new changes; retried with backoff (the sweep covers the rest)."""
    cache.delete(poke_queued_key(region_id))
    delivery.peer_poke(region_id=region_id)


@shared_task(bind=True, acks_late=True)
def peer_pull(self, region_id: int) -> dict[str, int] | None:
    """Drain a peer's feed. One pull per peer at a time; a poke during a pull re-runs it."""
    lock, again = pull_lock_key(region_id), pull_again_key(region_id)
    if not cache.add(lock, self.request.id or "local", PULL_LOCK_SECONDS):
        cache.set(again, 1, PULL_LOCK_SECONDS)
        return None
    try:
        totals = None
        for _ in range(10):
            cache.delete(again)
            try:
                totals = delivery.peer_pull(
                    region_id=region_id, on_page=lambda: cache.touch(lock, PULL_LOCK_SECONDS)
                )
            except (PeerError, DatabaseError) as error:
                # Nothing is lost: the cursor moves only with an applied page; the next
                # poke or sweep pulls again from it.
                log.warning("pull from region %s failed: %s", region_id, error)
                return None
            if not cache.get(again):
                break
        return totals
    finally:
        cache.delete(lock)


@shared_task
def replication_sweep() -> None:
    """Periodic anti-entropy: pull from every peer, poke the ones behind, retry parked."""
    if not delivery.replication_enabled():
        return
    head = delivery.local_head()
    waiting = ParkedChange.objects.exists()  # a name clash settles after a pull round
    for link in delivery.peer_links():
        if waiting or not stream.following(link.region_id):  # else a stream delivers
            enqueue(peer_pull, link.region_id)
        if link.acked_seq < head:
            enqueue(peer_poke, link.region_id)
    delivery.parked_retry_locked()
    nonces_purge()
    region_id_reservations_purge()


@shared_task
def change_log_purged() -> int:
    """Daily: this region's changes older than `event.purge.delay` days go."""
    return change_log_purge()


@worker_ready.connect
def pull_on_start(**kwargs) -> None:
    """A region that was down catches up as soon as its worker is back.

    Pull locks left by a worker that was killed are cleared first, so they cannot hold the
    catch-up back; a replicator's are left alone (it is likely pulling right now, and clears
    its own when it starts).
    """
    try:
        keys = [pull_lock_key(link.region_id) for link in delivery.peer_links()]
        held = cache.get_many(keys)
        cache.delete_many(
            [key for key in keys if not str(held.get(key, "")).startswith("replicator:")]
        )
    except Exception as error:
        log.warning("could not clear pull locks: %s", error)
    enqueue(replication_sweep)


def enqueue(task, *args) -> bool:
    """Queue TASK; if the broker is down, log and go on (the periodic sweep catches up)."""
    try:
        task.delay(*args)
    except Exception as error:
        log.warning("could not queue %s%s: %s", task.name, args, error)
        return False
    return True
