"""Tables of related rows on a detail page, given by the app that owns the rows.

A region's page lists its zones without regions importing zones: zones registers the table
(`@related_table(Region)`, loaded from its AppConfig.ready), as it adds a zone's pods to
the zone's page. A detail view shows its own `related(obj)` tables, then these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from portal.generic.columns import Column
from portal.permissions import visible


@dataclass(frozen=True)
class RelatedTable:
    title: str
    columns: list[Column]
    rows: Any


Contributor = Callable[[Any, Model], RelatedTable]

_contributors: dict[str, list[Contributor]] = {}


def related_table(model: type[Model]) -> Callable[[Contributor], Contributor]:
    """Register the decorated FUNCTION(actor, obj) as a table on MODEL's detail page; it
    reads through a selector, so it shows only what the actor may see."""

    def register(function: Contributor) -> Contributor:
        contributors = _contributors.setdefault(model._meta.label, [])
        if function not in contributors:
            contributors.append(function)
        return function

    return register


def related_tables(actor: Any, obj: Model) -> list[RelatedTable]:
    """The tables other apps give OBJ's detail page, in the order they registered; none of
    rows the actor may not see at all (a zone's pods, to all but root admins)."""
    tables = [function(actor, obj) for function in _contributors.get(obj._meta.label, [])]
    return [table for table in tables if _shown(actor, table)]


def _shown(actor: Any, table: RelatedTable) -> bool:
    model = getattr(table.rows, "model", None)
    return model is None or visible(actor, model) is not None
