"""Set-based apply of a page of changes: the same rules as `apply.change_apply`, in bulk.

Only the newest change per object matters, so a page collapses to one change per object,
compared with the stored versions in one query per model (rows locked, so a local write
cannot slip in between). Upserts go in registry order (parents before children), new rows
by bulk_create and known rows by bulk_update; deletes go through change_apply. An object
whose newest change cannot be written in bulk (its parent is missing, or the database
refuses the group: a unique clash) falls back to change_apply for every change of it in the
page, in page order, exactly as applying one by one would: the steps before the newest
version matter then (a rename through a temporary name, an older version whose parent is
here). change_apply parks what it cannot apply. Nothing is ever dropped.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from portal.bulk_insert import bulk_insert_rows
from regions.federation.replication import registry
from regions.federation.replication.apply import (
    UNVERSIONED,
    IncomingChange,
    Outcome,
    change_apply,
    parked_retry,
)
from regions.federation.replication.recorder import applying_remote
from regions.models import ObjectVersion, ParkedChange
from regions.models.replication import ChangeOp

Key = tuple[str, str]


def page_apply(raw: list[dict[str, Any]]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    changes = [IncomingChange.from_wire(data) for data in raw]
    newest: dict[Key, IncomingChange] = {}
    for change in changes:
        key = (change.model, change.object_id)
        if key not in newest or newest[key].version < change.version:
            newest[key] = change
    counts[Outcome.IGNORED] += len(changes) - len(newest)

    order = {spec.label: index for index, spec in enumerate(registry.registered())}
    with transaction.atomic(), applying_remote():
        stored, tombstones = _stored_versions(newest)
        # Deletes always go through change_apply (a delete wins over a newer update), and so
        # does anything for a tombstone (kept, its version raised, the lost update noted).
        fresh = [
            c
            for k, c in newest.items()
            if c.op == ChangeOp.DELETE
            or k in tombstones
            or k not in stored
            or stored[k] < c.version
        ]
        counts[Outcome.IGNORED] += len(newest) - len(fresh)
        applied: list[IncomingChange] = []
        upserts = defaultdict(list)
        deletes = []
        singles = []
        for change in fresh:
            key = (change.model, change.object_id)
            if change.op == ChangeOp.DELETE:
                deletes.append(change)
            elif key in tombstones or _one_at_a_time(registry.spec_for(change.model)):
                singles.append(change)
            else:
                upserts[change.model].append(change)
        for label in sorted(
            {*upserts, *(c.model for c in singles)}, key=lambda m: order.get(m, len(order))
        ):
            spec = registry.spec_for(label)
            applied += _upsert_group(spec, upserts.get(label, []), changes, counts)
            _one_by_one([c for c in singles if c.model == label], changes, counts)
        _versions_save(applied, stored)
        counts[Outcome.APPLIED] += len(applied)
        for change in sorted(deletes, key=lambda c: -order.get(c.model, 0)):
            counts[change_apply(change).value] += 1
    if counts[Outcome.PARKED] or ParkedChange.objects.exists():
        counts["unparked"] = parked_retry()
    return counts


def _is_tree(label: str) -> bool:
    spec = registry.spec_for(label)
    return any(f.is_relation and f.related_model is spec.model for f in spec.fields())


def _one_at_a_time(spec: registry.ReplicatedModel) -> bool:
    """Rows with fields derived from other rows (domain paths) are written one by one."""
    return spec.derive is not None or spec.after_apply is not None or spec.refuse is not None


def _stored_versions(
    newest: dict[Key, IncomingChange],
) -> tuple[dict[Key, tuple[int, int, int]], set[Key]]:
    by_model: dict[str, list[str]] = defaultdict(list)
    for model, object_id in newest:
        by_model[model].append(object_id)
    stored, tombstones = {}, set()
    for model, ids in by_model.items():
        rows = ObjectVersion.objects.select_for_update().filter(model=model, object_id__in=ids)
        for row in rows:
            stored[(row.model, row.object_id)] = row.version
            if row.deleted:
                tombstones.add((row.model, row.object_id))
    return stored, tombstones


def _upsert_group(
    spec: registry.ReplicatedModel,
    group: list[IncomingChange],
    page: list[IncomingChange],
    counts: dict[str, int],
) -> list[IncomingChange]:
    """Write GROUP (newest upserts of one model) in bulk; returns what was written so."""
    ready, waiting = _split_on_parents(spec, group)
    _one_by_one(waiting, page, counts)  # parks them, with the reason
    if not ready:
        return []
    try:
        with transaction.atomic():
            _bulk_write(spec, ready)
        return ready
    except DatabaseError:
        # A clash with a row here (a unique name taken by another id): one by one, so only
        # the clashing change is parked and the rest apply.
        _one_by_one(ready, page, counts)
        return []


def _one_by_one(
    newest: list[IncomingChange], page: list[IncomingChange], counts: dict[str, int]
) -> None:
    """change_apply every change of NEWEST's objects in PAGE, in page order."""
    if not newest:
        return
    keys = {(c.model, c.object_id) for c in newest}
    # Page order (the order the peer made them), parents first in a tree (domains).
    steps = sorted(
        (c for c in page if (c.model, c.object_id) in keys),
        key=lambda c: str(c.payload.get("path", "")).count("/") if _is_tree(c.model) else 0,
    )
    counts[Outcome.IGNORED] -= len(steps) - len(newest)  # counted as ignored before
    for change in steps:
        counts[change_apply(change).value] += 1


