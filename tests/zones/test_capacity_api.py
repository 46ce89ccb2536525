"""GET /api/capacity/: every zone's capacities and the region's sums, or one zone's, pod's or
cluster's, as listCapacity answers them; filters named in errors; root admins only."""

from __future__ import annotations

import pytest

from tests import factories
from zones.services.capacity import capacity_recompute


@pytest.fixture
def sized(region):
    zone = factories.zone(name="api-z")
    pod = factories.pod(zone=zone, name="api-p")
    cluster = factories.cluster(pod=pod, name="api-c", hypervisor="Simulator")
    factories.host(cluster=cluster, url="http://sim/api/h?cpucore=4&cpuspeed=1000&memory=1024")
    capacity_recompute(zone=zone)
    return zone, pod, cluster


def test_every_zone_and_the_regions_sums(root_api, sized):
    zone, _, _ = sized
    body = root_api.get("/api/capacity/?type=1").json()
    assert [(row["level"], row["zone"], row["region"]) for row in body] == [
        ("zone", str(zone.pk), None),
        ("region", None, 1),
    ]
    assert body[1]["total"] == body[0]["total"] == 4000
    assert (body[0]["name"], body[0]["total"], body[0]["percent_used"]) == ("CPU", 4000, "0")


def test_one_cluster_pod_or_zone(root_api, sized):
    zone, pod, cluster = sized
    rows = root_api.get(f"/api/capacity/?cluster={cluster.pk}").json()
    assert {row["level"] for row in rows} == {"cluster"} and len(rows) == 6
    assert {row["level"] for row in root_api.get(f"/api/capacity/?pod={pod.pk}").json()} == {"pod"}
    assert {row["zone"] for row in root_api.get(f"/api/capacity/?zone={zone.pk}").json()} == {
        str(zone.pk)
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=6", "type"),
        ("zone=nope", "zone"),
        ("zone=", "zone"),
        ("type=", "type"),
    ],
)
def test_bad_filters_are_named(root_api, sized, query, field):
    answer = root_api.get(f"/api/capacity/?{query}")
    assert answer.status_code == 400 and field in answer.json()


def test_an_unknown_place_lists_nothing(root_api, sized):
    answer = root_api.get("/api/capacity/?pod=00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 200 and answer.json() == []


def test_only_root_admins(client, alice, sized):
    client.force_login(alice)
    assert client.get("/api/capacity/").status_code == 403
