"""REST API of zones."""

from __future__ import annotations

import pytest

from regions.services import region_create
from tests import factories
from tests.api_helpers import api_client
from zones.models import Zone


@pytest.fixture
def root_api(root):
    return api_client(root)


def zone_payload(**overrides):
    return {
        "name": "z1",
        "dns1": "8.8.8.8",
        "internal_dns1": "10.0.0.2",
        "network_type": "Advanced",
    } | overrides


def test_root_admin_creates_updates_and_deletes_zones(root_api, region):
    created = root_api.post("/api/zones/", zone_payload(), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["region"] == region.pk and created.json()["guest_cidr"] == "10.1.1.0/24"
    zone_id = created.json()["id"]
    updated = root_api.patch(
        f"/api/zones/{zone_id}/", {"allocation_state": "Enabled", "dns2": "1.1.1.1"}, format="json"
    )
    assert updated.json()["allocation_state"] == "Enabled" and updated.json()["dns2"] == "1.1.1.1"
    # The network type is fixed once a zone exists.
    assert (
        root_api.patch(f"/api/zones/{zone_id}/", {"network_type": "Basic"}, format="json").json()[
            "network_type"
        ]
        == "Advanced"
    )
    assert root_api.delete(f"/api/zones/{zone_id}/").status_code == 204
    assert not Zone.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"dns1": "not-an-ip"}, "dns1"),
        ({"internal_dns1": "300.1.1.1"}, "internal_dns1"),
        ({"guest_cidr": "10.1.1.5/24"}, "guest_cidr"),
        ({"network_type": "Basic", "guest_cidr": "10.1.1.0/24"}, "guest_cidr"),
        ({"network_type": "Weird"}, "network_type"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_zone_input_names_the_field_and_changes_nothing(root_api, region, overrides, field):
    response = root_api.post("/api/zones/", zone_payload(**overrides), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Zone.objects.exists()


def test_everyone_signed_in_lists_zones_only_root_admin_writes(region, root, alice, dadmin):
    factories.zone(name="visible")
    for user in (alice, dadmin):
        client = api_client(user)
        assert [z["name"] for z in client.get("/api/zones/").json()["results"]] == ["visible"]
        assert (
            client.post("/api/zones/", zone_payload(name="mine"), format="json").status_code == 403
        )
    assert Zone.objects.count() == 1


def test_zones_filter_by_region(root_api, region):
    other = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    factories.zone(name="here")
    assert root_api.get(f"/api/zones/?region={region.pk}").json()["count"] == 1
    assert root_api.get(f"/api/zones/?region={other.pk}").json()["count"] == 0


def test_schema_and_docs_render(root_api):
    assert root_api.get("/api/schema/").status_code == 200
    docs = root_api.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_token_authentication(region, root):
    client = api_client()
    token = client.post("/api/auth/token/", {"username": "root", "password": factories.PASSWORD})
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/zones/").status_code == 200
    assert (
        api_client().post("/api/auth/token/", {"username": "root", "password": "wrong"}).status_code
        == 400
    )
