"""Storage pool services: cluster-wide pools in their zone's pod and cluster, zone-wide pools
of one hypervisor, CloudStack's URLs, positive sizes, tags, names unique in their zone, each
error naming its field and writing nothing; updates, state changes and deletes as CloudStack
allows them; a zone, pod or cluster with pools is not deleted; root admins only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portal.models import ChangeAction, ObjectChange
from tests import factories
from tests.db_state import db_state, refused
from tests.factories import TIB
from zones import services
from zones.models import Cluster, StoragePool, Zone

pytestmark = pytest.mark.django_db


def create(of: Cluster, **fields) -> StoragePool:
    """A cluster-wide pool of cluster OF unless FIELDS say otherwise."""
    fields = {
        "zone": of.pod.zone,
        "pod": of.pod,
        "cluster": of,
        "name": "pool-1",
        "url": "nfs://10.0.0.7/export/one",
        "capacity_bytes": TIB,
        **fields,
    }
    fields.setdefault("by", None)
    return services.storage_pool_create(**fields)


def zone_wide(zone: Zone, **fields) -> StoragePool:
    """A zone-wide KVM pool of ZONE unless FIELDS say otherwise."""
    fields = {
        "zone": zone,
        "scope": "ZONE",
        "hypervisor": "KVM",
        "name": "wide",
        "url": "nfs://10.0.0.7/export/wide",
        "capacity_bytes": TIB,
        **fields,
    }
    fields.setdefault("by", None)
    return services.storage_pool_create(**fields)


def refused_create(field: str, code: str | None = None, **kwargs):
    """create(**KWARGS) refused on FIELD, the database (and so the pools) as they were."""
    count = StoragePool.objects.count()
    error = refused(create, field, code, **kwargs)
    assert StoragePool.objects.count() == count
    return error


@pytest.fixture
def far_cluster(region):
    return factories.remote_storage_pool().cluster


# --- create ---------------------------------------------------------------------------------


def test_a_cluster_wide_pool(root, cluster):
    pool = create(cluster, name="pool-1", tags=" ssd, fast ,SSD,, ", by=root)
    pool.refresh_from_db()
    assert (pool.zone, pool.pod, pool.cluster, pool.scope) == (
        cluster.pod.zone,
        cluster.pod,
        cluster,
        "CLUSTER",
    )
    assert (pool.pool_type, pool.host_address, pool.path) == (
        "NetworkFilesystem",
        "10.0.0.7",
        "/export/one",
    )
    assert (pool.hypervisor, pool.state, pool.tags) == ("KVM", "Up", "ssd,fast")
    assert (pool.capacity_bytes, pool.used_bytes, pool.allocated_bytes) == (TIB, 0, 0)
    change = ObjectChange.objects.get(object_id=str(pool.pk))
    assert (change.action, change.model) == (ChangeAction.CREATE, "zones.StoragePool")


def test_a_zone_wide_pool_has_a_hypervisor_and_no_pod_or_cluster(zone):
    pool = zone_wide(zone, hypervisor="Simulator", capacity_bytes="5000")
    assert (pool.scope, pool.pod, pool.cluster, pool.hypervisor) == (
        "ZONE",
        None,
        None,
        "Simulator",
    )
    assert pool.capacity_bytes == 5000


def test_the_scope_is_cluster_unless_told(cluster):
    assert create(cluster).scope == "CLUSTER"


def test_a_cluster_wide_pool_takes_its_clusters_hypervisor(pod):
    simulated = factories.cluster(pod=pod, hypervisor="Simulator")
    assert create(simulated).hypervisor == "Simulator"
    assert create(simulated, name="p2", url="nfs://h/2", hypervisor="Simulator").pk


@pytest.mark.parametrize(
    ("url", "pool_type", "host", "path"),
    [
        ("nfs://10.0.0.7/export/a", "NetworkFilesystem", "10.0.0.7", "/export/a"),
        # as CloudStack's simulator zones name theirs (setup/dev/advanced.cfg)
        ("nfs://10.147.28.6:/export/home/sandbox/primary0", "NetworkFilesystem", "10.147.28.6",
         "/export/home/sandbox/primary0"),
        ("NFS://Filer.Example:2049/vol/a", "NetworkFilesystem", "filer.example", "/vol/a"),
        ("nfs://[fd00::7]/export/a", "NetworkFilesystem", "fd00::7", "/export/a"),
        ("SharedMountPoint:///mnt/primary", "SharedMountPoint", "localhost", "/mnt/primary"),
        ("sharedmountpoint://localhost/mnt/p", "SharedMountPoint", "localhost", "/mnt/p"),
        ("file:///var/lib/primary", "Filesystem", "localhost", "/var/lib/primary"),
        ("Filesystem://localhost/var/lib/p", "Filesystem", "localhost", "/var/lib/p"),
    ],
)  # fmt: skip
def test_cloudstacks_urls(cluster, url, pool_type, host, path):
    pool = create(cluster, url=url)
    assert (pool.url, pool.pool_type, pool.host_address, pool.path) == (url, pool_type, host, path)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("rbd://mon.example/pool", "not rbd://"),
        ("iscsi://10.0.0.7/iqn.2010-01.example:t/1", "not iscsi://"),
        ("http://10.0.0.7/export", "not http://"),
        ("/export/a", "not a URL without a scheme"),
        ("nfs://10.0.0.7", "Name the server and the path of the share"),
        ("nfs:///export/a", "Name the server and the path of the share"),
        ("nfs://bad_host!/export", "is not a server name or IP address"),
        ("nfs://10.0.0.7:port/export", "is not a URL"),
        ("nfs://[fd00::7/export", "is not a URL"),
        ("nfs://user:pw@10.0.0.7/export", "names a server and a path only"),
        ("nfs://10.0.0.7/export?x=1", "names a server and a path only"),
        ("SharedMountPoint:mnt", "Name the path of the share"),
        ("", "This field is required."),
        ("nfs://10.0.0.7/" + "x" * 250, "at most 255 characters"),
    ],
)
def test_a_bad_url_is_refused_on_url(cluster, url, message):
    error = refused_create("url", of=cluster, url=url)
    assert message in error.messages[0], error.messages


def test_a_share_is_one_pools_but_a_shared_mount_point_is_every_hosts(cluster):
    create(cluster, url="nfs://10.0.0.7/export/one")
    error = refused_create("url", of=cluster, name="again", url="NFS://10.0.0.7:/export/one")
    assert error.messages == ["10.0.0.7:/export/one is storage pool pool-1 already."]
    create(cluster, name="smp-1", url="SharedMountPoint:///mnt/p")
    assert create(cluster, name="smp-2", url="SharedMountPoint:///mnt/p").path == "/mnt/p"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "p\x07"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"scope": "HOST"}, "scope"),
        ({"scope": "cluster"}, "scope"),  # the service takes CloudStack's value as it is
        ({"capacity_bytes": 0}, "capacity_bytes"),
        ({"capacity_bytes": -1}, "capacity_bytes"),
        ({"capacity_bytes": "abc"}, "capacity_bytes"),
        ({"capacity_bytes": "1.5"}, "capacity_bytes"),
        ({"capacity_bytes": 1.5}, "capacity_bytes"),
        ({"capacity_bytes": "1_000"}, "capacity_bytes"),
        ({"capacity_bytes": ""}, "capacity_bytes"),
        ({"capacity_bytes": None}, "capacity_bytes"),
        ({"capacity_bytes": True}, "capacity_bytes"),
        ({"capacity_bytes": 2**63}, "capacity_bytes"),
        ({"tags": "t\x00"}, "tags"),
        ({"tags": "x" * 256}, "tags"),
        ({"tags": ",".join(f"tag{n:03}" for n in range(200))}, "tags"),
        ({"tags": ["ssd"]}, "tags"),
        ({"hypervisor": "Simulator"}, "hypervisor"),  # not the cluster's
    ],
)
def test_bad_values_name_their_field_and_write_nothing(cluster, fields, field):
    refused_create(field, of=cluster, **fields)


def test_a_capacity_of_nothing_says_so(cluster):
    error = refused_create("capacity_bytes", of=cluster, capacity_bytes="0")
    assert error.messages == [f"A size is a number of bytes from 1 to {2**63 - 1}."]


def test_names_are_unique_in_a_zone_whatever_their_case(cluster):
    create(cluster, name="Pool-A")
    error = refused_create("name", "unique", of=cluster, name=" POOL-a ", url="nfs://h/2")
    assert error.messages == ["A storage pool named POOL-a exists in zone zone-a."]
    elsewhere = factories.cluster()  # in another zone: no clash
    assert create(elsewhere, name="pool-a", url="nfs://h/3").zone == elsewhere.pod.zone


def test_a_cluster_wide_pool_needs_its_pod_and_cluster(cluster):
    error = refused_create("cluster", "required", of=cluster, cluster=None)
    assert error.messages == ["A cluster-wide storage pool needs its cluster."]
    error = refused_create("pod", "required", of=cluster, pod=None)
    assert error.messages == ["A cluster-wide storage pool needs its pod."]


def test_a_pod_of_another_zone_is_refused(cluster):
    other = factories.pod(name="rack-z")
    error = refused_create("pod", of=cluster, pod=other)
    assert error.messages == ["Pod rack-z is not in zone zone-a."]


def test_a_cluster_of_another_pod_is_refused(cluster):
    other = factories.cluster(pod=factories.pod(zone=cluster.pod.zone), name="cluster-z")
    error = refused_create("cluster", of=cluster, cluster=other)
    assert error.messages == ["Cluster cluster-z is not in pod rack-a."]


def test_a_zone_wide_pool_has_no_pod_or_cluster_and_needs_a_hypervisor(zone, cluster):
    count = StoragePool.objects.count()
    for field, given in (("pod", {"pod": cluster.pod}), ("cluster", {"cluster": cluster})):
        error = refused(zone_wide, field, zone=zone, **given)
        assert error.messages == ["A zone-wide storage pool has no pod or cluster."]
    for hypervisor in (None, ""):
        error = refused(zone_wide, "hypervisor", "required", zone=zone, hypervisor=hypervisor)
        assert error.messages == [
            "A zone-wide storage pool needs the hypervisor of its hosts: KVM or Simulator."
        ]
    refused(zone_wide, "hypervisor", zone=zone, hypervisor="VMware")
    assert StoragePool.objects.count() == count


def test_pools_only_in_this_regions_zones(root, far_cluster):
    error = refused_create("zone", "remote", of=far_cluster, by=root)
    assert error.messages == ["Storage pools are managed by the portal of their zone's region."]


# --- update ---------------------------------------------------------------------------------


def test_update(root, storage_pool):
    pool = services.storage_pool_update(
        storagepool=storage_pool, name="pool-9", tags="fast", capacity_bytes=str(2 * TIB), by=root
    )
    pool.refresh_from_db()
    assert (pool.name, pool.tags, pool.capacity_bytes) == ("pool-9", "fast", 2 * TIB)
    assert ObjectChange.objects.filter(object_id=str(pool.pk), action="update").count() == 1


def test_update_keeps_what_is_not_given_and_empty_tags_clear(storage_pool):
    services.storage_pool_update(storagepool=storage_pool, tags="a,b", by=None)
    services.storage_pool_update(storagepool=storage_pool, capacity_bytes=TIB // 2, by=None)
    storage_pool.refresh_from_db()
    assert (storage_pool.name, storage_pool.tags, storage_pool.capacity_bytes) == (
        "pool-a",
        "a,b",
        TIB // 2,
    )
    services.storage_pool_update(storagepool=storage_pool, tags="", by=None)
    storage_pool.refresh_from_db()
    assert storage_pool.tags == ""


def test_the_capacity_is_never_below_what_is_allocated(storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=1000)  # volumes'
    error = refused(
        services.storage_pool_update,
        "capacity_bytes",
        storagepool=storage_pool,
        capacity_bytes=999,
        by=None,
    )
    assert error.messages == [
        "1000 bytes are allocated on storage pool pool-a: its capacity cannot be less."
    ]
    services.storage_pool_update(storagepool=storage_pool, capacity_bytes=1000, by=None)
    assert StoragePool.objects.get(pk=storage_pool.pk).capacity_bytes == 1000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "OTHER"}, "name", "A storage pool named OTHER exists in zone zone-a."),
        ({"name": " "}, "name", "This field is required."),
        ({"capacity_bytes": "-5"}, "capacity_bytes", "A size is a number of bytes from 1 to"),
        ({"name": "fine", "tags": "x" * 256}, "tags", "Ensure this value has at most 255"),
    ],
)
def test_bad_updates_change_nothing(storage_pool, changes, field, message):
    factories.storage_pool(cluster=storage_pool.cluster, name="other")
    error = refused(
        services.storage_pool_update, field, storagepool=storage_pool, by=None, **changes
    )
    assert error.messages[0].startswith(message), error.messages


def test_enabled_disables_an_up_pool_and_enables_a_disabled_one(storage_pool):
    def enabled(value: bool) -> str:
        services.storage_pool_update(storagepool=storage_pool, enabled=value, by=None)
        storage_pool.refresh_from_db()
        return storage_pool.state

    assert enabled(True) == "Up"  # as it is: no change
    assert enabled(False) == "Disabled"
    assert enabled(False) == "Disabled"
    assert enabled(True) == "Up"


def test_a_pool_in_maintenance_is_not_enabled_and_stays_out_of_use(storage_pool):
    services.storage_pool_maintain(storagepool=storage_pool, by=None)
    services.storage_pool_update(storagepool=storage_pool, enabled=False, by=None)
    assert StoragePool.objects.get(pk=storage_pool.pk).state == "Maintenance"
    error = refused(
        services.storage_pool_update, "enabled", storagepool=storage_pool, enabled=True, by=None
    )
    assert error.messages == ["Storage pool pool-a is Maintenance: cannot enable it."]


def test_an_update_to_the_same_values_records_nothing(storage_pool):
    storage_pool.refresh_from_db()
    before, updated = ObjectChange.objects.count(), storage_pool.updated
    services.storage_pool_update(
        storagepool=storage_pool,
        name="pool-a",
        tags="",
        capacity_bytes=f" {TIB} ",
        enabled=True,
        by=None,
    )
    storage_pool.refresh_from_db()
    assert ObjectChange.objects.count() == before
    assert storage_pool.updated == updated


# --- state changes --------------------------------------------------------------------------


def test_maintenance_and_back(storage_pool):
    def state(service) -> str:
        return service(storagepool=storage_pool, by=None).state

    assert state(services.storage_pool_disable) == "Disabled"
    assert state(services.storage_pool_maintain) == "Maintenance"
    assert state(services.storage_pool_maintain) == "Maintenance"  # no change
    assert state(services.storage_pool_cancel_maintenance) == "Up"
    assert state(services.storage_pool_cancel_maintenance) == "Up"  # no change
    assert StoragePool.objects.get(pk=storage_pool.pk).state == "Up"


@pytest.mark.parametrize(
    ("state", "service", "message"),
    [
        ("Up", "storage_pool_enable", None),
        ("Maintenance", "storage_pool_enable", "is Maintenance: cannot enable it."),
        ("Maintenance", "storage_pool_disable", "is Maintenance: cannot disable it."),
        (
            "Disabled",
            "storage_pool_cancel_maintenance",
            "is Disabled: cannot cancel its maintenance.",
        ),
    ],
)
def test_state_changes_a_state_does_not_allow_are_refused(storage_pool, state, service, message):
    StoragePool.objects.filter(pk=storage_pool.pk).update(state=state)
    storage_pool.refresh_from_db()
    call = getattr(services, service)
    if message is None:
        assert call(storagepool=storage_pool, by=None).state == state
        return
    error = refused(call, "state", storagepool=storage_pool, by=None)
    assert error.messages == [f"Storage pool pool-a {message}"]


# --- delete ---------------------------------------------------------------------------------


def test_delete(root, storage_pool):
    key = str(storage_pool.pk)
    services.storage_pool_delete(storagepool=storage_pool, by=root)
    assert not StoragePool.objects.filter(pk=key).exists()
    assert ObjectChange.objects.filter(object_id=key, action="delete").exists()


def test_a_pool_with_allocated_volumes_is_deleted_only_forced(storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=10)
    error = refused(
        services.storage_pool_delete, "__all__", "in_use", storagepool=storage_pool, by=None
    )
    assert error.messages == [
        "Storage pool pool-a has 10 bytes allocated to volumes; delete them first, or delete "
        "the pool forced."
    ]
    services.storage_pool_delete(storagepool=storage_pool, forced=True, by=None)
    assert not StoragePool.objects.exists()


def test_pools_of_another_regions_zones_are_managed_there(root, region):
    pool = factories.remote_storage_pool()
    for call, kwargs in (
        (services.storage_pool_update, {"name": "mine"}),
        (services.storage_pool_delete, {}),
        (services.storage_pool_disable, {}),
    ):
        refused(call, "zone", "remote", storagepool=pool, by=root, **kwargs)


# --- the zone, pod and cluster of pools ----------------------------------------------------


def test_a_cluster_with_pools_is_not_deleted(root, storage_pool):
    error = refused(
        services.cluster_delete, "__all__", "in_use", cluster=storage_pool.cluster, by=root
    )
    assert error.messages == ["Cluster cluster-a still has 1 storage pool(s); delete them first."]
    services.storage_pool_delete(storagepool=storage_pool, by=root)
    services.cluster_delete(cluster=storage_pool.cluster, by=root)
    assert not Cluster.objects.exists()


def test_a_zone_with_zone_wide_pools_is_not_deleted(root, zone):
    zone_wide(zone)
    error = refused(services.zone_delete, "__all__", "in_use", zone=zone, by=root)
    assert error.messages == ["Zone zone-a still has 1 storage pool(s); delete them first."]


def test_a_pod_keeps_its_pools_through_its_clusters(root, storage_pool):
    error = refused(services.pod_delete, "__all__", "in_use", pod=storage_pool.pod, by=root)
    assert error.messages == ["Pod rack-a still has 1 cluster(s); delete them first."]


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["dadmin", "alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_only_root_admins_write_pools(storage_pool, actor):
    before = db_state()
    calls = [
        lambda: create(storage_pool.cluster, name="p-2", url="nfs://h/p2", by=actor),
        lambda: services.storage_pool_update(storagepool=storage_pool, name="x", by=actor),
        lambda: services.storage_pool_disable(storagepool=storage_pool, by=actor),
        lambda: services.storage_pool_maintain(storagepool=storage_pool, by=actor),
        lambda: services.storage_pool_delete(storagepool=storage_pool, by=actor),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert db_state() == before
