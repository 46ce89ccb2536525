"""listCapacity through the `cs` client as CloudStack answers it: the zones' rows and the
region's sums, by zone, pod, cluster and type, sortby=usage, fetchlatest; errors naming the
parameter. Who may call it: tests/cloudstack/test_refusals.py (root admins only)."""

from __future__ import annotations

import cs
import pytest

from tests import factories
from zones.models import Capacity, CapacityType
from zones.services.capacity import capacity_allocate, capacity_recompute

GIB = 2**30


def api_error(call, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(**kwargs)
    return caught.value.response.status_code, caught.value.error


@pytest.fixture
def two_zones(region):
    made = {}
    for name, cores in (("zone-x", 8), ("zone-y", 4)):
        zone = factories.zone(name=name)
        pod = factories.pod(zone=zone, name=f"{name}-pod")
        cluster = factories.cluster(pod=pod, name=f"{name}-c", hypervisor="Simulator")
        factories.host(
            cluster=cluster, url=f"http://sim/{name}?cpucore={cores}&cpuspeed=1000&memory=8192"
        )
        capacity_recompute(zone=zone)
        made[name] = (zone, pod, cluster)
    return made


def test_no_zone_lists_every_zone_and_the_region_sums(root_cs, two_zones):
    rows = root_cs.listCapacity(type=1)["capacity"]
    assert [(r["level"], r.get("zonename")) for r in rows] == [
        ("zone", "zone-x"),
        ("zone", "zone-y"),
        ("region", None),
    ]
    zone_x, _, whole = rows
    zone = two_zones["zone-x"][0]
    assert zone_x == {
        "type": 1,
        "name": "CPU",
        "zoneid": str(zone.pk),
        "zonename": "zone-x",
        "capacitytotal": 8000,
        "capacityused": 0,
        "capacityallocated": 0,
        "percentused": "0",
        "level": "zone",
    }
    assert (whole["capacitytotal"], whole["regionname"], whole["regionid"]) == (12000, "east", 1)


def test_a_cluster_pod_or_zone_is_listed_alone_with_its_names(root_cs, two_zones):
    zone, pod, cluster = two_zones["zone-x"]
    capacity_allocate(cluster=cluster, cpu=2000, memory=GIB)
    (row,) = root_cs.listCapacity(clusterid=str(cluster.pk), type=1)["capacity"]
    assert (row["clustername"], row["podname"], row["zonename"]) == (
        "zone-x-c",
        "zone-x-pod",
        "zone-x",
    )
    assert (row["capacityallocated"], row["level"]) == (2000, "cluster")
    assert {r["level"] for r in root_cs.listCapacity(podid=str(pod.pk))["capacity"]} == {"pod"}
    types = [r["type"] for r in root_cs.listCapacity(zoneid=str(zone.pk))["capacity"]]
    assert types == sorted(types) and set(types) == set(CapacityType.values)


def test_sortby_usage_lists_the_most_used_first(root_cs, two_zones):
    capacity_allocate(cluster=two_zones["zone-y"][2], cpu=3000, memory=GIB)
    factories.host(
        cluster=two_zones["zone-y"][2], url="http://sim/more?cpucore=1&cpuspeed=1000&memory=1024"
    )
    capacity_recompute(zone=two_zones["zone-y"][0])
    Capacity.objects.filter(object_id=two_zones["zone-y"][2].pk, capacity_type=1).update(used=2500)
    rows = root_cs.listCapacity(sortby="usage", type=1)["capacity"]
    assert rows[0]["clustername"] == "zone-y-c" and rows[0]["percentused"] == "50"
    assert rows[-1]["clustername"] == "zone-x-c"


def test_fetchlatest_recomputes_first(root_cs, two_zones):
    zone = two_zones["zone-x"][0]
    Capacity.objects.filter(object_id=zone.pk, capacity_type=1).update(total=1)
    assert root_cs.listCapacity(zoneid=str(zone.pk), type=1)["capacity"][0]["capacitytotal"] == 1
    fresh = root_cs.listCapacity(zoneid=str(zone.pk), type=1, fetchlatest=True)["capacity"]
    assert fresh[0]["capacitytotal"] == 8000


def test_bad_parameters_are_refused_naming_them(root_cs, two_zones):
    status, error = api_error(root_cs.listCapacity, type=6)
    assert status == 431 and "type" in error["errortext"]
    status, error = api_error(root_cs.listCapacity, sortby="name")
    assert status == 431 and "sortBy" in error["errortext"]
    status, error = api_error(root_cs.listCapacity, zoneid="00000000-0000-4000-8000-000000000000")
    assert status == 431 and "zoneid" in error["errortext"]


def test_showcapacities_answers_each_zone_pod_and_clusters_capacities(root_cs, two_zones):
    zone, pod, cluster = two_zones["zone-x"]
    (answered,) = root_cs.listZones(id=str(zone.pk), showcapacities=True)["zone"]
    cpu = next(c for c in answered["capacity"] if c["type"] == 1)
    assert (cpu["capacitytotal"], cpu["zonename"], cpu["level"]) == (8000, "zone-x", "zone")
    assert len(answered["capacity"]) == len(CapacityType.values)
    (answered,) = root_cs.listPods(id=str(pod.pk), showcapacities=True)["pod"]
    assert {c["level"] for c in answered["capacity"]} == {"pod"}
    (answered,) = root_cs.listClusters(id=str(cluster.pk), showcapacities=True)["cluster"]
    assert {c["clustername"] for c in answered["capacity"]} == {"zone-x-c"}
    assert "capacity" not in root_cs.listZones(id=str(zone.pk))["zone"][0]


def test_a_user_asking_showcapacities_sees_zones_without_them(client_for, alice, two_zones):
    zones = client_for(alice).listZones(showcapacities=True)["zone"]
    assert zones and all("capacity" not in zone for zone in zones)
