"""A simulated host that stops answering, end to end in a live region: the CloudStack API as
an admin calls it (addHost, configureSimulator, listHosts, listAlerts) against gunicorn, and
nothing but the region's own Celery beat and worker pinging the host (zones.tasks.hosts_ping,
every HOST_PING_SWEEP_SECONDS: tests/live.py's BEAT_ENV), on PostgreSQL and Redis.

The zone pings every 2 seconds and calls a host Down after 2 x 10 seconds without an answer,
so the host is in Alert for about 15 seconds before it is Down: long enough to be seen
however busy the machine is."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.live import cloudstack

pytestmark = pytest.mark.integration

PING_INTERVAL = 2  # seconds: the zone's ping.interval
PING_TIMEOUT = 10  # the zone's ping.timeout: Down after PING_INTERVAL x this without answer


def wait_until(what: str, check: Callable[[], Any], timeout: float, every: float = 0.3) -> Any:
    """CHECK's first true answer, asked every EVERY seconds; the test fails after TIMEOUT."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s", pytrace=False)
        time.sleep(every)


def test_a_host_that_stops_answering_goes_alert_then_down_and_back_up(cloud, apis):
    root = cloudstack(cloud.regions[0], apis[0])
    name = f"faults-{uuid.uuid4().hex[:6]}"
    zone = root.createZone(
        name=name, networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2"
    )["zone"]
    root.updateConfiguration(name="ping.interval", value=str(PING_INTERVAL), zoneid=zone["id"])
    root.updateConfiguration(name="ping.timeout", value=str(PING_TIMEOUT), zoneid=zone["id"])
    pod = root.createPod(
        zoneid=zone["id"],
        name=f"{name}-pod",
        gateway="192.168.60.1",
        netmask="255.255.255.0",
        startip="192.168.60.10",
        endip="192.168.60.20",
    )["pod"]
    (cluster,) = root.addCluster(
        zoneid=zone["id"],
        podid=pod["id"],
        clustername=f"{name}-sim",
        hypervisor="Simulator",
        clustertype="CloudManaged",
    )["cluster"]
    (host,) = root.addHost(
        zoneid=zone["id"],
        podid=pod["id"],
        clusterid=cluster["id"],
        hypervisor="Simulator",
        url=f"http://sim/{name}/h0?cpucore=8&cpuspeed=2000&memory=16384",
        username="root",
        password="not-kept",
    )["host"]
    assert host["state"] == "Up"

    def listed() -> dict:
        (found,) = root.listHosts(id=host["id"])["host"]
        return found

    def alerts() -> list[dict]:
        answer = root.listAlerts(name="ALERT.COMPUTE.HOST", keyword=host["name"])
        return answer.get("alert", [])

    try:
        # The beat pings it while it answers: lastpinged moves on, the host stays Up.
        wait_until(
            "the beat pinging the host",
            lambda: listed()["lastpinged"] != host["lastpinged"],
            timeout=60,
        )
        assert listed()["state"] == "Up" and alerts() == []

        root.configureSimulator(hostid=host["id"], name="PingCommand", value="result:fail")
        seen: list[str] = []

        def state_is(wanted: str) -> Callable[[], bool]:
            def check() -> bool:
                state = listed()["state"]
                if not seen or seen[-1] != state:
                    seen.append(state)
                return state == wanted

            return check

        wait_until("the silent host in Alert", state_is("Alert"), timeout=60)
        (alert,) = alerts()
        assert alert["type"] == 7 and alert["name"] == "ALERT.COMPUTE.HOST"
        assert "is Alert" in alert["description"]
        wait_until("the silent host Down", state_is("Down"), timeout=90)
        assert seen in (["Up", "Alert", "Down"], ["Alert", "Down"]), seen
        (down,) = alerts()  # one alert, raised again: counted, not repeated
        assert down["id"] == alert["id"] and "is Down" in down["description"]
        assert apis[0].call("GET", f"/alerts/{alert['id']}/")["state"] == "Open"

        root.configureSimulator(hostid=host["id"], name="PingCommand", value="result:success")
        wait_until("the host Up again", state_is("Up"), timeout=60)
        assert [a["id"] for a in alerts()] == [alert["id"]]
        resolved = apis[0].call("GET", f"/alerts/{alert['id']}/")
        assert resolved["state"] == "Resolved" and resolved["resolved"]
    finally:
        # Answering, and gone: no pings every 2 seconds for the rest of the session.
        root.configureSimulator(hostid=host["id"], name="PingCommand", value="result:success")
        root.deleteHost(id=host["id"], forced="true")
