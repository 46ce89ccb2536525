"""Zone pages: list, detail, add, edit and delete, through the test client.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to zones.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from regions.services import region_create
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones.models import AllocationState, NetworkType, Zone

pytestmark = pytest.mark.django_db

ZONE = {
    "name": "zone-b",
    "description": "Second zone",
    "network_type": NetworkType.ADVANCED,
    "dns1": "8.8.8.8",
    "dns2": "8.8.4.4",
    "internal_dns1": "10.0.0.2",
    "internal_dns2": "",
    "guest_cidr": "10.2.0.0/16",
    "allocation_state": AllocationState.ENABLED,
}


@pytest.fixture
def zone(region):
    return factories.zone(name="zone-a", guest_cidr="10.1.1.0/24")


@pytest.fixture
def far_zone(region):
    """A zone of another region, as replication of the registry would show it."""
    west = region_create(id=2, name="west", endpoint="https://west.example.com", by=None)
    return Zone.objects.create(
        name="far-zone", region=west, dns1="8.8.8.8", internal_dns1="10.0.0.2"
    )


def edit_data(zone: Zone, **changes) -> dict:
    data = {
        "name": zone.name,
        "description": zone.description,
        "dns1": zone.dns1,
        "dns2": zone.dns2 or "",
        "internal_dns1": zone.internal_dns1,
        "internal_dns2": zone.internal_dns2 or "",
        "guest_cidr": zone.guest_cidr,
        "allocation_state": zone.allocation_state,
    }
    return {**data, **changes}


# --- List and detail -----------------------------------------------------------------------


def test_every_role_sees_the_zones_with_region_type_and_state(
    root_client, dadmin_client, alice_client, zone, far_zone
):
    for client in (root_client, dadmin_client, alice_client):
        response = client.get("/zones/")
        assert [z.name for z in response.context["object_list"]] == ["far-zone", "zone-a"]
        assertContains(response, 'href="/regions/1/"')
        assertContains(response, ">Advanced</span>")
        assertContains(response, ">Disabled</span>")
    assertContains(root_client.get("/zones/"), 'href="/zones/add/"')
    assertNotContains(dadmin_client.get("/zones/"), 'href="/zones/add/"')


def test_the_list_filters_by_region_and_search(root_client, zone, far_zone):
    rows = root_client.get("/zones/", {"region": "2"}).context["object_list"]
    assert [z.name for z in rows] == ["far-zone"]
    rows = root_client.get("/zones/", {"q": "zone-a"}).context["object_list"]
    assert [z.name for z in rows] == ["zone-a"]
    rows = root_client.get("/zones/", {"region": "west"}).context["object_list"]
    assert len(rows) == 2  # a non-numeric filter is ignored, not an error


def test_the_detail_page_shows_the_zone(root_client, zone):
    response = root_client.get(zone.get_absolute_url())
    assertContains(response, "Zone zone-a")
    for value in ("8.8.8.8", "10.0.0.2", "10.1.1.0/24", "Advanced", "Disabled"):
        assertContains(response, value)
    assertContains(response, f'href="/zones/{zone.pk}/edit/"')
    assertContains(response, f'href="/zones/{zone.pk}/delete/"')


def test_a_zone_of_another_region_is_offered_no_edit_or_delete(root_client, far_zone):
    """Issue #11, item 9: zone_update and zone_delete refuse it (zone_manage_check), so
    its page does not offer them; this region's zones keep both (test above)."""
    response = root_client.get(far_zone.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"/zones/{far_zone.pk}/edit/")
    assertNotContains(response, f"/zones/{far_zone.pk}/delete/")


