"""Applies changes that arrive from peers: idempotent and insensitive to order.

The newer version wins, ties broken by origin region id; an older or duplicate change is
ignored; a delete leaves a tombstone, so a late update cannot bring a row back; a change
whose parent is missing is parked and retried after every batch, never dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from regions.models import ObjectVersion, ParkedChange
from regions.models.replication import ChangeOp
from regions.replication import registry
from regions.replication.recorder import applying_remote

log = logging.getLogger(__name__)


#: what a snapshot carries for rows made before this region replicated (the ROOT domain)
UNVERSIONED = (0, 0, 0)


class Outcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"
    PARKED = "parked"


@dataclass(frozen=True)
class IncomingChange:
    model: str
    object_id: str
    op: str
    version: tuple[int, int, int]
    payload: dict[str, Any]

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> IncomingChange:
        wall, counter, origin = (int(v) for v in data["version"])
        if data["op"] not in ChangeOp.values:
            raise ValueError(f"unknown op {data['op']!r}")
        return cls(
            model=str(data["model"]),
            object_id=str(data["object_id"]),
            op=data["op"],
            version=(wall, counter, origin),
            payload=dict(data.get("payload") or {}),
        )


class _Park(Exception):
    pass


def change_apply(change: IncomingChange) -> Outcome:
    spec = registry.spec_for(change.model)
    if spec is None:
        raise ValueError(f"{change.model} does not replicate")
    try:
        with transaction.atomic():
            state = (
                ObjectVersion.objects.select_for_update()
                .filter(model=change.model, object_id=change.object_id)
                .first()
            )
            if state is not None and state.version >= change.version:
                return Outcome.IGNORED
            with applying_remote():
                if change.op == ChangeOp.DELETE:
                    _delete(spec, change)
                else:
                    _upsert(spec, change)
            wall, counter, origin = change.version
            if change.version == UNVERSIONED:
                return Outcome.APPLIED  # a baseline row (ROOT): nothing to remember
            ObjectVersion.objects.update_or_create(
                model=change.model,
                object_id=change.object_id,
                defaults={
                    "wall": wall,
                    "counter": counter,
                    "origin": origin,
                    "deleted": change.op == ChangeOp.DELETE,
                },
            )
            ParkedChange.objects.filter(
                model=change.model,
                object_id=change.object_id,
                wall=wall,
                counter=counter,
                origin=origin,
            ).delete()
            return Outcome.APPLIED
    except _Park as reason:
        _park(change, str(reason))
        return Outcome.PARKED


def _upsert(spec: registry.ReplicatedModel, change: IncomingChange) -> None:
    missing = spec.missing_parents(change.payload)
    if missing:
        raise _Park(f"waiting for {', '.join(missing)}")
    values = spec.values_from_payload(change.payload)
    instance = spec.model._default_manager.filter(**spec.lookup(change.object_id)).first()
    if instance is None:
        instance = spec.model(**spec.lookup(change.object_id))
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise _Park(f"conflicts with a row here: {error}") from error


def _delete(spec: registry.ReplicatedModel, change: IncomingChange) -> None:
    try:
        with transaction.atomic():
            spec.model._default_manager.filter(**spec.lookup(change.object_id)).delete()
    except ProtectedError as error:
        raise _Park("still referenced here; waiting for its dependants' deletes") from error


def _park(change: IncomingChange, reason: str) -> None:
    wall, counter, origin = change.version
    parked, created = ParkedChange.objects.get_or_create(
        model=change.model,
        object_id=change.object_id,
        wall=wall,
        counter=counter,
        origin=origin,
        defaults={"op": change.op, "payload": change.payload, "reason": reason[:255]},
    )
    if not created:
        parked.attempts += 1
        parked.reason = reason[:255]
        parked.save(update_fields=["attempts", "reason", "updated"])
    log.info("parked %s %s: %s", change.model, change.object_id, reason)


def parked_retry(*, rounds: int = 10) -> int:
    """Retry parked changes until a round makes no progress; returns how many applied."""
    applied_total = 0
    for _ in range(rounds):
        applied = 0
        for parked in list(ParkedChange.objects.all()):
            change = IncomingChange(
                model=parked.model,
                object_id=parked.object_id,
                op=parked.op,
                version=parked.version,
                payload=parked.payload,
            )
            outcome = change_apply(change)
            if outcome != Outcome.PARKED:
                parked.delete()
                applied += outcome == Outcome.APPLIED
        applied_total += applied
        if not applied:
            break
    return applied_total


def batch_apply(changes: list[dict[str, Any]]) -> dict[str, int]:
    """Apply a batch from the wire in order, then retry what was parked."""
    counts = {outcome.value: 0 for outcome in Outcome}
    for data in changes:
        counts[change_apply(IncomingChange.from_wire(data)).value] += 1
    if counts[Outcome.PARKED] or ParkedChange.objects.exists():
        counts["unparked"] = parked_retry()
    return counts
