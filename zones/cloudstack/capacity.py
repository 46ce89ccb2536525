"""listCapacity: the capacities of this region's zones as CloudStack answers them (root
admins only), with the region's sums as rows of their own when no zone is given.

Parameters: `zoneid`, `podid`, `clusterid` (the rows of that zone, pod or cluster),
`type` (a capacity type's number), `fetchlatest` (recompute first), `sortby=usage` (the
most used first, each type where it is watched: clusters, pods, zones). Fields:
CloudStack's CapacityResponse (`type`, `name`, `zoneid`, `zonename`, `podid`, `podname`,
`clusterid`, `clustername`, `capacitytotal`, `capacityused`, `capacityallocated`,
`percentused` as DecimalFormat("##.##") prints it) and `level` (zone, pod, cluster or
region); a region's row names the region (`regionid`, `regionname`) instead of a zone.
"""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from zones.capacity.selectors import (
    Figure,
    capacities_listed,
    capacities_top,
    capacities_visible_to,
    figure_of,
)
from zones.models import CapacityType
from zones.selectors import (
    clusters_visible_to,
    local_zones_visible_to,
    pods_visible_to,
    zones_visible_to,
)
from zones.services.capacity import capacity_recompute

CAPACITY_FIELDS = (
    "type",
    "name",
    "zoneid",
    "zonename",
    "podid",
    "podname",
    "clusterid",
    "clustername",
    "capacitytotal",
    "capacityused",
    "capacityallocated",
    "percentused",
    "level",
    "regionid",
    "regionname",
)


def capacity_response(figure: Figure) -> dict[str, Any]:
    answer: dict[str, Any] = {"type": figure.capacity_type, "name": figure.name}
    if figure.region is not None:
        answer |= {"regionid": figure.region.pk, "regionname": figure.region.name}
    if figure.zone is not None:
        answer |= {"zoneid": str(figure.zone.pk), "zonename": figure.zone.name}
    if figure.pod is not None:
        answer |= {"podid": str(figure.pod.pk), "podname": figure.pod.name}
    if figure.cluster is not None:
        answer |= {"clusterid": str(figure.cluster.pk), "clustername": figure.cluster.name}
    return answer | {
        "capacitytotal": figure.total,
        "capacityused": figure.used,
        "capacityallocated": figure.allocated,
        "percentused": figure.percent_used,
        "level": figure.level,
    }


def _type(call: Call) -> int | None:
    if not call.has("type"):
        return None
    kind = call.get("type")
    if kind not in CapacityType.values:
        known = ", ".join(str(value) for value in CapacityType.values)
        raise call.invalid("type", f"{kind} is not a capacity type: one of {known}.")
    return kind


@command(
    "listCapacity",
    description="Lists the capacities of this region's zones, and the region's sums.",
    params=[
        Param("zoneid", "uuid", description="The capacities of this zone."),
        Param("podid", "uuid", description="The capacities of this pod."),
        Param("clusterid", "uuid", description="The capacities of this cluster."),
        Param("type", "integer", description="Only this capacity type (0 memory, 1 CPU ...)."),
        Param("fetchlatest", "boolean", description="Recompute the capacities first."),
        Param("sortby", description="usage: the most used first."),
        Param("tag", description="Accepted for compatibility."),
    ],
    roles=ROOT_ONLY,
    list_key="capacity",
    response=CAPACITY_FIELDS,
)
def list_capacity(call: Call) -> ListResult:
    zone = call.find(zones_visible_to(actor=call.actor), "zoneid", required=False)
    pod = call.find(pods_visible_to(actor=call.actor), "podid", required=False)
    cluster = call.find(clusters_visible_to(actor=call.actor), "clusterid", required=False)
    kind = _type(call)
    sortby = (call.get("sortby") or "").strip().lower()
    if sortby and sortby != "usage":
        raise call.invalid("sortby", "Only value supported for sortBy parameter is : usage")
    if call.get("fetchlatest"):
        zones = [zone] if zone is not None else local_zones_visible_to(actor=call.actor)
        for each in zones:
            capacity_recompute(zone=each)
    if sortby:
        return call.page(capacities_top(actor=call.actor, capacity_type=kind), _render_row)
    figures = capacities_listed(
        actor=call.actor, zone=zone, pod=pod, cluster=cluster, capacity_type=kind
    )
    return call.page_items([capacity_response(figure) for figure in figures])


def _render_row(row: Any) -> dict[str, Any]:
    return capacity_response(figure_of(row))


def capacities_shown(call: Call, result: ListResult) -> ListResult:
    """RESULT (listZones, listPods, listClusters) with each item's capacities under
    `capacity` when the call asks `showcapacities=true`, as CloudStack answers them; one
    query for the page, and nothing for who may not see infrastructure."""
    if not call.get("showcapacities") or not result.items:
        return result
    ids = [item["id"] for item in result.items]
    rows = (
        capacities_visible_to(actor=call.actor).filter(object_id__in=ids).order_by("capacity_type")
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows.order_by("capacity_type"):
        found.setdefault(str(row.object_id), []).append(capacity_response(figure_of(row)))
    for item in result.items:
        if item["id"] in found:
            item["capacity"] = found[item["id"]]
    return result
