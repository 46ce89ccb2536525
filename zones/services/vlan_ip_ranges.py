"""Public IP range writes (CloudStack's createVlanIpRange and deleteVlanIpRange): a range of
a zone's public addresses on one VLAN, each address a row of PublicIpAddress made with it;
only in this region's zones.

A range's writes lock its zone first, so two ranges of one zone (or a range and a pod, a
guest VLAN range) are checked one after the other, and a zone or pod being deleted sees the
ranges added meanwhile.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Any

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import NON_FIELD, check_length, invalid
from zones.models import (
    UNTAGGED,
    VLAN_MAX,
    VLAN_MIN,
    IpAddressState,
    NetworkType,
    Pod,
    PublicIpAddress,
    VlanIpRange,
    Zone,
)
from zones.services.locking import row_locked
from zones.services.subnets import Subnet, other_span, subnet_range
from zones.services.zones import zone_is_local

if TYPE_CHECKING:
    from identity.models import User

#: the most addresses one range holds (a /16), each a row
MAX_ADDRESSES = 65_536
_VLAN = re.compile(r"(?:vlan://)?(\d+)", re.ASCII | re.IGNORECASE)
_BATCH = 5_000


def vlan_ip_range_zone_check(*, zone: Zone) -> None:
    """Refuse public IP ranges of a zone of another region (the range pages ask it too, to
    offer Delete only for ranges of this region's zones)."""
    if not zone_is_local(zone):
        raise invalid(
            "zone", "Public IP ranges are managed by the portal of their zone's region.", "remote"
        )


def check_vlan(value: Any) -> str:
    """VALUE as CloudStack keeps a range's VLAN: "untagged" (empty, "untagged"), else
    "vlan://<id>" for an id from 1 to 4094 (given as "100" or "vlan://100")."""
    text = check_length("vlan", "" if value is None else str(value), max_length=32, required=False)
    if text.lower() in ("", UNTAGGED, f"vlan://{UNTAGGED}"):
        return UNTAGGED
    found = _VLAN.fullmatch(text)
    if found is None:
        raise invalid("vlan", f"{text!r} is not a VLAN: an id from 1 to 4094, or untagged.")
    number = int(found.group(1))
    if not VLAN_MIN <= number <= VLAN_MAX:
        raise invalid("vlan", f"VLAN id {number} is out of {VLAN_MIN}-{VLAN_MAX}.")
    return f"vlan://{number}"


def _check_placement(zone: Zone, pod: Pod | None, vlan: str, virtual: bool) -> None:
    """A Basic zone's direct ranges belong to a pod and are untagged; its virtual ones
    (elastic IPs) are the zone's; an Advanced zone's ranges are the zone's, and its direct
    ones are on a VLAN (CloudStack's rules)."""
    if pod is not None and pod.zone_id != zone.pk:
        raise invalid("pod", f"Pod {pod.name} is not in zone {zone.name}.")
    basic_direct = zone.network_type == NetworkType.BASIC and not virtual
    if basic_direct and pod is None:
        raise invalid("pod", "A Basic zone's direct IP ranges belong to a pod; choose one.")
    if not basic_direct and pod is not None:
        raise invalid("pod", "Only a Basic zone's direct IP ranges belong to a pod.")
    if basic_direct and vlan != UNTAGGED:
        raise invalid("vlan", "A Basic zone's direct IP ranges are untagged.")
    if zone.network_type == NetworkType.ADVANCED and not virtual and vlan == UNTAGGED:
        raise invalid("vlan", "An Advanced zone's direct IP ranges need a VLAN id.")


def _check_guest_vlans(zone: Zone, vlan: str) -> None:
    if vlan == UNTAGGED:
        return
    vnet = int(vlan.removeprefix("vlan://"))
    guest = zone.guest_vlan_ranges.filter(start__lte=vnet, end__gte=vnet).first()
    if guest is not None:
        raise invalid(
            "vlan", f"VLAN {vnet} is in the zone's guest VLAN range {guest}; choose another."
        )


def _check_neighbours(zone: Zone, pod: Pod | None, vlan: str, subnet: Subnet) -> None:
    """SUBNET's range overlapping no other range of ZONE nor a pod's private range; on a
    segment (a VLAN, or untagged in a pod or zone-wide) one subnet, and subnets of other
    segments not overlapping it."""
    subnet.check_apart(zone.ip_ranges.all(), lambda other: f"public IP range {other}")
    mine = (subnet.values["gateway"], subnet.values["netmask"])
    for other in zone.ip_ranges.all():
        theirs = IPv4Network(f"{other.gateway}/{other.netmask}", strict=False)
        same = other.vlan == vlan and (vlan != UNTAGGED or other.pod_id == getattr(pod, "pk", None))
        if same and (other.gateway, other.netmask) != mine:
            raise invalid(
                "vlan",
                f"VLAN {vlan} carries range {other} of subnet {theirs} (gateway "
                f"{other.gateway}, netmask {other.netmask}); a range on it has the same.",
            )
        if not same and theirs.overlaps(subnet.network):
            raise invalid(
                "gateway",
                f"The subnet {subnet.network} overlaps the subnet {theirs} of range {other} "
                f"on VLAN {other.vlan}.",
                "overlap",
            )
    subnet.check_apart(
        zone.pods.all(), lambda other: f"pod {other.name}'s private range {other_span(other)}"
    )


@atomic_write
def vlan_ip_range_create(
    *,
    zone: Zone,
    gateway: str,
    netmask: str,
    start_ip: str,
    end_ip: str | None = None,
    vlan: str | None = None,
    pod: Pod | None = None,
    for_virtual_network: bool = True,
    by: User | None,
) -> VlanIpRange:
    """A public IP range START_IP to END_IP (START_IP alone without END_IP) of ZONE on VLAN
    (untagged if not given), with a row for each of its addresses, all free. For guest
    networks (FOR_VIRTUAL_NETWORK, CloudStack's default) or for VMs attached directly."""
    require(by, Action.ADD, VlanIpRange)
    vlan_ip_range_zone_check(zone=zone)
    zone = row_locked(zone, "zone")
    if not isinstance(for_virtual_network, bool):
        raise invalid("for_virtual_network", "Must be true or false.")
    vlan = check_vlan(vlan)
    _check_placement(zone, pod, vlan, for_virtual_network)
    subnet = subnet_range(
        gateway=gateway, netmask=netmask, start_ip=start_ip, end_ip=end_ip, whose="the range's"
    )
    if subnet.size > MAX_ADDRESSES:
        raise invalid(
            "end_ip",
            f"The range {subnet.span} holds {subnet.size:,} addresses; a range holds at most "
            f"{MAX_ADDRESSES:,}.",
        )
    _check_guest_vlans(zone, vlan)
    _check_neighbours(zone, pod, vlan, subnet)
    ip_range = VlanIpRange.objects.create(
        zone=zone, pod=pod, vlan=vlan, for_virtual_network=for_virtual_network, **subnet.values
    )
    PublicIpAddress.objects.bulk_create(
        (
            PublicIpAddress(range=ip_range, zone=zone, address=str(IPv4Address(number)))
            for number in range(int(subnet.start), int(subnet.end) + 1)
        ),
        batch_size=_BATCH,
    )
    return ip_range


def _refuse_allocated(ip_range: VlanIpRange) -> None:
    held = ip_range.addresses.exclude(state=IpAddressState.FREE).count()
    if held:
        raise invalid(
            NON_FIELD,
            f"{held} address(es) of public IP range {ip_range} are allocated; release them first.",
            "in_use",
        )


@atomic_write
def vlan_ip_range_delete(*, vlan_ip_range: VlanIpRange, by: User | None) -> None:
    """Delete VLAN_IP_RANGE with its addresses, refused while one is allocated (or being
    released). Its free addresses go first: one allocated meanwhile is no longer free, stays,
    and is counted."""
    require(by, Action.DELETE, vlan_ip_range)
    vlan_ip_range_zone_check(zone=vlan_ip_range.zone)
    ip_range = row_locked(vlan_ip_range, NON_FIELD)
    _refuse_allocated(ip_range)
    ip_range.addresses.filter(state=IpAddressState.FREE).delete()
    _refuse_allocated(ip_range)
    ip_range.delete()
