"""Cloud-wide unique region ids: a joining region's id is reserved in every region first.

An acceptor makes the joiner's UUID, reserves the next free id here (`RegionIdReservation`)
and then asks every other registered region to reserve it for that UUID too. A region
refuses an id that one of its regions or another UUID's reservation holds. Two acceptors
choosing the same id at the same moment each commit their own reservation before asking
the other, so at least one of them is refused; it releases what it reserved and tries the
next id. A region that cannot confirm refuses the join: an id nobody could check is never
handed out.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from portal.validation import invalid
from regions.federation.peer.client import PeerError, call_region
from regions.models import Region, RegionIdReservation
from regions.services import MAX_REGION_ID

logger = logging.getLogger(__name__)

RESERVE_PATH = "/api/peer/region-ids/reserve/"
RELEASE_PATH = "/api/peer/region-ids/release/"
#: ids tried per join before giving up (each try after a refusal by some region)
ATTEMPTS = 5
#: a random pause of up to this many seconds times the attempt before trying again, so that
#: two acceptors refused by each other do not choose the same next id again and again
RETRY_PAUSE = 0.5
PEER_TIMEOUT = (3.05, 10)
#: a reservation whose join never completed is forgotten after this long: the lifetime of
#: a join token (regions.federation.replication.join.TOKEN_TTL), far longer than any join takes
RESERVATION_TTL = timedelta(hours=1)


class RegionIdTaken(Exception):
    """The id is held here by a region or by another UUID's reservation."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def region_id_highest() -> int:
    """The highest region id this region knows of, registered or reserved (0 for none)."""
    regions = Region.objects.aggregate(top=Max("id"))["top"] or 0
    reserved = RegionIdReservation.objects.aggregate(top=Max("region_id"))["top"] or 0
    return max(regions, reserved)


def region_id_holder(*, region_id: int, region_uuid: uuid.UUID) -> RegionIdTaken | None:
    """Why REGION_ID cannot be REGION_UUID's here, or None when nothing else holds it."""
    region = Region.objects.filter(pk=region_id).exclude(uuid=region_uuid).first()
    if region is not None:
        return RegionIdTaken(
            "region",
            f"Region id {region_id} belongs to region {region.name} ({region.uuid}).",
        )
    reservation = (
        RegionIdReservation.objects.filter(region_id=region_id)
        .exclude(region_uuid=region_uuid)
        .first()
    )
    if reservation is not None:
        return RegionIdTaken(
            "reserved",
            f"Region id {region_id} is reserved for region {reservation.region_uuid} "
            f"(joining through region {reservation.acceptor}).",
        )
    return None


@transaction.atomic
def region_id_reserve(
    *, region_id: int, region_uuid: uuid.UUID, acceptor: int
) -> RegionIdReservation:
    """Promise REGION_ID to the joining region REGION_UUID here; idempotent for that UUID.

    RegionIdTaken when a region or another UUID's reservation holds the id, or when the UUID
    is already a region under another id.
    """
    if not 1 <= region_id <= MAX_REGION_ID:
        raise RegionIdTaken("invalid", f"Region id {region_id} is out of range.")
    registered = Region.objects.filter(uuid=region_uuid).exclude(pk=region_id).first()
    if registered is not None:
        raise RegionIdTaken(
            "uuid", f"Region {region_uuid} is already registered, as region id {registered.pk}."
        )
    taken = region_id_holder(region_id=region_id, region_uuid=region_uuid)
    if taken is not None:
        raise taken
    try:
        with transaction.atomic():
            reservation, _ = RegionIdReservation.objects.get_or_create(
                region_id=region_id,
                defaults={"region_uuid": region_uuid, "acceptor": acceptor},
            )
    except IntegrityError:
        reservation = None  # reserved concurrently; read who holds it below
    if reservation is None or reservation.region_uuid != region_uuid:
        raise region_id_holder(region_id=region_id, region_uuid=region_uuid) or RegionIdTaken(
            "reserved", f"Region id {region_id} was reserved concurrently for another region."
        )
    return reservation


def region_id_release(*, region_id: int, region_uuid: uuid.UUID) -> int:
    """Forget REGION_UUID's reservation of REGION_ID here (another UUID's stays); rows deleted."""
    deleted, _ = RegionIdReservation.objects.filter(
        region_id=region_id, region_uuid=region_uuid
    ).delete()
    return deleted


