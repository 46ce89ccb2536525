"""Pod pages: list, detail, add, edit and delete, and the pods on a zone's page.

Which role sees, adds, changes and deletes pods is tested for every model by
tests/portal/test_model_contracts.py (only root admins); here, what is particular to pods.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from regions.services import region_create
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones.models import Pod, Zone

pytestmark = pytest.mark.django_db

POD = {
    "name": "rack-b",
    "gateway": "192.168.20.1",
    "netmask": "255.255.255.0",
    "start_ip": "192.168.20.10",
    "end_ip": "192.168.20.50",
    "allocation_state": "Enabled",
}


@pytest.fixture
def far_pod(region):
    """A pod of another region's zone, as it could only be here by a mistake."""
    west = region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    far = Zone.objects.create(
        region=west, name="far-zone", dns1="8.8.8.8", internal_dns1="10.0.0.2"
    )
    return Pod.objects.create(
        zone=far, name="far-pod", **{k: v for k, v in POD.items() if k != "name"}
    )


def edit_data(pod: Pod, **changes) -> dict:
    fields = ("name", "gateway", "netmask", "start_ip", "end_ip", "allocation_state")
    return {**{field: getattr(pod, field) for field in fields}, **changes}


# --- the menu, list and detail -------------------------------------------------------------


def test_root_admins_find_pods_under_infrastructure(root_client, dadmin_client, pod):
    assertContains(root_client.get("/"), 'href="/zones/pods/"')
    assertNotContains(dadmin_client.get("/"), 'href="/zones/pods/"')
    assert dadmin_client.get("/zones/pods/").status_code == 403


def test_the_list_shows_zone_addresses_and_state(root_client, pod, far_pod):
    response = root_client.get("/zones/pods/")
    assert [p.name for p in response.context["object_list"]] == ["far-pod", "rack-a"]
    assertContains(response, f'href="{pod.zone.get_absolute_url()}"')
    for value in ("192.168.10.1", "255.255.255.0", "192.168.10.100", "192.168.10.200"):
        assertContains(response, value)
    assertContains(response, ">Enabled</span>")
    assertContains(response, 'href="/zones/pods/add/"')


def test_the_list_filters_by_zone_name_state_and_search(root_client, pod, far_pod):
    def names(**params):
        return [p.name for p in root_client.get("/zones/pods/", params).context["object_list"]]

    assert names(zone=str(pod.zone_id)) == ["rack-a"]
    assert names(name="RACK-A") == ["rack-a"]
    assert names(allocation_state="Disabled") == []
    assert names(q="far-zone") == ["far-pod"]  # a pod's zone is searched too
    assert names(zone="not-a-uuid") == ["far-pod", "rack-a"]  # ignored, with a warning


def test_the_detail_page_shows_the_pod(root_client, pod):
    response = root_client.get(pod.get_absolute_url())
    assertContains(response, "Pod rack-a")
    for value in ("zone-a", "192.168.10.1", "192.168.10.100", "192.168.10.200", str(pod.pk)):
        assertContains(response, value)
    assertContains(response, f'href="/zones/pods/{pod.pk}/edit/"')
    assertContains(response, f'href="/zones/pods/{pod.pk}/delete/"')


def test_a_pods_changes_tab_shows_its_history(root_client, pod):
    page = root_client.get(pod.get_absolute_url())
    tab = f"/changes/zones.Pod/{pod.pk}/"
    assertContains(page, f'href="{tab}"')
    root_client.post(f"/zones/pods/{pod.pk}/edit/", edit_data(pod, allocation_state="Disabled"))
    response = root_client.get(tab)
    assert response.status_code == 200
    assertContains(response, "rack-a")
    assertContains(response, "Disabled")


def test_a_pod_of_another_regions_zone_is_offered_no_edit_or_delete(root_client, far_pod):
    response = root_client.get(far_pod.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"/zones/pods/{far_pod.pk}/edit/")
    assertNotContains(response, f"/zones/pods/{far_pod.pk}/delete/")


def test_a_zones_page_lists_its_pods_to_root_admins_only(root_client, alice_client, pod):
    factories.pod(name="elsewhere")  # in another zone
    response = root_client.get(pod.zone.get_absolute_url())
    assertContains(response, '<h2 class="h5">Pods</h2>', html=True)
    assertContains(response, f'href="{pod.get_absolute_url()}"')
    assertNotContains(response, "elsewhere")
    response = alice_client.get(pod.zone.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, "Pods")


