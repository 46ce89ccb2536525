"""The region dashboard and the Regions page in a real browser, against live regions
(tests/live.py's cloud): a root admin of region 1 sees the hosts counted, a capacity card per
type with what is allocated and what is used, the chart, the zones sorted by a column's link,
and every region's capacity as that region reported it; a region that goes down is marked
stale there once its last report is three capacity check periods old, the others not.

Each region gets a zone of simulated hosts through its REST API and publishes its capacity
from its own Celery beat (zones.tasks.capacity_check): capacity.check.period is lowered to its
least, 10 seconds, in every region for the test (tests/live.py's BEAT_ENV has the beat ask
every 2 seconds), so a report is at most about 12 seconds old while its region runs and a
silent region is stale after 30. Nothing allocates capacity through an API yet (instances come
later), so the test places some CPU and memory on a cluster through the capacity service, as
an instance's deployment will."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.live import PASSWORD, Api, db

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PERIOD_MS = 10_000  # capacity.check.period's least: a region is stale after 3 x 10 s
HOST_URL = "http://sim/{name}/h{index}?cpucore=16&cpuspeed=2400&memory=65536"
HOST_MHZ = 16 * 2400
ALLOCATE = """
from zones.models import Cluster
from zones.services.capacity import capacity_allocate
capacity_allocate(cluster=Cluster.objects.get(pk={cluster!r}), cpu={cpu}, memory={memory})
"""


def wait_until(what: str, check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s", pytrace=False)
        time.sleep(every)


def seed_zone(api: Api, name: str, hosts: int, subnet: int) -> dict:
    """Zone NAME of API's region: a pod on 10.SUBNET.0.0/24 with a Simulator cluster of HOSTS
    hosts of 16 cores at 2400 MHz and 64 GiB each."""
    zone = api.post(
        "/zones/", name=name, network_type="Advanced", dns1="8.8.8.8", internal_dns1="10.0.0.2"
    )
    pod = api.post(
        "/pods/",
        zone=zone["id"],
        name=f"{name}-pod",
        gateway=f"10.{subnet}.0.1",
        netmask="255.255.255.0",
        start_ip=f"10.{subnet}.0.10",
        end_ip=f"10.{subnet}.0.40",
    )
    cluster = api.post("/clusters/", pod=pod["id"], name=f"{name}-sim", hypervisor="Simulator")
    for index in range(hosts):
        api.post("/hosts/", cluster=cluster["id"], url=HOST_URL.format(name=name, index=index))
    return {"zone": zone, "cluster": cluster}


def cpu_reports(region) -> dict[int, tuple]:
    """Every region's CPU capacity (total, allocated, reported) as REGION holds it, by id."""
    with db(region) as conn:
        rows = conn.execute(
            "SELECT region_id, total, allocated, reported FROM regions_regioncapacity "
            "WHERE capacity_type = 1"
        ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def sign_in(page, region) -> None:
    page.goto(f"{region.url}/accounts/login/")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{region.url}/")


def zone_order(page, *names: str) -> list[str]:
    """NAMES in the order the dashboard's zone table lists them."""
    listed = page.locator("#zone-capacity tbody tr td:first-child").all_inner_texts()
    return sorted(names, key=lambda name: listed.index(name))


def ghz(mhz: int) -> str:
    return f"{mhz / 1000:,.1f} GHz"


@pytest.fixture
def seeded(cloud, apis):
    """A zone in every region (two in region 1, one of them with CPU and memory allocated),
    every region publishing its capacity each 10 seconds; the period set back afterwards."""
    tag = uuid.uuid4().hex[:6]
    zones = {
        "a": seed_zone(apis[0], f"dash-a-{tag}", hosts=2, subnet=71),
        "b": seed_zone(apis[0], f"dash-b-{tag}", hosts=2, subnet=72),
        2: seed_zone(apis[1], f"dash-two-{tag}", hosts=3, subnet=73),
        3: seed_zone(apis[2], f"dash-three-{tag}", hosts=1, subnet=74),
    }
    cloud.regions[0].manage(
        "shell",
        "-c",
        ALLOCATE.format(cluster=zones["b"]["cluster"]["id"], cpu=HOST_MHZ // 2, memory=2**35),
    )
    try:
        for api in apis:
            api.patch("/settings/capacity.check.period/", value=PERIOD_MS)
        yield zones
    finally:
        for api in apis:  # region 3 is up again by now (the test restarts it)
            api.call("POST", "/settings/capacity.check.period/reset/")


def test_the_dashboard_and_every_regions_capacity_with_a_region_down(
    cloud, apis, seeded, page, screenshot
):
    one, three = cloud.regions[0], cloud.regions[2]
    zone_a, zone_b = seeded["a"]["zone"]["name"], seeded["b"]["zone"]["name"]
    seeded_mhz = {1: 4 * HOST_MHZ, 2: 3 * HOST_MHZ, 3: HOST_MHZ}

    def published() -> dict | None:
        """Region 1's copy of every region's report, once each counts the seeded hosts (and
        region 1's the allocation) and is what its region holds itself (replicated)."""
        here = cpu_reports(one)
        for region in cloud.regions:
            own = cpu_reports(region).get(region.index)
            if own is None or own[0] < seeded_mhz[region.index] or here.get(region.index) != own:
                return None
        return here if here[1][1] >= HOST_MHZ // 2 else None

    reports = wait_until("every region's capacity in region 1", published, timeout=120)

    sign_in(page, one)
    hosts = apis[0].call("GET", "/hosts/?limit=1")["count"]
    assert hosts >= 4
    assert page.locator("#count-hosts").inner_text().strip() == str(hosts)
    assert f"Up {hosts}" in page.locator("#host-states").inner_text()
    cards = page.locator(".capacity-card")
    assert cards.count() >= 5
    for text in cards.all_inner_texts():
        assert " allocated (" in text and " used (" in text, text
    cpu = page.locator(".capacity-card[data-type='1'] .capacity-bars", has_text=zone_b)
    assert f"{ghz(HOST_MHZ // 2)} allocated (25" in cpu.inner_text()  # of 2 hosts' 76.8 GHz
    assert page.locator("#capacity-chart img").evaluate(
        "img => img.decode().then(() => img.naturalWidth)"
    )
    assert zone_order(page, zone_a, zone_b) == [zone_a, zone_b]  # by name
    page.click("#zone-capacity thead a[href='?sort=1']")  # CPU, allocated
    page.wait_for_url(f"{one.url}/?sort=1")
    assert zone_order(page, zone_a, zone_b) == [zone_b, zone_a]
    assert "fw-bold" in page.locator("#zone-capacity thead a[href='?sort=1']").get_attribute(
        "class"
    )
    screenshot("dashboard-sorted-by-cpu")
    page.click("#zone-capacity thead a[href='?sort=name']")
    page.wait_for_url(f"{one.url}/?sort=name")
    assert zone_order(page, zone_a, zone_b) == [zone_a, zone_b]

    page.goto(f"{one.url}/regions/")
    for region in cloud.regions:
        row = page.locator(f"#region-capacity tr[data-region='{region.index}']")
        assert "table-warning" not in (row.get_attribute("class") or "")
        assert row.locator(".stale").count() == 0
        assert f"of {ghz(reports[region.index][0])}" in row.inner_text()
    screenshot("regions-capacity")

    three.stop()
    try:

        def region_three_stale() -> bool:
            page.goto(f"{one.url}/regions/")
            return page.locator("#region-capacity tr[data-region='3'] .stale").count() == 1

        wait_until("region 3 marked stale", region_three_stale, timeout=120, every=2)
        screenshot("regions-capacity-region-three-down")
        stale = page.locator("#region-capacity tr[data-region='3']")
        assert "table-warning" in stale.get_attribute("class")
        assert f"of {ghz(reports[3][0])}" in stale.inner_text()  # its last known figures
        for index in (1, 2):
            row = page.locator(f"#region-capacity tr[data-region='{index}']")
            assert row.locator(".stale").count() == 0, f"region {index} marked stale"
            assert "table-warning" not in (row.get_attribute("class") or "")
    finally:
        three.start()
