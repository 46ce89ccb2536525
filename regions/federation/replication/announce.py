"""After a commit that recorded changes: have every peer told, without any request waiting
on a peer. The recorder calls this after every such commit (RegionsConfig.ready passes it
to recorder.connect)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from regions import tasks
from regions.federation.replication import delivery, wakeups

log = logging.getLogger(__name__)


def announce_local_changes() -> None:
    """Peers that hold a stream of our feed get the changes on it at once (the streams are
    woken). This region's replicator, when one is listening, pokes the others at once.
    Otherwise Celery tasks do, one queued per peer.
    """
    wakeups.wake_streams()
    if wakeups.wake(wakeups.LOCAL):
        return
    if not delivery.replication_enabled() or settings.CELERY_TASK_ALWAYS_EAGER:
        # Without a broker there are no workers to deliver in the background, and no
        # request should wait on a peer: a federated region runs Celery (see make cloud).
        return
    for link in delivery.peer_links():
        # One queued poke per peer at a time: the task clears the mark as it starts, so a
        # change committed after that queues a new one, and nothing waits for the sweep.
        key = tasks.poke_queued_key(link.region_id)
        try:
            if not cache.add(key, 1, tasks.POKE_MARK_SECONDS):
                continue
        except Exception as error:  # cache (Redis) down: poke anyway, the write stands
            log.warning("poke de-duplication unavailable: %s", error)
        if not tasks.enqueue(tasks.peer_poke, link.region_id):
            try:
                cache.delete(key)
            except Exception:
                log.debug("could not clear the poke mark for region %s", link.region_id)