# --- add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_pod(root_client, zone):
    response = root_client.post("/zones/pods/add/", {**POD, "zone": zone.pk}, follow=True)
    pod = Pod.objects.get(name="rack-b")
    assert response.redirect_chain == [(pod.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created pod rack-b."]
    assert (pod.zone, pod.gateway, pod.start_ip, pod.end_ip) == (
        zone,
        "192.168.20.1",
        "192.168.20.10",
        "192.168.20.50",
    )


def test_the_add_form_offers_this_regions_zones_only(root_client, zone, far_pod):
    form = root_client.get("/zones/pods/add/").context["form"]
    assert list(form.fields["zone"].queryset) == [zone]
    assert form.fields["allocation_state"].initial == "Enabled"
    before = db_state()
    response = root_client.post("/zones/pods/add/", {**POD, "zone": far_pod.zone_id})
    assert any("valid choice" in error for error in form_errors(response, "zone"))
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "RACK-A"}, "name", "A pod named RACK-A exists in zone zone-a."),
        ({"gateway": "192.168.20"}, "gateway", "is not a valid IPv4 address."),
        ({"netmask": "255.0.255.0"}, "netmask", "is not a netmask"),
        ({"start_ip": "10.0.0.10"}, "start_ip", "is not in the pod&#x27;s subnet"),
        ({"end_ip": "192.168.20.5"}, "end_ip", "ends before it starts."),
        ({"gateway": "192.168.20.20"}, "gateway", "is inside the range"),
        (
            {"gateway": "192.168.10.1", "start_ip": "192.168.10.150", "end_ip": ""},
            "start_ip",
            "overlaps pod rack-a&#x27;s range",
        ),
        ({"allocation_state": "Maybe"}, "allocation_state", "Select a valid choice."),
    ],
)
def test_bad_pod_input_is_shown_on_the_form(root_client, pod, changes, field, message):
    before = db_state()
    response = root_client.post("/zones/pods/add/", {**POD, "zone": pod.zone_id, **changes})
    assert response.status_code == 200
    assert form_errors(response, field)
    assertContains(response, message)
    assert db_state() == before


# --- edit and delete -----------------------------------------------------------------------


def test_a_root_admin_edits_a_pod(root_client, pod):
    url = f"/zones/pods/{pod.pk}/edit/"
    form = root_client.get(url).context["form"]
    assert "zone" not in form.fields  # a pod stays in its zone
    assert form.initial["start_ip"] == "192.168.10.100"
    response = root_client.post(
        url,
        edit_data(pod, name="rack-a1", end_ip="", allocation_state="Disabled"),
        follow=True,
    )
    assert response.redirect_chain == [(pod.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated pod rack-a1."]
    pod.refresh_from_db()
    assert (pod.name, pod.end_ip, pod.allocation_state) == ("rack-a1", "192.168.10.100", "Disabled")


def test_bad_pod_edits_are_shown_on_the_form(root_client, pod):
    before = db_state()
    response = root_client.post(
        f"/zones/pods/{pod.pk}/edit/", edit_data(pod, gateway="192.168.10.150")
    )
    assertContains(response, "The gateway 192.168.10.150 is inside the range")
    assert db_state() == before


def test_pods_of_another_regions_zones_are_managed_there(root_client, far_pod):
    before = db_state()
    response = root_client.post(f"/zones/pods/{far_pod.pk}/edit/", edit_data(far_pod, name="x"))
    assertContains(response, "Pods are managed by the portal of their zone&#x27;s region.")
    response = root_client.post(f"/zones/pods/{far_pod.pk}/delete/")
    assertContains(response, "Pods are managed by the portal of their zone&#x27;s region.")
    assert db_state() == before


def test_a_root_admin_deletes_a_pod_after_confirming(root_client, pod):
    assert_deleted_after_confirming(root_client, pod, "pod rack-a", "/zones/pods/")


def test_a_zone_with_pods_is_not_deleted(root_client, pod):
    before = db_state()
    response = root_client.post(f"{pod.zone.get_absolute_url()}delete/")
    assertContains(response, "Zone zone-a still has 1 pod(s); delete them first.")
    assert db_state() == before
