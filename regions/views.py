"""Region pages: the registry, and the health probe."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.generic.columns import Column
from portal.generic.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from portal.permissions import Action, may
from portal.validation import passes
from regions import selectors, services
from regions.capacity import region_capacities
from regions.forms import (
    RegionForm,
)
from regions.models import CapacityType, Region

#: the capacities the Regions page shows for each region
SUMMARY_TYPES = [
    CapacityType.CPU,
    CapacityType.MEMORY,
    CapacityType.STORAGE,
    CapacityType.PUBLIC_IP,
    CapacityType.VLAN,
]

REGION_COLUMNS = [
    Column("Id", "id"),
    Column("Name", "name", link=True),
    Column("Endpoint", "endpoint"),
    Column("Zones", "zone_count"),
    Column("This region", "is_local"),
]


class RegionListView(ObjectListView):
    """The regions; for root admins, each region's capacity as it last reported it."""

    model, selector = Region, selectors.regions_visible_to
    list_selector = selectors.regions_filtered
    columns = REGION_COLUMNS
    add_url_name = "regions:region_add"
    template_name = "regions/region_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if may(self.request.user, Action.CHANGE, Region):  # infrastructure: root admins
            context["capacities"] = region_capacities()
            context["capacity_kinds"] = SUMMARY_TYPES
        return context


class RegionDetailView(ObjectDetailView):
    model, selector = Region, selectors.regions_visible_to
    url_prefix = "regions:region"
    fields = [
        *REGION_COLUMNS,
        Column("Description", "description"),
        Column("UUID", "uuid"),
        Column("GSLB service", "gslb_service_enabled"),
        Column("Portable IP service", "portable_ip_service_enabled"),
    ]

    def allows(self, obj: Region, action: str) -> bool:
        return action != Action.DELETE or passes(services.region_delete_check, region=obj)


class RegionEditView(ObjectEditView):
    model, selector, form_class = Region, selectors.regions_visible_to, RegionForm
    create_service, update_service = services.region_create, services.region_update


class RegionDeleteView(ObjectDeleteView):
    model, selector = Region, selectors.regions_visible_to
    success_url_name, delete_service = "regions:region_list", services.region_delete


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make cloud`: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    region = selectors.region_local()
    return JsonResponse(
        {
            "status": "ok",
            "database": "up",
            "setup": region is not None,
            "region": {"id": region.pk, "name": region.name} if region else None,
        }
    )
