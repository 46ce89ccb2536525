"""Pod writes: a pod's subnet (gateway and netmask) and the range of it reserved for system
VMs, checked as CloudStack's createPod and updatePod check them; only in this region's zones.

A pod's writes lock its zone first, so two writes to one zone's pods (a name, a range) are
checked one after the other.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import check_choice, check_ip, invalid
from portal.writes import save_changed, unique_name
from zones.models import AllocationState, Pod, Zone
from zones.services.zones import in_use_check, row_locked, zone_is_local

if TYPE_CHECKING:
    from identity.models import User

_ALL_ONES = 0xFFFFFFFF


def pod_zone_check(*, zone: Zone) -> None:
    """Refuse pods in a zone of another region (pod pages ask it too, to offer Edit and
    Delete only for pods of this region's zones)."""
    if not zone_is_local(zone):
        raise invalid("zone", "Pods are managed by the portal of their zone's region.", "remote")


def local_row_locked(row: Model, field: str, *, zone: Zone) -> Any:
    """ROW, ZONE (of this region) or a row in it (a pod, a cluster), locked for this
    transaction; refused on FIELD if it was deleted meanwhile."""
    pod_zone_check(zone=zone)
    return row_locked(row, field)


def _zone_locked(zone: Zone) -> Zone:
    return local_row_locked(zone, "zone", zone=zone)


def pod_locked(pod: Pod) -> Pod:
    """POD, of a zone of this region, locked for a write to it or to its clusters."""
    return local_row_locked(pod, "pod", zone=pod.zone)


def _netmask(value: Any) -> str:
    """VALUE as a netmask: an IPv4 address of ones then zeros (255.255.255.0), not 0.0.0.0."""
    mask = check_ip("netmask", value, version=4)
    bits = int(IPv4Address(mask))
    ones = bin(bits).count("1")
    if not ones or bits != (_ALL_ONES << (32 - ones)) & _ALL_ONES:
        raise invalid(
            "netmask", f"{mask!r} is not a netmask: ones, then zeros (such as 255.255.255.0)."
        )
    return mask


def _host(network: IPv4Network, field: str, address: str) -> IPv4Address:
    """ADDRESS, a host of NETWORK (neither its network nor its broadcast address)."""
    host = IPv4Address(address)
    if host not in network:
        raise invalid(
            field, f"{address} is not in the pod's subnet {network} (its gateway and netmask)."
        )
    if network.prefixlen < 31 and host in (network.network_address, network.broadcast_address):
        which = "network" if host == network.network_address else "broadcast"
        raise invalid(field, f"{address} is the {which} address of the pod's subnet {network}.")
    return host


def _addresses(
    zone: Zone,
    *,
    gateway: Any,
    netmask: Any,
    start_ip: Any,
    end_ip: Any,
    pod: Pod | None = None,
) -> dict[str, str]:
    """The pod's addresses, checked: IPv4, the gateway and the range (END_IP empty: START_IP
    alone) in the gateway's subnet, the gateway outside the range, and the range overlapping
    no other pod's in ZONE (POD: the pod being changed)."""
    values = {
        "gateway": check_ip("gateway", gateway, version=4),
        "netmask": _netmask(netmask),
        "start_ip": check_ip("start_ip", start_ip, version=4),
    }
    values["end_ip"] = check_ip("end_ip", end_ip, required=False, version=4) or values["start_ip"]
    network = IPv4Network(f"{values['gateway']}/{values['netmask']}", strict=False)
    gateway_host = _host(network, "gateway", values["gateway"])
    start = _host(network, "start_ip", values["start_ip"])
    end = _host(network, "end_ip", values["end_ip"])
    span = f"{start}-{end}"
    if end < start:
        raise invalid("end_ip", f"The range {span} ends before it starts.")
    if start <= gateway_host <= end:
        raise invalid("gateway", f"The gateway {gateway_host} is inside the range {span}.")
    others = zone.pods.exclude(pk=pod.pk) if pod is not None else zone.pods.all()
    for other in others:
        if IPv4Address(other.start_ip) <= end and start <= IPv4Address(other.end_ip):
            raise invalid(
                "start_ip",
                f"The range {span} overlaps pod {other.name}'s range "
                f"{other.start_ip}-{other.end_ip}.",
                "overlap",
            )
    return values


def _name(zone: Zone, name: str, pod: Pod | None = None) -> str:
    return unique_name(
        zone.pods.all(),
        name,
        taken=lambda name: f"A pod named {name} exists in zone {zone.name}.",
        exclude=pod,
    )


@atomic_write
def pod_create(
    *,
    zone: Zone,
    name: str,
    gateway: str,
    netmask: str,
    start_ip: str,
    end_ip: str | None = None,
    allocation_state: str = AllocationState.ENABLED,
    by: User | None,
) -> Pod:
    """A pod in ZONE; its range is START_IP to END_IP (START_IP alone without END_IP).
    Pods are enabled unless told, as in CloudStack."""
    require(by, Action.ADD, Pod)
    zone = _zone_locked(zone)
    return Pod.objects.create(
        zone=zone,
        name=_name(zone, name),
        **_addresses(zone, gateway=gateway, netmask=netmask, start_ip=start_ip, end_ip=end_ip),
        allocation_state=check_choice("allocation_state", allocation_state, AllocationState),
    )


@atomic_write
def pod_update(
    *,
    pod: Pod,
    by: User | None,
    name: str | None = None,
    gateway: str | None = None,
    netmask: str | None = None,
    start_ip: str | None = None,
    end_ip: str | None = None,
    allocation_state: str | None = None,
) -> Pod:
    """Change POD; what is not given stays (END_IP given empty: the range is START_IP alone).
    The pod stays in its zone."""
    require(by, Action.CHANGE, pod)
    zone = _zone_locked(pod.zone)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _name(zone, name, pod)
    addresses = {"gateway": gateway, "netmask": netmask, "start_ip": start_ip, "end_ip": end_ip}
    if any(value is not None for value in addresses.values()):
        merged = {
            field: getattr(pod, field) if value is None else value
            for field, value in addresses.items()
        }
        values.update(_addresses(zone, **merged, pod=pod))
    if allocation_state is not None:
        values["allocation_state"] = check_choice(
            "allocation_state", allocation_state, AllocationState
        )
    save_changed(pod, **values)
    return pod


@atomic_write
def pod_delete(*, pod: Pod, by: User | None) -> None:
    """Delete POD, once it has no clusters (as a zone with pods is refused); its storage
    pools are its clusters'."""
    require(by, Action.DELETE, pod)
    _zone_locked(pod.zone)
    in_use_check(pod, pod_locked(pod).clusters.all(), "cluster")
    pod.delete()
