"""Region dashboard benchmark: the dashboard page and listCapacity over a large inventory.

Prints, last, one line:
  dashboard: p95=<ms> queries=<n> listcapacity_p95=<ms> hosts=<n>

- A real portal on a fresh PostgreSQL database (created here, dropped at the end): migrate,
  collectstatic and gunicorn, as tests/portal_process.py starts one, set up with
  `region_setup` and a key pair for the root admin.
- The inventory: ZONES zones, each with 10 pods of 2 clusters of 5 simulator hosts (100
  zones: 1,000 pods, 2,000 clusters, 10,000 hosts), a cluster-wide primary storage pool per
  cluster and a zone-wide one, a public IP range of 64 addresses and a guest VLAN range of
  100 VLANs per zone, some of each allocated. The first zone is built through the services
  (zone_create, pod_create, cluster_create, host_add with simulator discovery, ...), timed,
  so the run also shows what seeding through them costs; the others go in by bulk_create
  in the same shape, then every zone's capacity rows are recomputed
  (`capacities_refresh`), raising the alerts of the clusters past their thresholds.
- dashboard: `GET /` as the root admin (signed in through the login form: a session
  cookie); listCapacity: `GET /client/api?command=listCapacity&response=json&pagesize=-1`
  with no zone (every zone's rows and the region's in one answer: 909 rows at 100 zones),
  signed with the admin's key pair. One client on a keep-alive connection, REQUESTS of each
  after a warm-up; every answer is checked (status, the zone count, the region's rows).
- queries: one dashboard request in this process (Django's test client, the same
  database), counted with CaptureQueriesContext after a warm-up request; measured with 10
  zones first, then again once the inventory has grown to ZONES zones.

Run: flock /tmp/live-cloud.lock .venv/bin/python -m benchmarks.dashboard
     [--zones 100] [--small-zones 10] [--requests 200] [--workers 2] [--service-zones 1]
Needs PostgreSQL on CLOUD_PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from benchmarks.cloudstack_api import sign
from tests.portal_process import PortalProcess

ADMIN_PASSWORD = "Benchmark-Passphrase-2026"
PG_ADMIN = os.environ.get("CLOUD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

PODS_PER_ZONE = 10
CLUSTERS_PER_POD = 2
HOSTS_PER_CLUSTER = 5
PUBLIC_IPS_PER_ZONE = 64
VLANS_PER_ZONE = 100
GIB = 1024**3
#: every host: 2 sockets, 32 cores of 2,400 MHz, 256 GiB of memory, 1 TiB of local disk
HOST = {"cpu_sockets": 2, "cpu_number": 32, "cpu_speed": 2400, "memory": 256 * GIB}
LOCAL_STORAGE = 1024 * GIB
POOL_BYTES = 20 * 1024 * GIB


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def share(*numbers: int) -> float:
    """A fraction from 0.05 to 0.94 that varies with NUMBERS (allocation, use)."""
    return (sum(n * p for n, p in zip(numbers, (37, 11, 7), strict=False)) % 90 + 5) / 100


# -- the inventory ---------------------------------------------------------------------------


def seed_through_services(index: int, admin: Any) -> int:
    """Zone INDEX built through the services as an admin would (hosts discovered by the
    simulator driver); returns how many hosts it added."""
    from zones.models import Hypervisor, StoragePoolScope
    from zones.services import cluster_create, pod_create, zone_create
    from zones.services.hosts import host_add
    from zones.services.storage_pools import storage_pool_create
    from zones.services.vlan_ip_ranges import vlan_ip_range_create

    zone = zone_create(
        name=f"zone-{index:03d}",
        dns1="8.8.8.8",
        internal_dns1="10.0.0.2",
        vlan=f"100-{100 + VLANS_PER_ZONE - 1}",
        allocation_state="Enabled",
        description=f"benchmark zone {index}",
        by=admin,
    )
    hosts = 0
    for p in range(PODS_PER_ZONE):
        pod = pod_create(
            zone=zone,
            name=f"pod-{p:02d}",
            gateway=f"10.{index}.{p}.1",
            netmask="255.255.255.0",
            start_ip=f"10.{index}.{p}.10",
            end_ip=f"10.{index}.{p}.100",
            by=admin,
        )
        for c in range(CLUSTERS_PER_POD):
            cluster = cluster_create(
                pod=pod, name=f"cluster-{c}", hypervisor=Hypervisor.SIMULATOR, by=admin
            )
            for h in range(HOSTS_PER_CLUSTER):
                host_add(
                    cluster=cluster,
                    url=(
                        f"http://sim/z{index:03d}/p{p:02d}/c{c}/h{h}?cpusockets=2&cpucore=32"
                        f"&cpuspeed=2400&memory={256 * 1024}&localstorage={LOCAL_STORAGE}"
                    ),
                    by=admin,
                )
                hosts += 1
            storage_pool_create(
                zone=zone,
                name=f"pool-{p:02d}-{c}",
                url=f"nfs://10.250.{index}.{p * CLUSTERS_PER_POD + c}/export/primary",
                capacity_bytes=POOL_BYTES,
                pod=pod,
                cluster=cluster,
                by=admin,
            )
    storage_pool_create(
        zone=zone,
        name="pool-zone",
        url=f"nfs://10.251.{index}.1/export/primary",
        capacity_bytes=POOL_BYTES,
        scope=StoragePoolScope.ZONE,
        hypervisor=Hypervisor.SIMULATOR,
        by=admin,
    )
    vlan_ip_range_create(
        zone=zone,
        gateway=f"198.18.{index}.1",
        netmask="255.255.255.0",
        start_ip=f"198.18.{index}.10",
        end_ip=f"198.18.{index}.{10 + PUBLIC_IPS_PER_ZONE - 1}",
        vlan="vlan://50",
        by=admin,
    )
    return hosts


def seed_in_bulk(indexes: range, region: Any) -> None:
    """Zones INDEXES in the shape seed_through_services gives one, by bulk_create."""
    from django.db import transaction
    from django.utils import timezone

    from zones.models import (
        AllocationState,
        Cluster,
        GuestVlan,
        GuestVlanRange,
        Host,
        HostState,
        Hypervisor,
        Pod,
        PublicIpAddress,
        StoragePool,
        StoragePoolScope,
        StoragePoolType,
        VlanIpRange,
        Zone,
    )

    now = timezone.now()
    zones, pods, clusters, hosts, pools = [], [], [], [], []
    ranges, addresses, vlan_ranges, vlans = [], [], [], []
    for z in indexes:
        zone = Zone(
            name=f"zone-{z:03d}",
            description=f"benchmark zone {z}",
            region=region,
            dns1="8.8.8.8",
            internal_dns1="10.0.0.2",
            allocation_state=AllocationState.ENABLED,
        )
        zones.append(zone)
        for p in range(PODS_PER_ZONE):
            pod = Pod(
                zone=zone,
                name=f"pod-{p:02d}",
                gateway=f"10.{z}.{p}.1",
                netmask="255.255.255.0",
                start_ip=f"10.{z}.{p}.10",
                end_ip=f"10.{z}.{p}.100",
            )
            pods.append(pod)
            for c in range(CLUSTERS_PER_POD):
                cluster = Cluster(pod=pod, name=f"cluster-{c}", hypervisor=Hypervisor.SIMULATOR)
                clusters.append(cluster)
                for h in range(HOSTS_PER_CLUSTER):
                    name = f"z{z:03d}/p{p:02d}/c{c}/h{h}"
                    hosts.append(
                        Host(
                            cluster=cluster,
                            name="sim-" + name.replace("/", "-"),
                            url=f"http://sim/{name}?cpusockets=2&cpucore=32&cpuspeed=2400"
                            f"&memory={256 * 1024}&localstorage={LOCAL_STORAGE}",
                            hypervisor=Hypervisor.SIMULATOR,
                            state=HostState.UP,
                            local_storage=LOCAL_STORAGE,
                            last_pinged=now,
                            last_ping_attempt=now,
                            **HOST,
                        )
                    )
                address = f"10.250.{z}.{p * CLUSTERS_PER_POD + c}"
                pools.append(
                    StoragePool(
                        zone=zone,
                        pod=pod,
                        cluster=cluster,
                        name=f"pool-{p:02d}-{c}",
                        url=f"nfs://{address}/export/primary",
                        pool_type=StoragePoolType.NETWORK_FILESYSTEM,
                        host_address=address,
                        path="/export/primary",
                        hypervisor=Hypervisor.SIMULATOR,
                        capacity_bytes=POOL_BYTES,
                    )
                )
        pools.append(
            StoragePool(
                zone=zone,
                scope=StoragePoolScope.ZONE,
                name="pool-zone",
                url=f"nfs://10.251.{z}.1/export/primary",
                pool_type=StoragePoolType.NETWORK_FILESYSTEM,
                host_address=f"10.251.{z}.1",
                path="/export/primary",
                hypervisor=Hypervisor.SIMULATOR,
                capacity_bytes=POOL_BYTES,
            )
        )
        ip_range = VlanIpRange(
            zone=zone,
            vlan="vlan://50",
            gateway=f"198.18.{z}.1",
            netmask="255.255.255.0",
            start_ip=f"198.18.{z}.10",
            end_ip=f"198.18.{z}.{10 + PUBLIC_IPS_PER_ZONE - 1}",
        )
        ranges.append(ip_range)
        addresses += [
            PublicIpAddress(range=ip_range, zone=zone, address=f"198.18.{z}.{10 + n}")
            for n in range(PUBLIC_IPS_PER_ZONE)
        ]
        vlan_ranges.append(GuestVlanRange(zone=zone, start=100, end=100 + VLANS_PER_ZONE - 1))
        vlans += [GuestVlan(zone=zone, vnet=100 + n) for n in range(VLANS_PER_ZONE)]
    with transaction.atomic():
        for model, rows in (
            (Zone, zones),
            (Pod, pods),
            (Cluster, clusters),
            (Host, hosts),
            (StoragePool, pools),
            (VlanIpRange, ranges),
            (PublicIpAddress, addresses),
            (GuestVlanRange, vlan_ranges),
            (GuestVlan, vlans),
        ):
            # the parents' ids were made with them (UUIDs): no reads between the inserts
            model.objects.bulk_create(rows, batch_size=2000)


def allocate(zone_names: list[str]) -> None:
    """What instances, volumes and networks would hold: a share of each cluster's CPU and
    memory (varying by cluster, some past the 75% notification threshold), of each pool,
    of the public IPs and VLANs; a few hosts Down or Alert, a few in maintenance."""
    from django.db import transaction
    from django.utils import timezone

    from zones.models import (
        Cluster,
        GuestVlan,
        Host,
        HostState,
        IpAddressState,
        PublicIpAddress,
        ResourceState,
        StoragePool,
    )

    now = timezone.now()
    clusters = Cluster.objects.filter(pod__zone__name__in=zone_names).values_list(
        "pk", "pod__zone__name", "pod__name", "name"
    )
    buckets: dict[float, list] = {}
    for pk, zone, pod, name in clusters:
        numbers = (int(zone[-3:]), int(pod[-2:]), int(name[-1:]))
        buckets.setdefault(round(share(*numbers), 1), []).append(pk)
    cores, mhz, memory = HOST["cpu_number"], HOST["cpu_number"] * HOST["cpu_speed"], HOST["memory"]
    with transaction.atomic():
        for fraction, ids in buckets.items():
            Host.objects.filter(cluster_id__in=ids).update(
                cpu_allocated=int(mhz * fraction),
                memory_allocated=int(memory * fraction),
                cores_allocated=int(cores * fraction),
                cpu_used=int(mhz * fraction * 0.6),
                memory_used=int(memory * fraction * 0.8),
                local_storage_used=int(LOCAL_STORAGE * fraction * 0.3),
            )
            StoragePool.objects.filter(cluster_id__in=ids).update(
                allocated_bytes=int(POOL_BYTES * fraction),
                used_bytes=int(POOL_BYTES * fraction * 0.5),
            )
        in_zones = {"zone__name__in": zone_names}
        StoragePool.objects.filter(cluster=None, **in_zones).update(
            allocated_bytes=POOL_BYTES // 3, used_bytes=POOL_BYTES // 5
        )
        hosts = Host.objects.filter(cluster__pod__zone__name__in=zone_names)
        hosts.filter(name__endswith="c0-h4", cluster__pod__name="pod-03").update(
            state=HostState.DOWN
        )
        hosts.filter(name__endswith="c1-h4", cluster__pod__name="pod-07").update(
            state=HostState.ALERT
        )
        hosts.filter(name__endswith="c1-h3", cluster__pod__name="pod-05").update(
            resource_state=ResourceState.MAINTENANCE
        )
        for z in zone_names:
            taken = int(z[-3:]) % 60 + 4  # public IPs of 64 (some zones past 75%)
            ips = PublicIpAddress.objects.filter(zone__name=z).order_by("address")[:taken]
            PublicIpAddress.objects.filter(pk__in=list(ips.values_list("pk", flat=True))).update(
                state=IpAddressState.ALLOCATED, allocated=now
            )
            vlans = GuestVlan.objects.filter(zone__name=z, vnet__lt=100 + (int(z[-3:]) % 50) + 10)
            vlans.update(allocated=now)


@dataclass
class Seeded:
    zones: int
    hosts: int
    service_seconds: float
    service_hosts: int
    bulk_seconds: float
    recompute_seconds: float


def seed(first: int, last: int, *, service_zones: int, admin: Any) -> Seeded:
    """Zones FIRST to LAST - 1: the first SERVICE_ZONES of them through the services, the
    rest in bulk; then allocations and every zone's capacity recomputed."""
    from django.db import connection

    from regions.selectors import region_local
    from zones.models import Host, Zone
    from zones.services.capacity import capacities_refresh

    began = time.perf_counter()
    service_hosts = 0
    through_services = range(first, min(first + service_zones, last))
    for index in through_services:
        service_hosts += seed_through_services(index, admin)
    service_seconds = time.perf_counter() - began
    began = time.perf_counter()
    seed_in_bulk(range(first + len(through_services), last), region_local())
    allocate([f"zone-{i:03d}" for i in range(first, last)])
    bulk_seconds = time.perf_counter() - began
    began = time.perf_counter()
    capacities_refresh()
    recompute_seconds = time.perf_counter() - began
    with connection.cursor() as cursor:  # what autovacuum does after a load, not mid-run
        cursor.execute("VACUUM ANALYZE")
    return Seeded(
        zones=Zone.objects.count(),
        hosts=Host.objects.count(),
        service_seconds=service_seconds,
        service_hosts=service_hosts,
        bulk_seconds=bulk_seconds,
        recompute_seconds=recompute_seconds,
    )


