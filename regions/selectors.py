"""Reads of the region registry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import DatabaseError
from django.db.models import Count, QuerySet

from portal.filtering import filtered_selector
from portal.permissions import visible
from regions.filtersets import RegionFilterSet
from regions.models import Region


def region_local() -> Region | None:
    return Region.objects.filter(is_local=True).first()


def region_list() -> QuerySet[Region]:
    return Region.objects.annotate(zone_count=Count("zones")).order_by("id")


def region_endpoints() -> list[str]:
    """The portal URL of every registered region, this one's included."""
    return list(Region.objects.values_list("endpoint", flat=True))


def region_origins() -> list[str]:
    """The scheme://host[:port] of every registered region's portal (the pages' CSP lets
    forms post to them: settings.PORTAL_FORM_TARGETS)."""
    try:
        endpoints = region_endpoints()
    except DatabaseError:  # before the first migration
        return []
    origins = set()
    for endpoint in endpoints:
        parts = urlsplit(endpoint)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def is_set_up() -> bool:
    return Region.objects.filter(is_local=True).exists()


def regions_visible_to(*, actor: Any) -> QuerySet[Region]:
    condition = visible(actor, Region)
    if condition is None:
        return Region.objects.none()
    return region_list().filter(condition)


regions_filtered = filtered_selector(regions_visible_to, RegionFilterSet)
