"""Models of the regions app: the registry, and the replication engine's bookkeeping."""

from regions.models.region import Region
from regions.models.replication import Change, ObjectVersion, ParkedChange

__all__ = ["Change", "ObjectVersion", "ParkedChange", "Region"]
