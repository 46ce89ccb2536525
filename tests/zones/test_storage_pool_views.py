"""Storage pool pages: list, detail with its state actions, add (cluster- or zone-wide), edit
and delete (forced), and the pools on a zone's and a cluster's page.

Which role sees, adds, changes and deletes pools is tested for every model by
tests/portal/test_model_contracts.py (only root admins); here, what is particular to them.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories
from tests.db_state import db_state
from tests.factories import TIB
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones.models import Cluster, StoragePool

pytestmark = pytest.mark.django_db

LIST = "/zones/storage-pools/"
ADD = f"{LIST}add/"


def new_pool(of: Cluster, **changes) -> dict:
    """The add form of a pool of cluster OF, changed by CHANGES."""
    return {
        "zone": of.pod.zone_id,
        "scope": "CLUSTER",
        "pod": of.pod_id,
        "cluster": of.pk,
        "hypervisor": "",
        "name": "pool-b",
        "url": "nfs://10.0.0.8/export/b",
        "capacity_bytes": str(TIB),
        "tags": "",
        **changes,
    }


@pytest.fixture
def far_pool(region):
    """A pool of another region's zone, as it could only be here by a mistake."""
    return factories.remote_storage_pool()


# --- the menu, list and detail -------------------------------------------------------------


def test_root_admins_find_primary_storage_under_infrastructure(root_client, dadmin_client, region):
    assertContains(root_client.get("/"), f'href="{LIST}"')
    assertNotContains(dadmin_client.get("/"), f'href="{LIST}"')
    assert dadmin_client.get(LIST).status_code == 403


def test_the_list_shows_zone_cluster_type_sizes_and_state(root_client, storage_pool, far_pool):
    response = root_client.get(LIST)
    assert [p.name for p in response.context["object_list"]] == ["far-pool", "pool-a"]
    assertContains(response, f'href="{storage_pool.zone.get_absolute_url()}"')
    assertContains(response, f'href="{storage_pool.cluster.get_absolute_url()}"')
    assertContains(response, "NetworkFilesystem")
    assertContains(response, str(TIB))
    assertContains(response, f'href="{ADD}"')


def test_the_list_filters_and_searches(root_client, storage_pool, far_pool):
    def names(**params):
        return [p.name for p in root_client.get(LIST, params).context["object_list"]]

    assert names(zone=str(storage_pool.zone_id)) == ["pool-a"]
    assert names(cluster=str(far_pool.cluster_id)) == ["far-pool"]
    assert names(state="Disabled") == []
    assert names(q="cluster-a") == ["pool-a"]
    assert names(q="far-zone") == ["far-pool"]


def test_the_detail_page_shows_the_pool_and_what_can_be_done(root_client, storage_pool):
    response = root_client.get(storage_pool.get_absolute_url())
    assertContains(response, "Storage pool pool-a")
    for value in ("rack-a", "cluster-a", "nfs://10.0.0.5/export/primary", "10.0.0.5", "KVM"):
        assertContains(response, value)
    assertContains(response, f'href="{LIST}{storage_pool.pk}/edit/"')
    assertContains(response, f'href="{LIST}{storage_pool.pk}/delete/"')
    labels = [action.label for action, _ in response.context["actions"]]
    assert labels == ["Disable", "Maintenance"]


@pytest.mark.parametrize(
    ("state", "labels"),
    [
        ("Disabled", ["Enable", "Maintenance"]),
        ("Maintenance", ["Cancel maintenance"]),
        ("PrepareForMaintenance", ["Maintenance", "Cancel maintenance"]),
    ],
)
def test_each_state_offers_its_actions(root_client, storage_pool, state, labels):
    StoragePool.objects.filter(pk=storage_pool.pk).update(state=state)
    response = root_client.get(storage_pool.get_absolute_url())
    assert [action.label for action, _ in response.context["actions"]] == labels


def test_state_actions_change_the_state(root_client, storage_pool):
    url = f"{LIST}{storage_pool.pk}"
    response = root_client.post(f"{url}/maintain/", follow=True)
    assert shown_messages(response) == ["Storage pool pool-a put in maintenance."]
    for action in ("cancel_maintenance", "disable"):
        response = root_client.post(f"{url}/{action}/", follow=True)
    assert shown_messages(response) == ["Storage pool pool-a disabled."]
    assert StoragePool.objects.get(pk=storage_pool.pk).state == "Disabled"
    before = db_state()
    response = root_client.post(f"{url}/cancel_maintenance/", follow=True)
    assert shown_messages(response) == [
        "Storage pool pool-a is Disabled: cannot cancel its maintenance."
    ]
    assert db_state() == before
    assert root_client.post(f"{url}/explode/").status_code == 404


def test_a_pool_of_another_regions_zone_is_offered_nothing(root_client, far_pool):
    response = root_client.get(far_pool.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"{LIST}{far_pool.pk}/edit/")
    assertNotContains(response, f"{LIST}{far_pool.pk}/delete/")
    assert response.context["actions"] == []


def test_a_zones_and_a_clusters_page_list_their_pools(root_client, storage_pool):
    factories.storage_pool(name="elsewhere")  # of another zone and cluster
    wide = factories.storage_pool(scope="ZONE", zone=storage_pool.zone, name="wide")
    for page, shown in (
        (storage_pool.zone, {"pool-a", "wide"}),
        (storage_pool.cluster, {"pool-a"}),
    ):
        response = root_client.get(page.get_absolute_url())
        assertContains(response, '<h2 class="h5">Primary storage</h2>', html=True)
        for pool in (storage_pool, wide):
            (assertContains if pool.name in shown else assertNotContains)(
                response, f'href="{pool.get_absolute_url()}"'
            )
        assertNotContains(response, "elsewhere")


