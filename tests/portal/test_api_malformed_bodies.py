"""Bodies no client should send get a 400 that says why, never a 500 (issue #10, items 1
and 7)."""

from __future__ import annotations

import pytest

from identity.models import Domain
from regions.models import Federation
from tests import factories
from tests.api_helpers import assert_names_field
from tests.db_state import db_state

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("depth", [1000, 5000, 100_000])
def test_json_nested_too_deeply_is_refused_before_sign_in(anon_client, depth):
    body = "[" * depth + "]" * depth
    before = db_state()
    response = anon_client.post("/api/auth/token/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert db_state() == before


def test_json_nested_too_deeply_is_refused_by_the_api(root_client):
    count = Domain.objects.count()
    response = root_client.post("/api/domains/", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert Domain.objects.count() == count


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"on"', "1", "null", '{"enabled": "true"}'])
def test_the_replication_switch_refuses_a_body_that_is_not_an_object_of_a_boolean(
    root_client, body
):
    Federation.objects.get_or_create(pk=1)
    before = Federation.objects.get(pk=1).replication_enabled
    response = root_client.put(
        "/api/federation/replication/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "enabled" in response.json()
    assert Federation.objects.get(pk=1).replication_enabled == before


# Found by schemathesis (tests/portal/test_schemathesis.py): actions that read no body
# carried out their work whatever the body held.
@pytest.mark.parametrize("action", ["disable", "lock", "enable"])
def test_a_state_action_with_a_body_it_cannot_read_is_refused(root_client, alice, action):
    before = db_state()
    response = root_client.post(
        f"/api/users/{alice.pk}/{action}/", data="\x00", content_type="application/json"
    )
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
    assert db_state() == before


def test_a_join_token_is_not_made_for_a_body_that_cannot_be_read(root_client):
    before = db_state()
    response = root_client.post(
        "/api/federation/join-tokens/", data="{", content_type="application/json"
    )
    assert response.status_code == 400
    assert db_state() == before


# DRF reads 5 as the text "5", "1" as account type 1 and 7 as a UUID; the schema says
# which JSON type each field takes, and a body of another type is now refused.
@pytest.fixture
def zone(region):
    return factories.zone(name="z1")


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "post",
            "/api/zones/",
            {"name": 5, "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2"},
            "name",
        ),
        ("patch", "/api/zones/{zone}/", {"description": 1.5}, "description"),
        ("patch", "/api/users/{alice}/", {"last_name": 0}, "last_name"),
        ("post", "/api/accounts/", {"domain": "{eng}", "name": "n", "type": "0"}, "type"),
        ("post", "/api/regions/", {"id": "5", "name": "w", "endpoint": "http://w.example"}, "id"),
    ],
)
def test_a_value_of_another_json_type_is_a_400_naming_the_field(
    root_client, alice, eng, zone, method, path, body, field
):
    ids = {"{zone}": str(zone.pk), "{alice}": str(alice.pk), "{eng}": str(eng.pk)}
    for name, value in ids.items():
        path = path.replace(name, value)
    body = {key: ids.get(v, v) if isinstance(v, str) else v for key, v in body.items()}
    before = db_state()
    response = getattr(root_client, method)(path, data=body, content_type="application/json")
    assert_names_field(response, field)
    assert db_state() == before


def test_a_form_still_sends_its_values_as_text(root_client, zone):
    response = root_client.patch(
        f"/api/zones/{zone.pk}/",
        data="description=lab&allocation_state=Enabled",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert response.json()["allocation_state"] == "Enabled"
