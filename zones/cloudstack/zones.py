"""CloudStack API commands for zones: listZones, createZone, updateZone, deleteZone.

listZones answers the zones of this portal's region only: every region serves its own.
"""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.params import id_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from zones import services
from zones.cloudstack.capacity import capacities_shown
from zones.models import AllocationState, NetworkType, Zone
from zones.selectors import zone_vlan_text, zones_filtered, zones_visible_to

ZONE_FIELDS = (
    "id",
    "name",
    "description",
    "dns1",
    "dns2",
    "internaldns1",
    "internaldns2",
    "guestcidraddress",
    "vlan",
    "networktype",
    "allocationstate",
    "securitygroupsenabled",
    "localstorageenabled",
    "type",
    "tags",
    "capacity",
)
_DESCRIPTION_LENGTH = Zone._meta.get_field("description").max_length


# Parameters createZone and updateZone share (optional in both).
_ZONE_OPTIONAL = (
    Param("internaldns2", description="The second internal DNS server.", field="internal_dns2"),
    Param(
        "guestcidraddress",
        description="The guest CIDR of an advanced zone.",
        field="guest_cidr",
    ),
    Param(
        "vlan",
        description="The guest VLAN ranges of an advanced zone, such as 100-199,300-349.",
    ),
    Param("allocationstate", description="Enabled or Disabled.", field="allocation_state"),
    Param("description", description="A description of the zone.", length=_DESCRIPTION_LENGTH),
)
#: the parameters createZone and updateZone pass on as they are
_ZONE_FIELDS = ("name", "description", "dns1", "dns2", "internaldns1", "internaldns2",
                "guestcidraddress", "vlan")  # fmt: skip


def zone_response(zone: Zone, *, full: bool = True) -> dict[str, Any]:
    """A zone; FULL (root admins) adds the internal DNS, guest CIDR and guest VLAN ranges,
    as CloudStack does."""
    body: dict[str, Any] = {
        "id": str(zone.pk),
        "name": zone.name,
        "description": zone.description,
        "dns1": zone.dns1,
        "dns2": zone.dns2,
        "networktype": zone.network_type,
        "allocationstate": zone.allocation_state,
        "securitygroupsenabled": False,
        "localstorageenabled": False,
        "type": "Core",
        "tags": [],
    }
    if full:
        body.update(
            internaldns1=zone.internal_dns1,
            internaldns2=zone.internal_dns2,
            guestcidraddress=zone.guest_cidr or None,
            vlan=zone_vlan_text(zone) or None,
        )
    return body


def _zones(call: Call):
    region_id = call.region.pk if call.region is not None else None
    # The answers never show the region row, so do not fetch it with every zone.
    return zones_visible_to(actor=call.actor, region_id=region_id).select_related(None)


def _render(call: Call):
    full = call.actor.is_root_admin
    return lambda zone: zone_response(zone, full=full)


@command(
    "listZones",
    description="Lists the zones of this region.",
    params=[
        id_param("zone", required=False),
        Param("name", description="The name of the zone."),
        Param(
            "networktype",
            description="The network type of the zone: Basic or Advanced.",
            field="network_type",
        ),
        Param("available", "boolean", description="Accepted for compatibility."),
        Param("showcapacities", "boolean", description="Answer each zone's capacities too."),
    ],
    list_key="zone",
    response=ZONE_FIELDS,
)
def list_zones(call: Call) -> ListResult:
    filters = call.fields("name", "networktype")
    # The answers never show the region row, so do not fetch it with every zone.
    zones = zones_filtered(actor=call.actor, filters=filters, lenient=True).select_related(None)
    if call.actor.is_root_admin:  # their answers show the guest VLAN ranges
        zones = zones.prefetch_related("guest_vlan_ranges")
    if call.region is not None:
        zones = zones.filter(region_id=call.region.pk)  # this region's zones only
    if call.has("id"):
        zones = zones.filter(pk=call.get("id"))
    return capacities_shown(call, call.page(zones, _render(call), keyword=("name", "description")))


@command(
    "createZone",
    description="Creates a zone in this region.",
    params=[
        Param("name", required=True, description="The name of the zone."),
        Param("dns1", required=True, description="The first DNS server of the zone."),
        Param(
            "internaldns1",
            required=True,
            description="The first internal DNS server.",
            field="internal_dns1",
        ),
        Param(
            "networktype",
            required=True,
            description="Network type: Basic or Advanced.",
            field="network_type",
        ),
        Param("dns2", description="The second DNS server of the zone."),
        *_ZONE_OPTIONAL,
    ],
    roles=ROOT_ONLY,
    response=ZONE_FIELDS,
)
def create_zone(call: Call) -> dict[str, Any]:
    kwargs = call.fields(*_ZONE_FIELDS)
    kwargs["network_type"] = call.choice("networktype", NetworkType)
    if call.has("allocationstate"):
        kwargs["allocation_state"] = call.choice("allocationstate", AllocationState)
    zone = services.zone_create(**kwargs, by=call.actor)
    return {"zone": zone_response(zone)}


@command(
    "updateZone",
    description="Updates a zone of this region.",
    params=[
        id_param("zone"),
        Param("name", description="The new name of the zone."),
        Param("dns1", description="The first DNS server."),
        Param("dns2", description="The second DNS server."),
        Param("internaldns1", description="The first internal DNS server.", field="internal_dns1"),
        *_ZONE_OPTIONAL,
    ],
    roles=ROOT_ONLY,
    response=ZONE_FIELDS,
)
def update_zone(call: Call) -> dict[str, Any]:
    zone = call.find(_zones(call))
    kwargs = call.fields(*_ZONE_FIELDS)
    if call.has("allocationstate"):
        kwargs["allocation_state"] = call.choice("allocationstate", AllocationState)
    zone = services.zone_update(zone=zone, **kwargs, by=call.actor)
    return {"zone": zone_response(zone)}


@command(
    "deleteZone",
    description="Deletes a zone of this region.",
    params=[id_param("zone")],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_zone(call: Call) -> dict[str, Any]:
    services.zone_delete(zone=call.find(_zones(call)), by=call.actor)
    return success()
