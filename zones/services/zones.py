"""Zone writes; only the zones of this portal's own region can be managed here. A zone's
guest VLAN ranges (`vlan`) are written with it (zones/services/guest_vlans.py)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.text import capfirst

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import NON_FIELD, check_choice, check_ip, check_length, invalid
from portal.writes import save_changed, unique_name
from regions.selectors import region_local
from zones.models import AllocationState, NetworkType, Zone
from zones.services.guest_vlans import Span, guest_vlans_set, vlan_ranges_parse
from zones.services.locking import row_locked

if TYPE_CHECKING:
    from identity.models import User

DEFAULT_GUEST_CIDR = "10.1.1.0/24"  # CloudStack's default for advanced zones

M = TypeVar("M", bound=Model)


def _check_cidr(network_type: str, guest_cidr: str) -> str:
    guest_cidr = (guest_cidr or "").strip()
    if network_type == NetworkType.BASIC:
        if guest_cidr:
            raise invalid("guest_cidr", "Basic zones have no guest CIDR; leave it empty.")
        return ""
    if not guest_cidr:
        return DEFAULT_GUEST_CIDR
    try:
        if "/" not in guest_cidr:  # ip_network would take a bare address as a /32
            raise ValueError(guest_cidr)
        network = ipaddress.ip_network(guest_cidr, strict=True)
    except ValueError as error:
        raise invalid(
            "guest_cidr", f"{guest_cidr!r} is not a network in CIDR form such as 10.1.1.0/24."
        ) from error
    if network.version != 4:
        raise invalid("guest_cidr", "The guest CIDR must be an IPv4 network.")
    return str(network)


def _check_vlan(network_type: str, vlan: str | None) -> list[Span]:
    spans = vlan_ranges_parse("vlan", vlan)
    if spans and network_type == NetworkType.BASIC:
        raise invalid("vlan", "Basic zones have no guest VLAN range; leave it empty.")
    return spans


def zone_is_local(zone: Zone) -> bool:
    """Whether ZONE is one of this portal's region's zones (the only ones managed here)."""
    local = region_local()
    return local is not None and zone.region_id == local.pk


def zone_manage_check(*, zone: Zone) -> None:
    """Refuse changing or deleting a zone of another region here (zone pages ask it too, to
    offer Edit and Delete only for this region's zones)."""
    if not zone_is_local(zone):
        raise invalid("region", "Zones are managed by the portal of their own region.", "remote")


@atomic_write
def zone_create(
    *,
    name: str,
    dns1: str,
    internal_dns1: str,
    network_type: str = NetworkType.ADVANCED,
    description: str = "",
    dns2: str | None = None,
    internal_dns2: str | None = None,
    guest_cidr: str = "",
    vlan: str = "",
    allocation_state: str = AllocationState.DISABLED,
    by: User | None,
) -> Zone:
    """A zone of this region; VLAN, its guest VLAN ranges ("100-199,300-349"), in an
    Advanced zone only."""
    require(by, Action.ADD, Zone)
    region = region_local()
    if region is None:
        raise invalid("region", "Define this portal's region before creating zones.", "no_region")
    network_type = check_choice("network_type", network_type, NetworkType)
    spans = _check_vlan(network_type, vlan)
    zone = Zone.objects.create(
        region=region,
        name=unique_name(Zone.objects.all(), name),
        description=check_length("description", description, max_length=1024, required=False),
        network_type=network_type,
        dns1=check_ip("dns1", dns1),
        dns2=check_ip("dns2", dns2, required=False),
        internal_dns1=check_ip("internal_dns1", internal_dns1),
        internal_dns2=check_ip("internal_dns2", internal_dns2, required=False),
        guest_cidr=_check_cidr(network_type, guest_cidr),
        allocation_state=check_choice("allocation_state", allocation_state, AllocationState),
    )
    if spans:
        guest_vlans_set(zone, spans)
    return zone


_UNSET: Any = object()


@atomic_write
def zone_update(
    *,
    zone: Zone,
    by: User | None,
    name: str | None = None,
    description: str | None = None,
    dns1: str | None = None,
    dns2: str | None = _UNSET,
    internal_dns1: str | None = None,
    internal_dns2: str | None = _UNSET,
    guest_cidr: str | None = None,
    vlan: str | None = None,
    allocation_state: str | None = None,
) -> Zone:
    """Change ZONE; the network type is fixed once a zone exists, as in CloudStack. VLAN
    replaces the guest VLAN ranges ("" removes them), refused while a VLAN it leaves out is
    allocated or dedicated."""
    require(by, Action.CHANGE, zone)
    zone_manage_check(zone=zone)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = unique_name(Zone.objects.all(), name, exclude=zone)
    if description is not None:
        values["description"] = check_length(
            "description", description, max_length=1024, required=False
        )
    if dns1 is not None:
        values["dns1"] = check_ip("dns1", dns1)
    if dns2 is not _UNSET:
        values["dns2"] = check_ip("dns2", dns2, required=False)
    if internal_dns1 is not None:
        values["internal_dns1"] = check_ip("internal_dns1", internal_dns1)
    if internal_dns2 is not _UNSET:
        values["internal_dns2"] = check_ip("internal_dns2", internal_dns2, required=False)
    if guest_cidr is not None:
        values["guest_cidr"] = _check_cidr(zone.network_type, guest_cidr)
    if allocation_state is not None:
        values["allocation_state"] = check_choice(
            "allocation_state", allocation_state, AllocationState
        )
    spans = _check_vlan(zone.network_type, vlan) if vlan is not None else None
    save_changed(zone, **values)
    if spans is not None:
        guest_vlans_set(zone, spans)
    return zone


def in_use_check(parent: Model, children: QuerySet, noun: str) -> None:
    """Refuse deleting PARENT (a zone, a pod) while CHILDREN (its NOUNs) are left: a PROTECT
    key would refuse it at commit, as if they had been added meanwhile."""
    count = children.count()
    if count:
        label = capfirst(type(parent)._meta.verbose_name)
        raise invalid(
            NON_FIELD,
            f"{label} {parent.name} still has {count} {noun}(s); delete them first.",
            "in_use",
        )


@atomic_write
def zone_delete(*, zone: Zone, by: User | None) -> None:
    """Delete ZONE, once it has no pods, storage pools nor public IP ranges; their writes
    lock the zone, locked here before they are counted. Its guest VLAN ranges go with it."""
    require(by, Action.DELETE, zone)
    zone_manage_check(zone=zone)
    zone = row_locked(zone, "zone")
    in_use_check(zone, zone.pods.all(), "pod")
    in_use_check(zone, zone.storage_pools.all(), "storage pool")
    in_use_check(zone, zone.ip_ranges.all(), "public IP range")
    zone.delete()
