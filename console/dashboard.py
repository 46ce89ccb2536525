"""What the dashboard shows a root admin: the region's infrastructure counted, a capacity
card per type (the region's figures and its zones'), a per-zone table sortable by any
capacity, and the newest alerts; read in a fixed number of queries, whatever the number of
zones and hosts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from regions.capacity import amount_text
from zones.capacity.selectors import Figure, Inventory, capacities_listed, region_inventory
from zones.models import CapacityType, Zone
from zones.selectors import alerts_visible_to

#: how capacities are written: bytes, MHz or a count
BYTES = {
    CapacityType.MEMORY,
    CapacityType.STORAGE,
    CapacityType.STORAGE_ALLOCATED,
    CapacityType.LOCAL_STORAGE,
}
#: how many zones a card lists (the table below lists them all)
ZONES_PER_CARD = 8
#: the table's sort keys: "<type>" (allocated) or "<type>-used"
SORTS = (
    {"name"} | {str(k) for k in CapacityType.values} | {f"{k}-used" for k in CapacityType.values}
)


@dataclass
class Card:
    region: Figure
    zones: list[Figure]
    more: int

    @property
    def name(self) -> str:
        return self.region.name

    def text(self, amount: int) -> str:
        return amount_text(self.region.capacity_type, amount)


@dataclass
class ZoneRow:
    zone: Zone
    figures: dict[int, Figure] = field(default_factory=dict)

    def cells(self, kinds: list[int]) -> list[Figure | None]:
        return [self.figures.get(kind) for kind in kinds]


@dataclass
class Overview:
    inventory: Inventory
    cards: list[Card]
    kinds: list[int]
    zone_rows: list[ZoneRow]
    sort: str
    alerts: list[Any]


def _sort_key(sort: str) -> Callable[[ZoneRow], Any]:
    if sort == "name":
        return lambda row: row.zone.name.lower()
    kind, _, used = sort.partition("-")

    def key(row: ZoneRow) -> float:
        figure = row.figures.get(int(kind))
        if figure is None:
            return -1.0
        return figure.used_fraction if used else figure.allocated_fraction

    return key


def region_overview(*, actor: Any, region_id: int, sort: str = "name") -> Overview:
    """The dashboard of REGION_ID for ACTOR (a root admin)."""
    figures = capacities_listed(actor=actor)
    regional = [f for f in figures if f.level == "region"]
    rows: dict[Any, ZoneRow] = {}
    for figure in figures:
        if figure.zone is not None:
            rows.setdefault(figure.zone.pk, ZoneRow(figure.zone)).figures[figure.capacity_type] = (
                figure
            )
    cards = []
    for total in regional:
        zones = sorted(
            (
                row.figures[total.capacity_type]
                for row in rows.values()
                if total.capacity_type in row.figures
            ),
            key=lambda f: -f.allocated_fraction,
        )
        cards.append(Card(total, zones[:ZONES_PER_CARD], max(len(zones) - ZONES_PER_CARD, 0)))
    sort = sort if sort in SORTS else "name"
    zone_rows = sorted(rows.values(), key=_sort_key(sort), reverse=sort != "name")
    return Overview(
        inventory=region_inventory(region_id=region_id),
        cards=cards,
        kinds=[f.capacity_type for f in regional],
        zone_rows=zone_rows,
        sort=sort,
        alerts=list(alerts_visible_to(actor=actor).filter(archived=False)[:5]),
    )
