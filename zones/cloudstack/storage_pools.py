"""CloudStack API commands for primary storage: listStoragePools, createStoragePool,
updateStoragePool, deleteStoragePool, enableStorageMaintenance and cancelStorageMaintenance
(async, as in CloudStack); root admins only.

Answers are CloudStack's StoragePoolResponse under "storagepool": the pool's zone, pod and
cluster (a zone-wide pool has neither), its scope, type, server (`ipaddress`) and path, its
sizes in bytes (`disksizetotal`, `disksizeallocated`, `disksizeused`), tags, state,
hypervisor, the zone's `storage.overprovisioning.factor` and its provider (always
DefaultPrimary). createStoragePool takes CloudStack's URLs (zones/services/storage_urls.py)
and needs `capacitybytes`, as the portal does not mount the share to measure it; its
`provider` is accepted and ignored, as CloudStack falls back to its default provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult, success
from portal.cloudstack.jobs import object_job_start
from portal.cloudstack.params import id_param, list_id_param, list_name_param, list_of_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from portal.cloudstack.render import timestamp
from regions.configuration.selectors import setting_value
from zones import services
from zones.models import Hypervisor, StoragePool, StoragePoolScope
from zones.selectors import (
    clusters_visible_to,
    pods_visible_to,
    storage_pools_filtered,
    storage_pools_visible_to,
    zones_visible_to,
)

STORAGE_POOL_FIELDS = (
    "id",
    "name",
    "zoneid",
    "zonename",
    "podid",
    "podname",
    "clusterid",
    "clustername",
    "scope",
    "type",
    "ipaddress",
    "path",
    "state",
    "disksizetotal",
    "disksizeallocated",
    "disksizeused",
    "tags",
    "hypervisor",
    "created",
    "overprovisionfactor",
    "provider",
)
#: the storage provider of every pool here (CloudStack's default one)
PROVIDER = "DefaultPrimary"
OVERPROVISIONING = "storage.overprovisioning.factor"


def storage_pool_response(pool: StoragePool, factor: str | None = None) -> dict[str, Any]:
    """POOL as CloudStack answers it; FACTOR is its zone's overprovisioning factor (read
    when not given)."""
    pod, cluster = pool.pod, pool.cluster
    if factor is None:
        factor = str(setting_value(OVERPROVISIONING, zone=pool.zone))
    return {
        "id": str(pool.pk),
        "name": pool.name,
        "zoneid": str(pool.zone_id),
        "zonename": pool.zone.name,
        "podid": str(pod.pk) if pod else None,
        "podname": pod.name if pod else None,
        "clusterid": str(cluster.pk) if cluster else None,
        "clustername": cluster.name if cluster else None,
        "scope": pool.scope,
        "type": pool.pool_type,
        "ipaddress": pool.host_address,
        "path": pool.path,
        "state": pool.state,
        "disksizetotal": pool.capacity_bytes,
        "disksizeallocated": pool.allocated_bytes,
        "disksizeused": pool.used_bytes,
        "tags": pool.tags or None,
        "hypervisor": pool.hypervisor,
        "created": timestamp(pool.created),
        "overprovisionfactor": factor,
        "provider": PROVIDER,
    }


def _responses() -> Callable[[StoragePool], dict[str, Any]]:
    """storage_pool_response for a list: each zone's factor read once."""
    factors: dict[Any, str] = {}

    def render(pool: StoragePool) -> dict[str, Any]:
        if pool.zone_id not in factors:
            factors[pool.zone_id] = str(setting_value(OVERPROVISIONING, zone=pool.zone))
        return storage_pool_response(pool, factors[pool.zone_id])

    return render


def _answer(pool: StoragePool) -> dict[str, Any]:
    return {"storagepool": storage_pool_response(pool)}


_CAPACITY = Param(
    "capacitybytes",
    "long",
    description="The size of the share in bytes.",
    field="capacity_bytes",
)
_TAGS = Param("tags", description="Storage tags, separated by commas.", length=1024)


@command(
    "listStoragePools",
    description="Lists the primary storage pools of this region's zones.",
    params=[
        list_id_param("storage pool"),
        list_name_param("storage pools"),
        *(list_of_param(parent, "storage pools") for parent in ("zone", "pod", "cluster")),
        Param("scope", description="List the pools of this scope: CLUSTER or ZONE."),
        Param("status", description="List the pools in this state.", field="state"),
        Param("ipaddress", description="List the pools on this server.", field="host_address"),
        Param("path", description="List the pools of this path."),
    ],
    roles=ROOT_ONLY,
    list_key="storagepool",
    response=STORAGE_POOL_FIELDS,
)
def list_storage_pools(call: Call) -> ListResult:
    # A zone, pod or cluster that is not there is an invalid value, as in CloudStack.
    actor = call.actor
    call.find(zones_visible_to(actor=actor), "zoneid", required=False)
    call.find(pods_visible_to(actor=actor), "podid", required=False)
    call.find(clusters_visible_to(actor=actor), "clusterid", required=False)
    filters = call.fields(
        "zoneid", "podid", "clusterid", "name", "scope", "status", "ipaddress", "path"
    )
    pools = storage_pools_filtered(actor=actor, filters=filters, lenient=True)
    if call.has("id"):
        pools = pools.filter(pk=call.get("id"))
    return call.page(pools, _responses(), keyword=("name", "pool_type"))


