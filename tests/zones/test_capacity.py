"""Capacity against hand-computed cases: overprovisioning, hosts in maintenance or disabled
left out, storage, IPs and VLANs, the pod's and zone's sums, allocation and its disable
threshold, notification alerts raised and resolved. listCapacity itself:
tests/cloudstack/test_capacity.py."""

from __future__ import annotations

import pytest
from django.db import transaction

from regions.configuration.services import setting_update
from tests import factories
from zones import services
from zones.capacity.thresholds import percent_text
from zones.models import Alert, AlertType, Capacity, CapacityType, Host
from zones.services.capacity import capacity_allocate, capacity_recompute, capacity_release

GIB = 2**30
MHZ_H1 = 16 * 2400  # 16 cores at 2400 MHz
MHZ_H2 = 8 * 2000


def figures(obj, kind: int) -> tuple[int, int, int]:
    row = Capacity.objects.get(object_id=obj.pk, capacity_type=kind)
    return row.total, row.used, row.allocated


@pytest.fixture
def site(region):
    """zone-c (Advanced, guest VLANs 100-109) with pod-c (private range .10-.20: 11 IPs) and
    cluster sim-c (Simulator; CPU overcommit 2, memory 1.5) of two hosts: h1 16 x 2400 MHz,
    64 GiB, 1 TiB local; h2 8 x 2000 MHz, 32 GiB. A 1 TiB pool on sim-c, a 2 TiB zone-wide
    pool, and a public range of 11 addresses."""
    zone = factories.zone(name="zone-c", vlan="100-109")
    pod = factories.pod(zone=zone, name="pod-c")
    cluster = factories.cluster(
        pod=pod,
        name="sim-c",
        hypervisor="Simulator",
        cpu_overcommit_ratio=2,
        memory_overcommit_ratio=1.5,
    )
    h1 = factories.host(
        cluster=cluster,
        url="http://sim/c/h1?cpucore=16&cpuspeed=2400&memory=65536&localstorage=1099511627776",
    )
    h2 = factories.host(cluster=cluster, url="http://sim/c/h2?cpucore=8&cpuspeed=2000&memory=32768")
    pool = factories.storage_pool(cluster=cluster, name="pool-c")
    wide = factories.storage_pool(
        scope="ZONE", zone=zone, name="wide", hypervisor="Simulator", capacity_bytes=2 * 2**40
    )
    factories.vlan_ip_range(zone=zone)
    capacity_recompute(zone=zone)
    return {
        "zone": zone,
        "pod": pod,
        "cluster": cluster,
        "h1": h1,
        "h2": h2,
        "pool": pool,
        "wide": wide,
    }


def test_compute_totals_honour_overcommit(site):
    cluster = site["cluster"]
    assert figures(cluster, CapacityType.CPU) == ((MHZ_H1 + MHZ_H2) * 2, 0, 0)
    assert figures(cluster, CapacityType.MEMORY) == (int(96 * GIB * 1.5), 0, 0)
    assert figures(cluster, CapacityType.CPU_CORE) == (24, 0, 0)
    assert figures(cluster, CapacityType.LOCAL_STORAGE) == (2**40, 0, 0)


def test_storage_ips_and_vlans(site):
    tib = 2**40
    assert figures(site["cluster"], CapacityType.STORAGE) == (tib, 0, 0)
    # allocated storage: storage.overprovisioning.factor (2 by default) times the pools
    assert figures(site["cluster"], CapacityType.STORAGE_ALLOCATED) == (2 * tib, 0, 0)
    assert figures(site["pod"], CapacityType.PRIVATE_IP) == (11, 0, 0)
    zone = site["zone"]
    assert figures(zone, CapacityType.STORAGE) == (3 * tib, 0, 0)  # the pod's and the zone's pool
    assert figures(zone, CapacityType.PUBLIC_IP) == (11, 0, 0)
    assert figures(zone, CapacityType.VLAN) == (10, 0, 0)


