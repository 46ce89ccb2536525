"""Zone pages: any signed-in user sees zones; root admins manage their region's zones."""

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
from zones.forms import ZoneForm
from zones.models import Zone

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
