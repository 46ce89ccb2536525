"""Applies changes that arrive from peers: idempotent, insensitive to order, and converging
under every race (the conflict policy in docs/architecture.md).

- update/update: the newer version wins the whole row (ties broken by origin region id);
  an older or duplicate change is ignored.
- Deletes are final: a tombstone is never undone by an update, whatever its clock. An
  update that would have won on its clock is recorded as an Override.
- A parent deleted while a child was made elsewhere: the child goes too, in every region
  (a change whose parent is a tombstone is deleted here; a delete that finds children here
  deletes them first). The region that decides records the deletes as its own changes.
- The same unique name taken in two regions at once: the row with the lower key keeps it,
  the other is renamed (or, for a membership, dropped), recorded by the deciding region.
- A change whose parent has not arrived yet is parked and retried, never dropped.

A version row keeps the highest version seen for its object, and `deleted` once set stays
set: both are order-insensitive, so every region ends with the same version rows.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from portal import audit
from regions.federation.replication import recorder, registry
from regions.federation.replication.recorder import applying_remote, deciding_here
from regions.models import ObjectVersion, Override, OverrideKind, ParkedChange, Region
from regions.models.replication import ChangeOp

log = logging.getLogger(__name__)


#: what a snapshot carries for rows made before this region replicated (the ROOT domain)
UNVERSIONED = (0, 0, 0)

Version = tuple[int, int, int]


class Outcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"
    PARKED = "parked"


@dataclass(frozen=True)
class IncomingChange:
    model: str
    object_id: str
    op: str
    version: Version
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

    @property
    def origin(self) -> int:
        return self.version[2]


class _Park(Exception):
    pass


#: how a parked name clash's reason starts: it waits for a full pull round, then settles
CLASH = "name clash"


def change_apply(change: IncomingChange, *, settle_clashes: bool = False) -> Outcome:
    """Apply CHANGE by the conflict policy.

    A unique name taken here by another row parks the change first: the other row may be
    renamed by a change still on its way. SETTLE_CLASHES (set once every peer's feed has
    been read to its end since the change was parked) renames or drops the loser instead.
    """
    spec = registry.spec_for(change.model)
    if spec is None:
        raise ValueError(f"{change.model} does not replicate")
    try:
        # What this region decides while applying (a cascade, a rename after a name clash)
        # is logged with the peer region whose change caused it as the actor.
        with transaction.atomic(), audit.acting(user=None, region=change.origin):
            state = (
                ObjectVersion.objects.select_for_update()
                .filter(model=change.model, object_id=change.object_id)
                .first()
            )
            if change.op == ChangeOp.DELETE:
                outcome = _apply_delete(spec, change, state)
            else:
                outcome = _apply_upsert(spec, change, state, settle_clashes=settle_clashes)
            if outcome == Outcome.APPLIED:
                wall, counter, origin = change.version
                ParkedChange.objects.filter(
                    model=change.model,
                    object_id=change.object_id,
                    wall=wall,
                    counter=counter,
                    origin=origin,
                ).delete()
            return outcome
    except _Park as reason:
        _park(change, str(reason))
        return Outcome.PARKED


def version_keep(
    label: str, object_id: str, version: Version, *, deleted: bool, state: ObjectVersion | None
) -> None:
    """Remember VERSION for the object: the highest version seen, deleted once deleted."""
    if state is None:
        if version == UNVERSIONED and not deleted:
            return  # a baseline row (ROOT): nothing to remember
        wall, counter, origin = version
        ObjectVersion.objects.create(
            model=label,
            object_id=object_id,
            wall=wall,
            counter=counter,
            origin=origin,
            deleted=deleted,
        )
        return
    newest = max(state.version, version)
    if newest != state.version or (deleted and not state.deleted):
        state.wall, state.counter, state.origin = newest
        state.deleted = state.deleted or deleted
        state.save(update_fields=["wall", "counter", "origin", "deleted", "updated"])


def _apply_upsert(
    spec: registry.ReplicatedModel,
    change: IncomingChange,
    state: ObjectVersion | None,
    *,
    settle_clashes: bool,
) -> Outcome:
    if spec.refuse is not None:
        refusal = spec.refuse(change.object_id, change.payload)
        if refusal is not None:
            kind, detail = refusal
            log.warning("refused %s %s: %s", change.model, change.object_id, detail)
            override_record(kind, change, overridden=change.origin, detail=detail)
            return Outcome.IGNORED
    if state is not None and state.deleted:
        if change.version > state.version:
            override_record(
                OverrideKind.DELETE_WINS,
                change,
                overridden=change.origin,
                winner=state.origin,
                detail=f"An update made in region {change.origin} arrived after the "
                f"{_name(spec)} was deleted (in region {state.origin}); deletes are final.",
            )
        version_keep(change.model, change.object_id, change.version, deleted=True, state=state)
        return Outcome.IGNORED
    if state is not None and state.version >= change.version:
        return Outcome.IGNORED

    values = spec.values_from_payload(change.payload)
    missing = []
    for field in _parent_fields(spec):
        target_id = values.get(field.attname)
        if target_id is None or _parent_locked(field, target_id):
            continue
        if _tombstoned(field.related_model, target_id):
            return _orphan(spec, change, state, field, target_id)
        missing.append(f"{field.related_model._meta.label_lower} {target_id}")
    if missing:
        raise _Park(f"waiting for {', '.join(missing)}")

    key = spec.lookup(change.object_id)
    instance = spec.model._default_manager.select_for_update().filter(**key).first()
    if instance is None:
        instance = spec.model(**key)
    for name, value in values.items():
        setattr(instance, name, value)
    if spec.derive is not None:
        spec.derive(instance)
    renamed = False
    if spec.unique is not None:
        clash = _clash_resolve(spec, change, instance, settle=settle_clashes)
        if clash == "dropped":
            version_keep(change.model, change.object_id, change.version, deleted=False, state=state)
            return _drop_incoming(spec, change, instance)
        renamed = clash == "renamed"
    try:
        with transaction.atomic(), applying_remote():
            instance.save()
    except IntegrityError as error:
        raise _Park(f"conflicts with a row here: {error}") from error
    version_keep(change.model, change.object_id, change.version, deleted=False, state=state)
    if spec.after_apply is not None:
        spec.after_apply(instance)
    if renamed:
        with deciding_here():
            recorder.record(instance, ChangeOp.UPSERT)  # the rename travels as our change
    return Outcome.APPLIED


def _apply_delete(
    spec: registry.ReplicatedModel, change: IncomingChange, state: ObjectVersion | None
) -> Outcome:
    if state is not None and state.deleted:
        version_keep(change.model, change.object_id, change.version, deleted=True, state=state)
        return Outcome.IGNORED
    instance = (
        spec.model._default_manager.select_for_update()
        .filter(**spec.lookup(change.object_id))
        .first()
    )
    if instance is not None:
        if state is not None and state.version > change.version:
            override_record(
                OverrideKind.DELETE_WINS,
                change,
                overridden=state.origin,
                winner=change.origin,
                detail=f"The {_name(spec)} was deleted in region {change.origin} while it was "
                f"being changed in region {state.origin}; deletes are final.",
            )
        dependants_delete(
            instance, cause=f"its {_name(spec)} was deleted in region {change.origin}"
        )
        try:
            with transaction.atomic(), applying_remote():
                instance.delete()
        except ProtectedError as error:
            # Only rows that do not replicate can hold it (a zone holding a region).
            raise _Park(f"still referenced here by rows that stay local: {error}") from error
    version_keep(change.model, change.object_id, change.version, deleted=True, state=state)
    return Outcome.APPLIED


def dependants_delete(instance: models.Model, *, cause: str) -> int:
    """Delete the replicated rows that point to INSTANCE, deepest first, as this region's
    own changes (so every region deletes them too), each with an Override saying why."""
    deleted = 0
    for relation in instance._meta.related_objects:
        if relation.many_to_many or registry.spec_for(relation.related_model) is None:
            continue
        children = relation.related_model._default_manager.filter(**{relation.field.name: instance})
        for child in list(children):
            deleted += dependants_delete(child, cause=cause)
            child_spec = registry.spec_for(type(child))
            Override.objects.create(
                kind=OverrideKind.CASCADE,
                model=child_spec.label,
                object_id=child_spec.object_id(child),
                overridden_origin=_version_origin(child_spec, child),
                detail=f"{_name(child_spec).capitalize()} {child} was deleted because {cause}."[
                    :500
                ],
            )
            with deciding_here():
                child.delete()
            deleted += 1
    return deleted


def _orphan(
    spec: registry.ReplicatedModel,
    change: IncomingChange,
    state: ObjectVersion | None,
    field: models.Field,
    parent_id: Any,
) -> Outcome:
    """CHANGE's parent was deleted: the row is deleted too, here and (recorded) everywhere."""
    version_keep(change.model, change.object_id, change.version, deleted=False, state=state)
    parent = f"{field.related_model._meta.verbose_name} {parent_id}"
    override_record(
        OverrideKind.CASCADE,
        change,
        overridden=change.origin,
        detail=f"{_name(spec).capitalize()} {_label(spec, change)} made in region "
        f"{change.origin} was deleted: its {parent} was deleted at the same time.",
    )
    instance = spec.model._default_manager.filter(**spec.lookup(change.object_id)).first()
    with deciding_here():
        if instance is not None:
            dependants_delete(instance, cause=f"its {parent} was deleted")
            instance.delete()
        else:
            recorder.record(spec.model(**spec.lookup(change.object_id)), ChangeOp.DELETE)
    return Outcome.APPLIED


