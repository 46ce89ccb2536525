"""Global settings across three live regions: a global value set anywhere holds everywhere
(and takes effect there); region values stay where they were set."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.integration.conftest import Api

pytestmark = pytest.mark.integration


def effective(api: Api, setting: str):
    return api.call("GET", f"/settings/{setting}/")["effective"]


def wait_for(apis: list[Api], setting: str, value, timeout: float = 60) -> None:
    start = time.monotonic()
    while True:
        seen = [effective(api, setting) for api in apis]
        if all(v == value for v in seen):
            return
        if time.monotonic() - start > timeout:
            pytest.fail(f"{setting}: regions hold {seen}, not {value!r}, after {timeout}s")
        time.sleep(0.25)


def test_a_global_value_reaches_every_region_and_a_region_value_stays(cloud, apis):
    apis[0].patch("/settings/region.support.contact/", value="help@east.example.com")
    apis[0].patch("/settings/session.timeout/", value=77)
    wait_for(apis, "session.timeout", 77)
    # The region value was written before the global one and never followed it.
    assert effective(apis[0], "region.support.contact") == "help@east.example.com"
    assert [effective(api, "region.support.contact") for api in apis[1:]] == ["", ""]
    # A reset travels as well.
    apis[2].call("POST", "/settings/session.timeout/reset/")
    wait_for(apis, "session.timeout", 30)


def test_concurrent_changes_in_two_regions_converge_to_one_value(cloud, apis):
    apis[1].patch("/settings/max.account.projects/", value=3)
    apis[2].patch("/settings/max.account.projects/", value=4)
    deadline = time.monotonic() + 60
    while True:
        seen = {effective(api, "max.account.projects") for api in apis}
        if len(seen) == 1:
            break
        assert time.monotonic() < deadline, f"regions disagree: {seen}"
        time.sleep(0.25)
    assert seen <= {3, 4}


def test_a_password_policy_set_in_one_region_is_enforced_in_another(cloud, apis):
    apis[0].patch("/settings/password.policy.minimum.length/", value=24)
    wait_for(apis, "password.policy.minimum.length", 24)
    root = next(
        d["id"]
        for d in apis[2].call("GET", "/domains/?limit=1000")["results"]
        if d["path"] == "ROOT"
    )
    account = apis[2].post("/accounts/", domain=root, name=f"acct-{uuid.uuid4().hex[:8]}", type=0)
    response = apis[2].session.post(
        f"{apis[2].base}/api/users/",
        json={
            "account": account["id"],
            "username": f"short-{uuid.uuid4().hex[:8]}",
            "password": "Only-Twenty-Chars-77",
        },
        timeout=30,
    )
    assert response.status_code == 400 and "password" in response.json()
    apis[1].call("POST", "/settings/password.policy.minimum.length/reset/")
    wait_for(apis, "password.policy.minimum.length", 8)
