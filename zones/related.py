"""Tables zones give other objects' pages: a region's page lists the region's zones, a
zone's page its pods."""

from __future__ import annotations

from typing import Any

from portal.generic.related import RelatedTable, related_table
from regions.models import Region
from zones.models import Zone
from zones.selectors import pods_visible_to, zones_visible_to
from zones.views import POD_COLUMNS, ZONE_COLUMNS


@related_table(Region)
def region_zones(actor: Any, region: Region) -> RelatedTable:
    return RelatedTable("Zones", ZONE_COLUMNS, zones_visible_to(actor=actor, region_id=region.pk))


@related_table(Zone)
def zone_pods(actor: Any, zone: Zone) -> RelatedTable:
    return RelatedTable("Pods", POD_COLUMNS, pods_visible_to(actor=actor, zone=zone))