def _drop_incoming(
    spec: registry.ReplicatedModel, change: IncomingChange, instance: models.Model
) -> Outcome:
    """A duplicate of a row here (a membership made in two regions at once) is not kept."""
    with deciding_here():
        recorder.record(spec.model(**spec.lookup(change.object_id)), ChangeOp.DELETE)
    return Outcome.APPLIED


def _clash_resolve(
    spec: registry.ReplicatedModel, change: IncomingChange, instance: models.Model, *, settle: bool
) -> str:
    """Settle a unique name taken here by another row: '' (no clash), 'renamed' (INSTANCE
    lost and was renamed), 'dropped' (INSTANCE is a duplicate), or the other row lost.

    Unless SETTLE, a clash parks the change instead (see change_apply).
    """
    unique = spec.unique
    key_name = spec.model._meta.pk.name if spec.key == "pk" else spec.key
    filters = {name: getattr(instance, name) for name in unique.scope}
    if unique.field is not None:
        filters[f"{unique.field}__iexact"] = getattr(instance, unique.field)
    others = (
        spec.model._default_manager.select_for_update()
        .filter(**filters)
        .exclude(**{key_name: change.object_id})
    )
    verdict = ""
    for other in others:
        other_id = spec.object_id(other)
        if not settle:
            raise _Park(f"{CLASH} with {spec.label} {other_id}; settled after a pull round")
        incoming_wins = str(change.object_id) < other_id
        loser_desc = other if incoming_wins else instance
        if unique.field is None:
            if incoming_wins:
                override_record(
                    OverrideKind.DUPLICATE,
                    change,
                    object_id=other_id,
                    overridden=_version_origin(spec, other),
                    winner=change.origin,
                    detail=f"{_name(spec).capitalize()} {other} was made in two regions at once; "
                    f"the row {change.object_id} is kept.",
                )
                with deciding_here():
                    other.delete()
                continue
            override_record(
                OverrideKind.DUPLICATE,
                change,
                overridden=change.origin,
                winner=_version_origin(spec, other),
                detail=f"{_name(spec).capitalize()} {loser_desc} was made in two regions at once; "
                f"the row {other_id} is kept.",
            )
            return "dropped"
        loser = other if incoming_wins else instance
        old_name = getattr(loser, unique.field)
        new_name = clash_name(spec, loser, old_name)
        override_record(
            OverrideKind.NAME_CLASH,
            change,
            object_id=spec.object_id(loser),
            overridden=change.origin if not incoming_wins else _version_origin(spec, other),
            winner=_version_origin(spec, other) if not incoming_wins else change.origin,
            detail=f"{_name(spec).capitalize()} name '{old_name}' was taken in two regions at "
            f"once; the {_name(spec)} {spec.object_id(loser)} is now '{new_name}'.",
        )
        setattr(loser, unique.field, new_name)
        if spec.derive is not None:
            spec.derive(loser)
        if incoming_wins:
            with deciding_here():
                other.save()
            if spec.after_apply is not None:
                spec.after_apply(other)
        else:
            verdict = "renamed"
    return verdict


