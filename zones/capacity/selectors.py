"""Reads of capacity: a zone's, pod's or cluster's rows, and the region's sums, for
listCapacity, the REST API and the dashboard; each in a fixed number of queries, whatever
the number of zones and hosts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FloatField, Q, QuerySet
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


def _visible(actor: Any, local: Region | None) -> QuerySet[Capacity]:
    condition = visible(actor, Capacity)
    if condition is None or local is None:
        return Capacity.objects.none()
    return (
        Capacity.objects.filter(condition, zone__region_id=local.pk)
        .select_related("zone", "pod", "cluster")
        .order_by("zone__name", "capacity_type")
    )


def capacities_visible_to(*, actor: Any) -> QuerySet[Capacity]:
    """The capacity rows of this region's zones, for who may see infrastructure."""
    return _visible(actor, region_local())


#: what a listed row is read as: plain values, its places by id
_VALUES = (
    "capacity_type",
    "level",
    "total",
    "used",
    "allocated",
    "zone_id",
    "pod_id",
    "cluster_id",
)


def _figures(rows: QuerySet[Capacity]) -> list[Figure]:
    """ROWS as figures, read as plain values, each zone, pod and cluster they name read
    once (a region's 900 zone rows name its 100 zones: no model instance per row). A row
    whose zone went meanwhile (its rows go with it) is left out."""
    values = list(rows.values_list(*_VALUES))
    zones = Zone.objects.in_bulk({v[5] for v in values})
    pods = Pod.objects.in_bulk({v[6] for v in values if v[6] is not None})
    clusters = Cluster.objects.in_bulk({v[7] for v in values if v[7] is not None})
    return [
        Figure(
            kind,
            level,
            total,
            used,
            allocated,
            zone=zones[zone_id],
            pod=pods.get(pod_id),
            cluster=clusters.get(cluster_id),
        )
        for kind, level, total, used, allocated, zone_id, pod_id, cluster_id in values
        if zone_id in zones
    ]


def capacities_listed(
    *,
    actor: Any,
    zone: Zone | None = None,
    pod: Pod | None = None,
    cluster: Cluster | None = None,
    capacity_type: int | None = None,
) -> list[Figure]:
    """The rows listCapacity answers: CLUSTER's, else POD's, else ZONE's, else every zone's
    followed by the region's sums (of those same rows); each by zone name and type."""
    local = region_local()
    rows = _visible(actor, local)
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
    figures = _figures(rows)
    if zone is None and pod is None and cluster is None:
        figures += _summed(figures, local)
    return figures


def _summed(figures: list[Figure], region: Region | None) -> list[Figure]:
    """FIGURES (every zone's) summed by type: the region's, a figure per type."""
    sums: dict[int, list[int]] = {}
    for figure in figures:
        total = sums.setdefault(figure.capacity_type, [0, 0, 0])
        total[0] += figure.total
        total[1] += figure.used
        total[2] += figure.allocated
    return [
        Figure(kind, "region", total, used, allocated, region=region)
        for kind, (total, used, allocated) in sorted(sums.items())
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
    clusters = Cluster.objects.filter(pod__zone__region_id=region_id)
    # the hosts of those clusters (a semi-join): not every host joined to its zone
    hosts = dict(
        Host.objects.filter(cluster__in=clusters.values("pk"))
        .order_by("state")
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    return Inventory(
        zones=Zone.objects.filter(region_id=region_id).count(),
        pods=Pod.objects.filter(**in_region).count(),
        clusters=clusters.count(),
        hosts=hosts,
        storage_pools=StoragePool.objects.filter(**in_region).count(),
        public_ips=PublicIpAddress.objects.filter(**in_region).count(),
    )
