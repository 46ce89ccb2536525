"""Appends a change to the log whenever a replicated row is saved or deleted here.

Signals fire inside the service's transaction, so a write and its change commit together
or not at all. Changes applied from a peer are not recorded again (`applying_remote`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import models, transaction

from portal import audit
from portal.bulk_insert import bulk_insert_rows
from portal.validation import invalid
from regions.federation.replication import clock, events, registry
from regions.federation.replication.feed import change_to_wire
from regions.models import Change, ObjectVersion, Region
from regions.models.replication import ChangeOp

log = logging.getLogger(__name__)
_state = threading.local()
#: what tells the peers after a commit that recorded changes (connect() sets it)
_announcer: Callable[[], None] | None = None


@contextlib.contextmanager
def applying_remote() -> Iterator[None]:
    """Writes of a peer's change: not recorded again, and not in this region's change log
    (portal.audit): the region that made them logged them."""
    previous = getattr(_state, "remote", False)
    _state.remote = True
    try:
        with audit.quiet():
            yield
    finally:
        _state.remote = previous


@contextlib.contextmanager
def deciding_here() -> Iterator[None]:
    """Inside an apply: writes this region decides itself (a cascade, a rename after a name
    clash) are recorded as its own changes, so every region learns of them."""
    previous = getattr(_state, "remote", False)
    _state.remote = False
    try:
        with audit.quiet(False):
            yield
    finally:
        _state.remote = previous


def is_applying_remote() -> bool:
    return getattr(_state, "remote", False)


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
    events.publish(change_to_wire(change))


def _announce() -> None:
    """Runs after commit: whatever fails here must not turn a committed write into an error."""
    if _announcer is None:
        return  # connect() has not run: nothing to tell
    try:
        _announcer()
    except Exception:
        log.exception("announcing changes failed; the periodic sweep will deliver them")


def on_save(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or (update_fields is not None and not _replicated(sender, update_fields)):
        return
    record(instance, ChangeOp.UPSERT)


def _replicated(model: type[models.Model], update_fields: frozenset[str]) -> bool:
    """Whether a save of only UPDATE_FIELDS touches a field that travels.

    A save of local fields alone (a sign-in stamps last_login) is no change to replicate:
    recording it would give the row's current state a new version, which would win over a
    concurrent change made in another region (a user disabled there, enabled again here).
    """
    spec = registry.spec_for(model)
    if spec is None:
        return False
    travelling = {name for f in spec.fields() for name in (f.name, f.attname)}
    return bool(travelling & set(update_fields))


def on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record(instance, ChangeOp.DELETE)


def lock_version(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Before a local write touches a row, lock what it depends on, as apply does.

    - An existing row: its version row first, then the row itself (the order apply uses, so
      a local edit and a peer's edit of one object cannot deadlock). A row that was deleted
      meanwhile, here or by an applied change, is refused with a field error (never a 500).
    - A new row: every replicated parent it points to, so a parent's delete (local, or
      applied from a peer) and this insert happen one after the other; a parent that is
      gone is refused naming the field.
    """
    spec = registry.spec_for(sender)
    if spec is None or getattr(_state, "remote", False):
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return  # a lone statement holds no lock across the two writes
    if instance._state.adding:
        _lock_parents(spec, instance)
        return
    object_id = spec.object_id(instance)
    version = (
        ObjectVersion.objects.select_for_update()
        .filter(model=spec.label, object_id=object_id)
        .values_list("deleted", flat=True)
        .first()
    )
    key = spec.model._meta.pk.name if spec.key == "pk" else spec.key
    present = sender._default_manager.select_for_update().filter(**{key: object_id}).exists()
    if version or not present:
        raise gone(sender, instance)


def hold(instance: models.Model) -> None:
    """Lock INSTANCE for a write that first checks what depends on it (a delete that must
    see children added concurrently): its version row, then the row. Refuses a row that was
    deleted meanwhile. Call inside the service's transaction."""
    lock_version(type(instance), instance)


def gone(model: type[models.Model], instance: models.Model) -> Exception:
    name = model._meta.verbose_name
    return invalid(
        model._meta.model_name,
        f"This {name} ({instance}) no longer exists: it was deleted meanwhile, perhaps in "
        "another region.",
        "gone",
    )


def _lock_parents(spec: registry.ReplicatedModel, instance: models.Model) -> None:
    for field in spec.fields():
        if not (field.is_relation and field.many_to_one):
            continue
        value = getattr(instance, field.attname)
        target = field.related_model
        if value is None or registry.spec_for(target) is None:
            continue
        if not target._default_manager.select_for_update().filter(pk=value).exists():
            raise invalid(
                field.name,
                f"The {target._meta.verbose_name} {value} no longer exists: it was deleted "
                "meanwhile, perhaps in another region.",
                "gone",
            )


def connect(*, announce: Callable[[], None]) -> None:
    """Record every write of a registered model, whichever app registers it and whenever:
    the receivers look the sender up in the registry. ANNOUNCE runs after every commit that
    recorded changes (announce.announce_local_changes, passed in: it uses the delivery,
    which uses this module)."""
    global _announcer
    _announcer = announce
    models.signals.post_save.connect(_registered(on_save), dispatch_uid="repl-save", weak=False)
    models.signals.post_delete.connect(_registered(on_delete), dispatch_uid="repl-del", weak=False)
    for name, signal in (("save", models.signals.pre_save), ("del", models.signals.pre_delete)):
        signal.connect(_registered(lock_version), dispatch_uid=f"repl-lock-{name}", weak=False)


def _registered(receiver: Callable[..., None]) -> Callable[..., None]:
    """RECEIVER, for the models the registry replicates only (the classes themselves: a
    migration's historical model of the same name records nothing)."""

    def receive(sender: type[models.Model], **kwargs: Any) -> None:
        spec = registry.spec_for(sender)
        if spec is not None and spec.model is sender:
            receiver(sender, **kwargs)

    return receive


def record_created(instances: list[models.Model]) -> int:
    """Log rows made with bulk_create (no signals fire for those) in the caller's transaction."""
    if not instances or getattr(_state, "remote", False):
        return 0
    spec = registry.spec_for(type(instances[0]))
    origin = _local_region_id()
    if spec is None or origin is None:
        return 0
    wall = clock.now_ms()
    stamp = {"wall": wall, "counter": 0, "origin": origin}
    versions, changes = [], []
    for instance in instances:
        if not spec.applies_to(instance):
            continue
        object_id = spec.object_id(instance)
        versions.append({"model": spec.label, "object_id": object_id, "deleted": False, **stamp})
        changes.append(
            {
                "model": spec.label,
                "object_id": object_id,
                "op": ChangeOp.UPSERT,
                "payload": spec.to_payload(instance),
                "format": registry.PAYLOAD_FORMAT,
                **stamp,
            }
        )
    with transaction.atomic():
        bulk_insert_rows(ObjectVersion, versions)
        bulk_insert_rows(Change, changes)
        transaction.on_commit(_announce)
        transaction.on_commit(lambda: _publish_many(changes))
    return len(changes)


def _publish_many(changes: list[dict[str, Any]]) -> None:
    """Publish CHANGES, rows of Change as record_created inserted them."""
    events.publish_many(
        lambda: [change_to_wire(Change(**change)) for change in changes], len(changes)
    )
