"""createVlanIpRange, listVlanIpRanges, deleteVlanIpRange through the `cs` client:
CloudStack's parameter names, its VlanIpRangeResponse (under "vlan", and "vlaniprange" in
lists), errors that name the parameter and change nothing, and deleteZone, deletePod and
deleteVlanIpRange refused while in use. Who may call them: tests/cloudstack/test_refusals.py
(root admins only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests import factories
from tests.cloudstack.refusals import cs_refused
from zones.models import PublicIpAddress, VlanIpRange, Zone

MISSING = "00000000-0000-4000-8000-00000000abcd"


def range_params(zone: Zone, **overrides) -> dict:
    return {
        "zoneid": str(zone.pk),
        "vlan": "100",
        "gateway": "203.0.113.1",
        "netmask": "255.255.255.0",
        "startip": "203.0.113.10",
        "endip": "203.0.113.20",
        "forvirtualnetwork": True,
    } | overrides


def test_create_answers_cloudstacks_vlan_ip_range_response(root_cs, zone):
    created = root_cs.createVlanIpRange(**range_params(zone))["vlan"]
    ip_range = VlanIpRange.objects.get(pk=created["id"])
    assert created == {
        "id": str(ip_range.pk),
        "forvirtualnetwork": True,
        "zoneid": str(zone.pk),
        "vlan": "vlan://100",
        "description": "203.0.113.10-203.0.113.20",
        "gateway": "203.0.113.1",
        "netmask": "255.255.255.0",
        "cidr": "203.0.113.0/24",
        "startip": "203.0.113.10",
        "endip": "203.0.113.20",
        "forsystemvms": False,
    }
    assert ip_range.addresses.count() == 11
    (event,) = root_cs.listEvents(type="VLAN.IP.RANGE.CREATE")["event"]
    assert event["resourceid"] == str(ip_range.pk)


def test_defaults_untagged_for_virtual_networks_and_the_start_alone(root_cs, zone):
    params = range_params(zone)
    for name in ("vlan", "endip", "forvirtualnetwork"):
        del params[name]
    created = root_cs.createVlanIpRange(**params)["vlan"]
    assert (created["vlan"], created["forvirtualnetwork"], created["endip"]) == (
        "untagged",
        True,
        "203.0.113.10",
    )


def test_a_basic_zones_direct_range_names_its_pod(root_cs, region):
    basic = factories.zone(name="basic", network_type="Basic")
    pod = factories.pod(zone=basic, name="rack-b", gateway="10.70.0.1", start_ip="10.70.0.5",
                        end_ip="10.70.0.9")  # fmt: skip
    params = range_params(basic, podid=str(pod.pk), forvirtualnetwork=False)
    del params["vlan"], params["zoneid"]  # the pod names the zone
    created = root_cs.createVlanIpRange(**params)["vlan"]
    assert (created["zoneid"], created["podid"], created["podname"]) == (
        str(basic.pk),
        str(pod.pk),
        "rack-b",
    )
    status, error = cs_refused(
        root_cs.createVlanIpRange, **range_params(basic, forvirtualnetwork=False, vlan="")
    )
    assert (status, error["errortext"]) == (
        431,
        "podid: A Basic zone's direct IP ranges belong to a pod; choose one.",
    )
    status, error = cs_refused(root_cs.deletePod, id=str(pod.pk))
    assert (status, error["errortext"]) == (
        536,
        "Pod rack-b still has 1 public IP range(s); delete them first.",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"gateway": "203.0.113"}, "gateway: '203.0.113' is not a valid IPv4 address."),
        ({"netmask": "255.0.255.0"}, "netmask: '255.0.255.0' is not a netmask"),
        ({"startip": "10.0.0.1"}, "startip: 10.0.0.1 is not in the range's subnet 203.0.113.0/24"),
        ({"endip": "203.0.113.5"}, "endip: The range 203.0.113.10-203.0.113.5 ends before"),
        ({"endip": "fd00::1"}, "endip: 'fd00::1' is not a valid IPv4 address."),
        ({"gateway": "203.0.113.15"}, "gateway: The gateway 203.0.113.15 is inside the range"),
        ({"vlan": "4095"}, "vlan: VLAN id 4095 is out of 1-4094."),
        ({"vlan": "0"}, "vlan: VLAN id 0 is out of 1-4094."),
        ({"vlan": "one"}, "vlan: 'one' is not a VLAN: an id from 1 to 4094, or untagged."),
        (
            {"gateway": "192.168.10.1", "startip": "192.168.10.150", "endip": ""},
            "startip: The range 192.168.10.150-192.168.10.150 overlaps pod rack-a's private range",
        ),
        ({"podid": "POD"}, "podid: Only a Basic zone's direct IP ranges belong to a pod."),
        (
            {
                "gateway": "100.64.0.1",
                "netmask": "255.192.0.0",
                "startip": "100.64.0.2",
                "endip": "100.127.0.1",
            },
            "endip: The range 100.64.0.2-100.127.0.1 holds 4,128,768 addresses; a range holds "
            "at most 65,536.",
        ),
    ],
)
def test_an_invalid_value_is_431_naming_the_parameter(root_cs, pod, overrides, message):
    if overrides.get("podid") == "POD":
        overrides["podid"] = str(pod.pk)
    status, error = cs_refused(root_cs.createVlanIpRange, **range_params(pod.zone, **overrides))
    assert (status, error["errorcode"], error["cserrorcode"]) == (431, 431, 4350)
    assert error["errortext"].startswith(message), error["errortext"]


def test_overlaps_and_vlans_in_use_are_431(root_cs, zone):
    root_cs.createVlanIpRange(**range_params(zone))
    status, error = cs_refused(
        root_cs.createVlanIpRange, **range_params(zone, startip="203.0.113.20", endip="")
    )
    assert (status, error["errortext"]) == (
        431,
        "startip: The range 203.0.113.20-203.0.113.20 overlaps public IP range "
        "203.0.113.10-203.0.113.20.",
    )
    status, error = cs_refused(
        root_cs.createVlanIpRange,
        **range_params(zone, gateway="198.51.100.1", startip="198.51.100.5", endip=""),
    )
    assert status == 431 and error["errortext"].startswith("vlan: VLAN vlan://100 carries range")
    root_cs.updateZone(id=str(zone.pk), vlan="500-599")
    status, error = cs_refused(
        root_cs.createVlanIpRange,
        **range_params(zone, vlan="550", gateway="198.51.100.1", startip="198.51.100.5", endip=""),
    )
    assert (status, error["errortext"]) == (
        431,
        "vlan: VLAN 550 is in the zone's guest VLAN range 500-599; choose another.",
    )


def test_a_missing_parameter_and_an_unknown_zone_are_named(root_cs, zone):
    params = range_params(zone)
    del params["startip"]
    status, error = cs_refused(root_cs.createVlanIpRange, **params)
    assert (status, error["errortext"]) == (
        431,
        "Unable to execute API command createvlaniprange due to missing parameter startip",
    )
    status, error = cs_refused(root_cs.createVlanIpRange, **range_params(zone, zoneid=MISSING))
    assert status == 431 and f"Invalid parameter zoneid value={MISSING}" in error["errortext"]


def test_ranges_only_in_this_regions_zones(root_cs, region):
    far = factories.remote_pod().zone
    status, error = cs_refused(root_cs.createVlanIpRange, **range_params(far))
    assert (status, error["errortext"]) == (
        431,
        "zoneid: Public IP ranges are managed by the portal of their zone's region.",
    )


def test_list_filters_by_id_zone_pod_vlan_kind_and_keyword(root_cs, zone):
    mine = root_cs.createVlanIpRange(**range_params(zone))["vlan"]
    other = factories.vlan_ip_range(vlan="3333")  # in another zone
    direct = factories.vlan_ip_range(zone=zone, vlan="3334", for_virtual_network=False)

    def ids(**params):
        return [r["id"] for r in root_cs.listVlanIpRanges(**params).get("vlaniprange", [])]

    assert set(ids()) == {mine["id"], str(other.pk), str(direct.pk)}
    assert ids(id=mine["id"]) == [mine["id"]]
    assert set(ids(zoneid=str(zone.pk))) == {mine["id"], str(direct.pk)}
    assert ids(vlan="100") == ids(vlan="vlan://100") == [mine["id"]]
    assert ids(vlan="untagged") == []
    assert ids(forvirtualnetwork=False) == [str(direct.pk)]
    assert ids(keyword="203.0.113") == [mine["id"]]
    assert ids(podid=str(factories.pod(zone=zone).pk)) == []
    listed = root_cs.listVlanIpRanges(id=mine["id"])
    assert listed == {"count": 1, "vlaniprange": [mine]}
    status, error = cs_refused(root_cs.listVlanIpRanges, zoneid=MISSING)
    assert status == 431 and f"Invalid parameter zoneid value={MISSING}" in error["errortext"]


def test_delete_and_its_refusals(root_cs, root, zone):
    created = root_cs.createVlanIpRange(**range_params(zone))["vlan"]
    status, error = cs_refused(root_cs.deleteZone, id=str(zone.pk))
    assert (status, error["errortext"]) == (
        536,
        "Zone zone-a still has 1 public IP range(s); delete them first.",
    )
    PublicIpAddress.objects.filter(address="203.0.113.10").update(
        state="Allocated", account=root.account
    )
    status, error = cs_refused(root_cs.deleteVlanIpRange, id=created["id"])
    assert (status, error["errortext"]) == (
        536,
        "1 address(es) of public IP range 203.0.113.10-203.0.113.20 are allocated; release "
        "them first.",
    )
    PublicIpAddress.objects.update(state="Free", account=None)
    assert root_cs.deleteVlanIpRange(id=created["id"]) == {"success": True}
    assert not VlanIpRange.objects.exists() and not PublicIpAddress.objects.exists()
    status, error = cs_refused(root_cs.deleteVlanIpRange, id=created["id"])
    assert status == 431 and "Invalid parameter id value=" in error["errortext"]
    assert root_cs.deleteZone(id=str(zone.pk)) == {"success": True}


def test_list_in_xml(raw, root_keys, zone):
    factories.vlan_ip_range(zone=zone, vlan="42")
    response = raw("listVlanIpRanges", pair=root_keys, response="xml")
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "listvlaniprangesresponse"
    assert root.find("vlaniprange").findtext("vlan") == "vlan://42"


def test_list_apis_describes_the_range_commands(root_cs):
    (api,) = root_cs.listApis(name="createVlanIpRange")["api"]
    params = {p["name"]: p for p in api["params"]}
    assert {name for name, p in params.items() if p["required"]} == {
        "gateway",
        "netmask",
        "startip",
    }
    assert {"zoneid", "podid", "vlan", "endip", "forvirtualnetwork"} <= set(params)
    assert {"vlan", "startip", "description", "podname"} <= {r["name"] for r in api["response"]}
