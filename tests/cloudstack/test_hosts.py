"""addHost, listHosts, updateHost, deleteHost, prepareHostForMaintenance and
cancelHostMaintenance (async), and configureSimulator, through the `cs` client as a user
would call them: CloudStack's parameter names and HostResponse (addHost's a list under
"host"), errors that name the parameter and change nothing, deleteCluster refused while a
cluster has hosts. Who may call them: tests/cloudstack/test_refusals.py (root admins only)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories
from tests.cloudstack.cs_helpers import api_error
from tests.db_state import db_state
from zones import services
from zones.models import Cluster, Host

MISSING = "00000000-0000-4000-8000-00000000abcd"
URL = "http://sim/c0/h1?cpucore=16&cpuspeed=2400&memory=65536&localstorage=1099511627776"


def host_params(cluster: Cluster, **overrides) -> dict:
    return {
        "zoneid": str(cluster.pod.zone_id),
        "podid": str(cluster.pod_id),
        "clusterid": str(cluster.pk),
        "url": URL,
        "username": "root",
        "password": "not-kept",
        "hypervisor": "Simulator",
    } | overrides


def test_add_answers_a_list_of_cloudstacks_host_response(root_cs, sim_cluster):
    answer = root_cs.addHost(**host_params(sim_cluster, hosttags="ssd,gpu"))
    assert answer["count"] == 1
    (added,) = answer["host"]
    host = Host.objects.get(pk=added["id"])
    assert added["created"] and added["lastpinged"]
    assert {k: v for k, v in added.items() if k not in ("created", "lastpinged")} == {
        "id": str(host.pk),
        "name": "sim-c0-h1",
        "type": "Routing",
        "state": "Up",
        "resourcestate": "Enabled",
        "ipaddress": "sim",
        "zoneid": str(sim_cluster.pod.zone_id),
        "zonename": "zone-a",
        "podid": str(sim_cluster.pod_id),
        "podname": "rack-a",
        "clusterid": str(sim_cluster.pk),
        "clustername": "sim-a",
        "clustertype": "CloudManaged",
        "hypervisor": "Simulator",
        "cpusockets": 1,
        "cpunumber": 16,
        "cpuspeed": 2400,
        "cpuallocated": "0%",
        "cpuallocatedvalue": 0,
        "cpuallocatedpercentage": "0%",
        "cpuwithoverprovisioning": "38400.0",
        "memorytotal": 68719476736,
        "memorywithoverprovisioning": "68719476736.0",
        "memoryallocated": 0,
        "memoryallocatedbytes": 0,
        "memoryallocatedpercentage": "0%",
        "islocalstorageactive": True,
        "hosttags": "ssd,gpu",
    }
    (event,) = root_cs.listEvents(type="HOST.CREATE")["event"]
    assert (event["resourceid"], event["resourcename"]) == (str(host.pk), "sim-c0-h1")


def test_a_cluster_by_name_and_allocated_figures_as_cloudstack_writes_them(root_cs, sim_cluster):
    params = host_params(sim_cluster, clustername="SIM-A", allocationstate="disabled")
    del params["clusterid"]
    (added,) = root_cs.addHost(**params)["host"]
    assert (added["clustername"], added["resourcestate"]) == ("sim-a", "Disabled")
    Host.objects.filter(pk=added["id"]).update(cpu_allocated=4800, memory_allocated=2**34)
    Cluster.objects.filter(pk=sim_cluster.pk).update(cpu_overcommit_ratio=2.0)
    (listed,) = root_cs.listHosts(id=added["id"])["host"]
    assert (listed["cpuallocated"], listed["cpuallocatedvalue"]) == ("12.5%", 4800)
    assert (listed["cpuallocatedpercentage"], listed["cpuwithoverprovisioning"]) == (
        "6.25%",
        "76800.0",
    )
    assert (listed["memoryallocated"], listed["memoryallocatedpercentage"]) == (2**34, "25%")


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"clusterid": MISSING}, 431, f"Invalid parameter clusterid value={MISSING}"),
        ({"podid": MISSING}, 431, f"Invalid parameter podid value={MISSING}"),
        ({"url": "http://sim/h0?cpucore=16&cpuspeed=2400&memory=65536"}, 431, "url: Host sim-h0"),
        ({"url": "qemu+ssh://kvm1/system"}, 431, "url: qemu+ssh://kvm1/system is not a simulator"),
        ({"url": "http://sim/h?cpucore=x"}, 431, "url: cpucore takes a whole number"),
        ({"hypervisor": "KVM"}, 431, "hypervisor: Cluster sim-a is a cluster of Simulator hosts."),
        ({"clustername": "nope", "clusterid": None}, 431, "clustername: Pod rack-a has no cluster"),
        ({"clusterid": None}, 431, "clusterid: Name the host's cluster"),
        ({"url": "http://sim/h0"}, 431, "url: A host named sim-h0 exists in cluster sim-a."),
    ],
)
def test_bad_input_is_431_naming_the_parameter_and_writes_nothing(
    root_cs, host, overrides, status, message
):
    params = {k: v for k, v in (host_params(host.cluster) | overrides).items() if v is not None}
    before = db_state()
    got, error = api_error(root_cs.addHost, **params)
    assert (got, error["errorcode"]) == (status, status)
    assert message in error["errortext"], error["errortext"]
    assert db_state() == before


def test_a_kvm_url_libvirt_cannot_reach_and_one_it_can(root_cs, cluster):
    params = host_params(cluster, url="qemu:///system", hypervisor="KVM")
    status, error = api_error(root_cs.addHost, **params)
    assert status == 431
    assert error["errortext"].startswith("url: Could not reach qemu:///system"), error
    (added,) = root_cs.addHost(**params | {"url": "test:///default"})["host"]
    assert (added["name"], added["cpunumber"], added["cpuspeed"], added["cpusockets"]) == (
        "vm",
        16,
        1400,
        4,
    )
    assert "ipaddress" not in added  # a local URL names no address


def test_list_filters(root_cs, host, cluster):
    kvm = factories.host(cluster=cluster, url="test:///default")
    services.host_update(host=kvm, allocation_state="Disabled", by=None)

    def names(**params):
        return [h["name"] for h in root_cs.listHosts(**params).get("host", [])]

    assert names() == ["vm", "sim-h0"]
    assert names(id=str(host.pk)) == ["sim-h0"]
    assert names(type="routing") == ["vm", "sim-h0"]
    assert names(type="SecondaryStorage") == []
    assert names(zoneid=str(host.cluster.pod.zone_id)) == ["vm", "sim-h0"]
    assert names(podid=str(host.cluster.pod_id), clusterid=str(cluster.pk)) == ["vm"]
    assert names(name="SIM-H0") == ["sim-h0"]
    assert names(state="up") == ["vm", "sim-h0"]
    assert names(resourcestate="Disabled") == ["vm"]
    assert names(hypervisor="simulator") == ["sim-h0"]
    assert names(keyword="sim") == ["sim-h0"]
    second = root_cs.listHosts(pagesize=1, page=2)
    assert (second["count"], [h["name"] for h in second["host"]]) == (2, ["sim-h0"])
    status, error = api_error(root_cs.listHosts, clusterid=MISSING)
    assert status == 431 and f"Invalid parameter clusterid value={MISSING}" in error["errortext"]


def test_update_renames_retags_and_disables_with_cloudstacks_verbs(root_cs, host):
    updated = root_cs.updateHost(
        id=str(host.pk), name="h-1", hosttags="a,b", allocationstate="Disable"
    )["host"]
    assert (updated["name"], updated["hosttags"], updated["resourcestate"]) == (
        "h-1",
        "a,b",
        "Disabled",
    )
    enabled = root_cs.updateHost(id=str(host.pk), allocationstate="Enable")["host"]
    assert enabled["resourcestate"] == "Enabled"
    status, error = api_error(root_cs.updateHost, id=str(host.pk), allocationstate="Maintenance")
    assert status == 431
    assert error["errortext"] == "allocationstate: Choose one of Enabled, Disabled."


def test_maintenance_is_async_and_delete_needs_it_unless_forced(root_cs, host):
    status, error = api_error(root_cs.deleteHost, id=str(host.pk))
    assert status == 431
    assert "is not in maintenance: put it into maintenance first" in error["errortext"]

    result = root_cs.prepareHostForMaintenance(id=str(host.pk))
    assert result["host"]["resourcestate"] == "Maintenance"
    status, error = api_error(root_cs.prepareHostForMaintenance, id=str(host.pk))
    assert status == 431 and error["errortext"] == "Host sim-h0 is already in Maintenance."

    result = root_cs.cancelHostMaintenance(id=str(host.pk))
    assert result["host"]["resourcestate"] == "Enabled"
    status, error = api_error(root_cs.cancelHostMaintenance, id=str(host.pk))
    assert status == 431 and error["errortext"] == "Host sim-h0 is not in maintenance."

    status, error = api_error(root_cs.deleteCluster, id=str(host.cluster_id))
    assert status == 536 and "still has 1 host(s)" in error["errortext"]
    assert root_cs.deleteHost(id=str(host.pk), forced=True) == {"success": True}
    assert not Host.objects.exists()


def test_configure_simulator_takes_a_host_down_and_back_up(root_cs, host):
    answer = root_cs.configureSimulator(
        hostid=str(host.pk), name="PingCommand", value="result:fail"
    )["simulatormock"]
    assert (answer["hostid"], answer["clusterid"], answer["name"]) == (
        str(host.pk),
        str(host.cluster_id),
        "PingCommand",
    )
    later = Host.objects.get(pk=host.pk).last_pinged + timedelta(seconds=200)
    assert services.host_ping(host=host, now=later) == "Down"
    (listed,) = root_cs.listHosts(id=str(host.pk), state="Down")["host"]
    assert listed["state"] == "Down"

    root_cs.configureSimulator(hostid=str(host.pk), name="pingcommand", value="result:success")
    assert services.host_ping(host=host, now=later + timedelta(seconds=60)) == "Up"

    for params, message in [
        ({"name": "StopCommand", "value": "result:fail"}, "name: StopCommand is not simulated"),
        ({"name": "PingCommand", "value": "maybe"}, "value: PingCommand takes result:fail"),
    ]:
        status, error = api_error(root_cs.configureSimulator, hostid=str(host.pk), **params)
        assert status == 431 and error["errortext"].startswith(message), error
