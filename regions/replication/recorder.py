"""Appends a change to the log whenever a replicated row is saved or deleted here.

Signals fire inside the service's transaction, so a write and its change commit together
or not at all. Changes applied from a peer are not recorded again (`applying_remote`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import models, transaction

from regions.models import Change, ObjectVersion, Region
from regions.models.replication import ChangeOp
from regions.replication import clock, registry

_state = threading.local()


@contextlib.contextmanager
def applying_remote() -> Iterator[None]:
    previous = getattr(_state, "remote", False)
    _state.remote = True
    try:
        yield
    finally:
        _state.remote = previous


def _local_region_id() -> int | None:
    return Region.objects.filter(is_local=True).values_list("id", flat=True).first()


def record(instance: models.Model, op: str) -> Change | None:
    """Log OP on INSTANCE with a new version; None when it does not replicate."""
    spec = registry.spec_for(type(instance))
    if spec is None or getattr(_state, "remote", False) or not spec.applies_to(instance):
        return None
    origin = _local_region_id()
    if origin is None:
        return None  # not set up yet: nothing to replicate to
    object_id = spec.object_id(instance)
    with transaction.atomic():
        state = (
            ObjectVersion.objects.select_for_update()
            .filter(model=spec.label, object_id=object_id)
            .first()
        )
        wall, counter, origin = clock.next_version(
            previous=state.version if state else None, origin=origin
        )
        ObjectVersion.objects.update_or_create(
            model=spec.label,
            object_id=object_id,
            defaults={
                "wall": wall,
                "counter": counter,
                "origin": origin,
                "deleted": op == ChangeOp.DELETE,
            },
        )
        change = Change.objects.create(
            model=spec.label,
            object_id=object_id,
            op=op,
            wall=wall,
            counter=counter,
            origin=origin,
            payload=spec.to_payload(instance) if op == ChangeOp.UPSERT else {},
            format=registry.PAYLOAD_FORMAT,
        )
        transaction.on_commit(_announce)
        transaction.on_commit(lambda: _publish(change))
    return change


def _publish(change: Change) -> None:
    from regions.replication import events
    from regions.replication.feed import change_to_wire

    events.publish(change_to_wire(change))


def _announce() -> None:
    from regions.replication import delivery

    delivery.announce_local_changes()


def on_save(
    sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        record(instance, ChangeOp.UPSERT)


def on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record(instance, ChangeOp.DELETE)


def connect() -> None:
    for spec in registry.registered():
        models.signals.post_save.connect(
            on_save, sender=spec.model, dispatch_uid=f"repl-save-{spec.label}"
        )
        models.signals.post_delete.connect(
            on_delete, sender=spec.model, dispatch_uid=f"repl-del-{spec.label}"
        )
