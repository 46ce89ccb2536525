"""Reads of zones, their pods, the pods' clusters, the clusters' hosts, the zones' storage
pools, public IP ranges and addresses, guest VLAN ranges and dedications, and the region's
alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Count, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from portal.filtering import filtered_selector
from portal.permissions import visible
from regions.configuration.selectors import setting_value
from regions.selectors import region_local
from zones.filtersets import (
    AlertFilterSet,
    ClusterFilterSet,
    DedicatedGuestVlanRangeFilterSet,
    HostFilterSet,
    PodFilterSet,
    PublicIpAddressFilterSet,
    StoragePoolFilterSet,
    VlanIpRangeFilterSet,
    ZoneFilterSet,
)
from zones.models import (
    Alert,
    Cluster,
    DedicatedGuestVlanRange,
    GuestVlan,
    GuestVlanRange,
    Host,
    IpAddressState,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)

M = TypeVar("M", bound=Model)


def _visible(model: type[M], actor: Any, above: str, **within: Any) -> QuerySet[M]:
    """MODEL's rows ACTOR may see, the rows ABOVE them read along, narrowed to WITHIN (a
    parent given as `pod=...`; None: all of them)."""
    condition = visible(actor, model)
    if condition is None:
        return model.objects.none()
    rows = model.objects.select_related(above).filter(condition)
    return rows.filter(**{name: row for name, row in within.items() if row is not None})


def zones_visible_to(*, actor: Any, region_id: int | None = None) -> QuerySet[Zone]:
    return _visible(Zone, actor, "region", region_id=region_id)


zones_filtered = filtered_selector(zones_visible_to, ZoneFilterSet)


def local_zones_visible_to(*, actor: Any) -> QuerySet[Zone]:
    """The zones of this portal's region that ACTOR may see: those managed here."""
    local = region_local()
    if local is None:
        return Zone.objects.none()
    return zones_visible_to(actor=actor, region_id=local.pk)


def pods_visible_to(*, actor: Any, zone: Zone | None = None) -> QuerySet[Pod]:
    """The pods ACTOR may see (root admins: every pod), of ZONE only if given."""
    return _visible(Pod, actor, "zone", zone=zone)


pods_filtered = filtered_selector(pods_visible_to, PodFilterSet)


def local_pods_visible_to(*, actor: Any) -> QuerySet[Pod]:
    """The pods of this portal's region's zones that ACTOR may see: those managed here."""
    return pods_visible_to(actor=actor).filter(zone__in=local_zones_visible_to(actor=actor))


def clusters_visible_to(*, actor: Any, pod: Pod | None = None) -> QuerySet[Cluster]:
    """The clusters ACTOR may see (root admins: every cluster), of POD only if given."""
    return _visible(Cluster, actor, "pod__zone", pod=pod)


clusters_filtered = filtered_selector(clusters_visible_to, ClusterFilterSet)


def alerts_visible_to(*, actor: Any) -> QuerySet[Alert]:
    """The alerts ACTOR may see (root admins: all of this region's), newest first."""
    return _visible(Alert, actor, "zone").select_related("pod", "cluster")


alerts_filtered = filtered_selector(alerts_visible_to, AlertFilterSet)


def local_clusters_visible_to(*, actor: Any) -> QuerySet[Cluster]:
    """The clusters of this portal's region's zones that ACTOR may see: those managed here."""
    return clusters_visible_to(actor=actor).filter(
        pod__zone__in=local_zones_visible_to(actor=actor)
    )


def hosts_visible_to(*, actor: Any, cluster: Cluster | None = None) -> QuerySet[Host]:
    """The hosts ACTOR may see (root admins: every host), of CLUSTER only if given."""
    return _visible(Host, actor, "cluster__pod__zone", cluster=cluster)


hosts_filtered = filtered_selector(hosts_visible_to, HostFilterSet)


def hosts_ping_due(*, now: datetime) -> QuerySet[Host]:
    """The hosts of this region's zones due for a ping at NOW: never pinged, or last pinged
    (answered or not) at least their zone's ping.interval ago."""
    local = region_local()
    if local is None:
        return Host.objects.none()
    zones = Zone.objects.filter(region=local, pods__clusters__hosts__isnull=False)
    due = Q(pk__in=[])
    for zone in zones.order_by().values_list("pk", flat=True).distinct():
        since = now - timedelta(seconds=setting_value("ping.interval", zone=zone))
        pinged = Q(last_ping_attempt__isnull=True) | Q(last_ping_attempt__lte=since)
        due |= Q(cluster__pod__zone_id=zone) & pinged
    return Host.objects.filter(due)


