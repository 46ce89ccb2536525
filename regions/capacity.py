"""Every region's capacity as the regions themselves last reported it (regions.RegionCapacity,
replicated): what the Regions page shows, with the reports that are too old marked stale."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from regions.configuration.selectors import setting_value
from regions.models import Region, RegionCapacity
from regions.models.capacity import BYTE_TYPES, CapacityType

#: a report older than this many capacity check periods is stale (the region is down, or
#: its workers are)
STALE_PERIODS = 3


def amount_text(kind: int, amount: int) -> str:
    """AMOUNT of capacity type KIND as people read it (bytes, GHz, a count)."""
    if kind in BYTE_TYPES:
        return filesizeformat(amount)
    if kind == CapacityType.CPU:
        return f"{amount / 1000:,.1f} GHz"
    return f"{amount:,}"


def share(total: int, amount: int) -> float:
    return round(100 * amount / total, 1) if total > 0 else 0.0


@dataclass
class RegionCapacities:
    region: Region
    rows: dict[int, RegionCapacity] = field(default_factory=dict)
    reported: datetime.datetime | None = None
    stale: bool = True

    def cells(self, kinds: list[int]) -> list[RegionCapacity | None]:
        return [self.rows.get(kind) for kind in kinds]


def region_capacities(*, now: datetime.datetime | None = None) -> list[RegionCapacities]:
    """Every region with its last reported capacities (none yet: stale, nothing shown), in
    two queries."""
    now = now or timezone.now()
    period = datetime.timedelta(milliseconds=setting_value("capacity.check.period"))
    found: dict[Any, RegionCapacities] = {
        region.pk: RegionCapacities(region) for region in Region.objects.order_by("id")
    }
    for row in RegionCapacity.objects.order_by("region_id", "capacity_type"):
        entry = found.get(row.region_id)
        if entry is None:
            continue
        entry.rows[row.capacity_type] = row
        entry.reported = max(filter(None, (entry.reported, row.reported)))
    for entry in found.values():
        entry.stale = entry.reported is None or now - entry.reported > STALE_PERIODS * period
    return list(found.values())
