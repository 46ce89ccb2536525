"""Reads of capacity: a zone's, pod's or cluster's rows, and the region's sums, for
listCapacity, the REST API and the dashboard; each in a fixed number of queries, whatever
the number of zones and hosts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf

from portal.permissions import visible
from regions.models import Region
from regions.selectors import region_local
from zones.capacity.thresholds import fraction, percent_text
from zones.models import (
    Capacity,
    CapacityLevel,
    CapacityType,
    Cluster,
    Host,
    Pod,
    PublicIpAddress,
    StoragePool,
    Zone,
)

#: the level each type is watched at when listing the top consumers (sortby=usage)
TOP_LEVEL = {
    CapacityType.MEMORY: CapacityLevel.CLUSTER,
    CapacityType.CPU: CapacityLevel.CLUSTER,
    CapacityType.CPU_CORE: CapacityLevel.CLUSTER,
    CapacityType.LOCAL_STORAGE: CapacityLevel.CLUSTER,
    CapacityType.STORAGE: CapacityLevel.CLUSTER,
    CapacityType.STORAGE_ALLOCATED: CapacityLevel.CLUSTER,
    CapacityType.PRIVATE_IP: CapacityLevel.POD,
    CapacityType.PUBLIC_IP: CapacityLevel.ZONE,
    CapacityType.VLAN: CapacityLevel.ZONE,
}


@dataclass(frozen=True)
class Figure:
    """A capacity as listed: a stored row's, or the region's sum (`level` "region")."""

    capacity_type: int
    level: str
    total: int
    used: int
    allocated: int
    zone: Zone | None = None
    pod: Pod | None = None
    cluster: Cluster | None = None
    region: Region | None = None

    @property
    def name(self) -> str:
        return CapacityType(self.capacity_type).label

    @property
    def percent_used(self) -> str:
        return percent_text(self.total, self.used)

    @property
    def percent_allocated(self) -> str:
        return percent_text(self.total, self.allocated)

    @property
    def used_fraction(self) -> float:
        return fraction(self.total, self.used)

    @property
    def allocated_fraction(self) -> float:
        return fraction(self.total, self.allocated)


def _figure(row: Capacity) -> Figure:
    return Figure(
        row.capacity_type,
        row.level,
        row.total,
        row.used,
        row.allocated,
        zone=row.zone,
        pod=row.pod,
        cluster=row.cluster,
    )


def capacities_visible_to(*, actor: Any) -> QuerySet[Capacity]:
    """The capacity rows of this region's zones, for who may see infrastructure."""
    condition = visible(actor, Capacity)
    local = region_local()
    if condition is None or local is None:
        return Capacity.objects.none()
    return (
        Capacity.objects.filter(condition, zone__region_id=local.pk)
        .select_related("zone", "pod", "cluster")
        .order_by("zone__name", "capacity_type")
    )


def capacities_listed(
    *,
    actor: Any,
    zone: Zone | None = None,
    pod: Pod | None = None,
    cluster: Cluster | None = None,
    capacity_type: int | None = None,
) -> list[Figure]:
    """The rows listCapacity answers: CLUSTER's, else POD's, else ZONE's, else every zone's
    followed by the region's sums; each by zone name and type."""
    rows = capacities_visible_to(actor=actor)
    if capacity_type is not None:
        rows = rows.filter(capacity_type=capacity_type)
    if cluster is not None:
        rows = rows.filter(level=CapacityLevel.CLUSTER, object_id=cluster.pk)
    elif pod is not None:
        rows = rows.filter(level=CapacityLevel.POD, object_id=pod.pk)
    else:
        rows = rows.filter(level=CapacityLevel.ZONE)
        if zone is not None:
            rows = rows.filter(object_id=zone.pk)
    figures = [_figure(row) for row in rows]
    if zone is None and pod is None and cluster is None:
        figures += region_capacities(actor=actor, capacity_type=capacity_type)
    return figures


def region_capacities(*, actor: Any, capacity_type: int | None = None) -> list[Figure]:
    """This region's capacities: its zones' rows summed, a figure per type, in one query."""
    rows = capacities_visible_to(actor=actor).filter(level=CapacityLevel.ZONE)
    if capacity_type is not None:
        rows = rows.filter(capacity_type=capacity_type)
    sums = (
        rows.order_by("capacity_type")
        .values("capacity_type")
        .annotate(total=Sum("total"), used=Sum("used"), allocated=Sum("allocated"))
    )
    region = region_local()
    return [
        Figure(
            s["capacity_type"],
            "region",
            s["total"] or 0,
            s["used"] or 0,
            s["allocated"] or 0,
            region=region,
        )
        for s in sums
    ]


def capacities_top(*, actor: Any, capacity_type: int | None = None) -> QuerySet[Capacity]:
    """The most used capacities first (listCapacity sortby=usage): each type at the level
    it is watched at (clusters for compute and storage, pods for their IPs, zones for
    public IPs and VLANs)."""
    watched = Q()
    for kind, level in TOP_LEVEL.items():
        if capacity_type is None or capacity_type == kind:
            watched |= Q(capacity_type=kind, level=level)
    share = Cast("used", FloatField()) / NullIf(Cast("total", FloatField()), 0.0)
    return (
        capacities_visible_to(actor=actor)
        .filter(watched)
        .annotate(share=share)
        .order_by(F("share").desc(nulls_last=True), "zone__name", "capacity_type")
    )


def figure_of(row: Capacity) -> Figure:
    return _figure(row)


@dataclass(frozen=True)
class Inventory:
    """What a region has, counted for its dashboard."""

    zones: int
    pods: int
    clusters: int
    hosts: dict[str, int]
    storage_pools: int
    public_ips: int

    @property
    def hosts_total(self) -> int:
        return sum(self.hosts.values())


def region_inventory(*, region_id: int) -> Inventory:
    """The counts of REGION_ID's infrastructure, in a fixed number of queries (for root
    admins: the dashboard asks only for them)."""
    in_region = {"zone__region_id": region_id}
    hosts = dict(
        Host.objects.filter(cluster__pod__zone__region_id=region_id)
        .order_by("state")
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return Inventory(
        zones=Zone.objects.filter(region_id=region_id).count(),
        pods=Pod.objects.filter(**in_region).count(),
        clusters=Cluster.objects.filter(pod__zone__region_id=region_id).count(),
        hosts=hosts,
        storage_pools=StoragePool.objects.filter(**in_region).count(),
        public_ips=PublicIpAddress.objects.filter(**in_region).count(),
    )
