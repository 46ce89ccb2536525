"""Every region's capacity at a glance, from any region: one replicated row per region and
capacity type, written only by the region it describes (so never in conflict)."""

from __future__ import annotations

import uuid

from django.db import models

from portal.declarations import Audience, Scope, declare

#: the namespace of the rows' ids: a region's row of a type has the same id everywhere
NAMESPACE = uuid.UUID("5d0f7a1e-8c1b-4c55-9a57-3c2f0b6a9e41")


class CapacityType(models.IntegerChoices):
    """CloudStack's capacity types (Capacity.CAPACITY_TYPE_*), with CloudStack's names: the
    zones' rows (zones.Capacity) and the regions' sums."""

    MEMORY = 0, "MEMORY"
    CPU = 1, "CPU"
    STORAGE = 2, "STORAGE"
    STORAGE_ALLOCATED = 3, "STORAGE_ALLOCATED"
    PUBLIC_IP = 4, "VIRTUAL_NETWORK_PUBLIC_IP"
    PRIVATE_IP = 5, "PRIVATE_IP"
    VLAN = 7, "VLAN"
    LOCAL_STORAGE = 9, "LOCAL_STORAGE"
    CPU_CORE = 90, "CPU_CORE"


def region_capacity_id(region_uuid: uuid.UUID | str, capacity_type: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{region_uuid}:{capacity_type}")


class RegionCapacity(models.Model):
    """A region's sum of one capacity type over its zones, as that region last reported it
    (its periodic capacity job)."""

    id = models.UUIDField(primary_key=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="capacities"
    )
    capacity_type = models.PositiveSmallIntegerField(choices=CapacityType.choices)
    total = models.BigIntegerField(default=0)
    used = models.BigIntegerField(default=0)
    allocated = models.BigIntegerField(default=0)
    #: when the region computed these figures (its clock)
    reported = models.DateTimeField()

    class Meta:
        ordering = ["region_id", "capacity_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "capacity_type"], name="regions_one_capacity_per_type"
            )
        ]
        verbose_name_plural = "region capacities"

    def __str__(self) -> str:
        return f"capacity {self.capacity_type} of region {self.region_id}"


declare(RegionCapacity, scope=Scope.CLOUD, audience=Audience.SYSTEM, replicated=True, logged=False)


#: capacity types counted in bytes (the others: MHz for CPU, else a count)
BYTE_TYPES = frozenset(
    {
        CapacityType.MEMORY,
        CapacityType.STORAGE,
        CapacityType.STORAGE_ALLOCATED,
        CapacityType.LOCAL_STORAGE,
    }
)
