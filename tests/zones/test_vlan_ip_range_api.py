"""REST API of public IP ranges (made and deleted, never changed; their free and allocated
counts), their addresses (read only) and a zone's guest VLAN ranges (`vlan`): field-named
errors that change nothing, filters, the schema.

Which role sees, adds and deletes ranges is tested for every model by
tests/portal/test_model_contracts.py (only root admins; anyone else a 403); here, what is
particular to them.
"""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.api_helpers import assert_field_refused, assert_names_field, assert_refused_unchanged
from zones.models import PublicIpAddress, VlanIpRange, Zone


def range_payload(where: Zone, **overrides):
    return {**factories.PUBLIC_RANGE, "zone": str(where.pk), "end_ip": "203.0.113.13"} | overrides


def test_root_admin_creates_reads_and_deletes_ranges(root_api, zone):
    created = root_api.post("/api/vlan-ip-ranges/", range_payload(zone), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["zone"], body["zone_name"], body["pod"], body["pod_name"]) == (
        str(zone.pk),
        "zone-a",
        None,
        None,
    )
    assert (body["vlan"], body["for_virtual_network"]) == ("vlan://100", True)
    assert (body["start_ip"], body["end_ip"]) == ("203.0.113.10", "203.0.113.13")
    assert (body["free_addresses"], body["allocated_addresses"]) == (4, 0)
    range_id = body["id"]
    assert root_api.get(f"/api/vlan-ip-ranges/{range_id}/").json() == body
    assert root_api.patch(f"/api/vlan-ip-ranges/{range_id}/", {}, format="json").status_code == 405
    assert root_api.delete(f"/api/vlan-ip-ranges/{range_id}/").status_code == 204
    assert not VlanIpRange.objects.exists() and not PublicIpAddress.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"zone": str(uuid.uuid4())}, "zone"),
        ({"zone": "zone-a"}, "zone"),
        ({"pod": str(uuid.uuid4())}, "pod"),
        ({"gateway": ""}, "gateway"),
        ({"gateway": "203.0.113.300"}, "gateway"),
        ({"gateway": "203.0.113.11"}, "gateway"),
        ({"netmask": "255.255.0.255"}, "netmask"),
        ({"start_ip": "10.0.0.1"}, "start_ip"),
        ({"end_ip": "203.0.113.9"}, "end_ip"),
        ({"end_ip": "fd00::1"}, "end_ip"),
        ({"vlan": "0"}, "vlan"),
        ({"vlan": "4095"}, "vlan"),
        ({"vlan": "ten"}, "vlan"),
        ({"vlan": 100}, "vlan"),  # JSON: a VLAN is text
        ({"for_virtual_network": "true"}, "for_virtual_network"),
        ({"for_virtual_network": False, "vlan": ""}, "vlan"),
        ({"start_ip": "192.168.10.150", "gateway": "192.168.10.1", "end_ip": ""}, "start_ip"),
    ],
)
def test_bad_range_input_names_the_field_and_changes_nothing(root_api, pod, overrides, field):
    payload = range_payload(pod.zone, **overrides)
    assert_field_refused(root_api, "post", "/api/vlan-ip-ranges/", payload, field)


@pytest.mark.parametrize("missing", ["zone", "gateway", "netmask", "start_ip"])
def test_required_range_fields(root_api, zone, missing):
    payload = range_payload(zone)
    del payload[missing]
    assert_field_refused(root_api, "post", "/api/vlan-ip-ranges/", payload, missing)


def test_overlapping_ranges_are_refused(root_api, zone):
    factories.vlan_ip_range(
        zone=zone, vlan="100", gateway="203.0.113.1", start_ip="203.0.113.12", end_ip="203.0.113.20"
    )
    response = assert_field_refused(
        root_api, "post", "/api/vlan-ip-ranges/", range_payload(zone), "start_ip"
    )
    assert response.json()["start_ip"] == [
        "The range 203.0.113.10-203.0.113.13 overlaps public IP range 203.0.113.12-203.0.113.20."
    ]


def test_a_range_with_an_allocated_address_is_not_deleted(root_api, root, zone):
    ip_range = factories.vlan_ip_range(zone=zone)
    ip_range.addresses.filter(address=ip_range.start_ip).update(
        state="Allocated", account=root.account
    )
    response = assert_refused_unchanged(
        root_api, "delete", f"/api/vlan-ip-ranges/{ip_range.pk}/", None, 400
    )
    assert "are allocated; release them first." in response.json()["non_field_errors"][0]
    body = root_api.get(f"/api/vlan-ip-ranges/{ip_range.pk}/").json()
    assert (body["free_addresses"], body["allocated_addresses"]) == (10, 1)


