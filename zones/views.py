"""Zone pages: any signed-in user sees zones; root admins manage their region's zones.
Pod, cluster, host, storage pool and alert pages: root admins only (infrastructure, as in
CloudStack)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.forms import Form

from portal.generic.columns import Column
from portal.generic.views import (
    ObjectActionView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    StateAction,
)
from portal.permissions import Action
from portal.validation import passes
from zones import selectors, services
from zones.drivers.simulator import simulator_answers
from zones.forms import (
    ClusterForm,
    HostDeleteForm,
    HostForm,
    PodForm,
    StoragePoolDeleteForm,
    StoragePoolForm,
    VlanIpRangeForm,
    ZoneForm,
)
from zones.models import (
    Alert,
    AllocationState,
    Cluster,
    Host,
    Hypervisor,
    Pod,
    StoragePool,
    StoragePoolState,
    VlanIpRange,
    Zone,
)

ZONE_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Region", "region", link=True),
    Column("Network type", "network_type", badge=True),
    Column("Allocation state", "allocation_state", badge=True),
]


class ZoneListView(ObjectListView):
    model, selector = Zone, selectors.zones_visible_to
    list_selector = selectors.zones_filtered
    columns = ZONE_COLUMNS
    add_url_name = "zones:zone_add"


class ZoneDetailView(ObjectDetailView):
    model, selector = Zone, selectors.zones_visible_to
    url_prefix = "zones:zone"
    fields = [
        *ZONE_COLUMNS,
        Column("Description", "description"),
        Column("DNS 1", "dns1"),
        Column("DNS 2", "dns2"),
        Column("Internal DNS 1", "internal_dns1"),
        Column("Internal DNS 2", "internal_dns2"),
        Column("Guest CIDR", "guest_cidr"),
        Column("ID", "pk"),
    ]

    def allows(self, obj: Zone, action: str) -> bool:
        return passes(services.zone_manage_check, zone=obj)


class ZoneEditView(ObjectEditView):
    model, selector, form_class = Zone, selectors.zones_visible_to, ZoneForm
    create_service, update_service = services.zone_create, services.zone_update

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if not self.is_create:  # the ranges are rows of their own: the form shows their text
            kwargs["initial"]["vlan"] = selectors.zone_vlan_text(self.get_object())
        return kwargs


class ZoneDeleteView(ObjectDeleteView):
    model, selector = Zone, selectors.zones_visible_to
    success_url_name, delete_service = "zones:zone_list", services.zone_delete


#: a zone's pods (the zone's page lists them, zones/related.py)
POD_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Gateway", "gateway"),
    Column("Netmask", "netmask"),
    Column("Start IP", "start_ip"),
    Column("End IP", "end_ip"),
    Column("Allocation state", "allocation_state", badge=True),
]
_POD_LIST_COLUMNS = [POD_COLUMNS[0], Column("Zone", "zone", link=True), *POD_COLUMNS[1:]]


class PodListView(ObjectListView):
    model, selector = Pod, selectors.pods_visible_to
    list_selector = selectors.pods_filtered
    columns = _POD_LIST_COLUMNS
    add_url_name = "zones:pod_add"


class PodDetailView(ObjectDetailView):
    model, selector = Pod, selectors.pods_visible_to
    url_prefix = "zones:pod"
    fields = [*_POD_LIST_COLUMNS, Column("ID", "pk")]

    def allows(self, obj: Pod, action: str) -> bool:
        return passes(services.pod_zone_check, zone=obj.zone)


class PodEditView(ObjectEditView):
    model, selector, form_class = Pod, selectors.pods_visible_to, PodForm
    create_service, update_service = services.pod_create, services.pod_update


class PodDeleteView(ObjectDeleteView):
    model, selector = Pod, selectors.pods_visible_to
    success_url_name, delete_service = "zones:pod_list", services.pod_delete


#: a pod's clusters (the pod's page lists them, zones/related.py)
CLUSTER_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Hypervisor", "hypervisor", badge=True),
    Column("Cluster type", "cluster_type"),
    Column("Allocation state", "allocation_state", badge=True),
    Column("CPU overcommit ratio", "cpu_overcommit_ratio"),
    Column("Memory overcommit ratio", "memory_overcommit_ratio"),
]
_CLUSTER_LIST_COLUMNS = [
    CLUSTER_COLUMNS[0],
    Column("Pod", "pod", link=True),
    Column("Zone", "pod.zone", link=True),
    *CLUSTER_COLUMNS[1:],
]


class ClusterListView(ObjectListView):
    model, selector = Cluster, selectors.clusters_visible_to
    list_selector = selectors.clusters_filtered
    columns = _CLUSTER_LIST_COLUMNS
    add_url_name = "zones:cluster_add"


class ClusterDetailView(ObjectDetailView):
    model, selector = Cluster, selectors.clusters_visible_to
    url_prefix = "zones:cluster"
    fields = [*_CLUSTER_LIST_COLUMNS, Column("CPU arch", "arch"), Column("ID", "pk")]

    def allows(self, obj: Cluster, action: str) -> bool:
        return passes(services.cluster_pod_check, pod=obj.pod)


class ClusterEditView(ObjectEditView):
    model, selector, form_class = Cluster, selectors.clusters_visible_to, ClusterForm
    create_service, update_service = services.cluster_create, services.cluster_update


class ClusterDeleteView(ObjectDeleteView):
    model, selector = Cluster, selectors.clusters_visible_to
    success_url_name, delete_service = "zones:cluster_list", services.cluster_delete


#: a zone's public IP ranges (the zone's and a pod's pages list them, zones/related.py)
VLAN_IP_RANGE_COLUMNS = [
    Column("Start IP", "start_ip", link=True),
    Column("End IP", "end_ip"),
    Column("VLAN", "vlan"),
    Column("Gateway", "gateway"),
    Column("Netmask", "netmask"),
    Column("Pod", "pod", link=True),
    Column("For virtual network", "for_virtual_network"),
]
_VLAN_IP_RANGE_LIST_COLUMNS = [
    *VLAN_IP_RANGE_COLUMNS[:2],
    Column("Zone", "zone", link=True),
    *VLAN_IP_RANGE_COLUMNS[2:],
]


class VlanIpRangeListView(ObjectListView):
    model, selector = VlanIpRange, selectors.vlan_ip_ranges_visible_to
    list_selector = selectors.vlan_ip_ranges_filtered
    columns = _VLAN_IP_RANGE_LIST_COLUMNS
    add_url_name = "zones:vlan_ip_range_add"


class VlanIpRangeDetailView(ObjectDetailView):
    model, selector = VlanIpRange, selectors.vlan_ip_ranges_counted
    url_prefix = "zones:vlan_ip_range"
    fields = [
        *_VLAN_IP_RANGE_LIST_COLUMNS,
        Column("Free addresses", "free_addresses"),
        Column("Allocated addresses", "allocated_addresses"),
        Column("ID", "pk"),
    ]

    def allows(self, obj: VlanIpRange, action: str) -> bool:
        # A range is not changed once made (no edit page): deleted and made again.
        return action != Action.CHANGE and passes(services.vlan_ip_range_zone_check, zone=obj.zone)


class VlanIpRangeEditView(ObjectEditView):
    """Adds a range (a range has no edit page)."""

    model, selector, form_class = VlanIpRange, selectors.vlan_ip_ranges_visible_to, VlanIpRangeForm
    create_service = services.vlan_ip_range_create


class VlanIpRangeDeleteView(ObjectDeleteView):
    model, selector = VlanIpRange, selectors.vlan_ip_ranges_visible_to
    success_url_name, delete_service = "zones:vlan_ip_range_list", services.vlan_ip_range_delete
    instance_kwarg = "vlan_ip_range"


#: a zone's guest VLAN ranges, with how many of their VLANs are allocated
GUEST_VLAN_RANGE_COLUMNS = [
    Column("Start", "start"),
    Column("End", "end"),
    Column("VLANs", "vlans"),
    Column("Allocated", "allocated"),
]
#: the guest VLAN ranges of a zone dedicated to accounts
DEDICATED_GUEST_VLAN_RANGE_COLUMNS = [
    Column("Start", "start"),
    Column("End", "end"),
    Column("Account", "account", link=True),
    Column("Domain", "account.domain", link=True),
]


ALERT_COLUMNS = [
    Column("Subject", "subject", link=True),
    Column("Type", "name", badge=True),
    Column("State", "state", badge=True),
    Column("Raised", "count"),
    Column("Last sent", "last_sent"),
]
_ALERT_LIST_COLUMNS = [*ALERT_COLUMNS[:3], Column("Zone", "zone", link=True), *ALERT_COLUMNS[3:]]


class AlertListView(ObjectListView):
    """This region's alerts; archived ones only when asked for (`?archived=true`)."""

    model, selector = Alert, selectors.alerts_visible_to
    list_selector = selectors.alerts_filtered
    columns = _ALERT_LIST_COLUMNS

    def get_queryset(self) -> QuerySet[Alert]:
        alerts = super().get_queryset()
        return alerts if "archived" in self.request.GET else alerts.filter(archived=False)