def test_a_pod_and_a_zone_sum_their_clusters(site):
    second = factories.cluster(pod=site["pod"], name="sim-d", hypervisor="Simulator")
    factories.host(cluster=second, url="http://sim/d/h1?cpucore=4&cpuspeed=1000&memory=8192")
    capacity_recompute(zone=site["zone"])
    expected = (MHZ_H1 + MHZ_H2) * 2 + 4 * 1000  # sim-d keeps the zone's factor, 1
    assert figures(site["pod"], CapacityType.CPU)[0] == expected
    assert figures(site["zone"], CapacityType.CPU)[0] == expected
    assert figures(site["zone"], CapacityType.PRIVATE_IP)[0] == 11


def test_a_new_cluster_starts_from_the_zones_overprovisioning_factors(site):
    setting_update(name="cpu.overprovisioning.factor", value="3", zone=site["zone"], by=None)
    setting_update(name="mem.overprovisioning.factor", value="1.25", zone=site["zone"], by=None)
    made = factories.cluster(pod=site["pod"], name="sim-e", hypervisor="Simulator")
    assert (made.cpu_overcommit_ratio, made.memory_overcommit_ratio) == (3.0, 1.25)
    factories.host(cluster=made, url="http://sim/e/h1?cpucore=2&cpuspeed=1000&memory=1024")
    capacity_recompute(zone=site["zone"])
    assert figures(made, CapacityType.CPU)[0] == 6000
    assert figures(made, CapacityType.MEMORY)[0] == int(1.25 * GIB)


def test_hosts_in_maintenance_or_disabled_are_left_out(site):
    services.host_maintenance_prepare(host=site["h2"], by=None)
    capacity_recompute(zone=site["zone"])
    assert figures(site["cluster"], CapacityType.CPU)[0] == MHZ_H1 * 2
    services.host_maintenance_cancel(host=Host.objects.get(pk=site["h2"].pk), by=None)
    services.host_update(
        host=Host.objects.get(pk=site["h1"].pk), allocation_state="Disabled", by=None
    )
    capacity_recompute(zone=site["zone"])
    assert figures(site["cluster"], CapacityType.CPU)[0] == MHZ_H2 * 2
    assert figures(site["cluster"], CapacityType.LOCAL_STORAGE)[0] == 0


def test_allocation_moves_every_level_and_release_gives_back(site):
    host = capacity_allocate(cluster=site["cluster"], cpu=4000, memory=4 * GIB, cores=2)
    assert host.cluster_id == site["cluster"].pk
    assert (host.cpu_allocated, host.memory_allocated, host.cores_allocated) == (4000, 4 * GIB, 2)
    for place in (site["cluster"], site["pod"], site["zone"]):
        assert figures(place, CapacityType.CPU)[2] == 4000
        assert figures(place, CapacityType.MEMORY)[2] == 4 * GIB
        assert figures(place, CapacityType.CPU_CORE)[2] == 2
    capacity_recompute(zone=site["zone"])  # the recompute agrees with the moves
    assert figures(site["zone"], CapacityType.CPU)[2] == 4000
    capacity_release(host=host, cpu=4000, memory=4 * GIB, cores=2)
    assert figures(site["zone"], CapacityType.CPU)[2] == 0
    assert Host.objects.get(pk=host.pk).cpu_allocated == 0


def test_allocation_past_the_disable_threshold_is_refused_and_changes_nothing(site):
    total = (MHZ_H1 + MHZ_H2) * 2  # 108,800 MHz; 85% is 92,480
    capacity_allocate(cluster=site["cluster"], cpu=76_000, memory=GIB)  # room on h1: 76,800
    before = figures(site["cluster"], CapacityType.CPU)
    with pytest.raises(Exception) as caught:
        capacity_allocate(cluster=site["cluster"], cpu=17_000, memory=GIB)  # 93,000 > 92,480
    assert "disable threshold" in str(caught.value)
    assert figures(site["cluster"], CapacityType.CPU) == before
    assert before[0] == total
    # within it (92,000) goes to the host that has room
    placed = capacity_allocate(cluster=site["cluster"], cpu=16_000, memory=GIB)
    assert placed.pk == site["h2"].pk


def test_no_host_with_room_is_refused_naming_the_cluster(site):
    with pytest.raises(Exception) as caught:
        capacity_allocate(cluster=site["cluster"], cpu=80_000, memory=GIB)  # no single host
    assert "No host of cluster sim-c" in str(caught.value)


