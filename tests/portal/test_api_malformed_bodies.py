"""Bodies no client should send get a 400 that says why, never a 500 (issue #10, item 1)."""

from __future__ import annotations

import pytest

from identity.models import Domain
from regions.models import Federation
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
