"""This region's change feed and full snapshots, as peers read them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, TextField
from django.db.models.functions import Cast

from regions.federation.replication import registry
from regions.models import Change, ObjectVersion, ParkedChange, PeerLink, Region
from regions.models.replication import ChangeOp

FEED_LIMIT = 1000


def change_to_wire(change: Change) -> dict[str, Any]:
    return {
        "seq": change.seq,
        "created": change.created.isoformat(),
        "model": change.model,
        "object_id": change.object_id,
        "op": change.op,
        "version": [change.wall, change.counter, change.origin],
        "payload": change.payload,
        "format": change.format,
    }


@contextmanager
def committed_prefix() -> Iterator[None]:
    """Read the change log with no gap that a still-running transaction could fill later.

    On PostgreSQL sequence numbers are taken at insert but transactions commit in any
    order, so seq 11 can be visible while seq 10 is not yet: a reader that moved its cursor
    to 11 would lose 10 forever. A SHARE lock on the table waits for every transaction that
    has inserted a change to finish, and holds new inserts off until this read is done.
    (SQLite runs one writer at a time, so its log has no such gaps.)
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Change._meta.db_table} IN SHARE MODE")
        yield


def feed_read(*, origin: int, after: int, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """Changes made in region ORIGIN (this one) after sequence AFTER, oldest first."""
    limit = max(1, min(limit, FEED_LIMIT))
    with committed_prefix():
        rows = list(
            Change.objects.filter(origin=origin, seq__gt=after).order_by("seq")[: limit + 1]
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "format": registry.PAYLOAD_FORMAT,
        "origin": origin,
        "changes": [change_to_wire(c) for c in rows],
        "last_seq": rows[-1].seq if rows else after,
        "more": more,
    }


_WIRE_COLUMNS = ("seq", "created", "model", "object_id", "op", "wall", "counter", "origin")


def feed_page_json(*, origin: int, after: int, limit: int = FEED_LIMIT) -> tuple[bytes, int, bool]:
    """The page `feed_read` gives, already as its JSON text (a stream's line, a pull's
    body), with LAST_SEQ and MORE. The payloads go out as the database keeps them: never
    made into model instances, decoded and encoded again (where a stream's sender spent
    most of its time)."""
    limit = max(1, min(limit, FEED_LIMIT))
    with committed_prefix():
        rows = list(
            Change.objects.filter(origin=origin, seq__gt=after)
            .order_by("seq")
            .values_list(*_WIRE_COLUMNS, "format", Cast("payload", TextField()))[: limit + 1]
        )
    more = len(rows) > limit
    rows = rows[:limit]
    changes = ",".join(_change_json(*row) for row in rows)
    last_seq = rows[-1][0] if rows else after
    text = (
        f'{{"format":{registry.PAYLOAD_FORMAT},"origin":{origin},"changes":[{changes}],'
        f'"last_seq":{last_seq},"more":{"true" if more else "false"}}}'
    )
    return text.encode(), last_seq, more


def _change_json(
    seq: int,
    created: Any,
    model: str,
    object_id: str,
    op: str,
    wall: int,
    counter: int,
    origin: int,
    payload_format: int,
    payload: str,
) -> str:
    """One change as `change_to_wire` gives it, in JSON, its payload's text as stored."""
    dumps = json.dumps
    return (
        f'{{"seq":{seq},"created":{dumps(created.isoformat())},"model":{dumps(model)},'
        f'"object_id":{dumps(object_id)},"op":{dumps(op)},"version":[{wall},{counter},'
        f'{origin}],"payload":{payload},"format":{payload_format}}}'
    )


def feed_head(*, origin: int) -> int:
    with committed_prefix():
        return Change.objects.filter(origin=origin).aggregate(head=Max("seq"))["head"] or 0


def snapshot_build(*, local: Region) -> dict[str, Any]:
    """Everything that replicates, with versions, and the feed cursors it is consistent with.

    Cursors are read first: any change committed while the rows are read is newer than the
    cursor, so the joiner pulls it again and the idempotent apply ignores the duplicate.
    Changes parked here are older than the cursors, so they travel with the snapshot.
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
    # Changes parked here are behind the cursors above: a joiner must get them here, as it
    # will never pull them again.
    parked = [
        {
            "model": change.model,
            "object_id": change.object_id,
            "op": change.op,
            "version": list(change.version),
            "payload": change.payload,
        }
        for change in ParkedChange.objects.all()
    ]
    return {
        "format": registry.PAYLOAD_FORMAT,
        "origin": local.pk,
        "cursors": cursors,
        "objects": objects,
        "tombstones": tombstones,
        "parked": parked,
    }
