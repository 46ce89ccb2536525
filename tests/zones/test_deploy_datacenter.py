"""manage.py deploy_datacenter: a Marvin-shaped description makes zones, pods, clusters,
hosts, storage and ranges; running it again changes nothing; a bad entry is named by its
path and nothing of the file is written."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.db_state import db_state
from zones.models import Cluster, GuestVlan, Host, Pod, PublicIpAddress, StoragePool, Zone

DATACENTER = {
    "zones": [
        {
            "name": "dc-1",
            "networktype": "Advanced",
            "dns1": "8.8.8.8",
            "internaldns1": "10.0.0.2",
            "guestcidraddress": "10.1.0.0/16",
            "physical_networks": [{"name": "pn", "vlan": "500-519"}],
            "ipranges": [
                {"gateway": "172.16.0.1", "netmask": "255.255.255.0", "startip": "172.16.0.10",
                 "endip": "172.16.0.59", "vlan": "50"}
            ],
            "primaryStorages": [
                {"name": "dc-1-wide", "url": "nfs://10.0.0.9/export/wide",
                 "capacitybytes": 2**41, "scope": "ZONE", "hypervisor": "Simulator"}
            ],
            "pods": [
                {
                    "name": "dc-1-p1",
                    "gateway": "192.168.50.1",
                    "netmask": "255.255.255.0",
                    "startip": "192.168.50.10",
                    "endip": "192.168.50.99",
                    "clusters": [
                        {
                            "clustername": "dc-1-c1",
                            "hypervisor": "Simulator",
                            "hosts": [
                                {"url": "http://sim/dc1/h1?cpucore=8&cpuspeed=2000&memory=16384"},
                                {"url": "http://sim/dc1/h2?cpucore=8&cpuspeed=2000&memory=16384"},
                            ],
                            "primaryStorages": [
                                {"name": "dc-1-ps1", "url": "nfs://10.0.0.9/export/ps1",
                                 "capacitybytes": 2**40}
                            ],
                        }
                    ],
                }
            ],
        }
    ]
}  # fmt: skip


def deploy(tmp_path, description, name="dc.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(description))
    out = StringIO()
    call_command("deploy_datacenter", str(path), stdout=out)
    return out.getvalue()


def test_a_description_makes_the_datacenter(tmp_path, region):
    said = deploy(tmp_path, DATACENTER)
    assert "Made 1 zones, 1 IP ranges, 2 storage pools, 1 pods, 1 clusters, 2 hosts;" in said
    zone = Zone.objects.get(name="dc-1")
    assert Pod.objects.get(zone=zone).name == "dc-1-p1"
    assert Cluster.objects.get(pod__zone=zone).hypervisor == "Simulator"
    assert Host.objects.filter(cluster__pod__zone=zone, state="Up").count() == 2
    assert set(StoragePool.objects.filter(zone=zone).values_list("scope", flat=True)) == {
        "ZONE",
        "CLUSTER",
    }
    assert PublicIpAddress.objects.filter(zone=zone).count() == 50
    assert GuestVlan.objects.filter(zone=zone).count() == 20


def test_deploying_twice_changes_nothing(tmp_path, region):
    deploy(tmp_path, DATACENTER)
    before = db_state()
    said = deploy(tmp_path, DATACENTER)
    assert said.startswith("Made nothing; already there: 1 zones")
    assert db_state() == before


def test_a_bad_entry_is_named_by_its_path_and_nothing_is_written(tmp_path, region):
    bad = copy.deepcopy(DATACENTER)
    bad["zones"][0]["pods"][0]["clusters"][0]["hosts"][1]["url"] = "ftp://sim/h2"
    before = db_state()
    with pytest.raises(CommandError) as caught:
        deploy(tmp_path, bad)
    assert "zones[0].pods[0].clusters[0].hosts[1].url:" in str(caught.value)
    assert db_state() == before  # the zone, pod, cluster and first host are not kept either


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["zones"][0].pop("name"), "zones[0].name: This field is required."),
        (
            lambda d: d["zones"][0]["pods"][0].update(endip="192.168.50.5"),
            "zones[0].pods[0].end_ip",
        ),
        (lambda d: d["zones"][0]["ipranges"][0].update(vlan="5000"), "zones[0].ipranges[0].vlan"),
        (lambda d: d["zones"][0].update(pods="x"), "zones[0].pods: A list of objects is expected."),
        (
            lambda d: d["zones"][0]["pods"][0]["clusters"][0]["primaryStorages"][0].update(
                capacitybytes=-1
            ),
            "zones[0].pods[0].clusters[0].primaryStorages[0].capacity_bytes",
        ),
    ],
)
def test_bad_entries_name_their_field(tmp_path, region, change, path):
    bad = copy.deepcopy(DATACENTER)
    change(bad)
    before = db_state()
    with pytest.raises(CommandError) as caught:
        deploy(tmp_path, bad)
    assert path in str(caught.value)
    assert db_state() == before


def test_a_file_that_is_not_json_or_not_there_is_refused(tmp_path, region):
    (tmp_path / "broken.json").write_text("{zones")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("deploy_datacenter", str(tmp_path / "broken.json"))
    with pytest.raises(CommandError, match="No such file"):
        call_command("deploy_datacenter", str(tmp_path / "missing.json"))
