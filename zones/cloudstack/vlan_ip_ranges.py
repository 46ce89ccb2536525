"""CloudStack API commands for public IP ranges: createVlanIpRange, listVlanIpRanges,
deleteVlanIpRange (root admins only, as in CloudStack).

Answers are CloudStack's VlanIpRangeResponse: the range's VLAN as CloudStack keeps it
("vlan://100", or "untagged"), its subnet (gateway, netmask, cidr), its ends, its zone and
(a Basic zone's direct range) pod, and `description`, the range as "startip-endip", as
CloudStack's answers have long carried it. createVlanIpRange answers the object under
"vlan", listVlanIpRanges a list under "vlaniprange". Ranges are IPv4, for the zone (not
dedicated to an account or domain), never for system VMs.
"""

from __future__ import annotations

from ipaddress import IPv4Network
from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.params import id_param, list_id_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from zones import services
from zones.models import VlanIpRange
from zones.selectors import (
    pods_visible_to,
    vlan_ip_ranges_filtered,
    vlan_ip_ranges_visible_to,
    zones_visible_to,
)

VLAN_IP_RANGE_FIELDS = (
    "id",
    "forvirtualnetwork",
    "zoneid",
    "vlan",
    "podid",
    "podname",
    "description",
    "gateway",
    "netmask",
    "cidr",
    "startip",
    "endip",
    "forsystemvms",
)


def vlan_ip_range_response(ip_range: VlanIpRange) -> dict[str, Any]:
    pod = ip_range.pod
    return {
        "id": str(ip_range.pk),
        "forvirtualnetwork": ip_range.for_virtual_network,
        "zoneid": str(ip_range.zone_id),
        "vlan": ip_range.vlan,
        "podid": str(pod.pk) if pod is not None else None,
        "podname": pod.name if pod is not None else None,
        "description": str(ip_range),
        "gateway": ip_range.gateway,
        "netmask": ip_range.netmask,
        "cidr": str(IPv4Network(f"{ip_range.gateway}/{ip_range.netmask}", strict=False)),
        "startip": ip_range.start_ip,
        "endip": ip_range.end_ip,
        "forsystemvms": False,
    }


def _zone_and_pod(call: Call) -> tuple[Any, Any]:
    """The zone and pod the call names: `zoneid`, else the pod's zone (CloudStack's way)."""
    pod = call.find(pods_visible_to(actor=call.actor), "podid", required=False)
    if pod is not None and not call.has("zoneid"):
        return pod.zone, pod
    zone = call.find(zones_visible_to(actor=call.actor), "zoneid")
    return zone, pod


@command(
    "createVlanIpRange",
    description="Creates a range of public IP addresses in a zone of this region.",
    params=[
        Param(
            "zoneid", "uuid", description="The zone of the range (else the pod's).", field="zone"
        ),
        Param(
            "podid",
            "uuid",
            description="The pod of a Basic zone's direct range (only those have one).",
            field="pod",
        ),
        Param("vlan", description="The VLAN id (100 or vlan://100); untagged if not given."),
        Param("gateway", required=True, description="The gateway of the range's subnet."),
        Param("netmask", required=True, description="The netmask of the range's subnet."),
        Param("startip", required=True, description="The first address.", field="start_ip"),
        Param(
            "endip",
            description="The last address (the start IP alone if not given).",
            field="end_ip",
        ),
        Param(
            "forvirtualnetwork",
            "boolean",
            description="For guest networks (true, the default) or for VMs attached directly.",
            field="for_virtual_network",
        ),
    ],
    roles=ROOT_ONLY,
    response=VLAN_IP_RANGE_FIELDS,
)
def create_vlan_ip_range(call: Call) -> dict[str, Any]:
    zone, pod = _zone_and_pod(call)
    kwargs = call.fields("vlan", "gateway", "netmask", "startip", "endip", "forvirtualnetwork")
    ip_range = services.vlan_ip_range_create(zone=zone, pod=pod, **kwargs, by=call.actor)
    return {"vlan": vlan_ip_range_response(ip_range)}


@command(
    "listVlanIpRanges",
    description="Lists the public IP ranges of this region's zones.",
    params=[
        list_id_param("range"),
        Param("zoneid", "uuid", description="List the ranges of this zone.", field="zone"),
        Param("podid", "uuid", description="List the ranges of this pod.", field="pod"),
        Param("vlan", description="List the ranges of this VLAN (100, vlan://100, untagged)."),
        Param(
            "forvirtualnetwork",
            "boolean",
            description="List the ranges for virtual networks (true) or direct ones (false).",
            field="for_virtual_network",
        ),
    ],
    roles=ROOT_ONLY,
    list_key="vlaniprange",
    response=VLAN_IP_RANGE_FIELDS,
)
def list_vlan_ip_ranges(call: Call) -> ListResult:
    # A zone or pod that is not there is an invalid value, as in CloudStack, not an empty list.
    call.find(zones_visible_to(actor=call.actor), "zoneid", required=False)
    call.find(pods_visible_to(actor=call.actor), "podid", required=False)
    filters = call.fields("zoneid", "podid", "vlan")
    if call.has("forvirtualnetwork"):
        filters["for_virtual_network"] = str(call.get("forvirtualnetwork"))
    ranges = vlan_ip_ranges_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        ranges = ranges.filter(pk=call.get("id"))
    keyword = ("start_ip", "end_ip", "gateway", "vlan")
    return call.page(ranges, vlan_ip_range_response, keyword=keyword)


@command(
    "deleteVlanIpRange",
    description="Deletes a public IP range of this region, once none of its addresses is "
    "allocated.",
    params=[id_param("range")],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_vlan_ip_range(call: Call) -> dict[str, Any]:
    ip_range = call.find(vlan_ip_ranges_visible_to(actor=call.actor), "id")
    services.vlan_ip_range_delete(vlan_ip_range=ip_range, by=call.actor)
    return success()
