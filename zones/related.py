"""Zones on other objects' pages: a region's page lists the region's zones."""

from __future__ import annotations

from typing import Any

from portal.generic.related import RelatedTable, related_table
from regions.models import Region
from zones.selectors import zones_visible_to
from zones.views import ZONE_COLUMNS


@related_table(Region)
def region_zones(actor: Any, region: Region) -> RelatedTable:
    return RelatedTable("Zones", ZONE_COLUMNS, zones_visible_to(actor=actor, region_id=region.pk))
