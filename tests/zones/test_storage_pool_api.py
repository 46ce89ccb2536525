"""REST API of storage pools: CRUD, state actions, DELETE ?forced=true, field-named errors
that change nothing, filters, the schema, and a zone or cluster with pools refused deletion.

Which role sees, adds, changes and deletes pools is tested for every model by
tests/portal/test_model_contracts.py (only root admins; anyone else a 403); here, what is
particular to storage pools.
"""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.api_helpers import assert_field_refused, assert_names_field, assert_refused_unchanged
from tests.factories import TIB
from zones.models import Cluster, StoragePool


def pool_payload(of: Cluster, **overrides) -> dict:
    """A new pool of cluster OF, changed by OVERRIDES."""
    return {
        "zone": str(of.pod.zone_id),
        "pod": str(of.pod_id),
        "cluster": str(of.pk),
        "name": "pool-b",
        "url": "nfs://10.0.0.8/export/b",
        "capacity_bytes": TIB,
    } | overrides


def test_root_admin_creates_updates_and_deletes_pools(root_api, cluster):
    created = root_api.post("/api/storage-pools/", pool_payload(cluster, tags="ssd"), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["zone_name"], body["pod_name"], body["cluster_name"]) == (
        "zone-a",
        "rack-a",
        "cluster-a",
    )
    assert (body["scope"], body["pool_type"], body["host_address"], body["path"]) == (
        "CLUSTER",
        "NetworkFilesystem",
        "10.0.0.8",
        "/export/b",
    )
    assert (body["hypervisor"], body["state"], body["tags"]) == ("KVM", "Up", "ssd")
    assert (body["capacity_bytes"], body["used_bytes"], body["allocated_bytes"]) == (TIB, 0, 0)
    pool_id = body["id"]
    assert root_api.get(f"/api/storage-pools/{pool_id}/").json() == body

    updated = root_api.patch(
        f"/api/storage-pools/{pool_id}/",
        {"capacity_bytes": 2 * TIB, "url": "nfs://elsewhere/x", "state": "Maintenance"},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["url"], updated.json()["state"]) == ("nfs://10.0.0.8/export/b", "Up")
    assert StoragePool.objects.get(pk=pool_id).capacity_bytes == 2 * TIB

    assert root_api.delete(f"/api/storage-pools/{pool_id}/").status_code == 204
    assert not StoragePool.objects.exists()


def test_a_zone_wide_pool(root_api, zone):
    payload = {
        "zone": str(zone.pk),
        "scope": "ZONE",
        "hypervisor": "Simulator",
        "name": "wide",
        "url": "file:///var/lib/primary",
        "capacity_bytes": 10,
    }
    created = root_api.post("/api/storage-pools/", payload, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["pod"], body["cluster"], body["pod_name"], body["cluster_name"]) == (None,) * 4
    assert (body["pool_type"], body["host_address"]) == ("Filesystem", "localhost")


def test_state_actions(root_api, storage_pool):
    path = f"/api/storage-pools/{storage_pool.pk}"
    assert root_api.post(f"{path}/disable/").json()["state"] == "Disabled"
    assert root_api.post(f"{path}/enable/").json()["state"] == "Up"
    assert root_api.post(f"{path}/maintain/").json()["state"] == "Maintenance"
    response = assert_refused_unchanged(root_api, "post", f"{path}/enable/", None, 400)
    assert response.json() == {"state": ["Storage pool pool-a is Maintenance: cannot enable it."]}
    assert root_api.post(f"{path}/cancel_maintenance/").json()["state"] == "Up"


def test_a_pool_with_volumes_is_deleted_only_forced(root_api, storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=1)
    path = f"/api/storage-pools/{storage_pool.pk}/"
    response = assert_refused_unchanged(root_api, "delete", path, None, 400)
    assert response.json()["non_field_errors"][0].startswith("Storage pool pool-a has 1 bytes")
    assert_field_refused(root_api, "delete", f"{path}?forced=maybe", None, "forced")
    assert root_api.delete(f"{path}?forced=true").status_code == 204
    assert not StoragePool.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"zone": str(uuid.uuid4())}, "zone"),
        ({"zone": "nowhere"}, "zone"),
        ({"pod": str(uuid.uuid4())}, "pod"),
        ({"cluster": str(uuid.uuid4())}, "cluster"),
        ({"cluster": None}, "cluster"),
        ({"pod": None}, "pod"),
        ({"scope": "HOST"}, "scope"),
        ({"scope": "ZONE"}, "pod"),
        ({"scope": "ZONE", "pod": None, "cluster": None}, "hypervisor"),
        ({"scope": "ZONE", "pod": None, "cluster": None, "hypervisor": "Xen"}, "hypervisor"),
        ({"hypervisor": "Simulator"}, "hypervisor"),
        ({"name": ""}, "name"),
        ({"name": "POOL-A"}, "name"),
        ({"url": "rbd://mon/pool"}, "url"),
        ({"url": "nfs://10.0.0.5/export/primary"}, "url"),  # pool-a's share
        ({"url": "x" * 256}, "url"),
        ({"capacity_bytes": 0}, "capacity_bytes"),
        ({"capacity_bytes": -1}, "capacity_bytes"),
        ({"capacity_bytes": "1024"}, "capacity_bytes"),  # text is no number
        ({"capacity_bytes": 1.5}, "capacity_bytes"),
        ({"capacity_bytes": None}, "capacity_bytes"),
        ({"tags": 7}, "tags"),
    ],
)
def test_bad_pool_input_names_the_field_and_changes_nothing(
    root_api, storage_pool, overrides, field
):
    payload = pool_payload(storage_pool.cluster, **overrides)
    assert_field_refused(root_api, "post", "/api/storage-pools/", payload, field)
    assert StoragePool.objects.count() == 1