def clash_name(spec: registry.ReplicatedModel, row: models.Model, name: str) -> str:
    """The name a row that lost a name clash takes: unique, and the same in every region."""
    field = spec.model._meta.get_field(spec.unique.field)
    suffix = "-" + spec.object_id(row).replace("-", "")[:8]
    return name[: (field.max_length or 255) - len(suffix)] + suffix


def override_record(
    kind: str,
    change: IncomingChange,
    *,
    detail: str,
    overridden: int = 0,
    winner: int = 0,
    object_id: str | None = None,
) -> None:
    Override.objects.create(
        kind=kind,
        model=change.model,
        object_id=object_id or change.object_id,
        overridden_origin=overridden,
        winner_origin=winner,
        detail=detail[:500],
    )
    log.info("override (%s) %s %s: %s", kind, change.model, object_id or change.object_id, detail)


def _label(spec: registry.ReplicatedModel, change: IncomingChange) -> str:
    """The row's name as its writer saw it (for messages), else its key."""
    if spec.unique is not None and spec.unique.field is not None:
        return str(change.payload.get(spec.unique.field) or change.object_id)
    return change.object_id


def _name(spec: registry.ReplicatedModel) -> str:
    return str(spec.model._meta.verbose_name)


def _version_origin(spec: registry.ReplicatedModel, instance: models.Model) -> int:
    return (
        ObjectVersion.objects.filter(model=spec.label, object_id=spec.object_id(instance))
        .values_list("origin", flat=True)
        .first()
        or 0
    )


