"""Reads of zones, their pods, the pods' clusters, the clusters' hosts, the zones' storage
pools, and the region's alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from portal.filtering import filtered_selector
from portal.permissions import visible
from regions.configuration.selectors import setting_value
from regions.selectors import region_local
from zones.filtersets import (
    AlertFilterSet,
    ClusterFilterSet,
    HostFilterSet,
    PodFilterSet,
    StoragePoolFilterSet,
    ZoneFilterSet,
)
from zones.models import Alert, Cluster, Host, Pod, StoragePool, Zone

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
