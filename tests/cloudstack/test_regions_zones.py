"""listRegions, addRegion, updateRegion, removeRegion; listZones, createZone, updateZone,
deleteZone — through the `cs` client, answers checked against the database."""

from __future__ import annotations

import cs
import pytest

from regions.models import Region
from tests import factories
from zones.models import Zone


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


# --- regions -------------------------------------------------------------------------------


def test_list_regions_reports_integer_ids_and_cloudstack_fields(root_cs, region):
    answer = root_cs.listRegions()
    assert answer == {
        "count": 1,
        "region": [
            {
                "id": 1,
                "name": "east",
                "endpoint": "http://127.0.0.1:8000",
                "gslbserviceenabled": True,
                "portableipserviceenabled": False,
            }
        ],
    }


def test_add_update_and_remove_a_region(root_cs, region):
    added = root_cs.addRegion(id=2, name="west", endpoint="https://west.example.com/")
    assert added["region"]["id"] == 2
    assert added["region"]["endpoint"] == "https://west.example.com"
    assert Region.objects.filter(pk=2, name="west").exists()

    updated = root_cs.updateRegion(id=2, name="west-2")
    assert updated["region"]["name"] == "west-2"
    assert root_cs.listRegions(id=2)["region"][0]["name"] == "west-2"
    assert root_cs.listRegions(name="WEST-2")["count"] == 1

    assert root_cs.removeRegion(id=2) == {"success": True}
    assert not Region.objects.filter(pk=2).exists()


def test_a_taken_region_id_is_a_parameter_error_naming_id(root_cs, region):
    status, error = api_error(root_cs.addRegion, id=1, name="again", endpoint="http://x.example")
    assert status == 431
    assert error["errorcode"] == 431
    assert error["cserrorcode"] == 4350
    assert error["errortext"].startswith("id: ")
    assert Region.objects.count() == 1


def test_the_local_region_cannot_be_removed(root_cs, region):
    status, _error = api_error(root_cs.removeRegion, id=1)
    assert status == 431
    assert Region.objects.filter(pk=1).exists()


def test_an_unknown_region_id_is_an_invalid_value(root_cs, region):
    status, error = api_error(root_cs.updateRegion, id=99, name="x")
    assert status == 431
    assert "Invalid parameter id value=99" in error["errortext"]


# --- zones ---------------------------------------------------------------------------------


def test_list_zones_envelope_and_fields(root_cs, zone):
    answer = root_cs.listZones(id=str(zone.pk))
    assert answer["count"] == 1
    listed = answer["zone"][0]
    assert listed["id"] == str(zone.pk)
    assert listed["name"] == "zone-a"
    assert listed["dns1"] == "8.8.8.8"
    assert listed["internaldns1"] == "10.0.0.2"
    assert listed["networktype"] == "Advanced"
    assert listed["allocationstate"] == "Disabled"
    assert listed["guestcidraddress"] == "10.1.1.0/24"


def test_an_empty_list_is_an_empty_envelope(root_cs, region):
    assert root_cs.listZones() == {}
    assert root_cs.listZones(name="nothing") == {}


def test_create_update_and_delete_a_zone(root_cs, region):
    created = root_cs.createZone(
        name="zone-new",
        networktype="advanced",  # matched case-insensitively
        dns1="1.1.1.1",
        internaldns1="10.0.0.53",
        guestcidraddress="10.2.0.0/16",
    )["zone"]
    zone = Zone.objects.get(pk=created["id"])
    assert (zone.network_type, zone.guest_cidr, zone.region_id) == ("Advanced", "10.2.0.0/16", 1)

    updated = root_cs.updateZone(id=created["id"], allocationstate="enabled", dns2="1.0.0.1")
    assert updated["zone"]["allocationstate"] == "Enabled"
    zone.refresh_from_db()
    assert (zone.allocation_state, zone.dns2) == ("Enabled", "1.0.0.1")

    assert root_cs.deleteZone(id=created["id"]) == {"success": True}
    assert not Zone.objects.filter(pk=created["id"]).exists()


def test_a_missing_required_parameter_is_named(root_cs, region):
    status, error = api_error(
        root_cs.createZone, name="z", networktype="Basic", internaldns1="1.1.1.1"
    )
    assert status == 431
    assert (
        error["errortext"]
        == "Unable to execute API command createzone due to missing parameter dns1"
    )
    assert not Zone.objects.exists()


def test_an_invalid_value_is_named_and_changes_nothing(root_cs, zone):
    status, error = api_error(root_cs.updateZone, id=str(zone.pk), name="renamed", dns1="999.1.1.1")
    assert status == 431
    assert error["errortext"].startswith("dns1: ")
    zone.refresh_from_db()
    assert (zone.name, zone.dns1) == ("zone-a", "8.8.8.8")


def test_a_bad_guest_cidr_is_reported_on_its_cloudstack_name(root_cs, region):
    status, error = api_error(
        root_cs.createZone,
        name="z",
        networktype="Advanced",
        dns1="1.1.1.1",
        internaldns1="10.0.0.1",
        guestcidraddress="10.0.0.1",
    )
    assert status == 431
    assert error["errortext"].startswith("guestcidraddress: ")
    assert not Zone.objects.exists()


def test_paging_keyword_and_page_size_rules(root_cs, region):
    for n in range(5):
        factories.zone(name=f"pz{n}", description="paged" if n % 2 else "")
    first = root_cs.listZones(page=1, pagesize=2)
    second = root_cs.listZones(page=3, pagesize=2)
    assert first["count"] == 5 and len(first["zone"]) == 2
    assert second["count"] == 5 and len(second["zone"]) == 1
    assert {z["name"] for z in first["zone"]} | {z["name"] for z in second["zone"]} <= {
        f"pz{n}" for n in range(5)
    }
    beyond = root_cs.listZones(page=4, pagesize=2)
    assert beyond == {"count": 5}
    assert root_cs.listZones(keyword="paged")["count"] == 2
    assert root_cs.listZones(pagesize=-1)["count"] == 5

    status, _error = api_error(root_cs.listZones, pagesize=2)
    assert status == 431
    status, _ = api_error(root_cs.listZones, page=1, pagesize=501)
    assert status == 431


def test_the_cs_client_fetches_every_page(root_cs, region):
    for n in range(7):
        factories.zone(name=f"fz{n}")
    zones = root_cs.listZones(fetch_list=True, pagesize=3)
    assert sorted(z["name"] for z in zones) == [f"fz{n}" for n in range(7)]


def test_users_see_zones_without_internal_details(alice_cs, zone):
    listed = alice_cs.listZones()["zone"][0]
    assert listed["name"] == "zone-a"
    assert "internaldns1" not in listed
    assert "guestcidraddress" not in listed
