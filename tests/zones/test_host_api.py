"""REST API of hosts: adding one by URL (the rest discovered), field-named errors that change
nothing, filters, maintenance and the simulator's fault control as actions, deletion forced
or in maintenance, and the schema.

Which role sees, adds, changes and deletes hosts is tested for every model by
tests/portal/test_model_contracts.py (only root admins; anyone else a 403); here, what is
particular to hosts.
"""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.api_helpers import assert_field_refused, assert_names_field, assert_refused_unchanged
from zones.models import Cluster, Host, SimulatorHost

URL = "http://sim/c0/h1?cpucore=8&cpuspeed=3000&memory=16384"


def host_payload(where: Cluster, **overrides):
    return {"cluster": str(where.pk), "url": URL} | overrides


def test_root_admin_adds_updates_and_deletes_hosts(root_api, sim_cluster):
    created = root_api.post(
        "/api/hosts/", host_payload(sim_cluster, password="not-kept"), format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "password" not in body and "username" not in body
    assert (body["cluster"], body["cluster_name"], body["pod_name"], body["zone_name"]) == (
        str(sim_cluster.pk),
        "sim-a",
        "rack-a",
        "zone-a",
    )
    assert (body["name"], body["url"], body["host_type"], body["hypervisor"]) == (
        "sim-c0-h1",
        URL,
        "Routing",
        "Simulator",
    )
    assert (body["state"], body["resource_state"]) == ("Up", "Enabled")
    assert (body["cpu_sockets"], body["cpu_number"], body["cpu_speed"]) == (1, 8, 3000)
    assert (body["memory"], body["local_storage"]) == (16 * 1024**3, 0)
    host_id = body["id"]
    assert root_api.get(f"/api/hosts/{host_id}/").json() == body

    updated = root_api.patch(
        f"/api/hosts/{host_id}/",
        {"name": "h-1", "host_tags": "ssd, ssd", "allocation_state": "Disabled", "memory": 1},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["name"], updated.json()["host_tags"]) == ("h-1", "ssd")
    assert updated.json()["resource_state"] == "Disabled"
    assert updated.json()["memory"] == 16 * 1024**3  # read-only: ignored

    refused = assert_refused_unchanged(root_api, "delete", f"/api/hosts/{host_id}/", None, 400)
    assert "is not in maintenance" in refused.json()["non_field_errors"][0]
    assert root_api.delete(f"/api/hosts/{host_id}/?forced=true").status_code == 204
    assert not Host.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cluster": str(uuid.uuid4())}, "cluster"),
        ({"url": "qemu+ssh://kvm1/system"}, "url"),
        ({"url": "http://sim/h?cpucore=abc"}, "url"),
        ({"url": "http://sim/h0?cpucore=16&cpuspeed=2400&memory=65536"}, "url"),
        ({"url": ""}, "url"),
        ({"url": 7}, "url"),
        ({"allocation_state": "Maintenance"}, "allocation_state"),
        ({"host_tags": "x" * 1025}, "host_tags"),
    ],
)
def test_bad_host_input_names_the_field_and_changes_nothing(root_api, host, overrides, field):
    payload = host_payload(host.cluster, **overrides)
    assert_field_refused(root_api, "post", "/api/hosts/", payload, field)


def test_a_kvm_url_in_a_simulator_cluster_and_an_unreachable_kvm_host(
    root_api, sim_cluster, cluster
):
    response = assert_field_refused(
        root_api, "post", "/api/hosts/", host_payload(sim_cluster, url="test:///default"), "url"
    )
    assert "is not a simulator URL" in response.json()["url"][0]
    response = assert_field_refused(
        root_api, "post", "/api/hosts/", host_payload(cluster, url="qemu:///system"), "url"
    )
    assert response.json()["url"][0].startswith("Could not reach qemu:///system")


def test_maintenance_actions(root_api, host):
    path = f"/api/hosts/{host.pk}"
    response = root_api.post(f"{path}/maintenance/")
    assert (response.status_code, response.json()["resource_state"]) == (200, "Maintenance")
    assert_refused_unchanged(root_api, "post", f"{path}/maintenance/", None, 400)
    response = root_api.post(f"{path}/cancel_maintenance/")
    assert (response.status_code, response.json()["resource_state"]) == (200, "Enabled")
    root_api.post(f"{path}/maintenance/")
    assert root_api.delete(f"{path}/").status_code == 204  # in maintenance: not forced


def test_simulate_makes_a_host_stop_answering(root_api, host, cluster):
    path = f"/api/hosts/{host.pk}/simulate/"
    response = root_api.post(path, {"answering": False}, format="json")
    assert (response.status_code, response.json()) == (200, {"answering": False})
    assert SimulatorHost.objects.get(url=host.url).answering is False
    assert_field_refused(root_api, "post", path, {"answering": "no"}, "answering")
    assert_field_refused(root_api, "post", path, {}, "answering")
    kvm = factories.host(cluster=cluster, url="test:///default")
    response = assert_field_refused(
        root_api, "post", f"/api/hosts/{kvm.pk}/simulate/", {"answering": False}, "host"
    )
    assert response.json()["host"] == ["Host vm is not simulated: it takes no faults."]


def test_a_cluster_with_hosts_is_not_deleted(root_api, host):
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/clusters/{host.cluster_id}/", None, 400
    )
    assert response.json() == {
        "non_field_errors": ["Cluster sim-a still has 1 host(s); delete them first."]
    }


def test_hosts_filter_by_zone_pod_cluster_state_and_search(root_api, host, cluster):
    factories.host(cluster=cluster, url="test:///default")

    def names(query):
        response = root_api.get(f"/api/hosts/?{query}")
        assert response.status_code == 200, response.content
        return [h["name"] for h in response.json()["results"]]

    assert names(f"zone={host.cluster.pod.zone_id}") == ["vm", "sim-h0"]
    assert names(f"cluster={cluster.pk}") == ["vm"]
    assert names(f"pod={uuid.uuid4()}") == []
    assert names("hypervisor=Simulator") == ["sim-h0"]
    assert names("state=Up&resource_state=Enabled&host_type=Routing") == ["vm", "sim-h0"]
    assert names("search=sim-a") == ["sim-h0"]
    assert names("ordering=-name") == ["vm", "sim-h0"]
    assert_names_field(root_api.get("/api/hosts/?state=Sleeping"), "state")
    assert_names_field(root_api.get("/api/hosts/?cluster=sim-a"), "cluster")


def test_the_schema_documents_hosts(client, region):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/hosts/"]["get"]["parameters"]}
    assert {"zone", "pod", "cluster", "state", "resource_state", "search"} <= parameters
    delete = schema["paths"]["/api/hosts/{id}/"]["delete"]
    assert "forced" in {p["name"] for p in delete["parameters"]}
    body = schema["components"]["schemas"]["HostRequest"]["properties"]
    assert body["password"]["writeOnly"] is True
    state = schema["components"]["schemas"]["Host"]["properties"]["state"]
    assert state["allOf"] == [{"$ref": "#/components/schemas/HostStateEnum"}]
