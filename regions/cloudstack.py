"""CloudStack API commands for the region registry: thin handlers over regions.services."""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from regions import services
from regions.models import Region
from regions.selectors import regions_visible_to

REGION_FIELDS = ("id", "name", "endpoint", "gslbserviceenabled", "portableipserviceenabled")


def region_response(region: Region) -> dict[str, Any]:
    return {
        "id": region.pk,
        "name": region.name,
        "endpoint": region.endpoint,
        "gslbserviceenabled": region.gslb_service_enabled,
        "portableipserviceenabled": region.portable_ip_service_enabled,
    }


def _region(call: Call) -> Region:
    return call.find(regions_visible_to(actor=call.actor), "id")


@command(
    "listRegions",
    description="Lists regions.",
    params=[
        Param("id", "integer", description="List a region by its id."),
        Param("name", description="List a region by its name."),
    ],
    list_key="region",
    response=REGION_FIELDS,
)
def list_regions(call: Call) -> ListResult:
    regions = regions_visible_to(actor=call.actor)
    if call.has("id"):
        regions = regions.filter(pk=call.get("id"))
    if call.has("name"):
        regions = regions.filter(name__iexact=call.get("name"))
    return call.page(regions, region_response)


@command(
    "addRegion",
    description="Adds a region to the registry.",
    params=[
        Param("id", "integer", required=True, description="Id of the region, cloud-wide."),
        Param("name", required=True, description="Name of the region."),
        Param("endpoint", required=True, description="URL of the region's portal."),
    ],
    roles=ROOT_ONLY,
    response=REGION_FIELDS,
)
def add_region(call: Call) -> dict[str, Any]:
    region = services.region_create(
        id=call.get("id"), name=call.get("name"), endpoint=call.get("endpoint"), by=call.actor
    )
    return {"region": region_response(region)}


@command(
    "updateRegion",
    description="Updates a region's name or endpoint.",
    params=[
        Param("id", "integer", required=True, description="Id of the region."),
        Param("name", description="New name of the region."),
        Param("endpoint", description="New endpoint of the region."),
    ],
    roles=ROOT_ONLY,
    response=REGION_FIELDS,
)
def update_region(call: Call) -> dict[str, Any]:
    region = services.region_update(
        region=_region(call), **call.given({"name": "name", "endpoint": "endpoint"}), by=call.actor
    )
    return {"region": region_response(region)}


@command(
    "removeRegion",
    description="Removes a region from the registry.",
    params=[Param("id", "integer", required=True, description="Id of the region.")],
    roles=ROOT_ONLY,
    response=("success",),
)
def remove_region(call: Call) -> dict[str, Any]:
    services.region_delete(region=_region(call), by=call.actor)
    return {"success": True}