# -- the measures ----------------------------------------------------------------------------


def dashboard_queries(admin: Any) -> int:
    """Queries of one dashboard request in this process (after a warm-up request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def sign_in(session: requests.Session, url: str) -> None:
    page = session.get(f"{url}/accounts/login/", timeout=10)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": "admin", "password": ADMIN_PASSWORD},
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=10,
    )
    assert 'id="user-menu"' in response.text, "sign-in failed"


def list_capacity_params(key: str, secret: str) -> dict[str, str]:
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    return sign(
        {
            "apiKey": key,
            "command": "listCapacity",
            "response": "json",
            "pagesize": "-1",  # every row in one answer (a page holds at most 500)
            "signatureVersion": "3",
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        secret,
    )


def timed(
    session: requests.Session,
    send: Callable[[requests.Session], requests.Response],
    check: Callable[[requests.Response], None],
    *,
    warmup: int,
    count: int,
) -> list[float]:
    """Milliseconds of COUNT requests sent one after another, after WARMUP more."""
    times = []
    for n in range(warmup + count):
        began = time.perf_counter()
        response = send(session)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:300]}")
        if n == warmup:  # one full check per run, outside the timed part
            check(response)
        if n >= warmup:
            times.append(elapsed)
    return times


@dataclass
class Measured:
    zones: int
    hosts: int
    queries: int
    dashboard_p50: float
    dashboard_p95: float
    capacity_p50: float
    capacity_p95: float
    page_kib: float


def measure(
    portal: PortalProcess, admin: Any, keys: dict, seeded: Seeded, args: argparse.Namespace
) -> Measured:
    queries = dashboard_queries(admin)
    capacity_rows = 9 * seeded.zones + 9  # every zone's types, then the region's
    page_size = []

    def dashboard(session):
        return session.get(f"{portal.url}/", timeout=30)

    def check_dashboard(response):
        page_size.append(len(response.content) / 1024)
        text = response.text
        assert 'id="capacity-chart"' in text and 'id="zone-capacity"' in text, text[:500]
        assert f">{seeded.hosts}</a>" in text, "the host count is not on the page"
        assert text.count("zone-") >= seeded.zones, "zones missing from the page"

    params = list_capacity_params(keys["key"], keys["secret"])

    def capacity(session):
        return session.get(f"{portal.url}/client/api", params=params, timeout=30)

    def check_capacity(response):
        answer = response.json()["listcapacityresponse"]
        assert answer["count"] == capacity_rows == len(answer["capacity"]), answer.get("count")
        region = [row for row in answer["capacity"] if row["level"] == "region"]
        assert len(region) == 9 and all(row["capacitytotal"] > 0 for row in region), region

    warmup = max(args.workers * 5, 10)
    with requests.Session() as session:
        sign_in(session, portal.url)
        pages = timed(session, dashboard, check_dashboard, warmup=warmup, count=args.requests)
    with requests.Session() as session:
        answers = timed(session, capacity, check_capacity, warmup=warmup, count=args.requests)
    return Measured(
        zones=seeded.zones,
        hosts=seeded.hosts,
        queries=queries,
        dashboard_p50=percentile(pages, 50),
        dashboard_p95=percentile(pages, 95),
        capacity_p50=percentile(answers, 50),
        capacity_p95=percentile(answers, 95),
        page_kib=page_size[0],
    )


def report(label: str, m: Measured) -> None:
    print(
        f"{label}: {m.zones} zones, {m.hosts} hosts: dashboard p50={m.dashboard_p50:.0f} "
        f"p95={m.dashboard_p95:.0f} ms ({m.page_kib:.0f} KiB), queries={m.queries}; "
        f"listCapacity p50={m.capacity_p50:.0f} p95={m.capacity_p95:.0f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=100)
    parser.add_argument("--small-zones", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--service-zones", type=int, default=1)
    args = parser.parse_args()
    assert 0 < args.small_zones <= args.zones <= 250  # zone numbers go into IPv4 octets

    import psycopg

    database = f"bench_dashboard_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    extra_env = {
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{database}",
        "CAPACITY_SWEEP_SECONDS": "3600",
    }
    try:
        with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
            portal = PortalProcess(Path(tmp), workers=args.workers, extra_env=extra_env)
            try:
                portal.start(timeout=120.0)
                run(portal, args)
            finally:
                portal.stop()
                from django.db import connections

                connections.close_all()
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(portal: PortalProcess, args: argparse.Namespace) -> None:
    # This process reads and writes the same database as the portal, with its settings.
    os.environ.update(portal.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    logging.getLogger("zones").setLevel(logging.ERROR)  # the alerts the seeding raises
    from console.services import region_setup
    from identity.services import user_keys_register

    result = region_setup(
        region={"id": 1, "name": "bench", "endpoint": portal.url},
        admin={"username": "admin", "password": ADMIN_PASSWORD},
    )
    admin = result.admin
    pair = user_keys_register(user=admin, by=None)
    keys = {"key": pair.api_key, "secret": pair.secret_key}

    small = seed(0, args.small_zones, service_zones=args.service_zones, admin=admin)
    per_host = small.service_seconds / max(small.service_hosts, 1)
    print(
        f"seed: {small.service_hosts} hosts through the services (zone, pods, clusters, "
        f"host_add, pools, IP range) in {small.service_seconds:.1f} s, "
        f"{per_host * 1000:.0f} ms a host: about {per_host * 10_000 / 60:.0f} min for 10,000; "
        f"{args.small_zones - args.service_zones} zones by bulk_create in "
        f"{small.bulk_seconds:.1f} s, capacity of all {small.zones} recomputed in "
        f"{small.recompute_seconds:.1f} s",
        flush=True,
    )
    at_small = measure(portal, admin, keys, small, args)
    report("small", at_small)

    large = seed(args.small_zones, args.zones, service_zones=0, admin=admin)
    print(
        f"seed: {args.zones - args.small_zones} more zones by bulk_create in "
        f"{large.bulk_seconds:.1f} s, capacity of all {large.zones} recomputed in "
        f"{large.recompute_seconds:.1f} s",
        flush=True,
    )
    at_large = measure(portal, admin, keys, large, args)
    report("large", at_large)

    from zones.models import Alert, Capacity

    print(
        f"setup: PostgreSQL, gunicorn {args.workers} workers, one client, {args.requests} "
        f"requests each after warm-up; {Capacity.objects.count()} capacity rows, "
        f"{Alert.objects.filter(resolved=None).count()} open alerts; "
        f"Python {sys.version.split()[0]}"
    )
    print(
        f"dashboard@{at_small.zones}zones: p95={at_small.dashboard_p95:.0f} "
        f"queries={at_small.queries} listcapacity_p95={at_small.capacity_p95:.0f} "
        f"hosts={at_small.hosts}"
    )
    print(
        f"dashboard: p95={at_large.dashboard_p95:.0f} queries={at_large.queries} "
        f"listcapacity_p95={at_large.capacity_p95:.0f} hosts={at_large.hosts}"
    )


if __name__ == "__main__":
    main()
