"""Models of the regions app: the registry, and the replication engine's bookkeeping."""

from regions.models.configuration import Setting, ZoneSetting
from regions.models.federation import Federation, JoinToken, PeerLink, PeerNonce
from regions.models.region import Region
from regions.models.replication import Change, ObjectVersion, ParkedChange

__all__ = [
    "Change",
    "Federation",
    "JoinToken",
    "ObjectVersion",
    "ParkedChange",
    "PeerLink",
    "PeerNonce",
    "Region",
    "Setting",
    "ZoneSetting",
]
