"""The region dashboard: a root admin sees the infrastructure counted, a capacity card per
type (allocated and used, labelled), a chart, the zones sortable by any capacity and the
newest alerts, in a number of queries that does not grow with zones or hosts; anyone else
sees the zones and the identity, not the infrastructure."""

from __future__ import annotations

import base64
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from zones.services.capacity import capacity_allocate, capacity_recompute

GIB = 2**30


def build(zones: int, hosts: int, prefix: str = "dz") -> list:
    made = []
    for z in range(zones):
        zone = factories.zone(name=f"{prefix}-{z:02d}")
        cluster = factories.cluster(pod=factories.pod(zone=zone), hypervisor="Simulator")
        for h in range(hosts):
            factories.host(
                cluster=cluster, url=f"http://sim/{prefix}{z}/h{h}?cpucore=4&cpuspeed=1000"
            )
        capacity_recompute(zone=zone)
        made.append((zone, cluster))
    return made


def test_a_root_admin_sees_infrastructure_capacity_and_alerts(root_client, region):
    (_, cluster_a), _ = build(2, 2)
    capacity_allocate(cluster=cluster_a, cpu=3000, memory=GIB)
    factories.alert(subject="Host x is not answering")
    page = root_client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'id="count-hosts">.*?>4<', html, re.S)
    assert "Up 4" in html and "Down 0" in html
    chart = html.split('id="capacity-chart"><img class="img-fluid" src="')[1].split('"')[0]
    svg = base64.b64decode(chart.removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg.startswith("<svg") and "Region capacity (%)" in svg  # pygal's chart
    assert "<script" not in svg and "CPU" in svg
    cpu_card = html.split('data-type="1"')[1].split("capacity-card")[0]
    assert "3.0 GHz allocated (18.75%)" in cpu_card  # of 16 GHz in the region
    assert "Allocated: promised" in html and "Used: what hosts" in html
    assert "Host x is not answering" in html
    table = html.split('id="zone-capacity"')[1]
    assert table.index("dz-00") < table.index("dz-01")
    by_cpu = root_client.get("/?sort=1").content.decode().split('id="zone-capacity"')[1]
    assert by_cpu.index("dz-00") < by_cpu.index("dz-01")  # the allocated zone first
    by_name_desc = root_client.get("/?sort=bogus").content.decode()
    assert by_name_desc.count("dz-00") >= 1  # an unknown sort is the name's


@pytest.mark.parametrize("user", ["alice", "dadmin"])
def test_others_see_zones_and_identity_not_infrastructure(request, client, user, region):
    build(1, 1)
    client.force_login(request.getfixturevalue(user))
    html = client.get("/").content.decode()
    assert "dz-00" in html
    assert 'id="capacity-cards"' not in html and 'id="count-hosts"' not in html
    assert "Newest alerts" not in html


def test_the_dashboards_queries_do_not_grow_with_zones_or_hosts(root_client, region):
    build(2, 1)
    root_client.get("/")  # warm: sessions, settings
    with CaptureQueriesContext(connection) as few:
        assert root_client.get("/").status_code == 200
    build(3, 4, prefix="more")
    with CaptureQueriesContext(connection) as many:
        assert root_client.get("/").status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
