"""Zone pages: any signed-in user sees zones; root admins manage their region's zones.
Pod and cluster pages: root admins only (infrastructure, as in CloudStack)."""

from __future__ import annotations

from django.db.models import QuerySet

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
from zones.forms import ClusterForm, PodForm, ZoneForm
from zones.models import Alert, Cluster, Pod, Zone

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