# --- Add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_an_advanced_zone(root_client, region):
    response = root_client.post("/zones/add/", ZONE, follow=True)
    zone = Zone.objects.get(name="zone-b")
    assert response.redirect_chain == [(zone.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created zone zone-b."]
    assert zone.region == region
    assert (zone.network_type, zone.allocation_state) == ("Advanced", "Enabled")
    assert (zone.dns1, zone.dns2, zone.internal_dns1, zone.internal_dns2) == (
        "8.8.8.8",
        "8.8.4.4",
        "10.0.0.2",
        None,
    )
    assert zone.guest_cidr == "10.2.0.0/16"


def test_an_advanced_zone_without_cidr_gets_the_default(root_client, region):
    root_client.post("/zones/add/", {**ZONE, "guest_cidr": ""})
    assert Zone.objects.get(name="zone-b").guest_cidr == "10.1.1.0/24"


def test_a_root_admin_adds_a_basic_zone(root_client, region):
    root_client.post("/zones/add/", {**ZONE, "network_type": NetworkType.BASIC, "guest_cidr": ""})
    zone = Zone.objects.get(name="zone-b")
    assert (zone.network_type, zone.guest_cidr) == ("Basic", "")


def test_the_new_zone_appears_on_the_dashboard(root_client, region):
    root_client.post("/zones/add/", ZONE)
    response = root_client.get("/")
    assertContains(response, "zone-b")
    assertContains(response, '<div class="fs-3" id="count-zones">1</div>', html=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 256}, "name", "at most 255 characters"),
        ({"name": "ZONE-A"}, "name", "A zone named ZONE-A exists."),
        ({"dns1": ""}, "dns1", "This field is required."),
        ({"dns1": "8.8.8"}, "dns1", "&#x27;8.8.8&#x27; is not a valid IPv4 or IPv6 address."),
        ({"dns2": "dns.google"}, "dns2", "is not a valid IPv4 or IPv6 address."),
        ({"internal_dns1": ""}, "internal_dns1", "This field is required."),
        ({"internal_dns1": "10.0.0.256"}, "internal_dns1", "is not a valid IPv4 or IPv6"),
        ({"internal_dns2": "::g"}, "internal_dns2", "is not a valid IPv4 or IPv6 address."),
        ({"guest_cidr": "10.1.1.0/33"}, "guest_cidr", "is not a network in CIDR form"),
        ({"guest_cidr": "10.1.1.5/24"}, "guest_cidr", "is not a network in CIDR form"),
        ({"guest_cidr": "10.1.1.0"}, "guest_cidr", "is not a network in CIDR form"),
        ({"guest_cidr": "banana"}, "guest_cidr", "is not a network in CIDR form"),
        ({"guest_cidr": "fd00::/64"}, "guest_cidr", "The guest CIDR must be an IPv4 network."),
        (
            {"network_type": NetworkType.BASIC, "guest_cidr": "10.1.1.0/24"},
            "guest_cidr",
            "Basic zones have no guest CIDR; leave it empty.",
        ),
        ({"network_type": "Hybrid"}, "network_type", "Select a valid choice."),
        ({"allocation_state": "Maybe"}, "allocation_state", "Select a valid choice."),
    ],
)
def test_bad_zone_input_is_shown_on_the_form(root_client, zone, changes, field, message):
    before = db_state()
    response = root_client.post("/zones/add/", {**ZONE, **changes})
    assert response.status_code == 200
    shown = [e.replace("'", "&#x27;") for e in form_errors(response, field)]
    assert any(message in error for error in shown)
    assertContains(response, message)
    assert db_state() == before


# --- Edit ----------------------------------------------------------------------------------


def test_a_root_admin_edits_a_zone(root_client, zone):
    url = f"/zones/{zone.pk}/edit/"
    form = root_client.get(url).context["form"]
    assert "network_type" not in form.fields  # fixed once the zone exists
    assert form.initial["dns1"] == "8.8.8.8"

    response = root_client.post(
        url,
        edit_data(
            zone,
            name="zone-a1",
            dns2="1.1.1.1",
            guest_cidr="10.9.0.0/16",
            allocation_state=AllocationState.ENABLED,
        ),
        follow=True,
    )
    assert response.redirect_chain == [(zone.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Updated zone zone-a1."]
    zone.refresh_from_db()
    assert (zone.name, zone.dns2, zone.guest_cidr, zone.allocation_state) == (
        "zone-a1",
        "1.1.1.1",
        "10.9.0.0/16",
        "Enabled",
    )


def test_clearing_an_optional_dns_server(root_client, region):
    zone = factories.zone(name="zone-a", dns2="8.8.4.4")
    root_client.post(f"/zones/{zone.pk}/edit/", edit_data(zone, dns2=""))
    zone.refresh_from_db()
    assert zone.dns2 is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "Zone-C"}, "name", "A zone named Zone-C exists."),
        ({"dns1": "300.1.1.1"}, "dns1", "is not a valid IPv4 or IPv6 address."),
        ({"guest_cidr": "10.1.1.0/40"}, "guest_cidr", "is not a network in CIDR form"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_zone_edits_are_shown_on_the_form(root_client, zone, changes, field, message):
    factories.zone(name="zone-c")
    before = db_state()
    response = root_client.post(f"/zones/{zone.pk}/edit/", edit_data(zone, **changes))
    assert any(message in error for error in form_errors(response, field))
    assertContains(response, message)
    assert db_state() == before


def test_a_basic_zone_refuses_any_cidr_on_edit(root_client, region):
    zone = factories.zone(name="basic", network_type=NetworkType.BASIC)
    before = db_state()
    response = root_client.post(
        f"/zones/{zone.pk}/edit/", edit_data(zone, guest_cidr="10.1.1.0/24")
    )
    assertContains(response, "Basic zones have no guest CIDR; leave it empty.")
    assert db_state() == before


def test_zones_of_another_region_are_managed_there(root_client, far_zone):
    before = db_state()
    response = root_client.post(f"/zones/{far_zone.pk}/edit/", edit_data(far_zone, name="mine"))
    assert response.status_code == 200
    assertContains(response, "Zones are managed by the portal of their own region.")
    response = root_client.post(f"/zones/{far_zone.pk}/delete/")
    assertContains(response, "Zones are managed by the portal of their own region.")
    assert db_state() == before


# --- Delete --------------------------------------------------------------------------------


def test_a_root_admin_deletes_a_zone_after_confirming(root_client, zone):
    assert_deleted_after_confirming(root_client, zone, "zone zone-a", "/zones/")


@pytest.mark.parametrize("pages", ["/zones/", "/zones/pods/", "/zones/clusters/"])
def test_unknown_zones_pods_and_clusters_are_not_found(root_client, region, pages):
    missing = "00000000-0000-4000-8000-00000000abcd"
    assert root_client.get(f"{pages}{missing}/").status_code == 404
    assert root_client.post(f"{pages}{missing}/delete/").status_code == 404
