"""Dedicated guest VLAN ranges (CloudStack's dedicateGuestVlanRange and
releaseDedicatedGuestVlanRange): VLANs of a zone's guest VLAN ranges kept for one account's
networks; only in this region's zones. Writes lock the zone, as a change of its guest VLAN
ranges does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import invalid
from zones.models import DedicatedGuestVlanRange, Zone
from zones.services.guest_vlans import spans_text, vlan_ranges_parse, within
from zones.services.locking import row_locked
from zones.services.zones import zone_is_local

if TYPE_CHECKING:
    from identity.models import Account, User


def dedication_zone_check(*, zone: Zone) -> None:
    """Refuse dedications in a zone of another region."""
    if not zone_is_local(zone):
        raise invalid(
            "zone", "Guest VLANs are dedicated by the portal of their zone's region.", "remote"
        )


@atomic_write
def guest_vlan_range_dedicate(
    *, zone: Zone, vlan_range: str, account: Account, by: User | None
) -> DedicatedGuestVlanRange:
    """Dedicate VLAN_RANGE ("start-end") of ZONE's guest VLANs to ACCOUNT: within one of the
    zone's ranges, overlapping no other dedication, none of its VLANs allocated to another
    account."""
    require(by, Action.ADD, DedicatedGuestVlanRange)
    dedication_zone_check(zone=zone)
    zone = row_locked(zone, "zone")
    spans = vlan_ranges_parse("vlan_range", vlan_range, required=True)
    if len(spans) != 1:
        raise invalid("vlan_range", "Give one range of VLANs: start-end, such as 100-109.")
    ((start, end),) = spans
    ranges = [(row.start, row.end) for row in zone.guest_vlan_ranges.all()]
    if not any(low <= start and end <= high for low, high in ranges):
        raise invalid(
            "vlan_range",
            f"VLANs {start}-{end} are not within one of zone {zone.name}'s guest VLAN ranges "
            f"({spans_text(ranges) or 'none'}).",
        )
    for other in zone.dedicated_guest_vlan_ranges.select_related("account"):
        if other.start <= end and start <= other.end:
            raise invalid(
                "vlan_range",
                f"VLANs {start}-{end} overlap {other}, dedicated to account {other.account.name}.",
                "overlap",
            )
    taken = (
        zone.guest_vlans.filter(within(spans), account__isnull=False)
        .exclude(account=account)
        .order_by("vnet")
        .first()
    )
    if taken is not None:
        raise invalid("vlan_range", f"VLAN {taken.vnet} is allocated to another account.", "in_use")
    return DedicatedGuestVlanRange.objects.create(zone=zone, start=start, end=end, account=account)


@atomic_write
def guest_vlan_range_release(*, dedication: DedicatedGuestVlanRange, by: User | None) -> None:
    """End DEDICATION: its VLANs are any account's again."""
    require(by, Action.DELETE, dedication)
    dedication_zone_check(zone=dedication.zone)
    row_locked(dedication.zone, "zone")
    dedication.delete()
