"""Query parameters a list cannot read answer 400 naming them (issue #10, item 2)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=2", "page"),
        ("limit=0.0", "limit"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=abc", "limit"),
        ("limit=", "limit"),
        ("limit=%C2%B2", "limit"),  # a superscript two: a digit to str.isdigit, not to int
        ("offset=y", "offset"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("offset=99999999999999999999", "offset"),
    ],
)
@pytest.mark.parametrize("path", ["/api/domains/", "/api/zones/", "/api/settings/"])
def test_a_paging_parameter_that_cannot_be_read_is_a_400_naming_it(root_client, path, query, field):
    response = root_client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_paging_still_works_and_a_limit_above_the_cap_is_capped(root_client, eng):
    for n in range(3):
        factories.domain(parent=eng, name=f"p{n}")
    first = root_client.get("/api/domains/?limit=2&offset=0").json()
    second = root_client.get("/api/domains/?limit=2&offset=2").json()
    assert len(first["results"]) == 2 and first["count"] == second["count"]
    assert {d["id"] for d in first["results"]}.isdisjoint(d["id"] for d in second["results"])
    assert root_client.get("/api/domains/?limit=5000").status_code == 200


def test_an_empty_zone_filter_is_a_400_naming_zone(root_client):
    response = root_client.get("/api/settings/?zone=")
    assert response.status_code == 400 and "zone" in response.json()
