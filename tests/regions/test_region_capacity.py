"""Every region's capacity from any region: the periodic job publishes this region's sums as
replicated rows only it writes; a peer's figures for this region are refused; the Regions
page shows each region's figures and marks a region that stopped reporting stale."""

from __future__ import annotations

import datetime

from django.utils import timezone

from regions.federation.replication.apply import IncomingChange, Outcome, change_apply
from regions.models import CapacityType, Override, RegionCapacity, region_capacity_id
from regions.services import region_capacity_report, region_create
from tests import factories
from zones.services.capacity import capacities_refresh


def test_the_periodic_job_publishes_this_regions_sums(region):
    for name in ("sum-a", "sum-b"):
        cluster = factories.cluster(
            pod=factories.pod(zone=factories.zone(name=name)), hypervisor="Simulator"
        )
        factories.host(cluster=cluster, url=f"http://sim/{name}?cpucore=2&cpuspeed=1500")
    assert capacities_refresh() == 2
    cpu = RegionCapacity.objects.get(region=region, capacity_type=CapacityType.CPU)
    assert (cpu.total, cpu.allocated) == (6000, 0)
    assert cpu.pk == region_capacity_id(region.uuid, CapacityType.CPU)
    assert RegionCapacity.objects.filter(region=region).count() == len(CapacityType.values)


def test_a_peers_figures_for_this_region_are_refused(region):
    change = IncomingChange(
        "regions.regioncapacity",
        str(region_capacity_id(region.uuid, 1)),
        "upsert",
        (4_000_000_000_000, 0, 2),
        {
            "region_id": region.pk,
            "capacity_type": 1,
            "total": 1,
            "used": 1,
            "allocated": 1,
            "reported": "2026-12-05T00:00:00+00:00",
        },
    )
    assert change_apply(change) == Outcome.IGNORED
    assert not RegionCapacity.objects.exists()
    assert Override.objects.filter(detail__contains="only this region reports them").exists()


def test_the_regions_page_shows_every_region_and_marks_the_silent_ones_stale(root_client, region):
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    region_capacity_report(figures=[(1, 8000, 1000, 2000)], at=timezone.now())
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    RegionCapacity.objects.create(
        id=region_capacity_id(west.uuid, 1),
        region=west,
        capacity_type=1,
        total=4000,
        used=0,
        allocated=4000,
        reported=long_ago,
    )
    html = root_client.get("/regions/").content.decode()
    table = html.split('id="region-capacity"')[1]
    east_row = table.split('data-region="1"')[1].split("</tr>")[0]
    west_row = table.split('data-region="2"')[1].split("</tr>")[0]
    assert "25.0% · 12.5% of 8.0 GHz" in east_row and "stale" not in east_row
    assert "100.0% · 0.0% of 4.0 GHz" in west_row and "stale" in west_row


def test_only_root_admins_see_capacity_on_the_regions_page(client, alice, region):
    client.force_login(alice)
    html = client.get("/regions/").content.decode()
    assert "east" in html and 'id="region-capacity"' not in html
