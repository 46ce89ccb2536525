"""Tables of related rows on a detail page, given by the app that owns the rows.

A region's page lists its zones without regions importing zones: zones registers the table
(`@related_table(Region)`, loaded from its AppConfig.ready), as a later app adds a zone's
pods to the zone's page. A detail view shows its own `related(obj)` tables, then these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from portal.generic.columns import Column


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
    """The tables other apps give OBJ's detail page, in the order they registered."""
    return [function(actor, obj) for function in _contributors.get(obj._meta.label, [])]
