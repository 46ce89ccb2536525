"""Reads of zones."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.filtering import filtered_selector
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


zones_filtered = filtered_selector(zones_visible_to, ZoneFilterSet)