class AlertDetailView(ObjectDetailView):
    model, selector = Alert, selectors.alerts_visible_to
    url_prefix = "zones:alert"
    fields = [
        *_ALERT_LIST_COLUMNS,
        Column("Pod", "pod", link=True),
        Column("Cluster", "cluster", link=True),
        Column("First sent", "created"),
        Column("Resolved", "resolved"),
        Column("ID", "pk"),
    ]
    state_actions = [StateAction("Archive", "archive", shown=lambda alert: not alert.archived)]

    def allows(self, obj: Alert, action: str) -> bool:
        return action != Action.CHANGE  # alerts are archived or deleted, never edited


class AlertActionView(ObjectActionView):
    model, selector = Alert, selectors.alerts_visible_to
    services = {"archive": (services.alert_archive, "archived")}


class AlertDeleteView(ObjectDeleteView):
    model, selector = Alert, selectors.alerts_visible_to
    success_url_name, delete_service = "zones:alert_list", services.alert_delete


#: a cluster's hosts (the cluster's page lists them, zones/related.py)
HOST_COLUMNS = [
    Column("Name", "name", link=True),
    Column("State", "state", badge=True),
    Column("Resource state", "resource_state", badge=True),
    Column("CPU cores", "cpu_number"),
    Column("CPU speed (MHz)", "cpu_speed"),
    Column("Memory", "memory"),
    Column("Last pinged", "last_pinged"),
]
_HOST_LIST_COLUMNS = [
    HOST_COLUMNS[0],
    Column("Cluster", "cluster", link=True),
    Column("Pod", "cluster.pod", link=True),
    Column("Zone", "cluster.pod.zone", link=True),
    Column("Hypervisor", "hypervisor", badge=True),
    *HOST_COLUMNS[1:],
]


