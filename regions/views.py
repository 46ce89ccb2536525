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
from portal.permissions import Action
from portal.validation import passes
from regions import selectors, services
from regions.forms import (
    RegionForm,
)
from regions.models import Region

REGION_COLUMNS = [
    Column("Id", "id"),
    Column("Name", "name", link=True),
    Column("Endpoint", "endpoint"),
    Column("Zones", "zone_count"),
    Column("This region", "is_local"),
]


class RegionListView(ObjectListView):
    model, selector = Region, selectors.regions_visible_to
    list_selector = selectors.regions_filtered
    columns = REGION_COLUMNS
    add_url_name = "regions:region_add"


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

    def save(self, form: RegionForm) -> Region:
        if self.is_create:
            return services.region_create(**form.changed(), by=self.request.user)
        return services.region_update(
            region=self.get_object(), **form.changed(), by=self.request.user
        )


class RegionDeleteView(ObjectDeleteView):
    model, selector = Region, selectors.regions_visible_to
    success_url_name = "regions:region_list"

    def delete(self, obj: Region, form: Any) -> None:
        services.region_delete(region=obj, by=self.request.user)


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
