"""Tables zones give other objects' pages: a region's page lists the region's zones, a
zone's page its pods, storage pools, public IP ranges, guest VLAN ranges (with how many of
their VLANs are allocated) and dedicated guest VLAN ranges, a pod's page its clusters (and a
Basic zone's pod its public IP ranges), a cluster's page its hosts and storage pools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet

from portal.generic.columns import Column
from portal.generic.related import RelatedTable, related_table
from regions.models import Region
from zones.models import Cluster, Pod, Zone
from zones.selectors import (
    clusters_visible_to,
    dedicated_guest_vlan_ranges_visible_to,
    guest_vlan_ranges_visible_to,
    hosts_visible_to,
    pods_visible_to,
    storage_pools_visible_to,
    vlan_ip_ranges_visible_to,
    zones_visible_to,
)
from zones.views import (
    CLUSTER_COLUMNS,
    DEDICATED_GUEST_VLAN_RANGE_COLUMNS,
    GUEST_VLAN_RANGE_COLUMNS,
    HOST_COLUMNS,
    POD_COLUMNS,
    STORAGE_POOL_COLUMNS,
    VLAN_IP_RANGE_COLUMNS,
    ZONE_COLUMNS,
)


def _rows_of(title: str, columns: list[Column], rows: Callable[..., QuerySet], key: str) -> Any:
    """A table TITLE of the rows ROWS(actor=..., KEY=the page's object) gives."""

    def table(actor: Any, obj: Model) -> RelatedTable:
        return RelatedTable(title, columns, rows(actor=actor, **{key: obj}))

    table.__name__ = f"{key}_{title.lower().replace(' ', '_')}"
    return table


# A zone's public IP ranges and guest VLANs (infrastructure: root admins see them), and a
# Basic zone's pod's public IP ranges.
for _model, _title, _columns, _rows, _key in (
    (Zone, "Public IP ranges", VLAN_IP_RANGE_COLUMNS, vlan_ip_ranges_visible_to, "zone"),
    (Zone, "Guest VLAN ranges", GUEST_VLAN_RANGE_COLUMNS, guest_vlan_ranges_visible_to, "zone"),
    (Zone, "Dedicated guest VLAN ranges", DEDICATED_GUEST_VLAN_RANGE_COLUMNS,
     dedicated_guest_vlan_ranges_visible_to, "zone"),
    (Pod, "Public IP ranges", VLAN_IP_RANGE_COLUMNS, vlan_ip_ranges_visible_to, "pod"),
):  # fmt: skip
    related_table(_model)(_rows_of(_title, _columns, _rows, _key))


@related_table(Region)
def region_zones(actor: Any, region: Region) -> RelatedTable:
    return RelatedTable("Zones", ZONE_COLUMNS, zones_visible_to(actor=actor, region_id=region.pk))


@related_table(Zone)
def zone_pods(actor: Any, zone: Zone) -> RelatedTable:
    return RelatedTable("Pods", POD_COLUMNS, pods_visible_to(actor=actor, zone=zone))


@related_table(Pod)
def pod_clusters(actor: Any, pod: Pod) -> RelatedTable:
    return RelatedTable("Clusters", CLUSTER_COLUMNS, clusters_visible_to(actor=actor, pod=pod))


@related_table(Cluster)
def cluster_hosts(actor: Any, cluster: Cluster) -> RelatedTable:
    return RelatedTable("Hosts", HOST_COLUMNS, hosts_visible_to(actor=actor, cluster=cluster))


def _storage_pools(actor: Any, **where: Any) -> RelatedTable:
    pools = storage_pools_visible_to(actor=actor, **where)
    return RelatedTable("Primary storage", STORAGE_POOL_COLUMNS, pools)


@related_table(Zone)
def zone_storage_pools(actor: Any, zone: Zone) -> RelatedTable:
    return _storage_pools(actor, zone=zone)


@related_table(Cluster)
def cluster_storage_pools(actor: Any, cluster: Cluster) -> RelatedTable:
    return _storage_pools(actor, cluster=cluster)