class HostListView(ObjectListView):
    model, selector = Host, selectors.hosts_visible_to
    list_selector = selectors.hosts_filtered
    columns = _HOST_LIST_COLUMNS
    add_url_name = "zones:host_add"


def _simulated(host: Host, *, answering: bool) -> bool:
    return host.hypervisor == Hypervisor.SIMULATOR and simulator_answers(host.url) == answering


class HostDetailView(ObjectDetailView):
    model, selector = Host, selectors.hosts_visible_to
    url_prefix = "zones:host"
    fields = [
        *_HOST_LIST_COLUMNS[:5],
        Column("URL", "url"),
        Column("Type", "host_type"),
        *_HOST_LIST_COLUMNS[5:],
        Column("CPU sockets", "cpu_sockets"),
        Column("Local storage", "local_storage"),
        Column("CPU allocated (MHz)", "cpu_allocated"),
        Column("Memory allocated (bytes)", "memory_allocated"),
        Column("Host tags", "host_tags"),
        Column("ID", "pk"),
    ]
    state_actions = [
        StateAction(
            "Enable",
            "enable",
            "outline-success",
            shown=lambda host: host.resource_state == AllocationState.DISABLED,
        ),
        StateAction(
            "Disable",
            "disable",
            "outline-warning",
            shown=lambda host: host.resource_state == AllocationState.ENABLED,
        ),
        StateAction(
            "Maintenance",
            "maintenance",
            "outline-warning",
            shown=lambda host: passes(services.host_maintenance_check, host=host),
        ),
        StateAction(
            "Cancel maintenance",
            "cancel-maintenance",
            "outline-success",
            shown=lambda host: passes(services.host_maintenance_cancel_check, host=host),
        ),
        StateAction(
            "Stop answering (simulator)",
            "stop-answering",
            "outline-danger",
            shown=partial(_simulated, answering=True),
        ),
        StateAction(
            "Answer again (simulator)",
            "answer",
            "outline-success",
            shown=partial(_simulated, answering=False),
        ),
    ]

    def allows(self, obj: Host, action: str) -> bool:
        return passes(services.host_cluster_check, cluster=obj.cluster)


class HostEditView(ObjectEditView):
    model, selector, form_class = Host, selectors.hosts_visible_to, HostForm
    create_service, update_service = services.host_add, services.host_update