def test_a_cluster_past_its_notification_threshold_raises_one_alert_resolved_below(site):
    capacity_allocate(cluster=site["cluster"], cpu=76_000, memory=GIB)
    capacity_allocate(cluster=site["cluster"], cpu=8_000, memory=GIB)  # 84,000: 77% > 75%
    (alert,) = Alert.objects.filter(alert_type=AlertType.CPU, resolved__isnull=True)
    assert alert.cluster_id == site["cluster"].pk
    assert alert.subject == "CPU of cluster sim-c in zone zone-c is at 77.21% (threshold 75%)"
    capacity_recompute(zone=site["zone"])  # still past: the same alert, counted
    assert Alert.objects.filter(alert_type=AlertType.CPU).count() == 1
    host = Host.objects.get(pk=site["h1"].pk)
    capacity_release(host=host, cpu=76_000, memory=GIB)
    capacity_recompute(zone=site["zone"])
    alert.refresh_from_db()
    assert alert.resolved is not None


@pytest.mark.parametrize(
    ("total", "amount", "text"),
    [
        (3, 1, "33.33"),
        (8, 1, "12.5"),
        (0, 0, "0"),
        (4, 4, "100"),
        (3, 2, "66.67"),
        (1000, 1, "0.1"),
    ],
)
def test_percent_used_is_written_as_cloudstacks_decimal_format(total, amount, text):
    assert percent_text(total, amount) == text


def test_a_recompute_drops_the_rows_of_what_is_gone(site):
    pool = site["wide"]
    services.storage_pool_delete(storagepool=pool, by=None)
    capacity_recompute(zone=site["zone"])
    assert figures(site["zone"], CapacityType.STORAGE)[0] == 2**40
    cluster = factories.cluster(pod=site["pod"], name="empty")
    capacity_recompute(zone=site["zone"])
    assert Capacity.objects.filter(object_id=cluster.pk).count() == 6
    services.cluster_delete(cluster=cluster, by=None)
    capacity_recompute(zone=site["zone"])
    assert not Capacity.objects.filter(object_id=cluster.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_inventory_write_recomputes_its_zone_once_it_commits(site):
    factories.host(
        cluster=site["cluster"], url="http://sim/c/h3?cpucore=2&cpuspeed=1000&memory=1024"
    )
    assert figures(site["cluster"], CapacityType.CPU)[0] == (MHZ_H1 + MHZ_H2 + 2000) * 2
    with transaction.atomic():  # many writes, one recompute, after the commit
        factories.host(
            cluster=site["cluster"], url="http://sim/c/h4?cpucore=2&cpuspeed=1000&memory=1024"
        )
        factories.host(
            cluster=site["cluster"], url="http://sim/c/h5?cpucore=2&cpuspeed=1000&memory=1024"
        )
        queued = transaction.get_connection().run_on_commit
        assert len([f for _, f, _ in queued if getattr(f, "capacity_zone", None)]) == 1
        assert figures(site["cluster"], CapacityType.CPU)[0] == (MHZ_H1 + MHZ_H2 + 2000) * 2
    assert figures(site["cluster"], CapacityType.CPU)[0] == (MHZ_H1 + MHZ_H2 + 6000) * 2


def test_pings_do_not_recompute(site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.host_ping(host=site["h1"])
    assert callbacks == []


def test_the_beat_task_checks_once_per_period_and_a_new_period_at_once(site, settings):
    """zones.tasks.capacity_check (beat, every CAPACITY_SWEEP_SECONDS) recomputes once per
    capacity.check.period; a period an operator changes holds from the next sweep, not once
    the old period has run out."""
    from django.core.cache import cache

    from zones.tasks import capacity_check

    assert settings.CELERY_BEAT_SCHEDULE["capacity-check"]["task"] == "zones.tasks.capacity_check"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # this test's own cache (CI's is a Redis database other runs share)
    assert capacity_check.delay().get() == 1
    assert capacity_check.delay().get() == 0  # checked less than a period ago
    assert capacity_check.delay(force=True).get() == 1
    setting_update(name="capacity.check.period", value="10000", by=None)
    assert capacity_check.delay().get() == 1
    assert capacity_check.delay().get() == 0
    cache.clear()
