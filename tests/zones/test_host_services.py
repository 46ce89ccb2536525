"""Host services: hosts discovered through their cluster's driver (never typed in), bad URLs
refused on `url` with nothing written, names unique in a cluster, enable/disable, maintenance,
deletion as CloudStack allows it, a cluster with hosts refused deletion; root admins only.
The ping's state transitions are in test_host_pings.py, the drivers in test_host_drivers.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import ObjectChange
from tests import factories
from tests.db_state import db_state, refused
from zones import services
from zones.models import Cluster, Host, HostState, ResourceState

GIB = 1024**3
URL = "http://sim/c0/h0?cpucore=16&cpuspeed=2400&memory=65536&localstorage=1099511627776"


def add(cluster: Cluster, **fields) -> Host:
    fields = {"url": URL, **fields}
    fields.setdefault("by", None)
    return services.host_add(cluster=cluster, **fields)


@pytest.fixture
def far_cluster(region):
    """A Simulator cluster of another region's zone."""
    return Cluster.objects.create(
        pod=factories.remote_pod(), name="far-cluster", hypervisor="Simulator"
    )


# --- add: discovery -----------------------------------------------------------------------


def test_a_simulated_host_is_what_its_url_says(root, sim_cluster):
    host = add(sim_cluster, host_tags=" ssd, gpu,ssd,, ", password="never-kept", by=root)
    host.refresh_from_db()
    assert (host.cluster, host.name, host.url) == (sim_cluster, "sim-c0-h0", URL)
    assert (host.host_type, host.hypervisor) == ("Routing", "Simulator")
    assert (host.state, host.resource_state) == (HostState.UP, ResourceState.ENABLED)
    assert (host.cpu_sockets, host.cpu_number, host.cpu_speed) == (1, 16, 2400)
    assert (host.memory, host.local_storage) == (64 * GIB, 1024 * GIB)  # memory in MiB
    assert (host.cpu_allocated, host.memory_allocated) == (0, 0)
    assert host.host_tags == "ssd,gpu"
    assert host.last_pinged is not None
    change = ObjectChange.objects.get(object_id=str(host.pk))
    assert "never-kept" not in str(change.data)
    assert not any("never-kept" in str(value) for value in Host.objects.values().get().values())


def test_a_simulated_hosts_defaults(sim_cluster):
    host = add(sim_cluster, url="http://sim/c1/h1")
    assert (host.name, host.cpu_sockets, host.cpu_number, host.cpu_speed) == (
        "sim-c1-h1",
        1,
        4,
        2000,
    )
    assert (host.memory, host.local_storage) == (8 * GIB, 0)


def test_a_kvm_host_is_discovered_through_libvirt(cluster):
    """libvirt's test driver: a real libvirt API over a made-up machine."""
    host = add(cluster, url="test:///default")
    assert (host.name, host.hypervisor) == ("vm", "KVM")
    assert (host.cpu_sockets, host.cpu_number, host.cpu_speed) == (4, 16, 1400)
    assert host.memory == 3 * GIB


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("qemu+ssh://kvm1/system", "is not a simulator URL: http://sim/..."),
        ("https://sim/h1", "is not a simulator URL"),
        ("http://example.com/h1", "is not a simulator URL"),
        ("http://sim/h1?cpucore=many", "cpucore takes a whole number from 1 to 100000, not 'many'"),
        ("http://sim/h1?memory=-1", "memory takes a whole number"),
        ("http://sim/h1?cpuspeed=0", "cpuspeed takes a whole number from 1"),
        ("http://sim/h1/cpucore=x", "cpucore takes a whole number"),
        ("", "This field is required."),
        ("http://admin:secret@sim/h1", "Give the password in its own field"),
    ],
)
def test_a_url_the_simulator_refuses_writes_nothing(sim_cluster, url, message):
    error = refused(add, "url", cluster=sim_cluster, url=url)
    assert message in " ".join(error.messages)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://sim/h1", "is not a KVM host's libvirt URL"),
        ("xen:///system", "is not a KVM host's libvirt URL: use qemu:///system"),
        ("qemu:///session", "a KVM host's URL ends in /system"),
        ("qemu+ssh:///system", "qemu+ssh:// needs a host"),
        ("qemu+ssh://kvm1/system?command=/bin/sh", "the parameter(s) command are not accepted"),
        ("test:///etc/passwd", "the test driver's URL is test:///default"),
        # no libvirtd on this machine, and nothing listens on port 1
        ("qemu:///system", "Could not reach qemu:///system: Failed to connect socket"),
        ("qemu+ssh://nobody@127.0.0.1:1/system", "Could not reach"),
    ],
)
def test_a_url_libvirt_refuses_or_cannot_reach_writes_nothing(cluster, url, message):
    error = refused(add, "url", cluster=cluster, url=url)
    assert message in " ".join(error.messages)


def test_a_url_is_one_hosts_and_a_name_unique_in_its_cluster(sim_cluster):
    first = add(sim_cluster)
    error = refused(add, "url", "unique", cluster=sim_cluster)
    assert error.messages == ["Host sim-c0-h0 of cluster sim-a has this URL."]
    # another URL naming the same machine (sim-c0-h0): its name is taken in the cluster
    error = refused(add, "url", "unique", cluster=sim_cluster, url="http://sim/c0/h0?cpucore=2")
    assert error.messages == ["A host named sim-c0-h0 exists in cluster sim-a."]
    other = factories.cluster(pod=sim_cluster.pod, hypervisor="Simulator")
    assert add(other, url="http://SIM/c0/h0").name == "sim-c0-h0"  # no clash elsewhere
    assert first.name == "sim-c0-h0"