class HostDeleteView(ObjectDeleteView):
    model, selector, form_class = Host, selectors.hosts_visible_to, HostDeleteForm
    success_url_name = "zones:host_list"

    def delete(self, obj: Any, form: Form) -> None:
        services.host_delete(host=obj, forced=form.cleaned_data["forced"], by=self.request.user)


class HostActionView(ObjectActionView):
    model, selector = Host, selectors.hosts_visible_to
    services = {
        "maintenance": (services.host_maintenance_prepare, "put into maintenance"),
        "cancel-maintenance": (services.host_maintenance_cancel, "taken out of maintenance"),
        "enable": (
            partial(services.host_update, allocation_state=AllocationState.ENABLED),
            "enabled",
        ),
        "disable": (
            partial(services.host_update, allocation_state=AllocationState.DISABLED),
            "disabled",
        ),
        "stop-answering": (
            partial(services.simulator_configure, answering=False),
            "no longer answers its pings",
        ),
        "answer": (
            partial(services.simulator_configure, answering=True),
            "answers its pings again",
        ),
    }


#: a zone's or a cluster's storage pools (their pages list them, zones/related.py)
STORAGE_POOL_COLUMNS = [
    Column("Name", "name", link=True),
    Column("Scope", "scope", badge=True),
    Column("Type", "pool_type"),
    Column("Server", "host_address"),
    Column("Path", "path"),
    Column("Capacity (bytes)", "capacity_bytes"),
    Column("Allocated (bytes)", "allocated_bytes"),
    Column("State", "state", badge=True),
]
_STORAGE_POOL_LIST_COLUMNS = [
    STORAGE_POOL_COLUMNS[0],
    Column("Zone", "zone", link=True),
    Column("Cluster", "cluster", link=True),
    *STORAGE_POOL_COLUMNS[1:],
]


class StoragePoolListView(ObjectListView):
    model, selector = StoragePool, selectors.storage_pools_visible_to
    list_selector = selectors.storage_pools_filtered
    columns = _STORAGE_POOL_LIST_COLUMNS
    add_url_name = "zones:storage_pool_add"


class StoragePoolDetailView(ObjectDetailView):
    model, selector = StoragePool, selectors.storage_pools_visible_to
    url_prefix = "zones:storage_pool"
    fields = [
        *_STORAGE_POOL_LIST_COLUMNS[:3],
        Column("Pod", "pod", link=True),
        Column("Hypervisor", "hypervisor"),
        Column("URL", "url"),
        *STORAGE_POOL_COLUMNS[1:6],
        Column("Used (bytes)", "used_bytes"),
        *STORAGE_POOL_COLUMNS[6:],
        Column("Tags", "tags"),
        Column("ID", "pk"),
    ]
    # Each offered where the pool is not in the state it sets and the service would do it.
    state_actions = [
        StateAction("Enable", "enable", "outline-success", state=StoragePoolState.UP),
        StateAction("Disable", "disable", "outline-warning", state=StoragePoolState.DISABLED),
        StateAction("Maintenance", "maintain", state=StoragePoolState.MAINTENANCE),
        StateAction("Cancel maintenance", "cancel_maintenance", state=StoragePoolState.UP),
    ]

    def allows(self, obj: StoragePool, action: str) -> bool:
        if not passes(services.storage_pool_zone_check, zone=obj.zone):
            return False
        return action in (Action.CHANGE, Action.DELETE) or passes(
            services.storage_pool_state_check, storagepool=obj, action=action
        )


class StoragePoolEditView(ObjectEditView):
    model, selector, form_class = StoragePool, selectors.storage_pools_visible_to, StoragePoolForm
    create_service, update_service = services.storage_pool_create, services.storage_pool_update


class StoragePoolDeleteView(ObjectDeleteView):
    model, selector = StoragePool, selectors.storage_pools_visible_to
    form_class, success_url_name = StoragePoolDeleteForm, "zones:storage_pool_list"

    def delete(self, obj: StoragePool, form: StoragePoolDeleteForm) -> None:
        services.storage_pool_delete(
            storagepool=obj, forced=form.cleaned_data["forced"], by=self.request.user
        )


class StoragePoolActionView(ObjectActionView):
    model, selector = StoragePool, selectors.storage_pools_visible_to
    services = {
        "enable": (services.storage_pool_enable, "enabled"),
        "disable": (services.storage_pool_disable, "disabled"),
        "maintain": (services.storage_pool_maintain, "put in maintenance"),
        "cancel_maintenance": (services.storage_pool_cancel_maintenance, "back from maintenance"),
    }
