"""A zone's guest VLAN ranges: the text createZone and updateZone take as `vlan`
("100-199,300-349", as CloudStack keeps a physical network's vnet), kept as rows of
GuestVlanRange, and each VLAN of them as a row of GuestVlan, so that allocation can be
counted and locked. Called by the zone's writes (zones/services/zones.py), which hold the
zone."""

from __future__ import annotations

import re
from functools import reduce
from itertools import pairwise
from operator import or_

from django.db.models import Q

from portal.validation import check_length, invalid
from zones.models import (
    UNTAGGED,
    VLAN_MAX,
    VLAN_MIN,
    GuestVlan,
    GuestVlanRange,
    Zone,
)
from zones.services.locking import row_locked

#: a range as (start, end), both included
Span = tuple[int, int]

_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", re.ASCII)
#: the longest `vlan` text (CloudStack's parameter length)
MAX_LENGTH = 255


def spans_text(spans: list[Span]) -> str:
    """SPANS as CloudStack writes a vnet range: "100-199,300-349"."""
    return ",".join(f"{start}-{end}" for start, end in spans)


def vlan_ranges_parse(field: str, text: str | None, *, required: bool = False) -> list[Span]:
    """TEXT ("start-end[,start-end...]"; a lone id is a range of one) as its ranges in
    order, each within 1-4094 and starting no later than it ends, none overlapping another;
    none for an empty TEXT (unless REQUIRED). Errors name FIELD."""
    text = check_length(field, text or "", max_length=MAX_LENGTH, required=required)
    if not text:
        return []
    spans = []
    for part in text.split(","):
        found = _RANGE.fullmatch(part)
        if found is None:
            raise invalid(
                field,
                f"{part.strip()!r} is not a VLAN range: start-end (such as 100-199), ranges "
                "separated by commas.",
            )
        start, end = int(found.group(1)), int(found.group(2) or found.group(1))
        for number in (start, end):
            if not VLAN_MIN <= number <= VLAN_MAX:
                raise invalid(field, f"VLAN id {number} is out of {VLAN_MIN}-{VLAN_MAX}.")
        if end < start:
            raise invalid(field, f"The VLAN range {start}-{end} ends before it starts.")
        spans.append((start, end))
    spans.sort()
    for before, after in pairwise(spans):
        if after[0] <= before[1]:
            raise invalid(
                field,
                f"The VLAN ranges {spans_text([before])} and {spans_text([after])} overlap.",
                "overlap",
            )
    return spans


def within(spans: list[Span]) -> Q:
    """The GuestVlan rows whose VLAN lies in SPANS."""
    return reduce(or_, (Q(vnet__gte=start, vnet__lte=end) for start, end in spans), Q(pk__in=[]))


def _listed(vnets: list[int]) -> str:
    shown = ", ".join(map(str, vnets[:10]))
    return shown + (f" and {len(vnets) - 10} more" if len(vnets) > 10 else "")


def _check_leaving(zone: Zone, spans: list[Span]) -> list[int]:
    """The VLANs of ZONE that SPANS leave out, locked: refused if one is allocated or
    dedicated (they stay)."""
    leaving = list(
        zone.guest_vlans.exclude(within(spans))
        .select_for_update()
        .order_by("vnet")
        .values_list("vnet", "account_id")
    )
    held = [vnet for vnet, account in leaving if account is not None]
    if held:
        raise invalid(
            "vlan",
            f"Guest VLAN(s) {_listed(held)} are allocated; they stay in the zone's ranges.",
            "in_use",
        )
    for dedication in zone.dedicated_guest_vlan_ranges.select_related("account"):
        if not any(start <= dedication.start and dedication.end <= end for start, end in spans):
            raise invalid(
                "vlan",
                f"Guest VLANs {dedication} are dedicated to account {dedication.account.name}; "
                "release them first.",
                "in_use",
            )
    return [vnet for vnet, _account in leaving]


def _check_public(zone: Zone, spans: list[Span]) -> None:
    """Refuse SPANS holding the VLAN of one of ZONE's public IP ranges."""
    for ip_range in zone.ip_ranges.exclude(vlan=UNTAGGED):
        vnet = int(ip_range.vlan.removeprefix("vlan://"))
        if any(start <= vnet <= end for start, end in spans):
            raise invalid(
                "vlan",
                f"VLAN {vnet} carries public IP range {ip_range}; it cannot be a guest VLAN.",
            )


def guest_vlans_set(zone: Zone, spans: list[Span]) -> None:
    """Make SPANS ZONE's guest VLAN ranges: the ranges and VLANs no longer given go (refused
    while one is allocated or dedicated), the new ones are made. ZONE is locked first, as
    dedications and public IP ranges lock it."""
    zone = row_locked(zone, "zone")
    _check_public(zone, spans)
    leaving = _check_leaving(zone, spans)
    if leaving:
        zone.guest_vlans.filter(vnet__in=leaving).delete()
    wanted = set(spans)
    for kept in zone.guest_vlan_ranges.all():
        if (kept.start, kept.end) not in wanted:
            kept.delete()
    present = set(zone.guest_vlan_ranges.values_list("start", "end"))
    for start, end in spans:
        if (start, end) not in present:
            GuestVlanRange.objects.create(zone=zone, start=start, end=end)
    existing = set(zone.guest_vlans.values_list("vnet", flat=True))
    GuestVlan.objects.bulk_create(
        GuestVlan(zone=zone, vnet=vnet)
        for start, end in spans
        for vnet in range(start, end + 1)
        if vnet not in existing
    )