def storage_pools_visible_to(
    *, actor: Any, zone: Zone | None = None, cluster: Cluster | None = None
) -> QuerySet[StoragePool]:
    """The storage pools ACTOR may see (root admins: every pool), of ZONE or CLUSTER only if
    given."""
    return _visible(StoragePool, actor, "zone", zone=zone, cluster=cluster).select_related(
        "pod", "cluster"
    )


storage_pools_filtered = filtered_selector(storage_pools_visible_to, StoragePoolFilterSet)


def vlan_ip_ranges_visible_to(
    *, actor: Any, zone: Zone | None = None, pod: Pod | None = None
) -> QuerySet[VlanIpRange]:
    """The public IP ranges ACTOR may see (root admins: every range), of ZONE or POD only if
    given."""
    ranges = _visible(VlanIpRange, actor, "zone").select_related("pod")
    if zone is not None:
        ranges = ranges.filter(zone=zone)
    if pod is not None:
        ranges = ranges.filter(pod=pod)
    return ranges


vlan_ip_ranges_filtered = filtered_selector(vlan_ip_ranges_visible_to, VlanIpRangeFilterSet)


def _addresses_in(state: Q) -> Coalesce:
    counted = (
        PublicIpAddress.objects.filter(state, range=OuterRef("pk"))
        .order_by()
        .values("range")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def vlan_ip_ranges_counted(*, actor: Any) -> QuerySet[VlanIpRange]:
    """The public IP ranges ACTOR may see, each with its `free_addresses` and
    `allocated_addresses` (allocated or being released)."""
    free = Q(state=IpAddressState.FREE)
    return vlan_ip_ranges_visible_to(actor=actor).annotate(
        free_addresses=_addresses_in(free), allocated_addresses=_addresses_in(~free)
    )


def public_ip_addresses_visible_to(*, actor: Any) -> QuerySet[PublicIpAddress]:
    """The public IP addresses ACTOR may see (root admins: every address)."""
    return _visible(PublicIpAddress, actor, "zone").select_related("range", "account")


public_ip_addresses_filtered = filtered_selector(
    public_ip_addresses_visible_to, PublicIpAddressFilterSet
)


def zone_vlan_text(zone: Zone) -> str:
    """ZONE's guest VLAN ranges as CloudStack writes them ("100-199,300-349"; "" for none);
    prefetch `guest_vlan_ranges` to read many zones' at once."""
    return ",".join(str(each) for each in zone.guest_vlan_ranges.all())


def guest_vlan_ranges_visible_to(*, actor: Any, zone: Zone) -> QuerySet[GuestVlanRange]:
    """ZONE's guest VLAN ranges as ACTOR may see them (root admins), each with its number of
    `vlans` and how many of them are `allocated`."""
    allocated = (
        GuestVlan.objects.filter(
            zone=OuterRef("zone"),
            vnet__gte=OuterRef("start"),
            vnet__lte=OuterRef("end"),
            account__isnull=False,
        )
        .order_by()
        .values("zone")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        _visible(GuestVlanRange, actor, "zone")
        .filter(zone=zone)
        .annotate(
            vlans=F("end") - F("start") + 1,
            allocated=Coalesce(Subquery(allocated, output_field=IntegerField()), Value(0)),
        )
    )


def dedicated_guest_vlan_ranges_visible_to(
    *, actor: Any, zone: Zone | None = None
) -> QuerySet[DedicatedGuestVlanRange]:
    """The dedicated guest VLAN ranges ACTOR may see (root admins: all), of ZONE if given."""
    ranges = _visible(DedicatedGuestVlanRange, actor, "zone").select_related("account__domain")
    if zone is not None:
        ranges = ranges.filter(zone=zone)
    return ranges


dedicated_guest_vlan_ranges_filtered = filtered_selector(
    dedicated_guest_vlan_ranges_visible_to, DedicatedGuestVlanRangeFilterSet
)
