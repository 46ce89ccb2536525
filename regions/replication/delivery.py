"""Moving changes between regions: every region pulls each peer's feed from its cursor.

One path serves both real time and catch-up: after a commit this region pokes its peers
("there is something new"), each peer pulls from its cursor, batched, and applies. A region
that was down pulls from every peer when it starts and periodically after (anti-entropy),
so convergence never depends on a poke arriving. The feed is the durable outbox: nothing
in it expires, and a peer's cursor only moves after the batch it covers is applied.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from regions.models import Federation, PeerLink, Region
from regions.peer.client import PeerError, call_region
from regions.replication.feed import FEED_LIMIT
from regions.replication.page_apply import page_apply

log = logging.getLogger(__name__)


def replication_enabled() -> bool:
    federation = Federation.objects.filter(pk=1).first()
    return federation is not None and federation.replication_enabled


def peer_links() -> list[PeerLink]:
    """A link for every region in the registry but this one (made when first needed)."""
    links = []
    for region in Region.objects.filter(is_local=False):
        link, _ = PeerLink.objects.get_or_create(region=region)
        links.append(link)
    return links


def announce_local_changes() -> None:
    """After a commit: poke every peer (as Celery tasks, so no request waits on a peer)."""
    if not replication_enabled() or settings.CELERY_TASK_ALWAYS_EAGER:
        # Without a broker there are no workers to deliver in the background, and no
        # request should wait on a peer: a federated region runs Celery (see make cloud).
        return
    from regions import tasks

    for link in peer_links():
        # One queued poke per peer at a time: the task clears the mark as it starts, so a
        # change committed after that queues a new one, and nothing waits for the sweep.
        key = poke_queued_key(link.region_id)
        try:
            if not cache.add(key, 1, POKE_MARK_SECONDS):
                continue
        except Exception as error:  # cache (Redis) down: poke anyway, the write stands
            log.warning("poke de-duplication unavailable: %s", error)
        if not tasks.enqueue(tasks.peer_poke, link.region_id):
            try:
                cache.delete(key)
            except Exception:
                log.debug("could not clear the poke mark for region %s", link.region_id)


POKE_MARK_SECONDS = 30


def poke_queued_key(region_id: int) -> str:
    return f"peer-poke-queued:{region_id}"


def mark_contact(link: PeerLink, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        PeerLink.objects.filter(pk=link.pk).update(
            reachable=False, last_error=error[:2000], last_error_at=now
        )
    else:
        PeerLink.objects.filter(pk=link.pk).update(reachable=True, last_contact=now)


def peer_poke(*, region_id: int) -> None:
    link = PeerLink.objects.select_related("region").get(pk=region_id)
    try:
        call_region(link.region, method="POST", path="/api/peer/poke/", payload={})
    except PeerError as error:
        mark_contact(link, error=str(error))
        raise
    mark_contact(link)


def peer_pull(*, region_id: int, max_batches: int = 1000) -> dict[str, int]:
    """Pull region REGION_ID's feed from our cursor until it is drained."""
    totals: dict[str, int] = {"applied": 0, "ignored": 0, "parked": 0, "batches": 0}
    link = PeerLink.objects.select_related("region").get(pk=region_id)
    for _ in range(max_batches):
        try:
            page = call_region(
                link.region,
                method="GET",
                path="/api/peer/changes/",
                params={"after": link.pulled_seq, "limit": FEED_LIMIT},
            )
        except PeerError as error:
            mark_contact(link, error=str(error))
            raise
        counts = _apply_page(link, page)
        for key in ("applied", "ignored", "parked"):
            totals[key] += counts.get(key, 0)
        totals["batches"] += 1
        link.refresh_from_db(fields=["pulled_seq"])
        if not page.get("more"):
            break
    mark_contact(link)
    return totals


def _apply_page(link: PeerLink, page: dict[str, Any]) -> dict[str, int]:
    """Apply one page and move the cursor in the same transaction."""
    changes = page.get("changes", [])
    if not changes:
        return {}
    with transaction.atomic():
        apply_lock()
        counts = page_apply(changes)
        PeerLink.objects.filter(pk=link.pk, pulled_seq__lt=page["last_seq"]).update(
            pulled_seq=page["last_seq"]
        )
    return counts


APPLY_LOCK_KEY = 0x52504150  # "RPAP": one advisory lock id for applying changes


def apply_lock() -> None:
    """Apply one page at a time in this region (until the transaction ends).

    Pages from different peers touching the same rows in different orders would otherwise
    deadlock each other on PostgreSQL.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_LOCK_KEY])


def record_peer_read(*, region_id: int, after: int) -> None:
    """A peer asked for our feed after AFTER: it has everything up to there."""
    if not Region.objects.filter(pk=region_id, is_local=False).exists():
        return  # a region that joined elsewhere and has not reached our registry yet
    PeerLink.objects.get_or_create(region_id=region_id)
    PeerLink.objects.filter(pk=region_id, acked_seq__lt=after).update(acked_seq=after)
    PeerLink.objects.filter(pk=region_id).update(reachable=True, last_contact=timezone.now())


def local_head() -> int:
    from regions.replication.feed import feed_head

    local = Region.objects.filter(is_local=True).values_list("pk", flat=True).first()
    return feed_head(origin=local) if local else 0