def test_the_hypervisor_named_must_be_the_clusters(sim_cluster):
    error = refused(add, "hypervisor", cluster=sim_cluster, hypervisor="KVM")
    assert error.messages == ["Cluster sim-a is a cluster of Simulator hosts."]
    assert add(sim_cluster, hypervisor="Simulator").hypervisor == "Simulator"


def test_a_host_may_be_added_disabled(sim_cluster):
    assert add(sim_cluster, allocation_state="Disabled").resource_state == "Disabled"
    refused(add, "allocation_state", cluster=sim_cluster, url="http://sim/x", allocation_state="Up")


def test_hosts_of_another_regions_zone_are_refused(far_cluster):
    error = refused(add, "cluster", "remote", cluster=far_cluster)
    assert error.messages == ["Hosts are managed by the portal of their zone's region."]


def test_only_root_admins_add_change_and_delete_hosts(dadmin, alice, sim_cluster, host):
    before = db_state()
    for actor in (dadmin, alice):
        with pytest.raises(PermissionDenied):
            add(sim_cluster, url="http://sim/other", by=actor)
        with pytest.raises(PermissionDenied):
            services.host_update(host=host, name="x", by=actor)
        with pytest.raises(PermissionDenied):
            services.host_maintenance_prepare(host=host, by=actor)
        with pytest.raises(PermissionDenied):
            services.host_delete(host=host, forced=True, by=actor)
        with pytest.raises(PermissionDenied):
            services.simulator_configure(host=host, answering=False, by=actor)
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_update_renames_retags_and_disables(root, host):
    services.host_update(host=host, name="h-renamed", host_tags="a, b", by=root)
    services.host_update(host=host, allocation_state="Disabled", by=root)
    host.refresh_from_db()
    assert (host.name, host.host_tags, host.resource_state) == ("h-renamed", "a,b", "Disabled")
    services.host_update(host=host, host_tags="", by=root)
    host.refresh_from_db()
    assert host.host_tags == ""


def test_update_refuses_a_taken_name_and_enabling_a_host_in_maintenance(host):
    factories.host(cluster=host.cluster, url="http://sim/h1")
    error = refused(services.host_update, "name", "unique", host=host, name="SIM-H1", by=None)
    assert error.messages == ["A host named SIM-H1 exists in cluster sim-a."]
    services.host_maintenance_prepare(host=host, by=None)
    error = refused(
        services.host_update, "allocation_state", host=host, allocation_state="Enabled", by=None
    )
    assert error.messages == ["Host sim-h0 is in Maintenance; cancel its maintenance first."]


# --- maintenance and delete -----------------------------------------------------------------


def test_a_host_with_nothing_on_it_goes_straight_into_maintenance_and_back(host):
    host = services.host_maintenance_prepare(host=host, by=None)
    assert host.resource_state == ResourceState.MAINTENANCE
    error = refused(services.host_maintenance_prepare, "__all__", "state", host=host, by=None)
    assert error.messages == ["Host sim-h0 is already in Maintenance."]
    host = services.host_maintenance_cancel(host=host, by=None)
    assert host.resource_state == ResourceState.ENABLED
    error = refused(services.host_maintenance_cancel, "__all__", "state", host=host, by=None)
    assert error.messages == ["Host sim-h0 is not in maintenance."]


def test_a_host_with_instances_is_prepared_for_maintenance(host):
    Host.objects.filter(pk=host.pk).update(cpu_allocated=1000, memory_allocated=GIB)
    host.refresh_from_db()
    host = services.host_maintenance_prepare(host=host, by=None)
    assert host.resource_state == ResourceState.PREPARE_FOR_MAINTENANCE
    assert services.host_maintenance_cancel(host=host, by=None).resource_state == "Enabled"


def test_delete_needs_maintenance_unless_forced_as_in_cloudstack(host):
    error = refused(services.host_delete, "__all__", "state", host=host, by=None)
    assert error.messages == [
        "Host sim-h0 is not in maintenance: put it into maintenance first, or delete it forced."
    ]
    services.host_delete(host=host, forced=True, by=None)
    assert not Host.objects.exists()
    other = factories.host(maintenance=True)
    services.host_delete(host=other, by=None)
    assert not Host.objects.exists()


def test_a_host_with_instances_is_never_deleted(host):
    Host.objects.filter(pk=host.pk).update(memory_allocated=GIB, resource_state="Maintenance")
    host.refresh_from_db()
    error = refused(services.host_delete, "__all__", "in_use", host=host, forced=True, by=None)
    assert "still runs instances (0 MHz, 1073741824 bytes allocated)" in error.messages[0]


def test_a_cluster_with_hosts_is_not_deleted(host):
    cluster = host.cluster
    error = refused(services.cluster_delete, "__all__", "in_use", cluster=cluster, by=None)
    assert error.messages == ["Cluster sim-a still has 1 host(s); delete them first."]
    services.host_delete(host=host, forced=True, by=None)
    services.cluster_delete(cluster=cluster, by=None)
    assert not Cluster.objects.filter(pk=cluster.pk).exists()


def test_a_host_deleted_meanwhile_is_gone(host):
    stale = Host.objects.get(pk=host.pk)
    services.host_delete(host=host, forced=True, by=None)
    error = refused(services.host_update, "__all__", "gone", host=stale, name="x", by=None)
    assert error.messages == ["This host was deleted meanwhile."]
