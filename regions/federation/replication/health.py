"""Federation health from this region's own tables: never waits on a peer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from regions.models import Change, Federation, ParkedChange, PeerLink, Region

#: a parked change retried this often without success counts as a dead letter
DEAD_LETTER_ATTEMPTS = 3
#: a peer not heard from for this long is shown as unreachable
STALE_SECONDS = 60


@dataclass(frozen=True)
class PeerHealth:
    region: Region
    reachable: bool
    last_contact: datetime | None
    last_error: str
    last_error_at: datetime | None
    pending: int
    oldest_pending_seconds: float | None
    pulled_seq: int
    acked_seq: int
    parked: int
    dead_letters: int


@dataclass(frozen=True)
class FederationHealth:
    local: Region | None
    replication_enabled: bool
    head_seq: int
    peers: list[PeerHealth]


def _failing(link: PeerLink) -> bool:
    return link.last_error_at is not None and (
        link.last_contact is None or link.last_error_at > link.last_contact
    )


def link_reachable(link: PeerLink, *, now: datetime) -> bool:
    """Whether the peer answered lately and has not failed since."""
    fresh = (
        link.last_contact is not None and (now - link.last_contact).total_seconds() < STALE_SECONDS
    )
    return link.reachable and fresh and not _failing(link)


def federation_health() -> FederationHealth:
    local = Region.objects.filter(is_local=True).first()
    federation = Federation.objects.filter(pk=1).first()
    head = 0
    peers: list[PeerHealth] = []
    if local is not None:
        head = (
            Change.objects.filter(origin=local.pk)
            .order_by("-seq")
            .values_list("seq", flat=True)
            .first()
            or 0
        )
        parked = {
            row["origin"]: row
            for row in ParkedChange.objects.values("origin").annotate(
                total=Count("pk"), dead=Count("pk", filter=Q(attempts__gte=DEAD_LETTER_ATTEMPTS))
            )
        }
        now = timezone.now()
        for region in Region.objects.filter(is_local=False).order_by("pk"):
            link, _ = PeerLink.objects.get_or_create(region=region)
            pending = Change.objects.filter(origin=local.pk, seq__gt=link.acked_seq)
            stats = pending.aggregate(count=Count("seq"), oldest=Min("created"))
            failing = _failing(link)
            peers.append(
                PeerHealth(
                    region=region,
                    reachable=link_reachable(link, now=now),
                    last_contact=link.last_contact,
                    last_error=link.last_error if failing else "",
                    last_error_at=link.last_error_at,
                    pending=stats["count"],
                    oldest_pending_seconds=(now - stats["oldest"]).total_seconds()
                    if stats["oldest"]
                    else None,
                    pulled_seq=link.pulled_seq,
                    acked_seq=link.acked_seq,
                    parked=parked.get(region.pk, {}).get("total", 0),
                    dead_letters=parked.get(region.pk, {}).get("dead", 0),
                )
            )
    return FederationHealth(
        local=local,
        replication_enabled=bool(federation and federation.replication_enabled),
        head_seq=head,
        peers=peers,
    )
