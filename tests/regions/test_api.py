"""REST API of the region registry: everyone signed in reads, only a root admin writes.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to regions.
"""

from __future__ import annotations

import pytest

from regions.models import Region
from regions.services import region_create
from tests import factories
from tests.api_helpers import (
    assert_field_refused,
    assert_page,
    assert_refused_unchanged,
)


@pytest.fixture
def west(region):
    return region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)


def region_payload(**overrides):
    return {"id": 3, "name": "north", "endpoint": "https://north.example.com/"} | overrides


def test_root_admin_creates_updates_and_deletes_regions(root_api, region):
    created = root_api.post("/api/regions/", region_payload(description="cold"), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id"] == 3 and body["endpoint"] == "https://north.example.com"
    assert body["is_local"] is False and body["zone_count"] == 0
    assert Region.objects.get(pk=3).description == "cold"

    assert root_api.get("/api/regions/3/").json()["name"] == "north"

    patched = root_api.patch("/api/regions/3/", {"name": "arctic", "id": 9}, format="json")
    assert patched.status_code == 200 and patched.json()["id"] == 3  # the id never changes
    assert Region.objects.get(pk=3).name == "arctic" and not Region.objects.filter(pk=9).exists()

    put = root_api.put(
        "/api/regions/3/",
        {"name": "polar", "endpoint": "https://polar.example.com", "description": ""},
        format="json",
    )
    assert put.status_code == 200
    assert (Region.objects.get(pk=3).name, Region.objects.get(pk=3).endpoint) == (
        "polar",
        "https://polar.example.com",
    )

    assert root_api.delete("/api/regions/3/").status_code == 204
    assert not Region.objects.filter(pk=3).exists()


def test_region_lists_count_zones(root_api, region, west):
    factories.zone(name="a")
    factories.zone(name="b")
    results = root_api.get("/api/regions/").json()["results"]
    assert [(r["id"], r["zone_count"], r["is_local"]) for r in results] == [
        (1, 2, True),
        (2, 0, False),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": 0}, "id"),
        ({"id": -4}, "id"),
        ({"id": "three"}, "id"),
        ({"id": 2}, "id"),  # taken
        ({"id": 2**31}, "id"),
        ({"name": ""}, "name"),
        ({"name": "WEST"}, "name"),  # taken, case-insensitively
        ({"endpoint": "ftp://north.example.com"}, "endpoint"),
        ({"endpoint": "north.example.com"}, "endpoint"),
        ({"endpoint": "http://127.0.0.1:8002/"}, "endpoint"),  # west's
        ({"endpoint": "https://u:p@north.example.com"}, "endpoint"),
        ({"endpoint": "https://north.example.com:99999"}, "endpoint"),
        ({"description": "d" * 1025}, "description"),
    ],
)
def test_bad_region_input_names_the_field_and_changes_nothing(root_api, west, overrides, field):
    assert_field_refused(root_api, "post", "/api/regions/", region_payload(**overrides), field)


@pytest.mark.parametrize("missing", ["id", "name", "endpoint"])
def test_required_region_fields(root_api, region, missing):
    payload = region_payload()
    del payload[missing]
    assert_field_refused(root_api, "post", "/api/regions/", payload, missing)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "east"}, "name"),
        ({"endpoint": "mailto:x@example.com"}, "endpoint"),
        ({"endpoint": "http://127.0.0.1:8000"}, "endpoint"),  # east's
    ],
)
def test_bad_region_update_names_the_field_and_changes_nothing(root_api, west, changes, field):
    assert_field_refused(root_api, "patch", "/api/regions/2/", changes, field)


def test_the_local_region_and_regions_with_zones_are_not_deleted(root_api, region, west):
    assert_field_refused(root_api, "delete", f"/api/regions/{region.pk}/", None, "region")
    from zones.models import Zone

    Zone.objects.create(region=west, name="far", dns1="8.8.8.8", internal_dns1="10.0.0.2")
    assert_field_refused(root_api, "delete", "/api/regions/2/", None, "region")
    assert_refused_unchanged(root_api, "delete", "/api/regions/77/", None, 404)


def test_region_filters_search_and_pagination(root_api, region, west):
    region_create(id=3, name="north", endpoint="https://north.example.com", by=None)
    assert [r["id"] for r in root_api.get("/api/regions/?is_local=true").json()["results"]] == [1]
    assert [r["id"] for r in root_api.get("/api/regions/?name=WEST").json()["results"]] == [2]
    assert [r["id"] for r in root_api.get("/api/regions/?search=north").json()["results"]] == [3]
    page = root_api.get("/api/regions/?limit=2").json()
    assert_page(page, count=3, size=2)
    assert page["next"] and page["previous"] is None
    assert [r["id"] for r in root_api.get("/api/regions/?limit=2&offset=2").json()["results"]] == [
        3
    ]
