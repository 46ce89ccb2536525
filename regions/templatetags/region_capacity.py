"""Filters of the Regions page's capacity table."""

from __future__ import annotations

from typing import Any

from django import template

from regions.capacity import RegionCapacities, amount_text, share
from regions.models import RegionCapacity

register = template.Library()


@register.filter
def capacity_cells(entry: RegionCapacities, kinds: list[int]) -> list[Any]:
    return entry.cells(kinds)


@register.filter
def allocated_share(row: RegionCapacity) -> float:
    return share(row.total, row.allocated)


@register.filter
def used_share(row: RegionCapacity) -> float:
    return share(row.total, row.used)


@register.filter
def total_text(row: RegionCapacity) -> str:
    return amount_text(row.capacity_type, row.total)
