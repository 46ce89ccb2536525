"""The capacity rows of one zone, computed from its inventory in a fixed number of queries.

Per cluster: memory (0), CPU in MHz (1), CPU cores (90) and local storage (9) of its hosts
that take work (resource state Enabled: hosts in maintenance or disabled are left out,
what they have and what is allocated on them alike), and primary storage (2 used, 3
allocated) of its cluster-scoped pools that are Up. Per pod: its clusters' sums and its
private IPs (5). Per zone: its pods' sums, its zone-wide pools, its public IPs (4) and its
guest VLANs (7).

Totals honour overprovisioning: a cluster's CPU and memory by its overcommit ratios (which
start, as in CloudStack, from the zone's `cpu.overprovisioning.factor` and
`mem.overprovisioning.factor` when the cluster is made), allocated storage by the zone's
`storage.overprovisioning.factor`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, Sum

from regions.configuration.selectors import setting_value
from zones.models import (
    CapacityLevel,
    CapacityType,
    Cluster,
    GuestVlan,
    Host,
    IpAddressState,
    Pod,
    PublicIpAddress,
    ResourceState,
    StoragePool,
    StoragePoolState,
    Zone,
)

#: the types a cluster's hosts give (and its pod's and zone's sums)
HOST_TYPES = (
    CapacityType.MEMORY,
    CapacityType.CPU,
    CapacityType.CPU_CORE,
    CapacityType.LOCAL_STORAGE,
)
STORAGE_TYPES = (CapacityType.STORAGE, CapacityType.STORAGE_ALLOCATED)


@dataclass
class Figures:
    total: int = 0
    used: int = 0
    allocated: int = 0

    def add(self, other: Figures) -> None:
        self.total += other.total
        self.used += other.used
        self.allocated += other.allocated


@dataclass(frozen=True)
class Place:
    """Where a row is: its level and the zone, pod and cluster it is of."""

    level: str
    zone_id: UUID
    pod_id: UUID | None = None
    cluster_id: UUID | None = None

    @property
    def object_id(self) -> UUID:
        return self.cluster_id or self.pod_id or self.zone_id


Rows = dict[tuple[Place, int], Figures]


def _host_rows(zone: Zone, clusters: dict[UUID, Cluster]) -> dict[UUID, dict[int, Figures]]:
    sums = (
        Host.objects.filter(cluster__pod__zone=zone, resource_state=ResourceState.ENABLED)
        .values("cluster_id")
        .annotate(
            mhz=Sum(F("cpu_number") * F("cpu_speed")),
            cores=Sum("cpu_number"),
            memory=Sum("memory"),
            local=Sum("local_storage"),
            cpu_used=Sum("cpu_used"),
            memory_used=Sum("memory_used"),
            local_used=Sum("local_storage_used"),
            cpu_allocated=Sum("cpu_allocated"),
            memory_allocated=Sum("memory_allocated"),
            cores_allocated=Sum("cores_allocated"),
        )
    )
    rows: dict[UUID, dict[int, Figures]] = {}
    for s in sums:
        cluster = clusters[s["cluster_id"]]
        cpu, mem = cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio
        rows[cluster.pk] = {
            CapacityType.CPU: Figures(int(s["mhz"] * cpu), s["cpu_used"], s["cpu_allocated"]),
            CapacityType.MEMORY: Figures(
                int(s["memory"] * mem), s["memory_used"], s["memory_allocated"]
            ),
            CapacityType.CPU_CORE: Figures(s["cores"], s["cores_allocated"], s["cores_allocated"]),
            CapacityType.LOCAL_STORAGE: Figures(s["local"], s["local_used"], s["local_used"]),
        }
    return rows


def _pool_rows(zone: Zone) -> dict[UUID | None, dict[int, Figures]]:
    """Primary storage per cluster (None: the zone-wide pools)."""
    storage_factor = float(setting_value("storage.overprovisioning.factor", zone=zone))
    sums = (
        StoragePool.objects.filter(zone=zone, state=StoragePoolState.UP)
        .values("cluster_id")
        .annotate(total=Sum("capacity_bytes"), used=Sum("used_bytes"), alloc=Sum("allocated_bytes"))
    )
    rows: dict[UUID | None, dict[int, Figures]] = {}
    for s in sums:
        rows[s["cluster_id"]] = {
            CapacityType.STORAGE: Figures(s["total"], s["used"], s["alloc"]),
            CapacityType.STORAGE_ALLOCATED: Figures(
                int(s["total"] * storage_factor), s["alloc"], s["alloc"]
            ),
        }
    return rows


def _pod_ips(pod: Pod) -> Figures:
    """A pod's reserved range (its system VMs' addresses; none are placed yet)."""
    size = int(IPv4Address(pod.end_ip)) - int(IPv4Address(pod.start_ip)) + 1
    return Figures(total=max(size, 0))


def _counted(queryset: Any, used: Q) -> Figures:
    counts = queryset.aggregate(total=Count("pk"), used=Count("pk", filter=used))
    return Figures(counts["total"], counts["used"], counts["used"])


def zone_rows(zone: Zone) -> Rows:
    """Every capacity row of ZONE: its clusters', its pods' and its own."""
    pods = list(Pod.objects.filter(zone=zone))
    clusters = {c.pk: c for c in Cluster.objects.filter(pod__zone=zone)}
    hosts = _host_rows(zone, clusters)
    pools = _pool_rows(zone)
    rows: Rows = {}
    zone_place = Place(CapacityLevel.ZONE, zone.pk)
    zone_sums: dict[int, Figures] = defaultdict(Figures)
    pod_sums: dict[UUID, dict[int, Figures]] = {pod.pk: defaultdict(Figures) for pod in pods}
    for cluster in clusters.values():
        place = Place(CapacityLevel.CLUSTER, zone.pk, cluster.pod_id, cluster.pk)
        mine = {t: Figures() for t in (*HOST_TYPES, *STORAGE_TYPES)}
        mine.update(hosts.get(cluster.pk, {}))
        mine.update(pools.get(cluster.pk, {}))
        for kind, figures in mine.items():
            rows[(place, kind)] = figures
            pod_sums[cluster.pod_id][kind].add(figures)
    for pod in pods:
        place = Place(CapacityLevel.POD, zone.pk, pod.pk)
        mine = {t: Figures() for t in (*HOST_TYPES, *STORAGE_TYPES)}
        mine.update(pod_sums[pod.pk])
        mine[CapacityType.PRIVATE_IP] = _pod_ips(pod)
        for kind, figures in mine.items():
            rows[(place, kind)] = figures
            zone_sums[kind].add(figures)
    for kind, figures in pools.get(None, {}).items():
        zone_sums[kind].add(figures)
    for kind in (*HOST_TYPES, *STORAGE_TYPES, CapacityType.PRIVATE_IP):
        zone_sums.setdefault(kind, Figures())
    zone_sums[CapacityType.PUBLIC_IP] = _counted(
        PublicIpAddress.objects.filter(zone=zone), Q(state=IpAddressState.ALLOCATED)
    )
    zone_sums[CapacityType.VLAN] = _counted(
        GuestVlan.objects.filter(zone=zone), Q(allocated__isnull=False)
    )
    for kind, figures in zone_sums.items():
        rows[(zone_place, kind)] = figures
    return rows
