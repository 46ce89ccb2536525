"""Public IP range pages (list, detail with how many addresses are free and allocated, add,
delete; no edit) and what a zone's page shows of its public IP ranges and guest VLANs.

Which role sees, adds and deletes ranges is tested for every model by
tests/portal/test_model_contracts.py (only root admins); here, what is particular to them.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories
from tests.db_state import db_state
from tests.page_helpers import assert_deleted_after_confirming, form_errors, shown_messages
from zones import services
from zones.models import VlanIpRange

pytestmark = pytest.mark.django_db

#: the add form's fields
RANGE = {**factories.PUBLIC_RANGE, "for_virtual_network": "on"}


@pytest.fixture
def ip_range(zone):
    return services.vlan_ip_range_create(zone=zone, **factories.PUBLIC_RANGE, by=None)


def allocate(ip_range: VlanIpRange, count: int, account) -> None:
    chosen = ip_range.addresses.order_by("address")[:count]
    ip_range.addresses.filter(pk__in=[a.pk for a in chosen]).update(
        state="Allocated", account=account, allocated=timezone.now()
    )


# --- the menu, list and detail -------------------------------------------------------------


def test_root_admins_find_public_ip_ranges_under_infrastructure(root_client, dadmin_client):
    assertContains(root_client.get("/"), 'href="/zones/public-ip-ranges/"')
    assertNotContains(dadmin_client.get("/"), 'href="/zones/public-ip-ranges/"')
    assert dadmin_client.get("/zones/public-ip-ranges/").status_code == 403


def test_the_list_shows_zone_vlan_and_subnet(root_client, ip_range):
    response = root_client.get("/zones/public-ip-ranges/")
    assert list(response.context["object_list"]) == [ip_range]
    assertContains(response, f'href="{ip_range.get_absolute_url()}"')
    assertContains(response, f'href="{ip_range.zone.get_absolute_url()}"')
    for value in ("vlan://100", "203.0.113.1", "255.255.255.0", "203.0.113.20"):
        assertContains(response, value)
    assertContains(response, 'href="/zones/public-ip-ranges/add/"')


def test_the_list_filters_by_zone_vlan_and_search(root_client, ip_range):
    other = factories.vlan_ip_range(vlan="3001")

    def listed(**params):
        response = root_client.get("/zones/public-ip-ranges/", params)
        return list(response.context["object_list"])

    assert listed(zone=str(ip_range.zone_id)) == [ip_range]
    assert listed(vlan="100") == listed(vlan="vlan://100") == [ip_range]
    assert listed(vlan="3001") == [other]
    assert listed(vlan="untagged") == []
    assert listed(for_virtual_network="false") == []
    assert listed(q="203.0.113") == [ip_range]
    assert listed(q="zone-a") == [ip_range]


def test_the_detail_page_counts_free_and_allocated_addresses(root_client, root, ip_range):
    allocate(ip_range, 3, root.account)
    response = root_client.get(ip_range.get_absolute_url())
    assertContains(response, "Public IP range 203.0.113.10-203.0.113.20")
    fields = {
        column.header: column.value(response.context["object"])
        for column in response.context["fields"]
    }
    assert (fields["Free addresses"], fields["Allocated addresses"]) == (8, 3)
    assertContains(response, f'href="/zones/public-ip-ranges/{ip_range.pk}/delete/"')
    assertNotContains(response, "/edit/")  # a range is made and deleted, never changed


def test_a_range_has_no_edit_page(ip_range):
    with pytest.raises(NoReverseMatch):
        reverse("zones:vlan_ip_range_edit", args=[ip_range.pk])


def test_a_range_of_another_regions_zone_is_offered_no_delete(root_client):
    far = VlanIpRange.objects.create(
        zone=factories.remote_pod().zone,
        gateway="10.9.9.1",
        netmask="255.255.255.0",
        start_ip="10.9.9.5",
        end_ip="10.9.9.6",
    )
    response = root_client.get(far.get_absolute_url())
    assert response.status_code == 200
    assertNotContains(response, f"/zones/public-ip-ranges/{far.pk}/delete/")


# --- add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_range(root_client, zone):
    response = root_client.post(
        "/zones/public-ip-ranges/add/", {**RANGE, "zone": zone.pk}, follow=True
    )
    ip_range = VlanIpRange.objects.get()
    assert response.redirect_chain == [(ip_range.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created public IP range 203.0.113.10-203.0.113.20."]
    assert (ip_range.vlan, ip_range.for_virtual_network) == ("vlan://100", True)
    assert ip_range.addresses.count() == 11


def test_the_add_form_offers_this_regions_zones_and_pods(root_client, zone, pod):
    far = factories.remote_pod()
    form = root_client.get("/zones/public-ip-ranges/add/").context["form"]
    assert list(form.fields["zone"].queryset) == [zone]
    assert list(form.fields["pod"].queryset) == [pod]
    assert form.fields["for_virtual_network"].initial is True
    before = db_state()
    response = root_client.post("/zones/public-ip-ranges/add/", {**RANGE, "zone": far.zone_id})
    assert any("valid choice" in error for error in form_errors(response, "zone"))
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"gateway": "nope"}, "gateway", "&#x27;nope&#x27; is not a valid IPv4 address."),
        ({"end_ip": "203.0.113.5"}, "end_ip", "ends before it starts."),
        ({"start_ip": "203.0.114.10"}, "start_ip", "is not in the range&#x27;s subnet"),
        ({"gateway": "203.0.113.12"}, "gateway", "is inside the range"),
        ({"vlan": "4095"}, "vlan", "VLAN id 4095 is out of 1-4094."),
        ({"vlan": "", "for_virtual_network": ""}, "vlan", "need a VLAN id."),
        (
            {"gateway": "192.168.10.1", "start_ip": "192.168.10.150", "end_ip": "192.168.10.160"},
            "start_ip",
            "private range",
        ),
    ],
)
def test_bad_range_input_is_shown_on_the_form(root_client, pod, changes, field, message):
    before = db_state()
    response = root_client.post(
        "/zones/public-ip-ranges/add/", {**RANGE, "zone": pod.zone_id, **changes}
    )
    assert response.status_code == 200
    assert form_errors(response, field)
    assertContains(response, message)
    assert db_state() == before


# --- delete ----------------------------------------------------------------------------------


def test_a_root_admin_deletes_a_range_after_confirming(root_client, ip_range):
    assert_deleted_after_confirming(
        root_client,
        ip_range,
        "public IP range 203.0.113.10-203.0.113.20",
        "/zones/public-ip-ranges/",
    )


def test_a_range_with_allocated_addresses_is_not_deleted(root_client, root, ip_range):
    allocate(ip_range, 2, root.account)
    before = db_state()
    response = root_client.post(f"{ip_range.get_absolute_url()}delete/")
    assertContains(
        response,
        "2 address(es) of public IP range 203.0.113.10-203.0.113.20 are allocated; release "
        "them first.",
    )
    assert db_state() == before


def test_a_zone_with_ranges_is_not_deleted(root_client, ip_range):
    before = db_state()
    response = root_client.post(f"{ip_range.zone.get_absolute_url()}delete/")
    assertContains(response, "Zone zone-a still has 1 public IP range(s); delete them first.")
    assert db_state() == before


# --- the zone's page and form ----------------------------------------------------------------


def test_a_zones_page_shows_its_ranges_guest_vlans_and_dedications(
    root_client, alice_client, root, bob, ip_range
):
    zone = ip_range.zone
    services.zone_update(zone=zone, vlan="200-209,300-304", by=None)
    zone.guest_vlans.filter(vnet__in=[201, 202, 300]).update(account=root.account)
    services.guest_vlan_range_dedicate(
        zone=zone, vlan_range="205-209", account=bob.account, by=None
    )
    factories.vlan_ip_range(vlan="3001")  # of another zone
    response = root_client.get(zone.get_absolute_url())
    tables = {table.title: list(table.rows) for table in response.context["related"]}
    assert tables["Public IP ranges"] == [ip_range]
    assertContains(response, f'href="{ip_range.get_absolute_url()}"')
    guest = [(r.start, r.end, r.vlans, r.allocated) for r in tables["Guest VLAN ranges"]]
    assert guest == [(200, 209, 10, 2), (300, 304, 5, 1)]
    [dedication] = tables["Dedicated guest VLAN ranges"]
    assert (str(dedication), dedication.account) == ("205-209", bob.account)
    assertContains(response, f'href="{bob.account.get_absolute_url()}"')
    # infrastructure: not on a plain user's view of the zone
    titles = [table.title for table in alice_client.get(zone.get_absolute_url()).context["related"]]
    assert not {"Public IP ranges", "Guest VLAN ranges"} & set(titles)


def test_the_zone_form_shows_and_keeps_the_guest_vlan_ranges(root_client, zone):
    services.zone_update(zone=zone, vlan="100-199", by=None)
    url = f"{zone.get_absolute_url()}edit/"
    form = root_client.get(url).context["form"]
    assert form.initial["vlan"] == "100-199"
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["description"] = "kept its VLANs"
    response = root_client.post(url, data, follow=True)
    assert shown_messages(response) == ["Updated zone zone-a."]
    assert [(r.start, r.end) for r in zone.guest_vlan_ranges.all()] == [(100, 199)]
    response = root_client.post(url, {**data, "vlan": "100-99"})
    assert form_errors(response, "vlan") == ["The VLAN range 100-99 ends before it starts."]


def test_a_zone_is_added_with_its_guest_vlan_ranges(root_client, region):
    response = root_client.post(
        "/zones/add/",
        {
            "name": "zone-v",
            "network_type": "Advanced",
            "dns1": "8.8.8.8",
            "internal_dns1": "10.0.0.2",
            "allocation_state": "Disabled",
            "vlan": "500-599",
        },
    )
    assert response.status_code == 302
    zone = region.zones.get(name="zone-v")
    assert zone.guest_vlans.count() == 100
