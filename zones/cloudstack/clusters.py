"""CloudStack API commands for clusters: listClusters, addCluster, updateCluster,
deleteCluster (root admins only, as in CloudStack).

Answers are CloudStack's ClusterResponse as of 4.20: the cluster's pod and zone, its
hypervisor (`hypervisortype`), type, allocation and managed states, CPU arch and its
overcommit ratios as strings (CloudStack keeps them as cluster details). addCluster answers
a list under "cluster", as CloudStack's does (its Go SDK reads the first item).

Only clusters CloudStack manages itself (CloudManaged) of KVM or the Simulator are made;
addCluster's `url`, `username` and `password` (a vCenter's) are accepted and ignored, as
CloudStack ignores them for a CloudManaged cluster.
"""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from zones import services
from zones.cloudstack.capacity import capacities_shown
from zones.models import AllocationState, Cluster, ClusterType, CpuArch, Hypervisor
from zones.selectors import (
    clusters_filtered,
    clusters_visible_to,
    pods_visible_to,
    zones_visible_to,
)

CLUSTER_FIELDS = (
    "id",
    "name",
    "podid",
    "podname",
    "zoneid",
    "zonename",
    "hypervisortype",
    "clustertype",
    "allocationstate",
    "managedstate",
    "cpuovercommitratio",
    "memoryovercommitratio",
    "arch",
    "capacity",
)
#: CloudStack's managed state of a cluster it manages
MANAGED = "Managed"


def cluster_response(cluster: Cluster) -> dict[str, Any]:
    pod = cluster.pod
    return {
        "id": str(cluster.pk),
        "name": cluster.name,
        "podid": str(pod.pk),
        "podname": pod.name,
        "zoneid": str(pod.zone_id),
        "zonename": pod.zone.name,
        "hypervisortype": cluster.hypervisor,
        "clustertype": cluster.cluster_type,
        "allocationstate": cluster.allocation_state,
        "managedstate": MANAGED,
        "cpuovercommitratio": str(cluster.cpu_overcommit_ratio),
        "memoryovercommitratio": str(cluster.memory_overcommit_ratio),
        "arch": cluster.arch,
    }


#: each choice parameter and what it chooses among
_CHOICES = {
    "hypervisor": Hypervisor,
    "clustertype": ClusterType,
    "arch": CpuArch,
    "allocationstate": AllocationState,
}


# Parameters addCluster and updateCluster share (optional in updateCluster, which accepts
# the hypervisor, type and arch only as the cluster has them).
def _cluster_params(*, creating: bool) -> list[Param]:
    return [
        Param(
            "clustername",
            required=creating,
            description="The name of the cluster.",
            field="name",
        ),
        Param(
            "hypervisor",
            required=creating,
            description="The hypervisor of the cluster: KVM or Simulator.",
        ),
        Param(
            "clustertype",
            required=creating,
            description="The type of the cluster: CloudManaged.",
            field="cluster_type",
        ),
        Param("arch", description="The CPU arch of the cluster's hosts: x86_64."),
        Param("allocationstate", description="Enabled or Disabled.", field="allocation_state"),
    ]


def _fields(call: Call) -> dict[str, Any]:
    kwargs = call.fields("clustername")
    for name, choices in _CHOICES.items():
        if call.has(name):
            kwargs[call.command.param(name).service_field] = call.choice(name, choices)
    return kwargs


@command(
    "listClusters",
    description="Lists the clusters of the pods of this region's zones.",
    params=[
        list_id_param("cluster"),
        list_name_param("clusters"),
        Param("zoneid", "uuid", description="List the clusters of this zone.", field="zone"),
        Param("podid", "uuid", description="List the clusters of this pod.", field="pod"),
        Param("hypervisor", description="List the clusters of this hypervisor."),
        Param("clustertype", description="List the clusters of this type.", field="cluster_type"),
        Param("arch", description="List the clusters of this CPU arch."),
        Param(
            "allocationstate",
            description="List the clusters in this allocation state.",
            field="allocation_state",
        ),
        Param("showcapacities", "boolean", description="Answer each cluster's capacities too."),
    ],
    roles=ROOT_ONLY,
    list_key="cluster",
    response=CLUSTER_FIELDS,
)
def list_clusters(call: Call) -> ListResult:
    # A zone or pod that is not there is an invalid value, as in CloudStack, not an empty list.
    call.find(zones_visible_to(actor=call.actor), "zoneid", required=False)
    call.find(pods_visible_to(actor=call.actor), "podid", required=False)
    filters = call.fields(
        "zoneid", "podid", "name", "hypervisor", "clustertype", "arch", "allocationstate"
    )
    clusters = clusters_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        clusters = clusters.filter(pk=call.get("id"))
    return capacities_shown(call, call.page(clusters, cluster_response))


@command(
    "addCluster",
    description="Adds a cluster to a pod of this region's zones.",
    params=[
        Param("zoneid", "uuid", required=True, description="The zone of the cluster."),
        Param("podid", "uuid", required=True, description="The pod of the cluster.", field="pod"),
        *_cluster_params(creating=True),
        Param("url", description="A vCenter's URL: ignored (CloudManaged clusters only)."),
        Param("username", description="A vCenter's user: ignored."),
        Param("password", description="A vCenter's password: ignored."),
    ],
    roles=ROOT_ONLY,
    response=CLUSTER_FIELDS,
)
def add_cluster(call: Call) -> ListResult:
    zone = call.find(zones_visible_to(actor=call.actor), "zoneid")
    pod = call.find(pods_visible_to(actor=call.actor), "podid")
    if pod.zone_id != zone.pk:
        raise call.invalid("podid", f"Pod {pod.name} is not in zone {zone.name}.")
    cluster = services.cluster_create(pod=pod, **_fields(call), by=call.actor)
    return ListResult("cluster", [cluster_response(cluster)], 1)


@command(
    "updateCluster",
    description="Updates a cluster of this region.",
    params=[id_param("cluster"), *_cluster_params(creating=False)],
    roles=ROOT_ONLY,
    response=CLUSTER_FIELDS,
)
def update_cluster(call: Call) -> dict[str, Any]:
    cluster = call.find(clusters_visible_to(actor=call.actor), "id")
    cluster = services.cluster_update(cluster=cluster, **_fields(call), by=call.actor)
    return {"cluster": cluster_response(cluster)}


@command(
    "deleteCluster",
    description="Deletes a cluster of this region.",
    params=[id_param("cluster")],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_cluster(call: Call) -> dict[str, Any]:
    cluster = call.find(clusters_visible_to(actor=call.actor), "id")
    services.cluster_delete(cluster=cluster, by=call.actor)
    return success()
