"""Cluster pages: list, detail, add, edit and delete, the clusters on a pod's page, and a pod
with clusters refused deletion.

Which role sees, adds, changes and deletes clusters is tested for every model by
tests/portal/test_model_contracts.py (only root admins); here, what is particular to them.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones.models import Cluster

pytestmark = pytest.mark.django_db

CLUSTER = {
    "name": "cluster-b",
    "hypervisor": "KVM",
    "allocation_state": "Enabled",
    "cpu_overcommit_ratio": "2",
    "memory_overcommit_ratio": "1.5",
}


@pytest.fixture
def far_cluster(region):
    """A cluster of another region's zone, as it could only be here by a mistake."""
    return Cluster.objects.create(pod=factories.remote_pod(), name="far-cluster", hypervisor="KVM")


def edit_data(cluster: Cluster, **changes) -> dict:
    fields = ("name", "allocation_state", "cpu_overcommit_ratio", "memory_overcommit_ratio")
    return {**{field: getattr(cluster, field) for field in fields}, **changes}


# --- the menu, list and detail -------------------------------------------------------------


def test_root_admins_find_clusters_under_infrastructure(root_client, dadmin_client, cluster):
    assertContains(root_client.get("/"), 'href="/zones/clusters/"')
    assertNotContains(dadmin_client.get("/"), 'href="/zones/clusters/"')
    assert dadmin_client.get("/zones/clusters/").status_code == 403


def test_the_list_shows_pod_zone_hypervisor_and_ratios(root_client, cluster, far_cluster):
    response = root_client.get("/zones/clusters/")
    assert [c.name for c in response.context["object_list"]] == ["far-cluster", "cluster-a"]
    assertContains(response, f'href="{cluster.pod.get_absolute_url()}"')
    assertContains(response, f'href="{cluster.pod.zone.get_absolute_url()}"')
    assertContains(response, ">KVM</span>")
    assertContains(response, "CloudManaged")
    assertContains(response, 'href="/zones/clusters/add/"')


def test_the_list_filters_by_zone_pod_name_hypervisor_state_and_search(
    root_client, cluster, far_cluster
):
    def names(**params):
        response = root_client.get("/zones/clusters/", params)
        return [c.name for c in response.context["object_list"]]

    assert names(zone=str(cluster.pod.zone_id)) == ["cluster-a"]
    assert names(pod=str(far_cluster.pod_id)) == ["far-cluster"]
    assert names(name="CLUSTER-A") == ["cluster-a"]
    assert names(hypervisor="Simulator") == []
    assert names(allocation_state="Disabled") == []
    assert names(q="rack-a") == ["cluster-a"]  # a cluster's pod is searched too
    assert names(q="far-zone") == ["far-cluster"]  # and its zone


def test_the_detail_page_shows_the_cluster(root_client, cluster):
    response = root_client.get(cluster.get_absolute_url())
    assertContains(response, "Cluster cluster-a")
    for value in ("rack-a", "zone-a", "KVM", "x86_64", str(cluster.pk)):
        assertContains(response, value)
    assertContains(response, f'href="/zones/clusters/{cluster.pk}/edit/"')
    assertContains(response, f'href="/zones/clusters/{cluster.pk}/delete/"')


def test_a_cluster_of_another_regions_zone_is_offered_no_edit_or_delete(root_client, far_cluster):
    response = root_client.get(far_cluster.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"/zones/clusters/{far_cluster.pk}/edit/")
    assertNotContains(response, f"/zones/clusters/{far_cluster.pk}/delete/")


def test_a_pods_page_lists_its_clusters(root_client, cluster):
    factories.cluster(name="elsewhere")  # of another pod
    response = root_client.get(cluster.pod.get_absolute_url())
    assertContains(response, '<h2 class="h5">Clusters</h2>', html=True)
    assertContains(response, f'href="{cluster.get_absolute_url()}"')
    assertNotContains(response, "elsewhere")


# --- add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_cluster(root_client, pod):
    response = root_client.post("/zones/clusters/add/", {**CLUSTER, "pod": pod.pk}, follow=True)
    cluster = Cluster.objects.get(name="cluster-b")
    assert response.redirect_chain == [(cluster.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created cluster cluster-b."]
    assert (cluster.pod, cluster.hypervisor, cluster.cpu_overcommit_ratio) == (pod, "KVM", 2.0)
    assert cluster.memory_overcommit_ratio == 1.5


def test_the_add_form_offers_this_regions_pods_only(root_client, pod, far_cluster):
    form = root_client.get("/zones/clusters/add/").context["form"]
    assert list(form.fields["pod"].queryset) == [pod]
    assert form.fields["allocation_state"].initial == "Enabled"
    before = db_state()
    response = root_client.post("/zones/clusters/add/", {**CLUSTER, "pod": far_cluster.pod_id})
    assert any("valid choice" in error for error in form_errors(response, "pod"))
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "CLUSTER-A"}, "name", "A cluster named CLUSTER-A exists in pod rack-a."),
        ({"hypervisor": "VMware"}, "hypervisor", "Select a valid choice."),
        ({"cpu_overcommit_ratio": "0.5"}, "cpu_overcommit_ratio", "a number of 1 or more."),
        ({"memory_overcommit_ratio": "lots"}, "memory_overcommit_ratio", "is not a number."),
        ({"allocation_state": "Maybe"}, "allocation_state", "Select a valid choice."),
    ],
)
def test_bad_cluster_input_is_shown_on_the_form(root_client, cluster, changes, field, message):
    before = db_state()
    response = root_client.post(
        "/zones/clusters/add/", {**CLUSTER, "pod": cluster.pod_id, **changes}
    )
    assert response.status_code == 200
    assert form_errors(response, field)
    assertContains(response, message)
    assert db_state() == before


# --- edit and delete -----------------------------------------------------------------------


def test_a_root_admin_edits_a_cluster(root_client, cluster):
    url = f"/zones/clusters/{cluster.pk}/edit/"
    form = root_client.get(url).context["form"]
    assert "pod" not in form.fields and "hypervisor" not in form.fields  # kept
    assert form.initial["cpu_overcommit_ratio"] == 1.0
    response = root_client.post(
        url,
        edit_data(
            cluster, name="cluster-a1", cpu_overcommit_ratio="3", allocation_state="Disabled"
        ),
        follow=True,
    )
    assert response.redirect_chain == [(cluster.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated cluster cluster-a1."]
    cluster.refresh_from_db()
    assert (cluster.name, cluster.cpu_overcommit_ratio, cluster.allocation_state) == (
        "cluster-a1",
        3.0,
        "Disabled",
    )


def test_clusters_of_another_regions_zones_are_managed_there(root_client, far_cluster):
    before = db_state()
    response = root_client.post(
        f"/zones/clusters/{far_cluster.pk}/edit/", edit_data(far_cluster, name="x")
    )
    assertContains(response, "Clusters are managed by the portal of their zone&#x27;s region.")
    response = root_client.post(f"/zones/clusters/{far_cluster.pk}/delete/")
    assertContains(response, "Clusters are managed by the portal of their zone&#x27;s region.")
    assert db_state() == before


def test_a_root_admin_deletes_a_cluster_after_confirming(root_client, cluster):
    assert_deleted_after_confirming(root_client, cluster, "cluster cluster-a", "/zones/clusters/")


def test_a_pod_with_clusters_is_not_deleted(root_client, cluster):
    before = db_state()
    response = root_client.post(f"{cluster.pod.get_absolute_url()}delete/")
    assertContains(response, "Pod rack-a still has 1 cluster(s); delete them first.")
    assert db_state() == before
