"""Which models replicate, and how a row becomes a payload and back.

A payload is the full state of a row as versioned JSON: every concrete field except the
local-only ones, foreign keys as the target's cloud-wide key. Never a pickle.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from portal.declarations import declaration

PAYLOAD_FORMAT = 1


@dataclass(frozen=True)
class UniqueName:
    """A name unique within a scope, which two regions may both take at the same moment.

    The conflict policy keeps both rows: the one with the lower cloud-wide key keeps the
    name, the other is renamed `<name>-<8 hex of its key>`. Without a name field the scope
    alone is unique (a project membership): the row with the higher key is dropped.
    """

    scope: tuple[str, ...] = ()
    field: str | None = None


@dataclass(frozen=True)
class ReplicatedModel:
    model: type[models.Model]
    #: the field that identifies a row cloud-wide (the UUID primary key, or Region.uuid)
    key: str = "pk"
    #: fields that stay local
    exclude: frozenset[str] = frozenset({"created", "updated"})
    #: whether this row replicates at all (global settings do, region-scoped ones do not)
    applies_to: Callable[[models.Model], bool] = field(default=lambda instance: True)
    #: payload transforms for fields that must not travel as stored (secrets at rest)
    outgoing: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    incoming: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    #: a reason to refuse an incoming upsert (object id, payload) outright, or None; a
    #: refused change is ignored, logged and recorded as an Override, never parked
    refuse: Callable[[str, dict[str, Any]], tuple[str, str] | None] | None = None
    #: a name two regions may take at once (see UniqueName)
    unique: UniqueName | None = None
    #: fields computed here from other rows (a domain's path), set on apply before saving
    derive: Callable[[models.Model], None] | None = None
    #: what an applied change implies for other rows here (a renamed domain's subtree)
    after_apply: Callable[[models.Model], None] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def fields(self) -> list[models.Field]:
        key_field = self.model._meta.pk.name if self.key == "pk" else self.key
        return [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in self.exclude and f.name != key_field
        ]

    def object_id(self, instance: models.Model) -> str:
        return str(getattr(instance, self.key))

    def to_payload(self, instance: models.Model) -> dict[str, Any]:
        payload = {f.attname: _to_json(getattr(instance, f.attname)) for f in self.fields()}
        return self.outgoing(payload) if self.outgoing else payload

    def lookup(self, object_id: str) -> dict[str, Any]:
        return {self.key: object_id}

    def missing_parents(self, payload: dict[str, Any]) -> list[str]:
        """Foreign keys in PAYLOAD whose target row is not here (yet)."""
        missing = []
        for f in self.fields():
            if f.is_relation and f.many_to_one and payload.get(f.attname) is not None:
                target = f.related_model
                if not target._default_manager.filter(pk=payload[f.attname]).exists():
                    missing.append(f"{target._meta.label_lower} {payload[f.attname]}")
        return missing

    def values_from_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.incoming:
            payload = self.incoming(payload)
        values = {}
        for f in self.fields():
            if f.attname in payload:
                raw = payload[f.attname]
                values[f.attname] = None if raw is None else f.to_python(raw)
        return values


def _to_json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


_registry: dict[str, ReplicatedModel] = {}
_ordered: list[ReplicatedModel] | None = None


def register(spec: ReplicatedModel) -> ReplicatedModel:
    """Replicate SPEC's model; each app registers its own (in its AppConfig.ready). The
    model's declaration (portal.declarations) must say it replicates."""
    global _ordered
    if not declaration(spec.model).replicated:
        raise ImproperlyConfigured(f"{spec.model._meta.label} is not declared replicated")
    _registry[spec.label] = spec
    _ordered = None
    return spec


def spec_for(model_or_label: type[models.Model] | str) -> ReplicatedModel | None:
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
    return _registry.get(label)


def registered_models() -> list[type[models.Model]]:
    """The replicated models (settings.PORTAL_REPLICATED_MODELS, for the declarations'
    check)."""
    return [spec.model for spec in _registry.values()]


def registered() -> list[ReplicatedModel]:
    """Every replicated model, parents before children: a model comes after every other
    registered model its foreign keys point to (a model that points to itself, as domains
    do, orders its own rows). Models that do not depend on each other keep their order of
    registration."""
    global _ordered
    if _ordered is None:
        _ordered = _parents_first(list(_registry.values()))
    return list(_ordered)


def _parents_first(specs: list[ReplicatedModel]) -> list[ReplicatedModel]:
    labels = {spec.label for spec in specs}
    parents = {
        spec.label: {
            field.related_model._meta.label_lower
            for field in spec.model._meta.concrete_fields
            if field.is_relation and field.related_model is not spec.model
        }
        & labels
        for spec in specs
    }
    ordered: list[ReplicatedModel] = []
    placed: set[str] = set()
    while len(ordered) < len(specs):
        ready = [s for s in specs if s.label not in placed and parents[s.label] <= placed]
        if not ready:
            cycle = sorted(labels - placed)
            raise ImproperlyConfigured(f"Replicated models refer to each other in a cycle: {cycle}")
        ordered.append(ready[0])
        placed.add(ready[0].label)
    return ordered
