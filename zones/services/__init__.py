"""Every write to zones and what is in them, a module per entity (zones, pods, clusters,
hosts, the simulator's faults, storage pools, public IP ranges, guest VLAN dedications,
alerts; a zone's guest VLAN ranges are written with the zone); each function is one
transaction, named <entity>_<action> with keyword-only arguments, `by` the acting user
(None: the system itself)."""

from zones.services.alerts import (
    alert_archive,
    alert_delete,
    alert_raise,
    alert_resolve,
    alerts_archive,
    alerts_delete,
    alerts_resolve_except,
)
from zones.services.clusters import (
    cluster_create,
    cluster_delete,
    cluster_pod_check,
    cluster_update,
)
from zones.services.dedications import (
    dedication_zone_check,
    guest_vlan_range_dedicate,
    guest_vlan_range_release,
)
from zones.services.hosts import (
    host_add,
    host_cluster_check,
    host_delete,
    host_delete_check,
    host_maintenance_cancel,
    host_maintenance_cancel_check,
    host_maintenance_check,
    host_maintenance_prepare,
    host_ping,
    host_state_set,
    host_update,
    hosts_ping_sweep,
)
from zones.services.pods import pod_create, pod_delete, pod_update, pod_zone_check
from zones.services.simulator import simulator_check, simulator_configure
from zones.services.storage_pools import (
    storage_pool_cancel_maintenance,
    storage_pool_create,
    storage_pool_delete,
    storage_pool_disable,
    storage_pool_enable,
    storage_pool_maintain,
    storage_pool_state_check,
    storage_pool_update,
    storage_pool_zone_check,
)
from zones.services.vlan_ip_ranges import (
    vlan_ip_range_create,
    vlan_ip_range_delete,
    vlan_ip_range_zone_check,
)
from zones.services.zones import (
    DEFAULT_GUEST_CIDR,
    zone_create,
    zone_delete,
    zone_is_local,
    zone_manage_check,
    zone_update,
)

__all__ = [
    "DEFAULT_GUEST_CIDR",
    "alert_archive",
    "alert_delete",
    "alert_raise",
    "alert_resolve",
    "alerts_archive",
    "alerts_delete",
    "alerts_resolve_except",
    "cluster_create",
    "cluster_delete",
    "cluster_pod_check",
    "cluster_update",
    "dedication_zone_check",
    "guest_vlan_range_dedicate",
    "guest_vlan_range_release",
    "host_add",
    "host_cluster_check",
    "host_delete",
    "host_delete_check",
    "host_maintenance_cancel",
    "host_maintenance_cancel_check",
    "host_maintenance_check",
    "host_maintenance_prepare",
    "host_ping",
    "host_state_set",
    "host_update",
    "hosts_ping_sweep",
    "pod_create",
    "pod_delete",
    "pod_update",
    "pod_zone_check",
    "simulator_check",
    "simulator_configure",
    "storage_pool_cancel_maintenance",
    "storage_pool_create",
    "storage_pool_delete",
    "storage_pool_disable",
    "storage_pool_enable",
    "storage_pool_maintain",
    "storage_pool_state_check",
    "storage_pool_update",
    "storage_pool_zone_check",
    "vlan_ip_range_create",
    "vlan_ip_range_delete",
    "vlan_ip_range_zone_check",
    "zone_create",
    "zone_delete",
    "zone_is_local",
    "zone_manage_check",
    "zone_update",
]
