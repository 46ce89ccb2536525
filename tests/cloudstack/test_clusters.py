"""listClusters, addCluster, updateCluster, deleteCluster through the `cs` client:
CloudStack's parameter names, its ClusterResponse (addCluster's a list under "cluster"),
errors that name the parameter and change nothing, and deletePod refused while a pod has
clusters. Who may call them: tests/cloudstack/test_refusals.py (root admins only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import cs
import pytest

from tests import factories
from zones.models import Cluster, Pod

MISSING = "00000000-0000-4000-8000-00000000abcd"


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def cluster_params(pod: Pod, **overrides) -> dict:
    return {
        "clustername": "cluster-b",
        "zoneid": str(pod.zone_id),
        "podid": str(pod.pk),
        "hypervisor": "KVM",
        "clustertype": "CloudManaged",
    } | overrides


def test_add_answers_a_list_of_cloudstacks_cluster_response(root_cs, pod):
    answer = root_cs.addCluster(**cluster_params(pod))
    assert answer["count"] == 1
    (added,) = answer["cluster"]
    cluster = Cluster.objects.get(pk=added["id"])
    assert added == {
        "id": str(cluster.pk),
        "name": "cluster-b",
        "podid": str(pod.pk),
        "podname": "rack-a",
        "zoneid": str(pod.zone_id),
        "zonename": "zone-a",
        "hypervisortype": "KVM",
        "clustertype": "CloudManaged",
        "allocationstate": "Enabled",
        "managedstate": "Managed",
        "cpuovercommitratio": "1.0",
        "memoryovercommitratio": "1.0",
        "arch": "x86_64",
    }
    (event,) = root_cs.listEvents(type="CLUSTER.CREATE")["event"]
    assert (event["resourceid"], event["resourcename"]) == (str(cluster.pk), "cluster-b")


def test_choices_match_whatever_their_case_and_a_vcenters_url_is_ignored(root_cs, pod):
    params = cluster_params(
        pod,
        hypervisor="simulator",
        clustertype="cloudmanaged",
        allocationstate="disabled",
        arch="X86_64",
        url="https://vcenter.example/dc/cluster",
        username="admin",
        password="secret",
    )
    (added,) = root_cs.addCluster(**params)["cluster"]
    assert (added["hypervisortype"], added["clustertype"], added["allocationstate"]) == (
        "Simulator",
        "CloudManaged",
        "Disabled",
    )


def test_list_filters_by_id_zone_pod_name_hypervisor_type_state_and_keyword(root_cs, cluster):
    other = factories.cluster(name="cluster-z", hypervisor="Simulator", allocation_state="Disabled")

    def names(**params):
        return [c["name"] for c in root_cs.listClusters(**params).get("cluster", [])]

    assert names() == ["cluster-a", "cluster-z"]
    assert names(id=str(other.pk)) == ["cluster-z"]
    assert names(zoneid=str(cluster.pod.zone_id)) == ["cluster-a"]
    assert names(podid=str(other.pod_id)) == ["cluster-z"]
    assert names(name="CLUSTER-A") == ["cluster-a"]
    assert names(hypervisor="kvm") == ["cluster-a"]
    assert names(hypervisor="XenServer") == []
    assert names(clustertype="CloudManaged") == ["cluster-a", "cluster-z"]
    assert names(clustertype="ExternalManaged") == []
    assert names(arch="aarch64") == []
    assert names(allocationstate="disabled") == ["cluster-z"]
    assert names(keyword="uster-") == ["cluster-a", "cluster-z"]
    assert names(showcapacities=True) == ["cluster-a", "cluster-z"]  # accepted, nothing shown
    second = root_cs.listClusters(pagesize=1, page=2)
    assert (second["count"], [c["id"] for c in second["cluster"]]) == (2, [str(other.pk)])


def test_an_empty_list_and_an_unknown_zone_or_pod(root_cs, pod):
    assert root_cs.listClusters() == {}
    for param in ("zoneid", "podid"):
        status, error = api_error(root_cs.listClusters, **{param: MISSING})
        assert status == 431
        assert f"Invalid parameter {param} value={MISSING}" in error["errortext"]


def test_update_and_delete(root_cs, cluster):
    updated = root_cs.updateCluster(
        id=str(cluster.pk),
        clustername="cluster-a1",
        allocationstate="Disabled",
        hypervisor="KVM",  # as it is: accepted
        clustertype="CloudManaged",
    )["cluster"]
    assert (updated["name"], updated["allocationstate"]) == ("cluster-a1", "Disabled")
    cluster.refresh_from_db()
    assert (cluster.name, cluster.allocation_state) == ("cluster-a1", "Disabled")

    assert root_cs.deleteCluster(id=str(cluster.pk)) == {"success": True}
    assert not Cluster.objects.exists()
    status, error = api_error(root_cs.deleteCluster, id=str(cluster.pk))
    assert status == 431 and "Invalid parameter id value=" in error["errortext"]


def test_the_ratios_are_answered_as_strings(root_cs, cluster):
    cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio = 2.5, 4.0
    cluster.save()
    (listed,) = root_cs.listClusters(id=str(cluster.pk))["cluster"]
    assert (listed["cpuovercommitratio"], listed["memoryovercommitratio"]) == ("2.5", "4.0")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"clustername": "CLUSTER-A"}, "clustername: A cluster named CLUSTER-A exists in pod"),
        ({"hypervisor": "VMware"}, "hypervisor: Choose one of KVM, Simulator."),
        ({"clustertype": "ExternalManaged"}, "clustertype: Choose one of CloudManaged."),
        ({"arch": "aarch64"}, "arch: Choose one of x86_64."),
        ({"allocationstate": "Maintenance"}, "allocationstate: Choose one of Enabled, Disabled."),
    ],
)
def test_an_invalid_value_is_431_naming_the_parameter(root_cs, cluster, overrides, message):
    status, error = api_error(root_cs.addCluster, **cluster_params(cluster.pod, **overrides))
    assert (status, error["errorcode"], error["cserrorcode"]) == (431, 431, 4350)
    assert error["errortext"].startswith(message), error["errortext"]
    assert Cluster.objects.count() == 1


def test_a_pod_of_another_zone_is_refused(root_cs, pod):
    other = factories.zone(name="zone-b")
    status, error = api_error(root_cs.addCluster, **cluster_params(pod, zoneid=str(other.pk)))
    assert (status, error["errortext"]) == (431, "podid: Pod rack-a is not in zone zone-b.")
    assert not Cluster.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hypervisor": "Simulator"}, "hypervisor: A cluster keeps its hypervisor: KVM."),
        (
            {"clustertype": "ExternalManaged"},
            "clustertype: A cluster keeps its cluster type: CloudManaged.",
        ),
        ({"clustername": " "}, "clustername: This field is required."),
    ],
)
def test_a_bad_update_is_431_and_changes_nothing(root_cs, cluster, changes, message):
    status, error = api_error(root_cs.updateCluster, id=str(cluster.pk), **changes)
    assert status == 431
    assert error["errortext"].startswith(message), error["errortext"]
    cluster.refresh_from_db()
    assert (cluster.name, cluster.hypervisor) == ("cluster-a", "KVM")


@pytest.mark.parametrize("missing", ["clustername", "zoneid", "podid", "hypervisor", "clustertype"])
def test_a_missing_parameter_is_named(root_cs, pod, missing):
    params = cluster_params(pod)
    del params[missing]
    status, error = api_error(root_cs.addCluster, **params)
    assert status == 431
    assert error["errortext"] == (
        f"Unable to execute API command addcluster due to missing parameter {missing}"
    )
    assert not Cluster.objects.exists()


def test_clusters_only_in_this_regions_zones(root_cs, region):
    pod = factories.remote_pod()
    status, error = api_error(root_cs.addCluster, **cluster_params(pod))
    assert (status, error["errortext"]) == (
        431,
        "podid: Clusters are managed by the portal of their zone's region.",
    )
    assert not Cluster.objects.exists()


def test_a_pod_with_clusters_is_in_use(root_cs, cluster):
    status, error = api_error(root_cs.deletePod, id=str(cluster.pod_id))
    assert (status, error["errorcode"], error["cserrorcode"], error["errortext"]) == (
        536,
        536,
        4375,
        "Pod rack-a still has 1 cluster(s); delete them first.",
    )
    assert Pod.objects.filter(pk=cluster.pod_id).exists()


def test_list_clusters_in_xml(raw, root_keys, cluster):
    response = raw("listClusters", pair=root_keys)
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "listclustersresponse"
    listed = root.find("cluster")
    assert (listed.findtext("name"), listed.findtext("hypervisortype")) == ("cluster-a", "KVM")


def test_list_apis_describes_the_cluster_commands(root_cs):
    (api,) = root_cs.listApis(name="addCluster")["api"]
    params = {p["name"]: p for p in api["params"]}
    assert {name for name, p in params.items() if p["required"]} == {
        "clustername",
        "zoneid",
        "podid",
        "hypervisor",
        "clustertype",
    }
    assert {"allocationstate", "arch", "url", "username", "password"} <= set(params)
    assert {"hypervisortype", "cpuovercommitratio", "managedstate"} <= {
        r["name"] for r in api["response"]
    }
