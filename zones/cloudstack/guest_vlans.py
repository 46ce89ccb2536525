"""CloudStack API commands for dedicated guest VLAN ranges: dedicateGuestVlanRange,
listDedicatedGuestVlanRanges, releaseDedicatedGuestVlanRange (async, as in CloudStack);
root admins only.

CloudStack keeps a zone's guest VLAN ranges on its physical networks and names one by
`physicalnetworkid`; a zone here has one, so the zone stands for it: `zoneid` (or
`physicalnetworkid`, taken as the zone's id) names it, and answers carry the zone's id in
both. Answers are CloudStack's GuestVlanRangeResponse: the range as "start-end" in
`guestvlanrange` and its account. Dedication to a project is not here.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult
from portal.cloudstack.jobs import delete_run, object_job_start
from portal.cloudstack.params import id_param, list_id_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from portal.cloudstack.scope import account_by_name, domain_param
from zones import services
from zones.models import DedicatedGuestVlanRange
from zones.selectors import (
    dedicated_guest_vlan_ranges_filtered,
    dedicated_guest_vlan_ranges_visible_to,
    zones_visible_to,
)

DEDICATED_FIELDS = (
    "id",
    "guestvlanrange",
    "account",
    "domainid",
    "domain",
    "zoneid",
    "physicalnetworkid",
)
_ZONE_PARAMS = ("zoneid", "physicalnetworkid")


def dedicated_response(dedication: DedicatedGuestVlanRange) -> dict[str, Any]:
    account = dedication.account
    return {
        "id": str(dedication.pk),
        "guestvlanrange": str(dedication),
        "account": account.name,
        "domainid": str(account.domain_id),
        "domain": account.domain.name,
        "zoneid": str(dedication.zone_id),
        "physicalnetworkid": str(dedication.zone_id),
    }


def _zone_params(*, listing: bool) -> list[Param]:
    whose = "List the dedications of this zone." if listing else "The zone of the VLANs."
    return [
        Param("zoneid", "uuid", description=whose, field="zone"),
        Param("physicalnetworkid", "uuid", description="The zone's id, as zoneid."),
    ]


def _zone(call: Call, *, required: bool) -> Any:
    """The zone `zoneid` or `physicalnetworkid` names (both: the same one)."""
    zones = zones_visible_to(actor=call.actor)
    found = [call.find(zones, name) for name in _ZONE_PARAMS if call.has(name)]
    if not found:
        if required:
            raise call.missing("zoneid")
        return None
    if len({zone.pk for zone in found}) > 1:
        raise call.invalid("physicalnetworkid", "zoneid and physicalnetworkid name two zones.")
    return found[0]


@command(
    "dedicateGuestVlanRange",
    description="Dedicates guest VLANs of a zone of this region to an account.",
    params=[
        Param(
            "vlanrange",
            required=True,
            description="The VLANs: start-end, within one of the zone's guest VLAN ranges.",
            field="vlan_range",
        ),
        Param("account", required=True, description="The account (with domainid)."),
        Param("domainid", "uuid", description="The account's domain."),
        *_zone_params(listing=False),
    ],
    roles=ROOT_ONLY,
    response=DEDICATED_FIELDS,
)
def dedicate_guest_vlan_range(call: Call) -> dict[str, Any]:
    zone = _zone(call, required=True)
    account = account_by_name(call, required=True)
    dedication = services.guest_vlan_range_dedicate(
        zone=zone, vlan_range=call.get("vlanrange"), account=account, by=call.actor
    )
    return {"dedicatedguestvlanrange": dedicated_response(dedication)}


_SPAN = re.compile(r"\s*(\d{1,4})\s*-\s*(\d{1,4})\s*", re.ASCII)


def _of_range(rows: QuerySet, text: str) -> QuerySet:
    """ROWS dedicating the VLANs TEXT ("start-end") names; none for other text."""
    found = _SPAN.fullmatch(text)
    if found is None:
        return rows.none()
    return rows.filter(start=int(found.group(1)), end=int(found.group(2)))


@command(
    "listDedicatedGuestVlanRanges",
    description="Lists the dedicated guest VLAN ranges of this region's zones.",
    params=[
        list_id_param("dedicated range"),
        Param("guestvlanrange", description="List the dedication of these VLANs: start-end."),
        Param("vlanrange", description="As guestvlanrange."),
        Param("account", description="List the dedications to this account (with domainid)."),
        Param("domainid", "uuid", description="List the dedications to accounts of this domain."),
        *_zone_params(listing=True),
    ],
    roles=ROOT_ONLY,
    list_key="dedicatedguestvlanrange",
    response=DEDICATED_FIELDS,
)
def list_dedicated_guest_vlan_ranges(call: Call) -> ListResult:
    filters = {}
    zone = _zone(call, required=False)
    if zone is not None:
        filters["zone"] = str(zone.pk)
    account = account_by_name(call, required=False)
    if account is not None:
        filters["account"] = str(account.pk)
    elif call.has("domainid"):
        filters["domain"] = str(domain_param(call).pk)
    rows = dedicated_guest_vlan_ranges_filtered(actor=call.actor, filters=filters, lenient=True)
    for name in ("guestvlanrange", "vlanrange"):
        if call.has(name):
            rows = _of_range(rows, call.get(name))
    if call.has("id"):
        rows = rows.filter(pk=call.get("id"))
    return call.page(rows, dedicated_response, keyword=("account__name", "zone__name"))


@command(
    "releaseDedicatedGuestVlanRange",
    description="Releases a dedicated guest VLAN range: its VLANs are any account's again.",
    params=[id_param("dedicated guest VLAN range")],
    roles=ROOT_ONLY,
    is_async=True,
    run=delete_run(
        DedicatedGuestVlanRange, services.guest_vlan_range_release, keyword="dedication"
    ),
    response=SUCCESS_FIELDS,
)
def release_dedicated_guest_vlan_range(call: Call) -> JobStarted:
    found = call.find(dedicated_guest_vlan_ranges_visible_to(actor=call.actor), "id")
    return object_job_start(call, found)
