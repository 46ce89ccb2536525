"""REST API of clusters: CRUD, field-named errors that change nothing, filters, the schema,
and a pod with clusters refused deletion.

Which role sees, adds, changes and deletes clusters is tested for every model by
tests/portal/test_model_contracts.py (only root admins; anyone else a 403); here, what is
particular to clusters.
"""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.api_helpers import assert_field_refused, assert_names_field, assert_refused_unchanged
from zones.models import Cluster, Pod


def cluster_payload(where: Pod, **overrides):
    return {"pod": str(where.pk), "name": "cluster-b", "hypervisor": "KVM"} | overrides


def test_root_admin_creates_updates_and_deletes_clusters(root_api, pod):
    created = root_api.post("/api/clusters/", cluster_payload(pod), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["pod"], body["pod_name"]) == (str(pod.pk), "rack-a")
    assert (body["zone"], body["zone_name"]) == (str(pod.zone_id), "zone-a")
    assert (body["hypervisor"], body["cluster_type"], body["arch"]) == (
        "KVM",
        "CloudManaged",
        "x86_64",
    )
    assert body["allocation_state"] == "Enabled"
    assert (body["cpu_overcommit_ratio"], body["memory_overcommit_ratio"]) == (1.0, 1.0)
    cluster_id = body["id"]
    assert root_api.get(f"/api/clusters/{cluster_id}/").json() == body

    updated = root_api.patch(
        f"/api/clusters/{cluster_id}/",
        {"cpu_overcommit_ratio": 2.5, "allocation_state": "Disabled", "hypervisor": "Simulator"},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["hypervisor"] == "KVM"  # read-only: ignored
    stored = Cluster.objects.get(pk=cluster_id)
    assert (stored.cpu_overcommit_ratio, stored.allocation_state) == (2.5, "Disabled")

    assert root_api.delete(f"/api/clusters/{cluster_id}/").status_code == 204
    assert not Cluster.objects.exists()


def test_put_replaces_the_clusters_fields_but_not_its_pod(root_api, cluster):
    other = factories.pod()
    response = root_api.put(
        f"/api/clusters/{cluster.pk}/",
        {"pod": str(other.pk), "name": "renamed", "memory_overcommit_ratio": 3},
        format="json",
    )
    assert response.status_code == 200, response.content
    cluster.refresh_from_db()
    assert (cluster.pod.name, cluster.name, cluster.memory_overcommit_ratio) == (
        "rack-a",
        "renamed",
        3.0,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pod": str(uuid.uuid4())}, "pod"),
        ({"pod": "nowhere"}, "pod"),
        ({"name": ""}, "name"),
        ({"name": "CLUSTER-A"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"hypervisor": "VMware"}, "hypervisor"),
        ({"hypervisor": "kvm"}, "hypervisor"),
        ({"cluster_type": "ExternalManaged"}, "cluster_type"),
        ({"arch": "aarch64"}, "arch"),
        ({"allocation_state": "enabled"}, "allocation_state"),
        ({"cpu_overcommit_ratio": 0.9}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": "2"}, "cpu_overcommit_ratio"),  # text is no number
        ({"memory_overcommit_ratio": 0}, "memory_overcommit_ratio"),
        ({"memory_overcommit_ratio": None}, "memory_overcommit_ratio"),
    ],
)
def test_bad_cluster_input_names_the_field_and_changes_nothing(root_api, cluster, overrides, field):
    payload = cluster_payload(cluster.pod, **overrides)
    assert_field_refused(root_api, "post", "/api/clusters/", payload, field)


@pytest.mark.parametrize("missing", ["pod", "name", "hypervisor"])
def test_required_cluster_fields(root_api, pod, missing):
    payload = cluster_payload(pod)
    del payload[missing]
    assert_field_refused(root_api, "post", "/api/clusters/", payload, missing)


def test_bad_cluster_update_names_the_field_and_changes_nothing(root_api, cluster):
    path = f"/api/clusters/{cluster.pk}/"
    assert_field_refused(
        root_api, "patch", path, {"cpu_overcommit_ratio": 0.5}, "cpu_overcommit_ratio"
    )
    assert_field_refused(root_api, "patch", path, {"name": " "}, "name")


def test_clusters_only_in_this_regions_zones(root_api, region):
    pod = factories.remote_pod()
    payload = cluster_payload(pod)
    response = assert_field_refused(root_api, "post", "/api/clusters/", payload, "pod")
    assert response.json()["pod"] == ["Clusters are managed by the portal of their zone's region."]


def test_a_pod_with_clusters_is_not_deleted(root_api, cluster):
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/pods/{cluster.pod_id}/", None, 400
    )
    assert response.json() == {
        "non_field_errors": ["Pod rack-a still has 1 cluster(s); delete them first."]
    }


def test_unknown_clusters_are_404(root_api, region):
    assert root_api.get(f"/api/clusters/{uuid.uuid4()}/").status_code == 404
    assert_refused_unchanged(root_api, "delete", f"/api/clusters/{uuid.uuid4()}/", None, 404)


def test_clusters_filter_by_zone_pod_name_hypervisor_state_and_search(root_api, cluster):
    factories.cluster(name="cluster-z", hypervisor="Simulator", allocation_state="Disabled")

    def names(query):
        response = root_api.get(f"/api/clusters/?{query}")
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["results"]]

    assert names(f"zone={cluster.pod.zone_id}") == ["cluster-a"]
    assert names(f"pod={cluster.pod_id}") == ["cluster-a"]
    assert names(f"pod={uuid.uuid4()}") == []
    assert names("name=CLUSTER-Z") == ["cluster-z"]
    assert names("hypervisor=Simulator") == ["cluster-z"]
    assert names("allocation_state=Disabled") == ["cluster-z"]
    assert names("search=rack-a") == ["cluster-a"]
    assert names("ordering=-name") == ["cluster-z", "cluster-a"]
    assert_names_field(root_api.get("/api/clusters/?pod=rack-a"), "pod")
    assert_names_field(root_api.get("/api/clusters/?hypervisor=Xen"), "hypervisor")


def test_the_schema_documents_the_cluster_filters(client, region):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/clusters/"]["get"]["parameters"]}
    assert {"zone", "pod", "name", "hypervisor", "allocation_state", "search"} <= parameters