# --- add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_cluster_wide_pool(root_client, cluster):
    response = root_client.post(ADD, new_pool(cluster, tags="ssd, fast"), follow=True)
    pool = StoragePool.objects.get(name="pool-b")
    assert response.redirect_chain == [(pool.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created storage pool pool-b."]
    assert (pool.cluster, pool.capacity_bytes, pool.tags, pool.hypervisor) == (
        cluster,
        TIB,
        "ssd,fast",
        "KVM",
    )


def test_a_root_admin_adds_a_zone_wide_pool(root_client, zone):
    form = {
        "zone": zone.pk,
        "scope": "ZONE",
        "hypervisor": "Simulator",
        "name": "wide",
        "url": "SharedMountPoint:///mnt/primary",
        "capacity_bytes": "100",
    }
    root_client.post(ADD, form)
    pool = StoragePool.objects.get(name="wide")
    assert (pool.scope, pool.pod, pool.cluster, pool.hypervisor) == (
        "ZONE",
        None,
        None,
        "Simulator",
    )
    assert (pool.pool_type, pool.capacity_bytes) == ("SharedMountPoint", 100)


def test_the_add_form_offers_this_regions_zones_pods_and_clusters_only(
    root_client, cluster, far_pool
):
    form = root_client.get(ADD).context["form"]
    assert list(form.fields["zone"].queryset) == [cluster.pod.zone]
    assert list(form.fields["pod"].queryset) == [cluster.pod]
    assert list(form.fields["cluster"].queryset) == [cluster]
    assert form.fields["scope"].initial == "CLUSTER"
    before = db_state()
    response = root_client.post(ADD, new_pool(cluster, cluster=far_pool.cluster_id))
    assert any("valid choice" in error for error in form_errors(response, "cluster"))
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "POOL-A"}, "name", "A storage pool named POOL-A exists in zone zone-a."),
        ({"cluster": ""}, "cluster", "A cluster-wide storage pool needs its cluster."),
        ({"scope": "ZONE"}, "pod", "A zone-wide storage pool has no pod or cluster."),
        (
            {"scope": "ZONE", "pod": "", "cluster": ""},
            "hypervisor",
            "A zone-wide storage pool needs the hypervisor of its hosts",
        ),
        ({"url": "rbd://mon/pool"}, "url", "Primary storage is nfs://server/path"),
        ({"url": "nfs://10.0.0.5/export/primary"}, "url", "is storage pool pool-a already."),
        ({"capacity_bytes": "0"}, "capacity_bytes", "A size is a number of bytes from 1 to"),
        ({"capacity_bytes": "1 TiB"}, "capacity_bytes", "is not a whole number of bytes."),
        ({"capacity_bytes": ""}, "capacity_bytes", "This field is required."),
        ({"scope": "HOST"}, "scope", "Select a valid choice."),
    ],
)
def test_bad_pool_input_is_shown_on_the_form(root_client, storage_pool, changes, field, message):
    before = db_state()
    response = root_client.post(ADD, new_pool(storage_pool.cluster, **changes))
    assert response.status_code == 200
    assert form_errors(response, field)
    assertContains(response, message)
    assert db_state() == before


# --- edit and delete -----------------------------------------------------------------------


def test_a_root_admin_edits_a_pool(root_client, storage_pool):
    url = f"{LIST}{storage_pool.pk}/edit/"
    form = root_client.get(url).context["form"]
    assert set(form.fields) == {"name", "capacity_bytes", "tags"}  # the rest is kept
    assert form.initial["capacity_bytes"] == TIB
    data = {"name": "pool-a1", "capacity_bytes": str(2 * TIB), "tags": "gold"}
    response = root_client.post(url, data, follow=True)
    assert response.redirect_chain == [(storage_pool.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated storage pool pool-a1."]
    storage_pool.refresh_from_db()
    assert (storage_pool.name, storage_pool.capacity_bytes, storage_pool.tags) == (
        "pool-a1",
        2 * TIB,
        "gold",
    )


def test_a_root_admin_deletes_a_pool_after_confirming(root_client, storage_pool):
    assert_deleted_after_confirming(root_client, storage_pool, "storage pool pool-a", LIST)


def test_a_pool_with_volumes_is_deleted_only_forced(root_client, storage_pool):
    StoragePool.objects.filter(pk=storage_pool.pk).update(allocated_bytes=7)
    url = f"{storage_pool.get_absolute_url()}delete/"
    before = db_state()
    assertContains(root_client.post(url), "has 7 bytes allocated to volumes")
    assert db_state() == before
    root_client.post(url, {"forced": "on"})
    assert not StoragePool.objects.exists()


def test_a_cluster_or_zone_with_pools_is_not_deleted(root_client, storage_pool):
    wide = factories.storage_pool(scope="ZONE")
    before = db_state()
    response = root_client.post(f"{storage_pool.cluster.get_absolute_url()}delete/")
    assertContains(response, "Cluster cluster-a still has 1 storage pool(s); delete them first.")
    response = root_client.post(f"{wide.zone.get_absolute_url()}delete/")
    assertContains(response, "still has 1 storage pool(s); delete them first.")
    assert db_state() == before


def test_unknown_pools_are_not_found(root_client, region):
    missing = "00000000-0000-4000-8000-00000000abcd"
    assert root_client.get(f"{LIST}{missing}/").status_code == 404
    assert root_client.post(f"{LIST}{missing}/delete/").status_code == 404