def test_a_zone_with_ranges_is_not_deleted(root_api, zone):
    factories.vlan_ip_range(zone=zone)
    response = assert_refused_unchanged(root_api, "delete", f"/api/zones/{zone.pk}/", None, 400)
    assert response.json() == {
        "non_field_errors": ["Zone zone-a still has 1 public IP range(s); delete them first."]
    }


def test_ranges_filter_by_zone_pod_vlan_and_search(root_api, zone):
    mine = factories.vlan_ip_range(zone=zone, vlan="3500")
    other = factories.vlan_ip_range(vlan="untagged")

    def listed(query):
        response = root_api.get(f"/api/vlan-ip-ranges/?{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert listed(f"zone={zone.pk}") == [str(mine.pk)]
    assert listed(f"pod={uuid.uuid4()}") == []
    assert listed("vlan=3500") == listed("vlan=vlan://3500") == [str(mine.pk)]
    assert listed("vlan=untagged") == [str(other.pk)]
    assert listed("vlan=" + "9" * 5000) == []  # no VLAN, and no int() of 5,000 digits
    assert listed("for_virtual_network=false") == []
    assert listed(f"search={mine.start_ip}") == [str(mine.pk)]
    assert_names_field(root_api.get("/api/vlan-ip-ranges/?zone=zone-a"), "zone")


def test_addresses_are_listed_read_only(root_api, alice, zone):
    ip_range = factories.vlan_ip_range(zone=zone, start_ip="100.100.1.250", end_ip="100.100.1.254",
                                       gateway="100.100.1.1")  # fmt: skip
    factories.vlan_ip_range()
    response = root_api.get(f"/api/public-ip-addresses/?range={ip_range.pk}&limit=100")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [a["address"] for a in results] == [f"100.100.1.{n}" for n in range(250, 255)]
    first = results[0]
    assert (first["range"], first["zone"], first["zone_name"]) == (
        str(ip_range.pk),
        str(zone.pk),
        "zone-a",
    )
    assert (first["state"], first["account"], first["allocated"]) == ("Free", None, None)
    one = f"/api/public-ip-addresses/{first['id']}/"
    assert root_api.get(one).json() == first
    for method in ("post", "put", "patch", "delete"):
        assert_refused_unchanged(root_api, method, one, {"state": "Allocated"}, 405)
    assert root_api.get("/api/public-ip-addresses/?state=Allocated").json()["count"] == 0
    assert root_api.get("/api/public-ip-addresses/?search=100.100.1.25").json()["count"] == 5
    assert_names_field(root_api.get("/api/public-ip-addresses/?state=Taken"), "state")


def test_a_zones_guest_vlan_ranges_are_read_and_written_as_text(root_api, region):
    created = root_api.post(
        "/api/zones/",
        {"name": "z-v", "dns1": "8.8.8.8", "internal_dns1": "10.0.0.2", "vlan": "300-309,100"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["vlan"] == "100-100,300-309"
    path = f"/api/zones/{created.json()['id']}/"
    assert root_api.patch(path, {"description": "x"}, format="json").json()["vlan"] == (
        "100-100,300-309"
    )
    assert root_api.patch(path, {"vlan": "1-5"}, format="json").json()["vlan"] == "1-5"
    assert_field_refused(root_api, "patch", path, {"vlan": "5-1"}, "vlan")
    assert_field_refused(root_api, "patch", path, {"vlan": 5}, "vlan")
    assert root_api.get("/api/zones/").json()["results"][0]["vlan"] == "1-5"


def test_the_schema_documents_ranges_and_addresses(client, region):
    schema = client.get("/api/schema/?format=json").json()
    ranges = {p["name"] for p in schema["paths"]["/api/vlan-ip-ranges/"]["get"]["parameters"]}
    assert {"zone", "pod", "vlan", "for_virtual_network", "search"} <= ranges
    assert set(schema["paths"]["/api/vlan-ip-ranges/{id}/"]) >= {"get", "delete"}
    assert not {"put", "patch"} & set(schema["paths"]["/api/vlan-ip-ranges/{id}/"])
    addresses = schema["paths"]["/api/public-ip-addresses/"]
    assert set(addresses) == {"get"}
    assert {"zone", "range", "state", "account"} <= {
        p["name"] for p in addresses["get"]["parameters"]
    }
