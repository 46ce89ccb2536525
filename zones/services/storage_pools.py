"""Storage pool writes: a zone's primary storage, cluster-wide (its pod and cluster named, its
hypervisor the cluster's) or zone-wide (a hypervisor named), as CloudStack's
createStoragePool, updateStoragePool, deleteStoragePool and its maintenance commands make
them; only in this region's zones.

A pool's writes lock its zone first (names are unique in a zone), a cluster-wide pool's its
pod and cluster too, and a change to a pool the pool's row: a zone or cluster being deleted
sees the pools added meanwhile, and a pool's size is checked against what is allocated now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import NON_FIELD, check_choice, check_length, invalid
from portal.writes import save_changed, unique_name
from zones.models import (
    Cluster,
    Hypervisor,
    Pod,
    StoragePool,
    StoragePoolScope,
    StoragePoolState,
    StoragePoolType,
    Zone,
)
from zones.services.clusters import cluster_locked
from zones.services.locking import row_locked
from zones.services.pods import pod_locked
from zones.services.storage_urls import StorageUrl, storage_url_parse
from zones.services.zones import zone_is_local

if TYPE_CHECKING:
    from identity.models import User

#: the most bytes a pool holds (the largest value of the database's bigint)
MAX_BYTES = 2**63 - 1
_MAX_TAG = 255
UP, DISABLED = StoragePoolState.UP, StoragePoolState.DISABLED
_IN_MAINTENANCE = (
    StoragePoolState.PREPARE_FOR_MAINTENANCE,
    StoragePoolState.MAINTENANCE,
    StoragePoolState.ERROR_IN_MAINTENANCE,
)
#: each state change: the state it sets, and the states it leaves (CloudStack's rules; a
#: pool has no volumes to move yet, so maintenance is entered at once)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "enable": (UP, (DISABLED,)),
    "disable": (DISABLED, (UP,)),
    "maintain": (StoragePoolState.MAINTENANCE, (UP, DISABLED, *_IN_MAINTENANCE)),
    "cancel_maintenance": (UP, _IN_MAINTENANCE),
}
_DOING = {
    "enable": "enable it",
    "disable": "disable it",
    "maintain": "put it in maintenance",
    "cancel_maintenance": "cancel its maintenance",
}


def storage_pool_zone_check(*, zone: Zone) -> None:
    """Refuse storage pools in a zone of another region (pool pages ask it too, to offer
    their changes only for pools of this region's zones)."""
    if not zone_is_local(zone):
        raise invalid(
            "zone", "Storage pools are managed by the portal of their zone's region.", "remote"
        )


def storage_pool_state_check(
    *, storagepool: StoragePool, action: str, field: str = "state"
) -> None:
    """Refuse state change ACTION (a key of TRANSITIONS) of a pool in a state it does not
    leave, on FIELD; one to the state the pool is in is no change."""
    target, sources = TRANSITIONS[action]
    if storagepool.state != target and storagepool.state not in sources:
        name, state = storagepool.name, storagepool.state
        raise invalid(field, f"Storage pool {name} is {state}: cannot {_DOING[action]}.")


def check_bytes(field: str, value: Any) -> int:
    """VALUE as a pool's size: a whole number of bytes above 0 (a number or its text)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, bool | float) or (isinstance(text, str) and "_" in text):
        raise invalid(field, f"{value!r} is not a whole number of bytes.")
    try:
        number = int(text)
    except (TypeError, ValueError) as error:
        raise invalid(field, f"{value!r} is not a whole number of bytes.") from error
    if not 0 < number <= MAX_BYTES:
        raise invalid(field, f"A size is a number of bytes from 1 to {MAX_BYTES}.")
    return number


def check_tags(value: Any) -> str:
    """VALUE (comma-separated tags) as stored: each stripped, each once whatever its case,
    empty ones left out, joined by commas."""
    if value is not None and not isinstance(value, str):
        raise invalid("tags", "Send the tags as text, separated by commas.")
    tags: list[str] = []
    for item in (value or "").split(","):
        tag = check_length("tags", item, max_length=_MAX_TAG, required=False)
        if tag and tag.lower() not in (each.lower() for each in tags):
            tags.append(tag)
    text = ",".join(tags)
    limit = StoragePool._meta.get_field("tags").max_length
    if len(text) > limit:
        raise invalid("tags", f"Ensure the tags have at most {limit} characters in all.")
    return text


def _zone_locked(zone: Zone) -> Zone:
    storage_pool_zone_check(zone=zone)
    return row_locked(zone, "zone")


def _places(
    zone: Zone, scope: str, pod: Pod | None, cluster: Cluster | None, hypervisor: str | None
) -> dict[str, Any]:
    """Where a pool of SCOPE is (its pod and cluster, locked) and its hypervisor, checked."""
    if scope == StoragePoolScope.ZONE:
        for field, given in (("pod", pod), ("cluster", cluster)):
            if given is not None:
                raise invalid(field, "A zone-wide storage pool has no pod or cluster.")
        if not hypervisor:
            raise invalid(
                "hypervisor",
                "A zone-wide storage pool needs the hypervisor of its hosts: KVM or Simulator.",
                "required",
            )
        return {"hypervisor": check_choice("hypervisor", hypervisor, Hypervisor)}
    for field, given in (("pod", pod), ("cluster", cluster)):
        if given is None:
            raise invalid(field, f"A cluster-wide storage pool needs its {field}.", "required")
    if pod.zone_id != zone.pk:
        raise invalid("pod", f"Pod {pod.name} is not in zone {zone.name}.")
    if cluster.pod_id != pod.pk:
        raise invalid("cluster", f"Cluster {cluster.name} is not in pod {pod.name}.")
    # In the order deletes lock them (a zone, its pod, the pod's cluster): no deadlock.
    pod, cluster = pod_locked(pod), cluster_locked(cluster)
    if hypervisor and hypervisor != cluster.hypervisor:
        raise invalid(
            "hypervisor",
            f"A cluster-wide storage pool has its cluster's hypervisor: {cluster.hypervisor}.",
        )
    return {"pod": pod, "cluster": cluster, "hypervisor": cluster.hypervisor}


def _share(url: Any) -> StorageUrl:
    """URL read, its share no other pool's (as in CloudStack, but for SharedMountPoint,
    which names a path on each host)."""
    share = storage_url_parse(url)
    if share.pool_type != StoragePoolType.SHARED_MOUNT_POINT:
        other = StoragePool.objects.filter(
            host_address__iexact=share.host_address, path=share.path
        ).first()
        if other is not None:
            raise invalid(
                "url", f"{share.host_address}:{share.path} is storage pool {other.name} already."
            )
    return share


def _name(zone: Zone, name: str, pool: StoragePool | None = None) -> str:
    return unique_name(
        zone.storage_pools.all(),
        name,
        taken=lambda name: f"A storage pool named {name} exists in zone {zone.name}.",
        exclude=pool,
    )


@atomic_write
def storage_pool_create(
    *,
    zone: Zone,
    name: str,
    url: str,
    capacity_bytes: Any,
    scope: str = StoragePoolScope.CLUSTER,
    pod: Pod | None = None,
    cluster: Cluster | None = None,
    hypervisor: str | None = None,
    tags: str = "",
    by: User | None,
) -> StoragePool:
    """A pool in ZONE of CAPACITY_BYTES at URL: cluster-wide unless told (as in CloudStack),
    in POD and CLUSTER of ZONE, or zone-wide (SCOPE ZONE) for the hosts of HYPERVISOR. Pools
    are Up once made."""
    require(by, Action.ADD, StoragePool)
    zone = _zone_locked(zone)
    name = _name(zone, name)
    scope = check_choice("scope", scope, StoragePoolScope)
    places = _places(zone, scope, pod, cluster, hypervisor)
    share = _share(url)
    return StoragePool.objects.create(
        zone=zone,
        name=name,
        scope=scope,
        **places,
        url=share.url,
        pool_type=share.pool_type,
        host_address=share.host_address,
        path=share.path,
        capacity_bytes=check_bytes("capacity_bytes", capacity_bytes),
        tags=check_tags(tags),
    )


def _locked(storagepool: StoragePool) -> StoragePool:
    storage_pool_zone_check(zone=storagepool.zone)
    return row_locked(storagepool, NON_FIELD)


@atomic_write
def storage_pool_update(
    *,
    storagepool: StoragePool,
    by: User | None,
    name: str | None = None,
    tags: str | None = None,
    capacity_bytes: Any = None,
    enabled: bool | None = None,
) -> StoragePool:
    """Change STORAGEPOOL; what is not given stays. Its size is never below what is
    allocated on it; ENABLED enables a disabled pool, or disables an Up one (a pool in
    maintenance leaves it through cancel_maintenance)."""
    require(by, Action.CHANGE, storagepool)
    zone = _zone_locked(storagepool.zone)
    pool = row_locked(storagepool, NON_FIELD)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _name(zone, name, pool)
    if tags is not None:
        values["tags"] = check_tags(tags)
    if capacity_bytes is not None:
        values["capacity_bytes"] = check_bytes("capacity_bytes", capacity_bytes)
        if values["capacity_bytes"] < pool.allocated_bytes:
            raise invalid(
                "capacity_bytes",
                f"{pool.allocated_bytes} bytes are allocated on storage pool {pool.name}: "
                "its capacity cannot be less.",
            )
    if enabled is not None:
        action = "enable" if enabled else "disable"
        if pool.state not in _IN_MAINTENANCE or enabled:
            storage_pool_state_check(storagepool=pool, action=action, field="enabled")
            values["state"] = TRANSITIONS[action][0]
    save_changed(pool, **values)
    return pool


def _state_set(storagepool: StoragePool, action: str, by: User | None) -> StoragePool:
    require(by, Action.CHANGE, storagepool)
    pool = _locked(storagepool)
    storage_pool_state_check(storagepool=pool, action=action)
    save_changed(pool, state=TRANSITIONS[action][0])
    return pool


@atomic_write
def storage_pool_enable(*, storagepool: StoragePool, by: User | None) -> StoragePool:
    """Let volumes be allocated on a disabled pool again (CloudStack's ENABLE.PS)."""
    return _state_set(storagepool, "enable", by)


@atomic_write
def storage_pool_disable(*, storagepool: StoragePool, by: User | None) -> StoragePool:
    """Allocate no new volumes on an Up pool; those on it stay (DISABLE.PS)."""
    return _state_set(storagepool, "disable", by)


@atomic_write
def storage_pool_maintain(*, storagepool: StoragePool, by: User | None) -> StoragePool:
    """Put a pool in maintenance (CloudStack's enableStorageMaintenance)."""
    return _state_set(storagepool, "maintain", by)


@atomic_write
def storage_pool_cancel_maintenance(*, storagepool: StoragePool, by: User | None) -> StoragePool:
    """Bring a pool in maintenance back Up (cancelStorageMaintenance)."""
    return _state_set(storagepool, "cancel_maintenance", by)


@atomic_write
def storage_pool_delete(*, storagepool: StoragePool, forced: bool = False, by: User | None) -> None:
    """Delete STORAGEPOOL once nothing is allocated on it, or even so if FORCED (CloudStack's
    deleteStoragePool forced=true)."""
    require(by, Action.DELETE, storagepool)
    pool = _locked(storagepool)
    if pool.allocated_bytes and not forced:
        raise invalid(
            NON_FIELD,
            f"Storage pool {pool.name} has {pool.allocated_bytes} bytes allocated to volumes; "
            "delete them first, or delete the pool forced.",
            "in_use",
        )
    pool.delete()