def _parent_fields(spec: registry.ReplicatedModel) -> list[models.Field]:
    return [
        f
        for f in spec.fields()
        if f.is_relation and f.many_to_one and registry.spec_for(f.related_model) is not None
    ]


def _parent_locked(field: models.Field, target_id: Any) -> bool:
    """Whether the parent is here, locked until this apply commits (so a local delete of it
    waits, then sees the child)."""
    return field.related_model._default_manager.select_for_update().filter(pk=target_id).exists()


def _tombstoned(model: type[models.Model], object_id: Any) -> bool:
    spec = registry.spec_for(model)
    if spec is None or spec.key != "pk":
        return False
    return ObjectVersion.objects.filter(
        model=spec.label, object_id=str(object_id), deleted=True
    ).exists()


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


def pull_round_done(since: datetime.datetime) -> bool:
    """Whether every peer's feed has been read to its end since SINCE: whatever any region
    had committed before then is here (a change's causes were committed before it)."""
    return not Region.objects.filter(is_local=False).exclude(link__drained_at__gt=since).exists()


def parked_retry(*, rounds: int = 10) -> int:
    """Retry parked changes until a round makes no progress; returns how many applied."""
    applied_total = 0
    for _ in range(rounds):
        applied = 0
        parked_now = list(ParkedChange.objects.all())
        newest = {}
        for parked in parked_now:
            key = (parked.model, parked.object_id)
            newest[key] = max(newest.get(key, parked.version), parked.version)
        for parked in parked_now:
            change = IncomingChange(
                model=parked.model,
                object_id=parked.object_id,
                op=parked.op,
                version=parked.version,
                payload=parked.payload,
            )
            settle = parked.reason.startswith(CLASH) and pull_round_done(parked.created)
            if settle and parked.version < newest[(parked.model, parked.object_id)]:
                # A newer change of the row is parked too: it is the one to settle.
                ParkedChange.objects.filter(pk=parked.pk).delete()
                continue
            outcome = change_apply(change, settle_clashes=settle)
            if outcome != Outcome.PARKED:
                ParkedChange.objects.filter(pk=parked.pk).delete()
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
