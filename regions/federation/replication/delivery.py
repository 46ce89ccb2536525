"""Moving changes between regions: every region pulls each peer's feed from its cursor.

One path serves both real time and catch-up: after a commit this region pokes its peers
("there is something new"), each peer pulls from its cursor, batched, and applies. A region
that was down pulls from every peer when it starts and periodically after (anti-entropy),
so convergence never depends on a poke arriving. The feed is the durable outbox: nothing
in it expires, and a peer's cursor only moves after the batch it covers is applied.

Who does the poking and pulling: the region's replicator process (`manage.py replicate`,
`replicator.py`) when one is running, at once and without a queue; otherwise Celery tasks
(`regions/tasks.py`). Both call the functions here; `announce.py` has them poke after a
commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.concurrency import commit_without_flush
from regions.federation.peer.client import PeerError, call_region
from regions.federation.replication import wakeups
from regions.federation.replication.apply import parked_retry
from regions.federation.replication.feed import FEED_LIMIT, feed_head
from regions.federation.replication.page_apply import page_apply
from regions.models import Federation, ParkedChange, PeerLink, Region

log = logging.getLogger(__name__)

#: how a pull or poke reports its peer's health: mark_contact, or the replicator's
#: throttled version of it
Contact = Callable[..., None]
#: how a signed call reaches a peer: call_region, or the replicator's version of it (which
#: has the secret and this region's id at hand instead of reading them for every call)
Call = Callable[..., Any]


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


def mark_contact(link: PeerLink, *, error: str = "") -> None:
    now = timezone.now()
    if error:
        PeerLink.objects.filter(pk=link.pk).update(
            reachable=False, last_error=error[:2000], last_error_at=now
        )
    else:
        PeerLink.objects.filter(pk=link.pk).update(reachable=True, last_contact=now)


def peer_poke(
    *,
    region_id: int,
    contact: Contact = mark_contact,
    call: Call | None = None,
    region: Region | None = None,
) -> None:
    """Tell region REGION_ID we have changes (REGION: its row, when the caller has it)."""
    if region is None:
        link = PeerLink.objects.select_related("region").get(pk=region_id)
        region = link.region
    else:
        link = PeerLink(region=region)
    try:
        (call or call_region)(region, method="POST", path="/api/peer/poke/", payload={})
    except PeerError as error:
        contact(link, error=str(error))
        raise
    contact(link)


def peer_pull(
    *,
    region_id: int,
    max_batches: int = 1000,
    contact: Contact = mark_contact,
    on_page: Callable[[], None] | None = None,
    call: Call | None = None,
) -> dict[str, int]:
    """Pull region REGION_ID's feed from our cursor until it is drained.

    While a page is applied the next one is already on its way (when the peer said there is
    more): fetching overlaps applying, and the apply lock is held only while applying.
    Fetching the next page tells the peer we have everything up to the page being applied,
    a page early; if that apply fails, our cursor stays and the next pull repeats the page.
    """
    totals: dict[str, int] = {"applied": 0, "ignored": 0, "parked": 0, "batches": 0}
    link = PeerLink.objects.select_related("region").get(pk=region_id)
    call = call or call_region
    drain_started = timezone.now()  # what they committed before this is in what we read
    page = _fetch(call, link, link.pulled_seq, contact)
    log.debug("fetched %s changes of region %s", len(page.get("changes", ())), region_id)
    for _ in range(max_batches):
        more = bool(page.get("more"))
        upcoming = _prefetch(call, link, page["last_seq"]) if more else None
        counts = apply_page(link, page, drained_at=None if more else drain_started)
        for key in ("applied", "ignored", "parked"):
            totals[key] += counts.get(key, 0)
        totals["batches"] += 1
        if on_page is not None:
            on_page()
        if upcoming is None:
            if ParkedChange.objects.exists():
                parked_retry_locked()  # a name clash waits for this: real, or in transit?
            break
        try:
            page = upcoming.result()
        except PeerError as error:
            contact(link, error=str(error))
            raise
    contact(link)
    return totals


def _fetch(call: Call, link: PeerLink, after: int, contact: Contact) -> dict[str, Any]:
    try:
        return _changes(call, link, after)
    except PeerError as error:
        contact(link, error=str(error))
        raise


def _changes(call: Call, link: PeerLink, after: int) -> dict[str, Any]:
    return call(
        link.region,
        method="GET",
        path="/api/peer/changes/",
        params={"after": after, "limit": FEED_LIMIT},
    )


_prefetcher: ThreadPoolExecutor | None = None


def _prefetch(call: Call, link: PeerLink, after: int) -> Future:
    """Fetch the page after AFTER in a background thread (one pool per process)."""
    global _prefetcher
    if _prefetcher is None:
        _prefetcher = ThreadPoolExecutor(max_workers=4, thread_name_prefix="peer-prefetch")

    def fetch() -> dict[str, Any]:
        try:
            return _changes(call, link, after)
        finally:
            connections.close_all()  # this thread's own (call_region reads the secret)

    return _prefetcher.submit(fetch)


def apply_page(
    link: PeerLink, page: dict[str, Any], *, drained_at: datetime | None = None
) -> dict[str, int]:
    """Apply one page and move the cursor in the same transaction.

    DRAINED_AT: this was the feed's last page, read to its end after that moment.
    """
    changes = page.get("changes", [])
    if not changes:
        if drained_at is not None:
            PeerLink.objects.filter(pk=link.pk).update(drained_at=drained_at)
        return {}
    last_seq = Value(page["last_seq"], output_field=BigIntegerField())
    cursor: dict[str, Any] = {"pulled_seq": Greatest(F("pulled_seq"), last_seq)}  # forward only
    if drained_at is not None:
        cursor["drained_at"] = drained_at
    with transaction.atomic():
        apply_lock()
        counts = page_apply(changes)
        PeerLink.objects.filter(pk=link.pk).update(**cursor)
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


def parked_retry_locked() -> int:
    """Retry parked changes under the apply lock; returns how many applied.

    Without the lock a retry (the sweep) and a page being applied (the replicator) could
    both see no version of a new object and both insert it.
    """
    with transaction.atomic():
        apply_lock()
        return parked_retry()


def record_peer_read(*, region_id: int, after: int) -> None:
    """A peer asked for our feed after AFTER: it has everything up to there.

    One UPDATE when its link exists (every pull of every peer comes here, before the feed is
    read), committed without waiting for the disk: this is health bookkeeping, which a crash
    may set back a moment without harm (the next pull writes it again), and the flush cost
    every pull a WAL sync.
    """
    wakeups.note_read(region_id)  # before the read: see Replicator.poke_soon
    now = timezone.now()
    after_seq = Value(after, output_field=BigIntegerField())
    ack = {"acked_seq": Greatest(F("acked_seq"), after_seq), "reachable": True}
    with transaction.atomic():
        commit_without_flush()
        if PeerLink.objects.filter(pk=region_id).update(**ack, last_contact=now):
            return
    if not Region.objects.filter(pk=region_id, is_local=False).exists():
        return  # a region that joined elsewhere and has not reached our registry yet
    PeerLink.objects.get_or_create(region_id=region_id)
    PeerLink.objects.filter(pk=region_id).update(**ack, last_contact=now)


def local_head() -> int:
    local = Region.objects.filter(is_local=True).values_list("pk", flat=True).first()
    return feed_head(origin=local) if local else 0
