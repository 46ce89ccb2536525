"""Template filters of the dashboard's capacity cards and table."""

from __future__ import annotations

from typing import Any

from django import template

from console.dashboard import ZoneRow, amount_text
from zones.models import CapacityType

register = template.Library()


@register.filter
def capacity_text(amount: int, kind: int) -> str:
    """AMOUNT of capacity type KIND as people read it (bytes, GHz, a count)."""
    return amount_text(kind, amount)


@register.filter
def capacity_name(kind: int) -> str:
    return CapacityType(kind).label


@register.filter
def zone_cells(row: ZoneRow, kinds: list[int]) -> list[Any]:
    return row.cells(kinds)


@register.filter
def bar_value(fraction: float) -> str:
    """FRACTION as a bar's value out of 100 (a bar stops at full)."""
    return f"{min(fraction, 1.0) * 100:.2f}"