def region_id_reservations_purge(*, older_than: timedelta = RESERVATION_TTL) -> int:
    """Forget reservations that did their job or whose join never completed.

    A reservation is done once its region is registered here under that id; one older than
    a join token lives belongs to a join that failed before releasing it (an acceptor that
    stopped mid-join, a release call that did not arrive). Called from the periodic sweep.
    """
    done = Exists(Region.objects.filter(pk=OuterRef("region_id"), uuid=OuterRef("region_uuid")))
    stale = Q(created__lt=timezone.now() - older_than)
    deleted, _ = RegionIdReservation.objects.filter(Q(done) | stale).delete()
    return deleted


def _reserve_here(*, region_uuid: uuid.UUID, acceptor: int, above: int) -> int:
    """Reserve the next free id above ABOVE (and above every id known here) in this region."""
    for _ in range(100):
        region_id = max(region_id_highest(), above) + 1
        try:
            region_id_reserve(region_id=region_id, region_uuid=region_uuid, acceptor=acceptor)
        except RegionIdTaken:
            above = region_id  # taken between reading the highest and reserving: next one
            continue
        return region_id
    raise invalid("peer", "No free region id could be reserved here; try again.", "busy")


def _release_everywhere(*, region_id: int, region_uuid: uuid.UUID, peers: list[Region]) -> None:
    """Best effort: a release that does not arrive is purged there after RESERVATION_TTL."""
    for peer in peers:
        try:
            call_region(
                peer,
                method="POST",
                path=RELEASE_PATH,
                payload={"id": region_id, "uuid": str(region_uuid)},
                timeout=PEER_TIMEOUT,
            )
        except PeerError as error:
            logger.warning(
                "Region id %s: release at region %s failed: %s", region_id, peer.pk, error
            )
    region_id_release(region_id=region_id, region_uuid=region_uuid)


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, RETRY_PAUSE * attempt))


def region_id_claim(*, region_uuid: uuid.UUID, acceptor: Region) -> tuple[int, list[Region]]:
    """Agree an id for the joining region REGION_UUID with every registered region.

    Returns the id, reserved here and confirmed by every peer (the regions asked are
    returned too, to release it should the join still fail). Call it outside any
    transaction: peers' calls back into this region must not wait for locks held here.
    A peer that cannot confirm (down, replication off, not set up) refuses the join with a
    field error naming it, after every reservation made is released.
    """
    peers = list(Region.objects.filter(is_local=False).order_by("pk"))
    above = 0
    for attempt in range(ATTEMPTS):
        if attempt:
            _pause(attempt)
        region_id = _reserve_here(region_uuid=region_uuid, acceptor=acceptor.pk, above=above)
        payload = {"id": region_id, "uuid": str(region_uuid), "acceptor": acceptor.pk}
        confirmed: list[Region] = []
        refused: PeerError | None = None
        for peer in peers:
            try:
                call_region(
                    peer, method="POST", path=RESERVE_PATH, payload=payload, timeout=PEER_TIMEOUT
                )
            except PeerError as error:
                if error.status != 409:
                    _release_everywhere(
                        region_id=region_id, region_uuid=region_uuid, peers=[*confirmed, peer]
                    )
                    raise invalid(
                        "peer",
                        f"Region {peer.name} ({peer.endpoint}) could not confirm the new "
                        f"region's id: {error}. A join needs every region of the cloud to "
                        "confirm the id; try again when it is reachable.",
                        "unreachable",
                    ) from error
                refused = error
                break
            confirmed.append(peer)
        if refused is None:
            return region_id, peers
        logger.info("Region id %s refused (attempt %s): %s", region_id, attempt + 1, refused)
        _release_everywhere(region_id=region_id, region_uuid=region_uuid, peers=confirmed)
        data = refused.data if isinstance(refused.data, dict) else {}
        highest = data.get("highest")
        above = max(region_id, highest if isinstance(highest, int) else 0)
    raise invalid(
        "peer",
        f"The regions did not agree on a region id in {ATTEMPTS} tries (other joins are "
        "under way); try again.",
        "busy",
    )


def region_id_release_everywhere(
    *, region_id: int, region_uuid: uuid.UUID, peers: list[Region]
) -> None:
    """Undo region_id_claim when the join fails after it (best effort at the peers)."""
    _release_everywhere(region_id=region_id, region_uuid=region_uuid, peers=peers)
