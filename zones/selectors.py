"""Reads of zones."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.filtering import filtered
from portal.permissions import visible
from zones.filtersets import ZoneFilterSet
from zones.models import Zone


def zones_visible_to(*, actor: Any, region_id: int | None = None) -> QuerySet[Zone]:
    condition = visible(actor, Zone)
    if condition is None:
        return Zone.objects.none()
    zones = Zone.objects.select_related("region").filter(condition)
    if region_id is not None:
        zones = zones.filter(region_id=region_id)
    return zones


def zones_filtered(
    *, actor: Any, filters: Any = None, search: str = "", lenient: bool = False
) -> QuerySet[Zone]:
    """The zones ACTOR sees, narrowed by FILTERS (ZoneFilterSet's names) and SEARCH."""
    return filtered(
        zones_visible_to(actor=actor), ZoneFilterSet, filters, search=search, lenient=lenient
    )