@command(
    "createStoragePool",
    description="Creates a primary storage pool in a zone of this region.",
    params=[
        Param("name", required=True, description="The name of the storage pool."),
        Param("zoneid", "uuid", required=True, description="The zone of the pool.", field="zone"),
        Param(
            "url",
            required=True,
            description="nfs://server/path, SharedMountPoint:///path or file:///path.",
        ),
        Param(
            "scope",
            description="CLUSTER (the default: the hosts of one cluster) or ZONE (all hosts).",
        ),
        Param("podid", "uuid", description="A cluster-wide pool's pod.", field="pod"),
        Param("clusterid", "uuid", description="A cluster-wide pool's cluster.", field="cluster"),
        Param("hypervisor", description="A zone-wide pool's hypervisor: KVM or Simulator."),
        replace(_CAPACITY, required=True),  # the portal cannot measure the share
        _TAGS,
        Param("provider", description="The storage provider: accepted and ignored."),
    ],
    roles=ROOT_ONLY,
    response=STORAGE_POOL_FIELDS,
)
def create_storage_pool(call: Call) -> dict[str, Any]:
    actor = call.actor
    places = {
        "zone": call.find(zones_visible_to(actor=actor), "zoneid"),
        "pod": call.find(pods_visible_to(actor=actor), "podid", required=False),
        "cluster": call.find(clusters_visible_to(actor=actor), "clusterid", required=False),
    }
    kwargs = call.fields("name", "url", "capacitybytes", "tags")
    for name, choices in (("scope", StoragePoolScope), ("hypervisor", Hypervisor)):
        if call.has(name):
            kwargs[name] = call.choice(name, choices)
    return _answer(services.storage_pool_create(**places, **kwargs, by=actor))


@command(
    "updateStoragePool",
    description="Updates a primary storage pool of this region.",
    params=[
        id_param("storage pool"),
        Param("name", description="The new name of the pool."),
        _TAGS,
        _CAPACITY,
        Param("enabled", "boolean", description="False to disable the pool, true to enable it."),
    ],
    roles=ROOT_ONLY,
    response=STORAGE_POOL_FIELDS,
)
def update_storage_pool(call: Call) -> dict[str, Any]:
    pool = call.find(storage_pools_visible_to(actor=call.actor), "id")
    kwargs = call.fields("name", "tags", "capacitybytes", "enabled")
    return _answer(services.storage_pool_update(storagepool=pool, **kwargs, by=call.actor))


@command(
    "deleteStoragePool",
    description="Deletes a primary storage pool of this region.",
    params=[
        id_param("storage pool"),
        Param("forced", "boolean", description="Delete it even if volumes are allocated on it."),
    ],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_storage_pool(call: Call) -> dict[str, Any]:
    pool = call.find(storage_pools_visible_to(actor=call.actor), "id")
    services.storage_pool_delete(storagepool=pool, forced=bool(call.get("forced")), by=call.actor)
    return success()


def _state_command(name: str, action: str, service: Callable[..., StoragePool], what: str) -> None:
    """Register NAME, the async command that changes a pool's state through SERVICE (state
    change ACTION, refused at once where the pool's state does not allow it)."""

    def run(actor: Any, *, storagepool_id: str) -> dict[str, Any]:
        pool = StoragePool.objects.get(pk=storagepool_id)
        return _answer(service(storagepool=pool, by=actor))

    @command(
        name,
        description=what,
        params=[id_param("storage pool")],
        roles=ROOT_ONLY,
        is_async=True,
        run=run,
        response=STORAGE_POOL_FIELDS,
    )
    def start(call: Call) -> JobStarted:
        pool = call.find(storage_pools_visible_to(actor=call.actor), "id")
        services.storage_pool_state_check(storagepool=pool, action=action)
        return object_job_start(call, pool)


_state_command(
    "enableStorageMaintenance",
    "maintain",
    services.storage_pool_maintain,
    "Puts a primary storage pool in maintenance.",
)
_state_command(
    "cancelStorageMaintenance",
    "cancel_maintenance",
    services.storage_pool_cancel_maintenance,
    "Brings a primary storage pool back from maintenance.",
)
