"""This region's change feed and full snapshots, as peers read them."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from regions.models import Change, ObjectVersion, PeerLink, Region
from regions.models.replication import ChangeOp
from regions.replication import registry

FEED_LIMIT = 1000


def change_to_wire(change: Change) -> dict[str, Any]:
    return {
        "seq": change.seq,
        "model": change.model,
        "object_id": change.object_id,
        "op": change.op,
        "version": [change.wall, change.counter, change.origin],
        "payload": change.payload,
        "format": change.format,
    }


def feed_read(*, origin: int, after: int, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """Changes made in region ORIGIN (this one) after sequence AFTER, oldest first."""
    limit = max(1, min(limit, FEED_LIMIT))
    rows = list(Change.objects.filter(origin=origin, seq__gt=after).order_by("seq")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "format": registry.PAYLOAD_FORMAT,
        "origin": origin,
        "changes": [change_to_wire(c) for c in rows],
        "last_seq": rows[-1].seq if rows else after,
        "more": more,
    }


def feed_head(*, origin: int) -> int:
    return Change.objects.filter(origin=origin).aggregate(head=Max("seq"))["head"] or 0


def snapshot_build(*, local: Region) -> dict[str, Any]:
    """Everything that replicates, with versions, and the feed cursors it is consistent with.

    Cursors are read first: any change committed while the rows are read is newer than the
    cursor, so the joiner pulls it again and the idempotent apply ignores the duplicate.
    """
    cursors = {str(local.pk): feed_head(origin=local.pk)}
    for link in PeerLink.objects.all():
        cursors[str(link.region_id)] = link.pulled_seq
    versions = {(v.model, v.object_id): v for v in ObjectVersion.objects.all()}
    objects: list[dict[str, Any]] = []
    tombstones: list[dict[str, Any]] = []
    for spec in registry.registered():
        queryset = spec.model._default_manager.all()
        if spec.model._meta.label_lower == "identity.domain":
            queryset = queryset.order_by("path")  # parents before children
        for instance in queryset.iterator():
            if not spec.applies_to(instance):
                continue
            object_id = spec.object_id(instance)
            version = versions.get((spec.label, object_id))
            objects.append(
                {
                    "model": spec.label,
                    "object_id": object_id,
                    "op": ChangeOp.UPSERT,
                    "version": list(version.version) if version else [0, 0, 0],
                    "payload": spec.to_payload(instance),
                }
            )
    for version in versions.values():
        if version.deleted:
            tombstones.append(
                {
                    "model": version.model,
                    "object_id": version.object_id,
                    "op": ChangeOp.DELETE,
                    "version": list(version.version),
                    "payload": {},
                }
            )
    return {
        "format": registry.PAYLOAD_FORMAT,
        "origin": local.pk,
        "cursors": cursors,
        "objects": objects,
        "tombstones": tombstones,
    }