def test_a_pod_of_another_zone_and_a_cluster_of_another_pod(root_api, cluster):
    other = factories.cluster(name="cluster-z")
    for payload, field, message in (
        (pool_payload(cluster, pod=str(other.pod_id)), "pod", "is not in zone zone-a."),
        (pool_payload(cluster, cluster=str(other.pk)), "cluster", "is not in pod rack-a."),
    ):
        response = assert_field_refused(root_api, "post", "/api/storage-pools/", payload, field)
        assert response.json()[field][0].endswith(message)


@pytest.mark.parametrize("missing", ["zone", "name", "url", "capacity_bytes"])
def test_required_pool_fields(root_api, cluster, missing):
    payload = pool_payload(cluster)
    del payload[missing]
    assert_field_refused(root_api, "post", "/api/storage-pools/", payload, missing)


def test_bad_pool_updates_name_the_field_and_change_nothing(root_api, storage_pool):
    path = f"/api/storage-pools/{storage_pool.pk}/"
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=100)
    assert_field_refused(root_api, "patch", path, {"capacity_bytes": 99}, "capacity_bytes")
    assert_field_refused(root_api, "patch", path, {"name": " "}, "name")
    assert_field_refused(root_api, "patch", path, {"tags": "t\x01"}, "tags")


def test_a_zone_or_cluster_with_pools_is_not_deleted(root_api, storage_pool):
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/clusters/{storage_pool.cluster_id}/", None, 400
    )
    assert response.json() == {
        "non_field_errors": ["Cluster cluster-a still has 1 storage pool(s); delete them first."]
    }
    wide = factories.storage_pool(scope="ZONE")
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/zones/{wide.zone_id}/", None, 400
    )
    assert response.json()["non_field_errors"][0].endswith(
        "still has 1 storage pool(s); delete them first."
    )


def test_unknown_pools_are_404(root_api, region):
    assert root_api.get(f"/api/storage-pools/{uuid.uuid4()}/").status_code == 404
    assert_refused_unchanged(root_api, "delete", f"/api/storage-pools/{uuid.uuid4()}/", None, 404)


def test_pools_filter_by_place_scope_state_server_and_search(root_api, storage_pool):
    wide = factories.storage_pool(scope="ZONE", name="wide", url="SharedMountPoint:///mnt/w")
    StoragePool.objects.filter(pk=wide.pk).update(state="Disabled")

    def names(query):
        response = root_api.get(f"/api/storage-pools/?{query}")
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["results"]]

    assert names(f"zone={storage_pool.zone_id}") == ["pool-a"]
    assert names(f"cluster={storage_pool.cluster_id}") == ["pool-a"]
    assert names(f"pod={uuid.uuid4()}") == []
    assert names("scope=ZONE") == ["wide"]
    assert names("pool_type=SharedMountPoint") == ["wide"]
    assert names("state=Disabled") == ["wide"]
    assert names("host_address=10.0.0.5") == ["pool-a"]
    assert names("search=cluster-a") == ["pool-a"]
    assert names("ordering=-name") == ["wide", "pool-a"]
    assert_names_field(root_api.get("/api/storage-pools/?cluster=cluster-a"), "cluster")
    assert_names_field(root_api.get("/api/storage-pools/?scope=zone"), "scope")


def test_the_schema_documents_pools(client, region):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/storage-pools/"]["get"]["parameters"]}
    assert {"zone", "pod", "cluster", "scope", "state", "host_address", "search"} <= parameters
    delete = schema["paths"]["/api/storage-pools/{id}/"]["delete"]
    assert "forced" in {p["name"] for p in delete["parameters"]}
    assert "/api/storage-pools/{id}/cancel_maintenance/" in schema["paths"]
