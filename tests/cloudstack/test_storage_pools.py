"""listStoragePools, createStoragePool, updateStoragePool, deleteStoragePool and the async
enableStorageMaintenance and cancelStorageMaintenance through the `cs` client: CloudStack's
parameter names, its StoragePoolResponse, errors that name the parameter and change nothing,
and deleteZone and deleteCluster refused while they hold pools. Who may call them:
tests/cloudstack/test_refusals.py (root admins only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import cs
import pytest

from regions.configuration.services import setting_update
from tests import factories
from tests.db_state import db_state
from tests.factories import TIB
from zones.models import Cluster, StoragePool, Zone

MISSING = "00000000-0000-4000-8000-00000000abcd"


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def pool_params(cluster: Cluster, **overrides) -> dict:
    return {
        "name": "pool-b",
        "zoneid": str(cluster.pod.zone_id),
        "podid": str(cluster.pod_id),
        "clusterid": str(cluster.pk),
        "url": "nfs://10.147.28.6:/export/home/sandbox/primary0",
        "capacitybytes": TIB,
    } | overrides


def test_create_answers_cloudstacks_storage_pool_response(root_cs, cluster):
    created = root_cs.createStoragePool(**pool_params(cluster, tags="ssd, fast"))["storagepool"]
    pool = StoragePool.objects.get(pk=created["id"])
    assert created.pop("created")
    assert created == {
        "id": str(pool.pk),
        "name": "pool-b",
        "zoneid": str(cluster.pod.zone_id),
        "zonename": "zone-a",
        "podid": str(cluster.pod_id),
        "podname": "rack-a",
        "clusterid": str(cluster.pk),
        "clustername": "cluster-a",
        "scope": "CLUSTER",
        "type": "NetworkFilesystem",
        "ipaddress": "10.147.28.6",
        "path": "/export/home/sandbox/primary0",
        "state": "Up",
        "disksizetotal": TIB,
        "disksizeallocated": 0,
        "disksizeused": 0,
        "tags": "ssd,fast",
        "hypervisor": "KVM",
        "overprovisionfactor": "2.0",
        "provider": "DefaultPrimary",
    }
    (event,) = root_cs.listEvents(type="STORAGE.POOL.CREATE")["event"]
    assert (event["resourceid"], event["resourcename"]) == (str(pool.pk), "pool-b")


def test_a_zone_wide_pool_with_choices_in_any_case(root_cs, zone):
    created = root_cs.createStoragePool(
        name="wide",
        zoneid=str(zone.pk),
        scope="zone",
        hypervisor="simulator",
        url="SharedMountPoint:///mnt/primary",
        capacitybytes=5000,
        provider="DefaultPrimary",
    )["storagepool"]
    assert (created["scope"], created["hypervisor"], created["type"]) == (
        "ZONE",
        "Simulator",
        "SharedMountPoint",
    )
    assert (created["ipaddress"], created["path"]) == ("localhost", "/mnt/primary")
    assert not {"podid", "podname", "clusterid", "clustername", "tags"} & set(created)


def test_the_overprovisioning_factor_is_the_zones(root_cs, storage_pool):
    setting_update(
        name="storage.overprovisioning.factor", value="3.5", zone=storage_pool.zone, by=None
    )
    (listed,) = root_cs.listStoragePools()["storagepool"]
    assert listed["overprovisionfactor"] == "3.5"


def test_list_filters_by_id_zone_pod_cluster_name_scope_status_server_path_and_keyword(
    root_cs, storage_pool
):
    wide = factories.storage_pool(
        scope="ZONE", name="wide", url="SharedMountPoint:///mnt/w", capacity_bytes=10
    )
    StoragePool.objects.filter(pk=wide.pk).update(state="Disabled")

    def names(**params):
        return [p["name"] for p in root_cs.listStoragePools(**params).get("storagepool", [])]

    assert names() == ["pool-a", "wide"]
    assert names(id=str(wide.pk)) == ["wide"]
    assert names(zoneid=str(storage_pool.zone_id)) == ["pool-a"]
    assert names(podid=str(storage_pool.pod_id)) == ["pool-a"]
    assert names(clusterid=str(storage_pool.cluster_id)) == ["pool-a"]
    assert names(name="POOL-A") == ["pool-a"]
    assert names(scope="zone") == ["wide"]
    assert names(scope="host") == []
    assert names(status="disabled") == ["wide"]
    assert names(ipaddress="10.0.0.5") == ["pool-a"]
    assert names(path="/mnt/w") == ["wide"]
    assert names(keyword="mountpoint") == ["wide"]  # the type is searched too
    assert names(keyword="OOL-") == ["pool-a"]
    second = root_cs.listStoragePools(pagesize=1, page=2)
    assert (second["count"], [p["id"] for p in second["storagepool"]]) == (2, [str(wide.pk)])


def test_an_empty_list_and_an_unknown_zone_pod_or_cluster(root_cs, region):
    assert root_cs.listStoragePools() == {}
    for param in ("zoneid", "podid", "clusterid"):
        status, error = api_error(root_cs.listStoragePools, **{param: MISSING})
        assert status == 431
        assert f"Invalid parameter {param} value={MISSING}" in error["errortext"]


def test_update(root_cs, storage_pool):
    updated = root_cs.updateStoragePool(
        id=str(storage_pool.pk), name="pool-a1", tags="gold", capacitybytes=2 * TIB, enabled=False
    )["storagepool"]
    assert (updated["name"], updated["tags"], updated["disksizetotal"], updated["state"]) == (
        "pool-a1",
        "gold",
        2 * TIB,
        "Disabled",
    )
    again = root_cs.updateStoragePool(id=str(storage_pool.pk), tags="", enabled=True)
    assert ("tags" not in again["storagepool"], again["storagepool"]["state"]) == (True, "Up")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacitybytes": 0}, "capacitybytes: A size is a number of bytes from 1 to"),
        ({"name": " "}, "name: This field is required."),
        ({"tags": "x" * 300}, "tags: Ensure this value has at most 255 characters."),
    ],
)
def test_a_bad_update_is_431_and_changes_nothing(root_cs, storage_pool, changes, message):
    before = db_state()
    status, error = api_error(root_cs.updateStoragePool, id=str(storage_pool.pk), **changes)
    assert status == 431
    assert error["errortext"].startswith(message), error["errortext"]
    assert db_state() == before


def test_the_capacity_is_not_set_below_what_is_allocated(root_cs, storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=TIB)
    status, error = api_error(
        root_cs.updateStoragePool, id=str(storage_pool.pk), capacitybytes=TIB - 1
    )
    assert (status, error["errortext"]) == (
        431,
        f"capacitybytes: {TIB} bytes are allocated on storage pool pool-a: its capacity "
        "cannot be less.",
    )


def test_delete_and_forced_delete(root_cs, storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=5)
    status, error = api_error(root_cs.deleteStoragePool, id=str(storage_pool.pk))
    assert (status, error["errorcode"], error["errortext"]) == (
        536,
        536,
        "Storage pool pool-a has 5 bytes allocated to volumes; delete them first, or delete "
        "the pool forced.",
    )
    assert root_cs.deleteStoragePool(id=str(storage_pool.pk), forced=True) == {"success": True}
    assert not StoragePool.objects.exists()
    status, error = api_error(root_cs.deleteStoragePool, id=str(storage_pool.pk))
    assert status == 431 and "Invalid parameter id value=" in error["errortext"]


def test_maintenance_and_back_as_async_jobs(root_cs, client_for, root, storage_pool):
    entered = root_cs.enableStorageMaintenance(id=str(storage_pool.pk))
    assert entered["storagepool"]["state"] == "Maintenance"
    status, error = api_error(root_cs.updateStoragePool, id=str(storage_pool.pk), enabled=True)
    assert (status, error["errortext"]) == (
        431,
        "enabled: Storage pool pool-a is Maintenance: cannot enable it.",
    )
    polling = client_for(root, fetch_result=False)
    started = polling.cancelStorageMaintenance(id=str(storage_pool.pk))
    result = polling.queryAsyncJobResult(jobid=started["jobid"])
    assert (result["jobstatus"], result["jobinstancetype"]) == (1, "StoragePool")
    assert result["jobresult"]["storagepool"]["state"] == "Up"


def test_a_state_that_does_not_allow_it_is_refused_at_once(root_cs, storage_pool):
    root_cs.updateStoragePool(id=str(storage_pool.pk), enabled=False)
    status, error = api_error(root_cs.cancelStorageMaintenance, id=str(storage_pool.pk))
    assert (status, error["errortext"]) == (
        431,
        "state: Storage pool pool-a is Disabled: cannot cancel its maintenance.",
    )
    assert root_cs.listAsyncJobs(listall=True) == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"zoneid": MISSING}, f"Invalid parameter zoneid value={MISSING}"),
        ({"podid": MISSING}, f"Invalid parameter podid value={MISSING}"),
        ({"clusterid": MISSING}, f"Invalid parameter clusterid value={MISSING}"),
        ({"name": "POOL-A"}, "name: A storage pool named POOL-A exists in zone zone-a."),
        ({"url": "rbd://mon/pool"}, "url: Primary storage is nfs://server/path,"),
        ({"url": "nfs://10.0.0.5/export/primary"}, "url: 10.0.0.5:/export/primary is storage"),
        ({"capacitybytes": 0}, "capacitybytes: A size is a number of bytes from 1 to"),
        ({"capacitybytes": -5}, "capacitybytes: A size is a number of bytes from 1 to"),
        ({"capacitybytes": "lots"}, "Unable to execute API command createstoragepool due to"),
        ({"scope": "host"}, "scope: Choose one of CLUSTER, ZONE."),
        ({"clusterid": None}, "clusterid: A cluster-wide storage pool needs its cluster."),
        ({"podid": None}, "podid: A cluster-wide storage pool needs its pod."),
        ({"hypervisor": "Simulator"}, "hypervisor: A cluster-wide storage pool has its"),
        ({"scope": "ZONE"}, "podid: A zone-wide storage pool has no pod or cluster."),
        (
            {"scope": "ZONE", "podid": None, "clusterid": None},
            "hypervisor: A zone-wide storage pool needs the hypervisor of its hosts",
        ),
        (
            {"scope": "ZONE", "podid": None, "clusterid": None, "hypervisor": "VMware"},
            "hypervisor: Choose one of KVM, Simulator.",
        ),
    ],
)
def test_bad_input_is_431_naming_the_parameter_and_writes_nothing(
    root_cs, storage_pool, overrides, message
):
    params = {
        k: v for k, v in pool_params(storage_pool.cluster, **overrides).items() if v is not None
    }
    before = db_state()
    status, error = api_error(root_cs.createStoragePool, **params)
    assert (status, error["errorcode"]) == (431, 431)
    assert message in error["errortext"], error["errortext"]
    if "capacitybytes value" in error["errortext"]:
        assert "Invalid parameter capacitybytes value=lots" in error["errortext"]
    assert db_state() == before
    assert StoragePool.objects.count() == 1


def test_a_cluster_of_another_pod_or_a_pod_of_another_zone_is_refused(root_cs, cluster):
    other_zone_pod = factories.pod(name="rack-z")
    other_cluster = factories.cluster(pod=factories.pod(zone=cluster.pod.zone), name="cluster-z")
    for overrides, message in (
        ({"podid": str(other_zone_pod.pk)}, "podid: Pod rack-z is not in zone zone-a."),
        (
            {"clusterid": str(other_cluster.pk)},
            "clusterid: Cluster cluster-z is not in pod rack-a.",
        ),
    ):
        status, error = api_error(root_cs.createStoragePool, **pool_params(cluster, **overrides))
        assert (status, error["errortext"]) == (431, message)
    assert not StoragePool.objects.exists()


@pytest.mark.parametrize("missing", ["name", "zoneid", "url", "capacitybytes"])
def test_a_missing_parameter_is_named(root_cs, cluster, missing):
    params = pool_params(cluster)
    del params[missing]
    status, error = api_error(root_cs.createStoragePool, **params)
    assert status == 431
    assert error["errortext"] == (
        f"Unable to execute API command createstoragepool due to missing parameter {missing}"
    )
    assert not StoragePool.objects.exists()


def test_a_zone_and_a_cluster_with_pools_are_in_use(root_cs, storage_pool, zone):
    status, error = api_error(root_cs.deleteCluster, id=str(storage_pool.cluster_id))
    assert (status, error["errortext"]) == (
        536,
        "Cluster cluster-a still has 1 storage pool(s); delete them first.",
    )
    empty = factories.zone(name="zone-e")
    factories.storage_pool(scope="ZONE", zone=empty)
    status, error = api_error(root_cs.deleteZone, id=str(empty.pk))
    assert (status, error["errortext"]) == (
        536,
        "Zone zone-e still has 1 storage pool(s); delete them first.",
    )
    assert Zone.objects.filter(pk=empty.pk).exists()
    assert Cluster.objects.filter(pk=storage_pool.cluster_id).exists()


def test_list_storage_pools_in_xml(raw, root_keys, storage_pool):
    response = raw("listStoragePools", pair=root_keys)
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "liststoragepoolsresponse"
    listed = root.find("storagepool")
    assert (listed.findtext("name"), listed.findtext("type")) == ("pool-a", "NetworkFilesystem")


def test_list_apis_describes_the_storage_pool_commands(root_cs):
    (api,) = root_cs.listApis(name="createStoragePool")["api"]
    params = {p["name"]: p for p in api["params"]}
    assert {name for name, p in params.items() if p["required"]} == {
        "name",
        "zoneid",
        "url",
        "capacitybytes",
    }
    assert {"scope", "podid", "clusterid", "hypervisor", "tags", "provider"} <= set(params)
    assert {"disksizetotal", "disksizeallocated", "overprovisionfactor"} <= {
        r["name"] for r in api["response"]
    }
    (maintenance,) = root_cs.listApis(name="enableStorageMaintenance")["api"]
    assert maintenance["isasync"] is True
