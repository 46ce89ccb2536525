"""The cloud-wide change log across three live regions: each region keeps its own writes,
and any region's Changes pages show every region's, merged; a region that cannot be
reached is named and the others still listed."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.integration.conftest import PASSWORD
from tests.live import WebSession, new_user, wait_for_user

pytestmark = pytest.mark.integration


def _rows(html: str, marker: str) -> int:
    return html.count(marker)


def test_an_objects_changes_come_from_every_region_with_their_request_ids(cloud, apis):
    user = new_user(apis[0])
    for region in cloud.regions[1:]:
        wait_for_user(region, user["id"])
    requests_made = {}
    for index, api in ((2, apis[1]), (3, apis[2])):
        response = api.session.patch(
            f"{api.base}/api/users/{user['id']}/",
            json={"first_name": f"from-region-{index}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        requests_made[index] = response.headers["X-Request-ID"]

    web = WebSession()
    assert web.sign_in(cloud.regions[0], "admin", PASSWORD).status_code in (200, 302)
    page = web.get(cloud.regions[0], f"/changes/identity.User/{user['id']}/")
    assert page.status_code == 200
    html = page.text
    for index, request_id in requests_made.items():
        assert request_id in html, f"region {index}'s change is missing"
        assert f"from-region-{index}" in html
    assert "did not answer" not in html
    # the create, made in region 1, is there too, once
    assert _rows(html, ">Created<") == 1


def test_a_region_cut_off_is_named_and_the_others_listed(cloud, apis):
    marker = f"cut-{uuid.uuid4().hex[:8]}"
    apis[1].post("/domains/", parent=_root(apis[1]), name=marker)
    web = WebSession()
    web.sign_in(cloud.regions[0], "admin", PASSWORD)
    cloud.cut(1, 3)
    try:
        started = time.monotonic()
        page = web.get(cloud.regions[0], "/changes/", params={"model": "identity.Domain"})
        took = time.monotonic() - started
    finally:
        cloud.heal(1, 3)
    assert page.status_code == 200
    name_3 = cloud.regions[2].name
    assert f"Region {name_3} did not answer" in page.text
    assert marker in page.text  # region 2's change, still listed
    assert took < 15


def _root(api) -> str:
    return next(
        d["id"] for d in api.call("GET", "/domains/?limit=1000")["results"] if d["path"] == "ROOT"
    )
