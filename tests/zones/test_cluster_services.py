"""Cluster services: names unique in their pod, hypervisors and types CloudStack names,
overcommit ratios of 1 or more, each error naming its field and writing nothing; clusters
only in this region's zones; root admins only; a pod with clusters is not deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import ChangeAction, ObjectChange
from regions.configuration.services import setting_update
from tests import factories
from tests.db_state import db_state, refused
from zones import services
from zones.models import AllocationState, Cluster, Pod


def create(pod: Pod, **fields) -> Cluster:
    fields = {"name": "cluster-1", "hypervisor": "KVM", **fields}
    fields.setdefault("by", None)
    return services.cluster_create(pod=pod, **fields)


@pytest.fixture
def far_pod(region):
    return factories.remote_pod()


# --- create ---------------------------------------------------------------------------------


def test_create(root, pod):
    cluster = create(
        pod,
        name="c-1",
        hypervisor="Simulator",
        allocation_state=AllocationState.DISABLED,
        cpu_overcommit_ratio="2.5",
        memory_overcommit_ratio=1.5,
        by=root,
    )
    cluster.refresh_from_db()
    assert (cluster.pod, cluster.name, cluster.hypervisor, cluster.allocation_state) == (
        pod,
        "c-1",
        "Simulator",
        "Disabled",
    )
    assert (cluster.cluster_type, cluster.arch) == ("CloudManaged", "x86_64")
    assert (cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio) == (2.5, 1.5)
    change = ObjectChange.objects.get(object_id=str(cluster.pk))
    assert (change.action, change.model, change.actor_id) == (
        ChangeAction.CREATE,
        "zones.Cluster",
        None,  # the actor of the request (portal.audit), none here
    )


def test_clusters_are_enabled_managed_by_cloudstack_and_not_overcommitted(pod):
    cluster = create(pod)
    assert cluster.allocation_state == AllocationState.ENABLED  # CloudStack's default
    assert (cluster.cluster_type, cluster.arch) == ("CloudManaged", "x86_64")
    assert (cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio) == (1.0, 1.0)


def test_names_are_unique_in_a_pod_whatever_their_case(pod):
    create(pod, name="Cluster-A")
    for name in ("cluster-a", " CLUSTER-A "):
        error = refused(create, "name", "unique", pod=pod, name=name)
        assert error.messages == [f"A cluster named {name.strip()} exists in pod rack-a."]
    other = factories.pod(zone=pod.zone, name="rack-b")
    assert create(other, name="cluster-a").pod == other  # another pod's clusters are no clash


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "c\x07"}, "name"),
        ({"hypervisor": "kvm"}, "hypervisor"),
        ({"hypervisor": "VMware"}, "hypervisor"),
        ({"hypervisor": ""}, "hypervisor"),
        ({"cluster_type": "ExternalManaged"}, "cluster_type"),
        ({"arch": "aarch64"}, "arch"),
        ({"allocation_state": "enabled"}, "allocation_state"),
        ({"cpu_overcommit_ratio": 0.5}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": "0.99"}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": "two"}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": "nan"}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": "inf"}, "cpu_overcommit_ratio"),
        ({"cpu_overcommit_ratio": True}, "cpu_overcommit_ratio"),
        ({"memory_overcommit_ratio": -1}, "memory_overcommit_ratio"),
    ],
)
def test_bad_values_name_their_field(pod, fields, field):
    refused(create, field, pod=pod, **fields)


def test_a_new_clusters_ratios_left_out_are_its_zones_overprovisioning_factors(pod):
    setting_update(name="mem.overprovisioning.factor", value="1.5", zone=pod.zone, by=None)
    made = create(pod=pod, cpu_overcommit_ratio="", memory_overcommit_ratio=None)
    assert (made.cpu_overcommit_ratio, made.memory_overcommit_ratio) == (1.0, 1.5)


def test_an_update_cannot_blank_a_ratio(pod):
    made = create(pod=pod)
    for empty in ("", " "):
        refused(
            services.cluster_update,
            "cpu_overcommit_ratio",
            cluster=made,
            by=None,
            cpu_overcommit_ratio=empty,
        )


def test_a_ratio_below_one_says_so(pod):
    error = refused(create, "cpu_overcommit_ratio", pod=pod, cpu_overcommit_ratio="0.5")
    assert error.messages == ["An overcommit ratio is a number of 1 or more."]


def test_clusters_only_in_this_regions_zones(root, far_pod):
    error = refused(create, "pod", "remote", pod=far_pod, by=root)
    assert error.messages == ["Clusters are managed by the portal of their zone's region."]


# --- update ---------------------------------------------------------------------------------


def test_update(root, cluster):
    services.cluster_update(
        cluster=cluster,
        name="c-9",
        allocation_state="Disabled",
        cpu_overcommit_ratio="4",
        memory_overcommit_ratio=2,
        by=root,
    )
    cluster.refresh_from_db()
    assert (cluster.name, cluster.allocation_state) == ("c-9", "Disabled")
    assert (cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio) == (4.0, 2.0)
    assert ObjectChange.objects.filter(object_id=str(cluster.pk), action="update").count() == 1


def test_update_keeps_what_is_not_given(cluster):
    services.cluster_update(cluster=cluster, cpu_overcommit_ratio=3, by=None)
    cluster.refresh_from_db()
    assert (cluster.name, cluster.cpu_overcommit_ratio, cluster.memory_overcommit_ratio) == (
        "cluster-a",
        3.0,
        1.0,
    )
    services.cluster_update(cluster=cluster, name="CLUSTER-A", by=None)  # its own, recased
    assert Cluster.objects.get(pk=cluster.pk).name == "CLUSTER-A"


def test_an_update_to_the_same_values_records_nothing(cluster):
    cluster.refresh_from_db()
    before, updated = ObjectChange.objects.count(), cluster.updated
    services.cluster_update(
        cluster=cluster,
        name=cluster.name,
        allocation_state=cluster.allocation_state,
        cpu_overcommit_ratio="1.0",
        memory_overcommit_ratio=1,
        hypervisor="KVM",
        cluster_type="CloudManaged",
        arch="x86_64",
        by=None,
    )
    cluster.refresh_from_db()
    assert ObjectChange.objects.count() == before
    assert cluster.updated == updated


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hypervisor": "Simulator"}, "hypervisor", "A cluster keeps its hypervisor: KVM."),
        (
            {"cluster_type": "ExternalManaged"},
            "cluster_type",
            "A cluster keeps its cluster type: CloudManaged.",
        ),
        ({"arch": "aarch64"}, "arch", "A cluster keeps its CPU arch: x86_64."),
        ({"name": "OTHER"}, "name", "A cluster named OTHER exists in pod rack-a."),
        ({"name": ""}, "name", "This field is required."),
        ({"allocation_state": "Off"}, "allocation_state", "Choose one of Enabled, Disabled."),
        (
            {"name": "fine", "memory_overcommit_ratio": "0"},
            "memory_overcommit_ratio",
            "An overcommit ratio is a number of 1 or more.",
        ),
    ],
)
def test_bad_updates_change_nothing(cluster, changes, field, message):
    create(cluster.pod, name="other")
    error = refused(services.cluster_update, field, cluster=cluster, by=None, **changes)
    assert error.messages == [message]


def test_clusters_of_another_regions_zones_are_managed_there(root, far_pod):
    cluster = Cluster.objects.create(pod=far_pod, name="far", hypervisor="KVM")
    refused(services.cluster_update, "pod", "remote", cluster=cluster, name="mine", by=root)
    refused(services.cluster_delete, "pod", "remote", cluster=cluster, by=root)


# --- delete ---------------------------------------------------------------------------------


def test_delete(root, cluster):
    key = str(cluster.pk)
    services.cluster_delete(cluster=cluster, by=root)
    assert not Cluster.objects.filter(pk=key).exists()
    assert ObjectChange.objects.filter(object_id=key, action="delete").exists()


def test_a_pod_with_clusters_is_not_deleted(root, cluster):
    create(cluster.pod, name="second")
    error = refused(services.pod_delete, "__all__", "in_use", pod=cluster.pod, by=root)
    assert error.messages == ["Pod rack-a still has 2 cluster(s); delete them first."]


def test_a_pod_whose_clusters_are_gone_is_deleted(root, cluster):
    pod = cluster.pod
    services.cluster_delete(cluster=cluster, by=root)
    services.pod_delete(pod=pod, by=root)
    assert not Pod.objects.filter(pk=pod.pk).exists()


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_clusters(cluster, actor):
    before = db_state()
    with pytest.raises(PermissionDenied):
        create(cluster.pod, name="c-2", by=actor)
    with pytest.raises(PermissionDenied):
        services.cluster_update(cluster=cluster, name="x", by=actor)
    with pytest.raises(PermissionDenied):
        services.cluster_delete(cluster=cluster, by=actor)
    assert db_state() == before