def _split_on_parents(
    spec: registry.ReplicatedModel, group: list[IncomingChange]
) -> tuple[list[IncomingChange], list[IncomingChange]]:
    """Changes whose foreign keys all resolve (here, or to another change of this page)."""
    relations = [f for f in spec.fields() if f.is_relation and f.many_to_one]
    present: dict[str, set[str]] = {}
    for field in relations:
        wanted = {str(c.payload[field.attname]) for c in group if c.payload.get(field.attname)}
        # Locked until the page commits: a local delete of a parent waits, then sees the
        # children and refuses (or cascades them) instead of failing on the foreign key.
        found = (
            field.related_model._default_manager.select_for_update()
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        present[field.attname] = {str(pk) for pk in found}
    candidates = {c.object_id: c for c in group}
    while True:
        dropped = False
        for object_id, change in list(candidates.items()):
            for field in relations:
                target = change.payload.get(field.attname)
                if target is None or str(target) in present[field.attname]:
                    continue
                if field.related_model is spec.model and str(target) in candidates:
                    continue  # a parent in the same page (domains)
                del candidates[object_id]
                dropped = True
                break
        if not dropped:
            break
    ready = _parents_first(spec, list(candidates.values()))
    waiting = [c for c in group if c.object_id not in candidates]
    return ready, waiting


def _parents_first(
    spec: registry.ReplicatedModel, group: list[IncomingChange]
) -> list[IncomingChange]:
    if any(f.related_model is spec.model for f in spec.fields() if f.is_relation):
        return sorted(group, key=lambda c: str(c.payload.get("path", "")).count("/"))
    return group


def _bulk_write(spec: registry.ReplicatedModel, ready: list[IncomingChange]) -> None:
    model = spec.model
    key_field = model._meta.pk.name if spec.key == "pk" else spec.key
    existing = {
        str(getattr(obj, key_field)): obj
        for obj in model._default_manager.filter(
            **{f"{key_field}__in": [c.object_id for c in ready]}
        )
    }
    now = timezone.now()
    stamps = {f.name for f in model._meta.concrete_fields} & {"created", "updated"}
    pk_name = model._meta.pk.attname
    key_attname = model._meta.get_field(key_field).attname
    tree = any(f.related_model is model for f in spec.fields() if f.is_relation)
    new: list[Any] = []
    changed, fields = [], set()
    for change in ready:
        values = spec.values_from_payload(change.payload)
        fields |= set(values)
        obj = existing.get(change.object_id)
        if obj is None:
            if tree:
                obj = model(**{key_field: change.object_id}, **values)
                for stamp in stamps:
                    setattr(obj, stamp, now)
                new.append(obj)
            else:  # plain values: no model instance only to copy its values out again
                key = model._meta.get_field(key_field).to_python(change.object_id)
                new.append({key_attname: key, **values, **dict.fromkeys(stamps, now)})
        else:
            if pk_name in values and values[pk_name] != obj.pk:
                # change_apply would insert a second row and clash on the key: the same.
                raise IntegrityError(f"{spec.label} {change.object_id} has another id here")
            for name, value in values.items():
                setattr(obj, name, value)
            if "updated" in stamps:
                obj.updated = now
            changed.append(obj)
    if new:
        if tree:
            for obj in new:  # a tree: each parent must exist before its children
                obj.save(force_insert=True)
        else:
            bulk_insert_rows(model, new)
    if changed:
        # The primary key is not the cloud-wide key of every model (regions: id vs uuid);
        # it selects the row and cannot be updated.
        update_fields = sorted((fields - {pk_name}) | ({"updated"} & stamps))
        model._default_manager.bulk_update(changed, update_fields, batch_size=500)


def _versions_save(applied: list[IncomingChange], stored: dict[Key, tuple[int, int, int]]) -> None:
    rows = [
        {
            "model": c.model,
            "object_id": c.object_id,
            "wall": c.version[0],
            "counter": c.version[1],
            "origin": c.version[2],
            "deleted": False,
        }
        for c in applied
        if c.version != UNVERSIONED
    ]
    # Rows new here are streamed in (COPY on PostgreSQL, from plain values); known ones
    # (locked since _stored_versions) are updated in place. Should a new one have appeared
    # meanwhile, the insert gives way to the upsert for all.
    new = [row for row in rows if (row["model"], row["object_id"]) not in stored]
    known = [row for row in rows if (row["model"], row["object_id"]) in stored]
    try:
        with transaction.atomic():
            bulk_insert_rows(ObjectVersion, [dict(row) for row in new])
    except IntegrityError:
        known = rows
    if known:
        ObjectVersion.objects.bulk_create(
            [ObjectVersion(**row) for row in known],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["model", "object_id"],
            update_fields=["wall", "counter", "origin", "deleted", "updated"],
        )
