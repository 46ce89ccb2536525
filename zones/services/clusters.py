"""Cluster writes: a pod's clusters, each of one hypervisor, as CloudStack's addCluster and
updateCluster make them; only in this region's zones.

A cluster's writes lock its pod first, so two writes to one pod's clusters (a name) are
checked one after the other, and a pod being deleted sees the clusters added meanwhile; a
host's writes lock its cluster (cluster_locked), which a cluster's delete locks too before
it counts the hosts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import check_choice, invalid
from portal.writes import save_changed, unique_name
from regions.configuration.selectors import setting_value
from zones.models import AllocationState, Cluster, ClusterType, CpuArch, Hypervisor, Pod
from zones.services.pods import local_row_locked, pod_locked
from zones.services.zones import in_use_check, zone_is_local

if TYPE_CHECKING:
    from identity.models import User

#: the fields a cluster keeps from its creation (CloudStack's updateCluster can change them;
#: here a cluster of another hypervisor is a new cluster)
FIXED = ("hypervisor", "cluster_type", "arch")


def cluster_pod_check(*, pod: Pod) -> None:
    """Refuse clusters in a pod of another region's zone (cluster pages ask it too, to offer
    Edit and Delete only for clusters of this region's zones)."""
    if not zone_is_local(pod.zone):
        raise invalid("pod", "Clusters are managed by the portal of their zone's region.", "remote")


def _pod_locked(pod: Pod) -> Pod:
    cluster_pod_check(pod=pod)
    return pod_locked(pod)


def cluster_locked(cluster: Cluster) -> Cluster:
    """CLUSTER, of a zone of this region, locked for a write to it or to what is in it (its
    hosts, its storage pools)."""
    return local_row_locked(cluster, "cluster", zone=cluster.pod.zone)


def check_ratio(field: str, value: Any) -> float:
    """VALUE as an overcommit ratio: a finite number, 1 or more (a number or its text)."""
    if isinstance(value, bool):
        raise invalid(field, f"{value!r} is not a number.")
    try:
        ratio = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError) as error:
        raise invalid(field, f"{value!r} is not a number.") from error
    if not math.isfinite(ratio) or ratio < 1:
        raise invalid(field, "An overcommit ratio is a number of 1 or more.")
    return ratio


#: the zone's setting a new cluster's ratio starts from when none is given (CloudStack's)
RATIO_SETTINGS = {
    "cpu_overcommit_ratio": "cpu.overprovisioning.factor",
    "memory_overcommit_ratio": "mem.overprovisioning.factor",
}


def _ratio(pod: Pod, field: str, value: Any) -> float:
    """VALUE as FIELD's ratio; not given ("" or None): the zone's overprovisioning factor
    now, as CloudStack gives a new cluster its cpuOvercommitRatio and memoryOvercommitRatio."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return float(setting_value(RATIO_SETTINGS[field], zone=pod.zone))
    return check_ratio(field, value)


def _name(pod: Pod, name: str, cluster: Cluster | None = None) -> str:
    return unique_name(
        pod.clusters.all(),
        name,
        taken=lambda name: f"A cluster named {name} exists in pod {pod.name}.",
        exclude=cluster,
    )


@atomic_write
def cluster_create(
    *,
    pod: Pod,
    name: str,
    hypervisor: str,
    cluster_type: str = ClusterType.CLOUD_MANAGED,
    arch: str = CpuArch.X86_64,
    allocation_state: str = AllocationState.ENABLED,
    cpu_overcommit_ratio: Any = None,
    memory_overcommit_ratio: Any = None,
    by: User | None,
) -> Cluster:
    """A cluster in POD (and so in its zone). Clusters are enabled unless told, as in
    CloudStack."""
    require(by, Action.ADD, Cluster)
    pod = _pod_locked(pod)
    return Cluster.objects.create(
        pod=pod,
        name=_name(pod, name),
        hypervisor=check_choice("hypervisor", hypervisor, Hypervisor),
        cluster_type=check_choice("cluster_type", cluster_type, ClusterType),
        arch=check_choice("arch", arch, CpuArch),
        allocation_state=check_choice("allocation_state", allocation_state, AllocationState),
        cpu_overcommit_ratio=_ratio(pod, "cpu_overcommit_ratio", cpu_overcommit_ratio),
        memory_overcommit_ratio=_ratio(pod, "memory_overcommit_ratio", memory_overcommit_ratio),
    )


@atomic_write
def cluster_update(
    *,
    cluster: Cluster,
    by: User | None,
    name: str | None = None,
    allocation_state: str | None = None,
    cpu_overcommit_ratio: Any = None,
    memory_overcommit_ratio: Any = None,
    hypervisor: str | None = None,
    cluster_type: str | None = None,
    arch: str | None = None,
) -> Cluster:
    """Change CLUSTER; what is not given stays. A cluster stays in its pod and keeps its
    hypervisor, type and arch: those given must be the ones it has."""
    require(by, Action.CHANGE, cluster)
    pod = _pod_locked(cluster.pod)
    given = {"hypervisor": hypervisor, "cluster_type": cluster_type, "arch": arch}
    for field in FIXED:
        if given[field] is not None and given[field] != getattr(cluster, field):
            label = Cluster._meta.get_field(field).verbose_name
            raise invalid(field, f"A cluster keeps its {label}: {getattr(cluster, field)}.")
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _name(pod, name, cluster)
    if allocation_state is not None:
        values["allocation_state"] = check_choice(
            "allocation_state", allocation_state, AllocationState
        )
    ratios = {"cpu_overcommit_ratio": cpu_overcommit_ratio,
              "memory_overcommit_ratio": memory_overcommit_ratio}  # fmt: skip
    for field, value in ratios.items():
        if value is not None:
            values[field] = check_ratio(field, value)
    save_changed(cluster, **values)
    return cluster


@atomic_write
def cluster_delete(*, cluster: Cluster, by: User | None) -> None:
    """Delete CLUSTER, once it has no hosts and no storage pools (their writes lock it, as
    this does)."""
    require(by, Action.DELETE, cluster)
    _pod_locked(cluster.pod)
    locked = cluster_locked(cluster)
    in_use_check(cluster, locked.hosts.all(), "host")
    in_use_check(cluster, locked.storage_pools.all(), "storage pool")
    cluster.delete()
