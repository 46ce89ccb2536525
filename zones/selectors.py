"""Reads of zones, their pods and the pods' clusters, and the region's alerts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.filtering import filtered_selector
from portal.permissions import visible
from regions.selectors import region_local
from zones.filtersets import AlertFilterSet, ClusterFilterSet, PodFilterSet, ZoneFilterSet
from zones.models import Alert, Cluster, Pod, Zone


def zones_visible_to(*, actor: Any, region_id: int | None = None) -> QuerySet[Zone]:
    condition = visible(actor, Zone)
    if condition is None:
        return Zone.objects.none()
    zones = Zone.objects.select_related("region").filter(condition)
    if region_id is not None:
        zones = zones.filter(region_id=region_id)
    return zones


zones_filtered = filtered_selector(zones_visible_to, ZoneFilterSet)


def local_zones_visible_to(*, actor: Any) -> QuerySet[Zone]:
    """The zones of this portal's region that ACTOR may see: those managed here."""
    local = region_local()
    if local is None:
        return Zone.objects.none()
    return zones_visible_to(actor=actor, region_id=local.pk)


def pods_visible_to(*, actor: Any, zone: Zone | None = None) -> QuerySet[Pod]:
    """The pods ACTOR may see (root admins: every pod), of ZONE only if given."""
    condition = visible(actor, Pod)
    if condition is None:
        return Pod.objects.none()
    pods = Pod.objects.select_related("zone").filter(condition)
    if zone is not None:
        pods = pods.filter(zone=zone)
    return pods


pods_filtered = filtered_selector(pods_visible_to, PodFilterSet)


def local_pods_visible_to(*, actor: Any) -> QuerySet[Pod]:
    """The pods of this portal's region's zones that ACTOR may see: those managed here."""
    return pods_visible_to(actor=actor).filter(zone__in=local_zones_visible_to(actor=actor))


def clusters_visible_to(*, actor: Any, pod: Pod | None = None) -> QuerySet[Cluster]:
    """The clusters ACTOR may see (root admins: every cluster), of POD only if given."""
    condition = visible(actor, Cluster)
    if condition is None:
        return Cluster.objects.none()
    clusters = Cluster.objects.select_related("pod__zone").filter(condition)
    if pod is not None:
        clusters = clusters.filter(pod=pod)
    return clusters


clusters_filtered = filtered_selector(clusters_visible_to, ClusterFilterSet)


def alerts_visible_to(*, actor: Any) -> QuerySet[Alert]:
    """The alerts ACTOR may see (root admins: all of this region's), newest first."""
    condition = visible(actor, Alert)
    if condition is None:
        return Alert.objects.none()
    return Alert.objects.select_related("zone", "pod", "cluster").filter(condition)


alerts_filtered = filtered_selector(alerts_visible_to, AlertFilterSet)
