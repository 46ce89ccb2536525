"""Zone pages: any signed-in user sees zones; root admins manage their region's zones.
Pod pages: root admins only (pods are infrastructure, as in CloudStack)."""

from __future__ import annotations

from portal.generic.columns import Column
from portal.generic.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from portal.validation import passes
from zones import selectors, services
from zones.forms import PodForm, ZoneForm
from zones.models import Pod, Zone

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
