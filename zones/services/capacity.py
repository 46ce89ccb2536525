"""Capacity writes: the rows of a zone recomputed from its inventory (the periodic job and
`listCapacity fetchlatest=true`), and CPU and memory allocated on a cluster's hosts and
released, moving the cluster's, its pod's and its zone's rows in the same transaction.

Both lock the zone row first, then its capacity rows, so an allocation and a recompute of
one zone run one after the other (neither loses the other's figures) and never deadlock.
Allocation refuses a cluster that would pass its CPU or memory disable threshold
(`cluster.cpu.allocated.capacity.disablethreshold`, ...): concurrent allocations see each
other's figures under the lock, so together they never pass it either.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.concurrency import atomic_write
from portal.validation import invalid
from regions.configuration.selectors import setting_value
from regions.selectors import region_local
from regions.services import region_capacity_report
from zones.capacity.figures import Figures, Place, zone_rows
from zones.capacity.thresholds import DISABLE, NOTIFY, past, percent_text
from zones.models import (
    Capacity,
    CapacityLevel,
    CapacityType,
    Cluster,
    Host,
    HostState,
    ResourceState,
    Zone,
)
from zones.services.alerts import alert_raise, alerts_resolve_except
from zones.services.locking import row_locked

#: what an allocation moves: CPU in MHz, memory in bytes, cores
ALLOCATED_TYPES = (CapacityType.CPU, CapacityType.MEMORY, CapacityType.CPU_CORE)
ALERT_PREFIX = "capacity:"


def _store(zone: Zone) -> list[Capacity]:
    """Write ZONE's rows as its inventory gives them (the zone is locked); returns them."""
    now = timezone.now()
    existing = {
        (row.object_id, row.capacity_type): row
        for row in Capacity.objects.select_for_update().filter(zone=zone).order_by("pk")
    }
    computed = zone_rows(zone)
    changed, new = [], []
    for (place, kind), figures in computed.items():
        row = existing.pop((place.object_id, kind), None)
        if row is None:
            new.append(_row(place, kind, figures))
            continue
        row.total, row.used, row.allocated = figures.total, figures.used, figures.allocated
        row.updated = now
        changed.append(row)
    Capacity.objects.bulk_update(changed, ["total", "used", "allocated", "updated"])
    Capacity.objects.bulk_create(new)
    if existing:  # a pod or cluster that is gone
        Capacity.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    return [*changed, *new]


def _row(place: Place, kind: int, figures: Figures) -> Capacity:
    return Capacity(
        capacity_type=kind,
        level=place.level,
        object_id=place.object_id,
        zone_id=place.zone_id,
        pod_id=place.pod_id,
        cluster_id=place.cluster_id,
        total=figures.total,
        used=figures.used,
        allocated=figures.allocated,
    )


@atomic_write
def capacity_recompute(*, zone: Zone) -> list[Capacity]:
    """Recompute ZONE's capacity rows and raise or resolve its threshold alerts."""
    zone = row_locked(zone, "zone")
    rows = _store(zone)
    capacity_alerts_check(zone=zone, rows=rows)
    return rows


def capacity_alerts_check(*, zone: Zone, rows: list[Capacity]) -> list[str]:
    """Raise an alert for each of ROWS (ZONE's) past its notification threshold, resolve
    ZONE's capacity alerts no longer past theirs; returns the keys of the open ones."""
    limits: dict[str, float] = {}
    over: list[str] = []
    for row in rows:
        threshold = NOTIFY.get((row.level, row.capacity_type))
        if threshold is None:
            continue
        if threshold.setting not in limits:
            limits[threshold.setting] = float(setting_value(threshold.setting, zone=zone))
        amount = row.allocated if threshold.of_allocated else row.used
        if not past(limits[threshold.setting], row.total, amount):
            continue
        key = f"{ALERT_PREFIX}{row.capacity_type}:{row.level}:{row.object_id}"
        over.append(key)
        name = CapacityType(row.capacity_type).label
        alert_raise(
            alert_type=threshold.alert_type,
            key=key,
            subject=(
                f"{name} of {row.level} {_place_name(row)} in zone {zone.name} is at "
                f"{percent_text(row.total, amount)}% (threshold "
                f"{percent_text(1, limits[threshold.setting])}%)"
            ),
            zone=zone,
            pod=row.pod,
            cluster=row.cluster,
        )
    alerts_resolve_except(prefix=ALERT_PREFIX, keep=set(over), zone=zone)
    return over


def _place_name(row: Capacity) -> str:
    if row.level == CapacityLevel.CLUSTER:
        return row.cluster.name
    if row.level == CapacityLevel.POD:
        return row.pod.name
    return row.zone.name


def _cluster_rows(cluster: Cluster, zone: Zone) -> dict[int, Capacity]:
    rows = {
        row.capacity_type: row
        for row in Capacity.objects.select_for_update().filter(
            object_id=cluster.pk, capacity_type__in=ALLOCATED_TYPES
        )
    }
    if len(rows) < len(ALLOCATED_TYPES):  # never computed yet (a new cluster)
        _store(zone)
        return _cluster_rows(cluster, zone)
    return rows


def _fits(host: Host, cluster: Cluster, cpu: int, memory: int) -> bool:
    """Whether HOST has CPU and MEMORY free, its cluster's overcommit included."""
    cpu_total = host.cpu_number * host.cpu_speed * cluster.cpu_overcommit_ratio
    memory_total = host.memory * cluster.memory_overcommit_ratio
    return host.cpu_allocated + cpu <= cpu_total and host.memory_allocated + memory <= memory_total


