"""Tables zones give other objects' pages: a region's page lists the region's zones, a
zone's page its pods and storage pools, a pod's page its clusters, a cluster's page its
hosts and storage pools."""

from __future__ import annotations

from typing import Any

from portal.generic.related import RelatedTable, related_table
from regions.models import Region
from zones.models import Cluster, Pod, Zone
from zones.selectors import (
    clusters_visible_to,
    hosts_visible_to,
    pods_visible_to,
    storage_pools_visible_to,
    zones_visible_to,
)
from zones.views import (
    CLUSTER_COLUMNS,
    HOST_COLUMNS,
    POD_COLUMNS,
    STORAGE_POOL_COLUMNS,
    ZONE_COLUMNS,
)


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
