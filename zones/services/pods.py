"""Pod writes: a pod's subnet (gateway and netmask) and the range of it reserved for system
VMs, checked as CloudStack's createPod and updatePod check them; only in this region's zones.

A pod's writes lock its zone first, so two writes to one zone's pods (a name, a range) are
checked one after the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model

from portal.concurrency import atomic_write
from portal.permissions import Action, require
from portal.validation import check_choice, invalid
from portal.writes import save_changed, unique_name
from zones.models import AllocationState, Pod, Zone
from zones.services.locking import row_locked
from zones.services.subnets import other_span, subnet_range
from zones.services.zones import in_use_check, zone_is_local

if TYPE_CHECKING:
    from identity.models import User


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


def _addresses(
    zone: Zone,
    *,
    gateway: Any,
    netmask: Any,
    start_ip: Any,
    end_ip: Any,
    pod: Pod | None = None,
) -> dict[str, str]:
    """The pod's addresses, checked (zones/services/subnets.py), and the range overlapping
    no other pod's in ZONE (POD: the pod being changed) nor a public IP range of ZONE."""
    subnet = subnet_range(
        gateway=gateway, netmask=netmask, start_ip=start_ip, end_ip=end_ip, whose="the pod's"
    )
    others = zone.pods.exclude(pk=pod.pk) if pod is not None else zone.pods.all()
    subnet.check_apart(others, lambda other: f"pod {other.name}'s range {other_span(other)}")
    subnet.check_apart(zone.ip_ranges.all(), lambda public: f"public IP range {public}")
    return subnet.values


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
    """Delete POD, once it has no clusters nor public IP ranges (as a zone with pods is
    refused; its storage pools are its clusters'); range writes lock the zone, locked here
    first."""
    require(by, Action.DELETE, pod)
    _zone_locked(pod.zone)
    pod = pod_locked(pod)
    in_use_check(pod, pod.clusters.all(), "cluster")
    in_use_check(pod, pod.ip_ranges.all(), "public IP range")
    pod.delete()
