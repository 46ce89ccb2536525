"""The fault hooks of tools.localcloud on the live cloud (tests/live.py, proxied): a change
made while a region is cut off reaches it after heal, through the proxies; a process killed
on purpose is restarted by the supervisor and recorded as expected."""

from __future__ import annotations

import signal
import time
import uuid

import pytest

from tests.live import Api, db

pytestmark = pytest.mark.integration


def domain_in(region, domain_id: str) -> bool:
    with db(region) as conn:
        found = conn.execute("SELECT 1 FROM identity_domain WHERE id = %s", [domain_id])
        return found.fetchone() is not None


def wait_until(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"{what} not within {timeout}s")
        time.sleep(0.2)
    return time.monotonic() - start


def root_domain_id(api: Api) -> str:
    return next(
        d["id"] for d in api.call("GET", "/domains/?limit=1000")["results"] if d["path"] == "ROOT"
    )


def test_a_change_made_during_a_cut_reaches_the_region_after_heal(cloud, apis):
    _, two, three = cloud.regions
    assert two.peer_urls[1] == cloud.link(2, 1).url  # what region 2's processes were given
    # Region 2 cut off from every peer, so that the change has no other way in.
    cloud.cut(2, 1)
    cloud.cut(2, 3)
    try:
        made = apis[0].post(
            "/domains/", parent=root_domain_id(apis[0]), name=f"cut-{uuid.uuid4().hex[:8]}"
        )
        wait_until(lambda: domain_in(three, made["id"]), 60, "the change in region 3")
        time.sleep(2)  # pokes and pulls to region 2 fail meanwhile
        assert not domain_in(two, made["id"])
        pulled_before = cloud.link(2, 1).stats().bytes_down
    finally:
        cloud.heal()
    wait_until(lambda: domain_in(two, made["id"]), 60, "the change in region 2 after heal")
    assert cloud.link(2, 1).stats().bytes_down > pulled_before  # it came through the proxy
    assert cloud.unexpected_restarts == []


def test_a_process_killed_on_purpose_is_restarted_and_expected(cloud, apis):
    worker = cloud.kill(2, "worker")
    web = cloud.kill(3, "web", signal.SIGKILL)
    assert (worker.region, worker.role, worker.expected) == (2, "worker", True)
    assert (web.region, web.role, web.expected) == (3, "web", True)
    assert worker in cloud.expected_restarts and web in cloud.expected_restarts
    assert cloud.unexpected_restarts == []
    # Both work again: a change made in region 3 reaches region 2.
    made = apis[2].post(
        "/domains/", parent=root_domain_id(apis[2]), name=f"kill-{uuid.uuid4().hex[:8]}"
    )
    wait_until(lambda: domain_in(cloud.region(2), made["id"]), 60, "the change in region 2")
