"""REST API of pods: CRUD, field-named errors that change nothing, filters, the schema.

Which role sees, adds, changes and deletes pods is tested for every model by
tests/portal/test_model_contracts.py (only root admins; anyone else a 403); here, what is
particular to pods.
"""

from __future__ import annotations

import uuid

import pytest

from regions.services import region_create
from tests import factories
from tests.api_helpers import assert_field_refused, assert_names_field, assert_refused_unchanged
from zones.models import Pod, Zone


def pod_payload(where: Zone, **overrides):
    return {
        "zone": str(where.pk),
        "name": "rack-b",
        "gateway": "192.168.20.1",
        "netmask": "255.255.255.0",
        "start_ip": "192.168.20.10",
    } | overrides


def test_root_admin_creates_updates_and_deletes_pods(root_api, zone):
    created = root_api.post("/api/pods/", pod_payload(zone), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["zone"] == str(zone.pk) and body["zone_name"] == "zone-a"
    assert (body["start_ip"], body["end_ip"]) == ("192.168.20.10", "192.168.20.10")
    assert body["allocation_state"] == "Enabled"
    pod_id = body["id"]
    assert root_api.get(f"/api/pods/{pod_id}/").json() == body

    updated = root_api.patch(
        f"/api/pods/{pod_id}/",
        {"end_ip": "192.168.20.99", "allocation_state": "Disabled"},
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["end_ip"], updated.json()["allocation_state"]) == (
        "192.168.20.99",
        "Disabled",
    )
    stored = Pod.objects.get(pk=pod_id)
    assert (stored.end_ip, stored.allocation_state) == ("192.168.20.99", "Disabled")

    assert root_api.delete(f"/api/pods/{pod_id}/").status_code == 204
    assert not Pod.objects.exists()


def test_put_replaces_the_pods_fields_but_not_its_zone(root_api, pod):
    other = factories.zone(name="zone-b")
    response = root_api.put(
        f"/api/pods/{pod.pk}/",
        {
            "zone": str(other.pk),  # read-only: ignored
            "name": "renamed",
            "gateway": "10.1.0.1",
            "netmask": "255.255.0.0",
            "start_ip": "10.1.1.1",
            "end_ip": "10.1.1.9",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    pod.refresh_from_db()
    assert (pod.zone.name, pod.name, pod.gateway, pod.netmask) == (
        "zone-a",
        "renamed",
        "10.1.0.1",
        "255.255.0.0",
    )
    assert (pod.start_ip, pod.end_ip) == ("10.1.1.1", "10.1.1.9")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"zone": str(uuid.uuid4())}, "zone"),
        ({"zone": "nowhere"}, "zone"),
        ({"name": ""}, "name"),
        ({"name": "RACK-A"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"gateway": "192.168.20"}, "gateway"),
        ({"gateway": ""}, "gateway"),
        ({"gateway": 3232240641}, "gateway"),  # a number is no address
        ({"netmask": "255.255.0.255"}, "netmask"),
        ({"start_ip": "fd00::10"}, "start_ip"),
        ({"start_ip": "192.168.21.10"}, "start_ip"),
        ({"end_ip": "192.168.20.9"}, "end_ip"),
        ({"end_ip": None}, "end_ip"),
        ({"gateway": "192.168.20.10"}, "gateway"),
        (
            {"gateway": "192.168.10.1", "start_ip": "192.168.10.200", "end_ip": "192.168.10.250"},
            "start_ip",
        ),
        ({"allocation_state": "enabled"}, "allocation_state"),
    ],
)
def test_bad_pod_input_names_the_field_and_changes_nothing(root_api, pod, overrides, field):
    assert_field_refused(root_api, "post", "/api/pods/", pod_payload(pod.zone, **overrides), field)


@pytest.mark.parametrize("missing", ["zone", "name", "gateway", "netmask", "start_ip"])
def test_required_pod_fields(root_api, zone, missing):
    payload = pod_payload(zone)
    del payload[missing]
    assert_field_refused(root_api, "post", "/api/pods/", payload, missing)


def test_bad_pod_update_names_the_field_and_changes_nothing(root_api, pod):
    path = f"/api/pods/{pod.pk}/"
    assert_field_refused(root_api, "patch", path, {"start_ip": "192.168.10.201"}, "end_ip")
    assert_field_refused(root_api, "patch", path, {"gateway": "192.168.10.150"}, "gateway")
    assert_field_refused(root_api, "put", path, {"name": "only-a-name"}, "gateway", "start_ip")


def test_pods_only_in_this_regions_zones(root_api, region):
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    far = Zone.objects.create(region=west, name="far", dns1="8.8.8.8", internal_dns1="10.0.0.2")
    response = assert_field_refused(root_api, "post", "/api/pods/", pod_payload(far), "zone")
    assert response.json()["zone"] == ["Pods are managed by the portal of their zone's region."]


def test_a_zone_with_pods_is_not_deleted(root_api, pod):
    response = assert_refused_unchanged(root_api, "delete", f"/api/zones/{pod.zone_id}/", None, 400)
    assert response.json() == {
        "non_field_errors": ["Zone zone-a still has 1 pod(s); delete them first."]
    }


def test_unknown_pods_are_404(root_api, region):
    assert root_api.get(f"/api/pods/{uuid.uuid4()}/").status_code == 404
    assert_refused_unchanged(root_api, "delete", f"/api/pods/{uuid.uuid4()}/", None, 404)


def test_pods_filter_by_zone_name_state_and_search(root_api, pod):
    factories.pod(name="rack-z", allocation_state="Disabled")  # in a zone of its own

    def names(query):
        response = root_api.get(f"/api/pods/?{query}")
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["results"]]

    assert names(f"zone={pod.zone_id}") == ["rack-a"]
    assert names(f"zone={uuid.uuid4()}") == []
    assert names("name=RACK-Z") == ["rack-z"]
    assert names("allocation_state=Disabled") == ["rack-z"]
    assert names("search=zone-a") == ["rack-a"]
    assert names("ordering=-name") == ["rack-z", "rack-a"]
    assert_names_field(root_api.get("/api/pods/?zone=zone-a"), "zone")
    assert_names_field(root_api.get("/api/pods/?allocation_state=On"), "allocation_state")


def test_the_schema_documents_the_pod_filters(client, region):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/pods/"]["get"]["parameters"]}
    assert {"zone", "name", "allocation_state", "search", "ordering"} <= parameters