def _move(place_ids: list, kind: int, amount: int) -> None:
    Capacity.objects.filter(object_id__in=place_ids, capacity_type=kind).update(
        allocated=Greatest(F("allocated") + Value(amount), Value(0)), updated=timezone.now()
    )


@atomic_write
def capacity_allocate(*, cluster: Cluster, cpu: int, memory: int, cores: int = 0) -> Host:
    """Place CPU (MHz), MEMORY (bytes) and CORES on a host of CLUSTER that is Up, Enabled
    and has them free (its overcommit included); refused, naming the cluster, when the
    cluster would pass a disable threshold or no host has room. Returns the host."""
    if min(cpu, memory, cores) < 0:
        raise ValueError("an allocation is of positive amounts")
    zone = row_locked(cluster.pod.zone, "zone")
    cluster = Cluster.objects.select_related("pod").get(pk=cluster.pk)
    rows = _cluster_rows(cluster, zone)
    asked = {CapacityType.CPU: cpu, CapacityType.MEMORY: memory}
    for kind, setting in DISABLE.items():
        row, limit = rows[kind], float(setting_value(setting, zone=zone))
        if past(limit, row.total, row.allocated + asked[kind]):
            name = CapacityType(kind).label
            raise invalid(
                "cluster",
                f"Cluster {cluster.name} would pass its {name} disable threshold "
                f"({percent_text(1, limit)}% of {row.total} allocated).",
                "capacity",
            )
    hosts = Host.objects.select_for_update().filter(
        cluster=cluster, state=HostState.UP, resource_state=ResourceState.ENABLED
    )
    host = next(
        (h for h in hosts.order_by("cpu_allocated", "name") if _fits(h, cluster, cpu, memory)),
        None,
    )
    if host is None:
        raise invalid("cluster", f"No host of cluster {cluster.name} has room for it.", "capacity")
    Host.objects.filter(pk=host.pk).update(
        cpu_allocated=F("cpu_allocated") + cpu,
        memory_allocated=F("memory_allocated") + memory,
        cores_allocated=F("cores_allocated") + cores,
    )
    places = [cluster.pk, cluster.pod_id, zone.pk]
    for kind, amount in (
        (CapacityType.CPU, cpu),
        (CapacityType.MEMORY, memory),
        (CapacityType.CPU_CORE, cores),
    ):
        _move(places, kind, amount)
    capacity_alerts_check(
        zone=zone,
        rows=list(Capacity.objects.filter(zone=zone).select_related("zone", "pod", "cluster")),
    )
    host.refresh_from_db()
    return host


@atomic_write
def capacity_release(*, host: Host, cpu: int, memory: int, cores: int = 0) -> Host:
    """Give back what capacity_allocate placed on HOST (never below nothing)."""
    cluster = Cluster.objects.select_related("pod").get(pk=host.cluster_id)
    zone = row_locked(cluster.pod.zone, "zone")
    Host.objects.filter(pk=host.pk).update(
        cpu_allocated=Greatest(F("cpu_allocated") - cpu, Value(0)),
        memory_allocated=Greatest(F("memory_allocated") - memory, Value(0)),
        cores_allocated=Greatest(F("cores_allocated") - cores, Value(0)),
    )
    if host.resource_state == ResourceState.ENABLED:  # else its figures are not counted
        places = [cluster.pk, cluster.pod_id, zone.pk]
        for kind, amount in (
            (CapacityType.CPU, cpu),
            (CapacityType.MEMORY, memory),
            (CapacityType.CPU_CORE, cores),
        ):
            _move(places, kind, -amount)
    host.refresh_from_db()
    return host


def capacity_refresh_after_commit(*, zone_id: Any) -> None:
    """Recompute ZONE_ID's capacity once the current transaction commits (an inventory
    write: a host added, a pool resized), in its own transaction so that it never waits on
    the writer's locks; once per zone and transaction, however many rows it wrote."""
    queued = transaction.get_connection().run_on_commit  # emptied on commit and rollback
    if any(getattr(func, "capacity_zone", None) == zone_id for _, func, _ in queued):
        return

    def refresh() -> None:
        _refresh(zone_id)

    refresh.capacity_zone = zone_id  # type: ignore[attr-defined]
    transaction.on_commit(refresh)


def _refresh(zone_id: Any) -> None:
    zone = Zone.objects.filter(pk=zone_id).first()
    if zone is not None:
        capacity_recompute(zone=zone)


def capacities_refresh() -> int:
    """The periodic job: recompute every zone of this region, then publish the region's
    sums to every region (regions.RegionCapacity). Returns how many zones."""
    local = region_local()
    if local is None:
        return 0
    zones = list(Zone.objects.filter(region_id=local.pk).order_by("name"))
    for zone in zones:
        capacity_recompute(zone=zone)
    sums = (
        Capacity.objects.filter(level=CapacityLevel.ZONE, zone__region_id=local.pk)
        .order_by("capacity_type")
        .values("capacity_type")
        .annotate(total=Sum("total"), used=Sum("used"), allocated=Sum("allocated"))
    )
    region_capacity_report(
        figures=[(s["capacity_type"], s["total"], s["used"], s["allocated"]) for s in sums],
        at=timezone.now(),
    )
    return len(zones)
