"""CloudStack API commands for hosts: addHost, listHosts, updateHost, deleteHost,
prepareHostForMaintenance and cancelHostMaintenance (async, as in CloudStack), and the
simulator's configureSimulator; root admins only, as in CloudStack.

Answers are CloudStack's HostResponse: the host's cluster, pod and zone, its type
(`Routing`), state and resource state, what discovery read (`cpusockets`, `cpunumber`,
`cpuspeed` in MHz, `memorytotal` in bytes) and what instances have of it (`cpuallocated` as
CloudStack's "12.5%", `cpuallocatedvalue` in MHz, `memoryallocated` in bytes, and the
percentages against what the cluster's overcommit ratios offer). addHost answers a list
under "host", as CloudStack's does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult, success
from portal.cloudstack.jobs import object_job_start
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from portal.cloudstack.render import timestamp
from zones import services
from zones.models import AllocationState, Cluster, Host, Hypervisor
from zones.selectors import (
    clusters_visible_to,
    hosts_filtered,
    hosts_visible_to,
    pods_visible_to,
    zones_visible_to,
)

HOST_FIELDS = (
    "id",
    "name",
    "type",
    "state",
    "resourcestate",
    "ipaddress",
    "zoneid",
    "zonename",
    "podid",
    "podname",
    "clusterid",
    "clustername",
    "clustertype",
    "hypervisor",
    "cpusockets",
    "cpunumber",
    "cpuspeed",
    "cpuallocated",
    "cpuallocatedvalue",
    "cpuallocatedpercentage",
    "cpuwithoverprovisioning",
    "memorytotal",
    "memorywithoverprovisioning",
    "memoryallocated",
    "memoryallocatedbytes",
    "memoryallocatedpercentage",
    "islocalstorageactive",
    "hosttags",
    "lastpinged",
    "created",
)


def _percent(part: float, whole: float) -> str:
    """PART of WHOLE as CloudStack writes it (Java's DecimalFormat "#.##"): "12.5%"."""
    value = part / whole * 100 if whole else 0.0
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def host_response(host: Host) -> dict[str, Any]:
    cluster = host.cluster
    pod = cluster.pod
    cpu_total = host.cpu_number * host.cpu_speed
    cpu_offered = cpu_total * cluster.cpu_overcommit_ratio
    memory_offered = host.memory * cluster.memory_overcommit_ratio
    return {
        "id": str(host.pk),
        "name": host.name,
        "type": host.host_type,
        "state": host.state,
        "resourcestate": host.resource_state,
        "ipaddress": urlsplit(host.url).hostname,
        "zoneid": str(pod.zone_id),
        "zonename": pod.zone.name,
        "podid": str(pod.pk),
        "podname": pod.name,
        "clusterid": str(cluster.pk),
        "clustername": cluster.name,
        "clustertype": cluster.cluster_type,
        "hypervisor": host.hypervisor,
        "cpusockets": host.cpu_sockets,
        "cpunumber": host.cpu_number,
        "cpuspeed": host.cpu_speed,
        "cpuallocated": _percent(host.cpu_allocated, cpu_total),
        "cpuallocatedvalue": host.cpu_allocated,
        "cpuallocatedpercentage": _percent(host.cpu_allocated, cpu_offered),
        "cpuwithoverprovisioning": str(float(cpu_offered)),
        "memorytotal": host.memory,
        "memorywithoverprovisioning": str(float(memory_offered)),
        "memoryallocated": host.memory_allocated,
        "memoryallocatedbytes": host.memory_allocated,
        "memoryallocatedpercentage": _percent(host.memory_allocated, memory_offered),
        "islocalstorageactive": host.local_storage > 0,
        "hosttags": host.host_tags,
        "lastpinged": timestamp(host.last_pinged),
        "created": timestamp(host.created),
    }


def _host(call: Call, name: str = "id") -> Host:
    return call.find(hosts_visible_to(actor=call.actor), name)


def _one(host: Host) -> dict[str, Any]:
    return {"host": host_response(host)}


@command(
    "listHosts",
    description="Lists the hosts of the clusters of this region's zones.",
    params=[
        list_id_param("host"),
        list_name_param("hosts"),
        Param("type", description="List the hosts of this type: Routing.", field="host_type"),
        Param("zoneid", "uuid", description="List the hosts of this zone.", field="zone"),
        Param("podid", "uuid", description="List the hosts of this pod.", field="pod"),
        Param("clusterid", "uuid", description="List the hosts of this cluster.", field="cluster"),
        Param("state", description="List the hosts in this state (Up, Down, Alert ...)."),
        Param(
            "resourcestate",
            description="List the hosts in this resource state (Enabled, Maintenance ...).",
            field="resource_state",
        ),
        Param("hypervisor", description="List the hosts of this hypervisor."),
    ],
    roles=ROOT_ONLY,
    list_key="host",
    response=HOST_FIELDS,
)
def list_hosts(call: Call) -> ListResult:
    # A zone, pod or cluster that is not there is an invalid value, as in CloudStack.
    call.find(zones_visible_to(actor=call.actor), "zoneid", required=False)
    call.find(pods_visible_to(actor=call.actor), "podid", required=False)
    call.find(clusters_visible_to(actor=call.actor), "clusterid", required=False)
    filters = call.fields(
        "zoneid", "podid", "clusterid", "name", "type", "state", "resourcestate", "hypervisor"
    )
    hosts = hosts_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        hosts = hosts.filter(pk=call.get("id"))
    return call.page(hosts, host_response)


def _cluster(call: Call) -> Cluster:
    """addHost's cluster: `clusterid`, or `clustername` in the pod, in `zoneid`'s `podid`."""
    zone = call.find(zones_visible_to(actor=call.actor), "zoneid")
    pod = call.find(pods_visible_to(actor=call.actor), "podid")
    if pod.zone_id != zone.pk:
        raise call.invalid("podid", f"Pod {pod.name} is not in zone {zone.name}.")
    clusters = clusters_visible_to(actor=call.actor)
    if call.has("clusterid"):
        cluster = call.find(clusters, "clusterid")
        if cluster.pod_id != pod.pk:
            raise call.invalid("clusterid", f"Cluster {cluster.name} is not in pod {pod.name}.")
        return cluster
    if not call.has("clustername"):
        raise call.invalid("clusterid", "Name the host's cluster: clusterid or clustername.")
    name = call.get("clustername").strip()
    cluster = clusters.filter(pod=pod, name__iexact=name).first()
    if cluster is None:
        raise call.invalid("clustername", f"Pod {pod.name} has no cluster named {name}.")
    return cluster


@command(
    "addHost",
    description="Adds a host to a cluster, discovering it through the cluster's hypervisor.",
    params=[
        Param("zoneid", "uuid", required=True, description="The zone of the host."),
        Param("podid", "uuid", required=True, description="The pod of the host."),
        Param("clusterid", "uuid", description="The cluster of the host.", field="cluster"),
        Param("clustername", description="The cluster of the host, by name (in the pod)."),
        Param(
            "url",
            required=True,
            length=1024,
            description="The host's URL: qemu+ssh://user@host/system (KVM), http://sim/... "
            "(Simulator).",
        ),
        Param("username", description="The user discovery authenticates as, if it asks."),
        Param("password", description="Its password, used for the discovery only."),
        Param("hypervisor", required=True, description="The cluster's hypervisor."),
        Param("hosttags", length=1024, description="Comma-separated tags.", field="host_tags"),
        Param("allocationstate", description="Enabled or Disabled.", field="allocation_state"),
    ],
    roles=ROOT_ONLY,
    response=HOST_FIELDS,
)
def add_host(call: Call) -> ListResult:
    cluster = _cluster(call)
    host = services.host_add(
        cluster=cluster,
        **call.fields("url", "username", "password", "hosttags"),
        **_allocation(call),
        hypervisor=call.choice("hypervisor", Hypervisor),
        by=call.actor,
    )
    return ListResult("host", [host_response(host)], 1)


#: updateHost's allocationstate takes CloudStack's verbs (Enable, Disable); the states too
_ALLOCATION = {"enable": AllocationState.ENABLED, "disable": AllocationState.DISABLED}


def _allocation(call: Call) -> dict[str, Any]:
    if not call.has("allocationstate"):
        return {}
    value = call.choice("allocationstate", AllocationState)
    return {"allocation_state": _ALLOCATION.get(str(value).strip().lower(), value)}


@command(
    "updateHost",
    description="Renames a host, changes its tags, or enables or disables it.",
    params=[
        id_param("host"),
        Param("name", description="The new name of the host."),
        Param("hosttags", length=1024, description="Comma-separated tags.", field="host_tags"),
        Param("allocationstate", description="Enable or Disable.", field="allocation_state"),
    ],
    roles=ROOT_ONLY,
    response=HOST_FIELDS,
)
def update_host(call: Call) -> dict[str, Any]:
    host = services.host_update(
        host=_host(call), **call.fields("name", "hosttags"), **_allocation(call), by=call.actor
    )
    return _one(host)


@command(
    "deleteHost",
    description="Deletes a host in maintenance (any host, with forced=true) with no instances.",
    params=[
        id_param("host"),
        Param("forced", "boolean", description="Delete it even if it is not in maintenance."),
        Param("forcedestroylocalstorage", "boolean", description="Accepted for compatibility."),
    ],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_host(call: Call) -> dict[str, Any]:
    services.host_delete(host=_host(call), forced=bool(call.get("forced")), by=call.actor)
    return success()


def _maintenance_command(
    name: str,
    description: str,
    service: Callable[..., Host],
    check: Callable[..., None],
) -> Callable[[Call], JobStarted]:
    """Async command NAME: its prepare step refuses at once what CHECK refuses, as CloudStack
    does; its job runs SERVICE on the host and answers it."""

    def run(actor: Any, *, host_id: str) -> dict[str, Any]:
        return _one(service(host=Host.objects.get(pk=host_id), by=actor))

    @command(
        name,
        description=description,
        params=[id_param("host")],
        roles=ROOT_ONLY,
        is_async=True,
        run=run,
        response=HOST_FIELDS,
    )
    def prepare(call: Call) -> JobStarted:
        host = _host(call)
        check(host=host)
        return object_job_start(call, host)

    return prepare


prepare_host_for_maintenance = _maintenance_command(
    "prepareHostForMaintenance",
    "Puts a host into maintenance: no new work goes to it.",
    services.host_maintenance_prepare,
    services.host_maintenance_check,
)
cancel_host_maintenance = _maintenance_command(
    "cancelHostMaintenance",
    "Takes a host out of maintenance: Enabled again.",
    services.host_maintenance_cancel,
    services.host_maintenance_cancel_check,
)


#: configureSimulator's commands simulated here, and the values it takes for them
PING_COMMANDS = {"pingcommand", "pingroutingcommand"}
_ANSWERS = {"result:fail": False, "result:success": True}


@command(
    "configureSimulator",
    description="Makes a simulated host stop answering its pings (PingCommand, "
    "value result:fail), or answer again (result:success).",
    params=[
        Param("hostid", "uuid", required=True, description="The simulated host.", field="host"),
        Param("name", required=True, description="The command to configure: PingCommand."),
        Param("value", required=True, description="result:fail or result:success."),
    ],
    roles=ROOT_ONLY,
    response=("id", "zoneid", "podid", "clusterid", "hostid", "name", "count"),
)
def configure_simulator(call: Call) -> dict[str, Any]:
    host = _host(call, "hostid")
    name, value = call.get("name").strip(), call.get("value").strip().lower()
    if name.lower() not in PING_COMMANDS:
        raise call.invalid("name", f"{name} is not simulated here: only PingCommand is.")
    if value not in _ANSWERS:
        raise call.invalid("value", "PingCommand takes result:fail or result:success.")
    state = services.simulator_configure(host=host, answering=_ANSWERS[value], by=call.actor)
    pod = host.cluster.pod
    mock = {
        "id": str(state.pk),
        "zoneid": str(pod.zone_id),
        "podid": str(pod.pk),
        "clusterid": str(host.cluster_id),
        "hostid": str(host.pk),
        "name": name,
        "count": None,  # for as long as it is configured
    }
    return {"simulatormock": mock}
