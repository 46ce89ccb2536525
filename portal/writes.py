"""Helpers every service writes with: one uniqueness rule, and saves that change something.

A save records a replicated change (regions/federation/replication/recorder.py), so a service saves
only when a value differs, and only the fields that differ: an edit that changes nothing
writes nothing, sends nothing to the other regions and leaves `updated` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from portal.validation import check_length, invalid


def require_unique(
    queryset: models.QuerySet,
    *,
    field: str,
    value: str,
    message: str | Callable[[models.Model], str],
    exclude: models.Model | None = None,
) -> str:
    """VALUE, unless another row of QUERYSET (the scope: a domain's accounts, every zone)
    holds it in FIELD, ignoring case: then a 400 naming FIELD with MESSAGE (or MESSAGE(row)
    for the row that holds it). EXCLUDE is the row being edited."""
    clash = queryset.filter(**{f"{field}__iexact": value})
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    holder = clash.first()
    if holder is not None:
        raise invalid(field, message(holder) if callable(message) else message, "unique")
    return value


def unique_name(
    queryset: models.QuerySet,
    name: str,
    *,
    taken: Callable[[str], str] | None = None,
    exclude: models.Model | None = None,
) -> str:
    """NAME as a row of QUERYSET may be called: stripped, required, no longer than the
    model's `name` field (check_length) and held by no other row of QUERYSET, ignoring case
    (require_unique); else a 400 on `name` saying TAKEN(NAME), by default "A zone named
    NAME exists."."""
    meta = queryset.model._meta
    name = check_length("name", name, max_length=meta.get_field("name").max_length)
    message = taken(name) if taken else f"A {meta.verbose_name} named {name} exists."
    return require_unique(queryset, field="name", value=name, message=message, exclude=exclude)


def save_changed(obj: models.Model, **values: Any) -> list[str]:
    """Set VALUES on OBJ and save the fields whose value differs (and `updated`, if OBJ has
    it); save nothing when none does. Returns the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(obj, name, values[name])
    stamps = ["updated"] if any(f.name == "updated" for f in obj._meta.concrete_fields) else []
    obj.save(update_fields=[*changed, *stamps])
    return changed
