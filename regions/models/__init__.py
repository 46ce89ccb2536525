"""Models of the regions app: the registry, and the replication engine's bookkeeping."""

from regions.models.capacity import CapacityType, RegionCapacity, region_capacity_id
from regions.models.configuration import Setting
from regions.models.federation import Federation, JoinToken, PeerLink, PeerNonce
from regions.models.region import Region
from regions.models.replication import (
    Change,
    ObjectVersion,
    Override,
    OverrideKind,
    ParkedChange,
    RegionIdReservation,
)

__all__ = [
    "CapacityType",
    "Change",
    "Federation",
    "JoinToken",
    "ObjectVersion",
    "Override",
    "OverrideKind",
    "ParkedChange",
    "PeerLink",
    "PeerNonce",
    "Region",
    "RegionCapacity",
    "RegionIdReservation",
    "Setting",
    "region_capacity_id",
]
