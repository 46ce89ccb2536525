"""Every CloudStack command has a refusal test here, found by walking the command registry:
a command added without one fails `test_every_command_has_a_refusal_case`.

A refusal is CloudStack's: a role that may not call the command at all is 432; a command it
may call, on an object it may not touch, is 531; an object it cannot see is an unknown id
(431), so nothing leaks. Each refusal leaves every table as it was. For the lists that every
role may call, the refusal is what the list leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cs
import pytest

from identity.services import project_member_add, user_update
from portal import audit
from portal.cloudstack.registry import commands_all
from portal.models import AsyncJob, ObjectChange
from tests import factories
from tests.db_state import db_state
from tests.factories import PASSWORD
from zones.services import guest_vlan_range_dedicate, zone_update

MISSING = "00000000-0000-4000-8000-0000000000aa"


@dataclass(frozen=True)
class Refused:
    """ACTOR calling the command with PARAMS(world) is refused with CODE."""

    actor: str
    params: Callable[[dict[str, Any]], dict[str, Any]]
    code: int


@dataclass(frozen=True)
class Hidden:
    """ACTOR's answer (PARAMS(world)) never names the row ABSENT(world) picks out: the
    refusal of a list is what it leaves out."""

    actor: str
    params: Callable[[dict[str, Any]], dict[str, Any]]
    absent: Callable[[dict[str, Any]], str]
    key: str


def _ids(world: dict[str, Any], name: str) -> str:
    return str(world[name].pk)


CASES: dict[str, Refused | Hidden] = {
    # root admins only
    "addRegion": Refused(
        "dadmin", lambda w: {"id": 7, "name": "r7", "endpoint": "http://r7.x"}, 432
    ),
    "updateRegion": Refused("dadmin", lambda w: {"id": 1, "name": "x"}, 432),
    "removeRegion": Refused("alice", lambda w: {"id": 1}, 432),
    "createZone": Refused(
        "dadmin",
        lambda w: {
            "name": "z",
            "dns1": "1.1.1.1",
            "internaldns1": "1.1.1.1",
            "networktype": "Basic",
        },
        432,
    ),
    "updateZone": Refused("dadmin", lambda w: {"id": _ids(w, "zone"), "name": "x"}, 432),
    "deleteZone": Refused("alice", lambda w: {"id": _ids(w, "zone")}, 432),
    "listPods": Refused("dadmin", lambda w: {}, 432),
    "createPod": Refused(
        "dadmin",
        lambda w: {
            "name": "p",
            "zoneid": _ids(w, "zone"),
            "gateway": "10.8.0.1",
            "netmask": "255.255.255.0",
            "startip": "10.8.0.10",
        },
        432,
    ),
    "updatePod": Refused("dadmin", lambda w: {"id": _ids(w, "pod"), "name": "x"}, 432),
    "deletePod": Refused("alice", lambda w: {"id": _ids(w, "pod")}, 432),
    "listClusters": Refused("alice", lambda w: {}, 432),
    "addCluster": Refused(
        "dadmin",
        lambda w: {
            "clustername": "c",
            "zoneid": _ids(w, "zone"),
            "podid": _ids(w, "pod"),
            "hypervisor": "KVM",
            "clustertype": "CloudManaged",
        },
        432,
    ),
    "updateCluster": Refused(
        "dadmin", lambda w: {"id": _ids(w, "cluster"), "clustername": "x"}, 432
    ),
    "deleteCluster": Refused("alice", lambda w: {"id": _ids(w, "cluster")}, 432),
    "listAlerts": Refused("dadmin", lambda w: {}, 432),
    "listCapacity": Refused("alice", lambda w: {"fetchlatest": True}, 432),
    "listAlertTypes": Refused("alice", lambda w: {}, 432),
    "archiveAlerts": Refused("dadmin", lambda w: {"ids": _ids(w, "alert")}, 432),
    "deleteAlerts": Refused("alice", lambda w: {"ids": _ids(w, "alert")}, 432),
    "listHosts": Refused("dadmin", lambda w: {}, 432),
    "addHost": Refused(
        "dadmin",
        lambda w: {
            "zoneid": _ids(w, "zone"),
            "podid": _ids(w, "pod"),
            "clusterid": _ids(w, "sim_cluster"),
            "url": "http://sim/refused",
            "hypervisor": "Simulator",
        },
        432,
    ),
    "updateHost": Refused("dadmin", lambda w: {"id": _ids(w, "host"), "name": "x"}, 432),
    "deleteHost": Refused("alice", lambda w: {"id": _ids(w, "host"), "forced": True}, 432),
    "prepareHostForMaintenance": Refused("dadmin", lambda w: {"id": _ids(w, "host")}, 432),
    "cancelHostMaintenance": Refused("alice", lambda w: {"id": _ids(w, "host")}, 432),
    "configureSimulator": Refused(
        "dadmin",
        lambda w: {"hostid": _ids(w, "host"), "name": "PingCommand", "value": "result:fail"},
        432,
    ),
    "listStoragePools": Refused("dadmin", lambda w: {}, 432),
    "createStoragePool": Refused(
        "dadmin",
        lambda w: {
            "name": "p",
            "zoneid": _ids(w, "zone"),
            "podid": _ids(w, "pod"),
            "clusterid": _ids(w, "cluster"),
            "url": "nfs://10.0.0.9/export/refused",
            "capacitybytes": 2**40,
        },
        432,
    ),
    "updateStoragePool": Refused(
        "dadmin", lambda w: {"id": _ids(w, "storage_pool"), "name": "x"}, 432
    ),
    "deleteStoragePool": Refused("alice", lambda w: {"id": _ids(w, "storage_pool")}, 432),
    "enableStorageMaintenance": Refused("dadmin", lambda w: {"id": _ids(w, "storage_pool")}, 432),
    "cancelStorageMaintenance": Refused("alice", lambda w: {"id": _ids(w, "storage_pool")}, 432),
    "listVlanIpRanges": Refused("dadmin", lambda w: {}, 432),
    "createVlanIpRange": Refused(
        "dadmin",
        lambda w: {
            "zoneid": _ids(w, "zone"),
            "vlan": "2999",
            "gateway": "10.7.0.1",
            "netmask": "255.255.255.0",
            "startip": "10.7.0.10",
        },
        432,
    ),
    "deleteVlanIpRange": Refused("alice", lambda w: {"id": _ids(w, "ip_range")}, 432),
    "listDedicatedGuestVlanRanges": Refused("alice", lambda w: {}, 432),
    "dedicateGuestVlanRange": Refused(
        "dadmin",
        lambda w: {"zoneid": _ids(w, "zone"), "vlanrange": "100-101", "account": "eng-admins"},
        432,
    ),
    "releaseDedicatedGuestVlanRange": Refused(
        "dadmin", lambda w: {"id": _ids(w, "dedication")}, 432
    ),
    "updateConfiguration": Refused(
        "dadmin", lambda w: {"name": "allow.user.create.projects", "value": "false"}, 432
    ),
    # admins: a user may not call them; a domain admin outside their tree meets unknown ids
    "listConfigurations": Refused("alice", lambda w: {}, 432),
    "createDomain": Refused(
        "dadmin", lambda w: {"name": "x", "parentdomainid": _ids(w, "sales")}, 431
    ),
    "updateDomain": Refused("dadmin", lambda w: {"id": _ids(w, "eng"), "name": "x"}, 531),
    "deleteDomain": Refused("dadmin", lambda w: {"id": _ids(w, "sales")}, 431),
    "createAccount": Refused(
        "dadmin",
        lambda w: {
            "username": "x",
            "password": PASSWORD,
            "accounttype": 0,
            "domainid": _ids(w, "sales"),
        },
        431,
    ),
    "updateAccount": Refused(
        "dadmin", lambda w: {"id": str(w["bob"].account_id), "newname": "x"}, 431
    ),
    "deleteAccount": Refused("dadmin", lambda w: {"id": str(w["dadmin"].account_id)}, 531),
    "enableAccount": Refused("alice", lambda w: {"id": str(w["alice"].account_id)}, 432),
    "disableAccount": Refused(
        "dadmin", lambda w: {"id": str(w["dadmin"].account_id), "lock": True}, 531
    ),
    "createUser": Refused(
        "alice", lambda w: {"username": "x", "password": PASSWORD, "account": "ops-team"}, 432
    ),
    "deleteUser": Refused("dadmin", lambda w: {"id": _ids(w, "bob")}, 431),
    "enableUser": Refused("dadmin", lambda w: {"id": _ids(w, "root")}, 431),
    "disableUser": Refused("dadmin", lambda w: {"id": _ids(w, "bob")}, 431),
    # everyone may call them: on what they may not touch
    "updateUser": Refused("alice", lambda w: {"id": _ids(w, "bob"), "firstname": "x"}, 431),
    "getUserKeys": Refused("alice", lambda w: {"id": _ids(w, "bob")}, 431),
    "registerUserKeys": Refused("alice", lambda w: {"id": _ids(w, "bob")}, 431),
    "createProject": Refused(
        "alice",
        lambda w: {"name": "p", "account": "sales-team", "domainid": _ids(w, "sales")},
        431,
    ),
    "deleteProject": Refused("alice", lambda w: {"id": _ids(w, "shared")}, 531),
    "queryAsyncJobResult": Refused("alice", lambda w: {"jobid": _ids(w, "root_job")}, 431),
    "listAccounts": Hidden("alice", lambda w: {"listall": True}, lambda w: "sales-team", "account"),
    "listUsers": Hidden("dadmin", lambda w: {"listall": True}, lambda w: "bob", "user"),
    "listDomains": Hidden("dadmin", lambda w: {"listall": True}, lambda w: "ROOT/sales", "domain"),
    "listProjects": Hidden(
        "alice", lambda w: {"listall": True}, lambda w: "bob-project", "project"
    ),
    "listAsyncJobs": Hidden(
        "alice", lambda w: {"listall": True}, lambda w: _ids(w, "root_job"), "asyncjobs"
    ),
    "listApis": Hidden("alice", lambda w: {}, lambda w: "addRegion", "api"),
    "listEvents": Hidden(
        "alice", lambda w: {"listall": True}, lambda w: _ids(w, "bob_event"), "event"
    ),
}
#: open to every signed-in caller by design, with nothing to refuse (still signed: the
#: unsigned and badly signed calls are refused in test_signatures and the fuzz test)
OPEN = {
    "listCapabilities": "the cloud's capabilities, as CloudStack shows every role",
    "listRegions": "every region is listed to everyone (regions are not owned)",
    "listZones": "every zone of the region is listed to everyone (zones are not owned)",
}


def test_every_command_has_a_refusal_case():
    registered = {command.name for command in commands_all()}
    assert registered == set(CASES) | set(OPEN), (
        f"without a refusal case: {sorted(registered - set(CASES) - set(OPEN))}; "
        f"cases of no command: {sorted(set(CASES) | set(OPEN) - registered)}"
    )
    assert not set(CASES) & set(OPEN)


@pytest.fixture
def world(cast, root, alice, bob, ops, sales, zone, pod, sim_cluster, host):
    cluster = factories.cluster(pod=pod)
    zone_update(zone=zone, vlan="100-199", by=None)
    neighbour = factories.account(domain=ops, name="neighbours")
    shared = factories.project(owner=neighbour, name="shared")
    project_member_add(project=shared, account=alice.account, by=None)
    return {
        **cast,
        "zone": zone,
        "pod": pod,
        "cluster": cluster,
        "alert": factories.alert(zone=zone),
        "sim_cluster": sim_cluster,
        "host": host,
        "storage_pool": factories.storage_pool(cluster=cluster),
        "ip_range": factories.vlan_ip_range(zone=zone),
        "dedication": guest_vlan_range_dedicate(
            zone=zone, vlan_range="150-159", account=bob.account, by=None
        ),
        "shared": shared,
        "bob_project": factories.project(owner=bob.account, name="bob-project", domain=sales),
        "root_job": AsyncJob.objects.create(user=root, command="deleteAccount"),
        "alice_job": AsyncJob.objects.create(user=alice, command="deleteProject"),
        "alice_event": _event_by(alice),
        "bob_event": _event_by(bob),
    }


def _event_by(user) -> ObjectChange:
    """A change USER made (to their own name), as the change log keeps it."""
    with audit.acting(user=user):
        user_update(user=user, by=user, first_name=f"{user.username}-renamed")
    return ObjectChange.objects.filter(actor_id=user.pk).latest("time")


def _names(item: dict[str, Any]) -> set[str]:
    return {str(item.get(key)) for key in ("name", "username", "path", "jobid", "id")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_refusal(name, world, client_for):
    case = CASES[name]
    client = client_for(world[case.actor])
    params = case.params(world)
    if isinstance(case, Hidden):
        answer = getattr(client, name)(**params)
        listed = set().union(*(_names(item) for item in answer.get(case.key, [])))
        assert answer.get(case.key), f"{name} listed nothing at all: the case proves nothing"
        assert case.absent(world) not in listed
        return
    before = db_state()
    with pytest.raises(cs.CloudStackApiException) as caught:
        getattr(client, name)(**params)
    assert caught.value.error["errorcode"] == case.code, caught.value.error
    assert db_state() == before, f"a refused {name} changed rows"
