"""listPods, createPod, updatePod, deletePod through the `cs` client: CloudStack's parameter
names, its PodResponse (ranges in `ipranges` and in the older parallel lists), errors that
name the parameter and change nothing. Who may call them: tests/cloudstack/test_refusals.py
(root admins only)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import cs
import pytest

from regions.services import region_create
from tests import factories
from zones.models import Pod, Zone

MISSING = "00000000-0000-4000-8000-00000000abcd"


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def pod_params(zone: Zone, **overrides) -> dict:
    return {
        "name": "rack-b",
        "zoneid": str(zone.pk),
        "gateway": "192.168.20.1",
        "netmask": "255.255.255.0",
        "startip": "192.168.20.10",
        "endip": "192.168.20.50",
    } | overrides


def test_create_answers_cloudstacks_pod_response(root_cs, zone):
    created = root_cs.createPod(**pod_params(zone))["pod"]
    pod = Pod.objects.get(pk=created["id"])
    assert created == {
        "id": str(pod.pk),
        "name": "rack-b",
        "zoneid": str(zone.pk),
        "zonename": "zone-a",
        "gateway": "192.168.20.1",
        "netmask": "255.255.255.0",
        "ipranges": [
            {
                "startip": "192.168.20.10",
                "endip": "192.168.20.50",
                "forsystemvms": "0",
                "vlanid": "vlan://untagged",
            }
        ],
        "startip": ["192.168.20.10"],
        "endip": ["192.168.20.50"],
        "forsystemvms": ["0"],
        "vlanid": ["vlan://untagged"],
        "allocationstate": "Enabled",
    }
    assert (pod.zone, pod.start_ip, pod.end_ip) == (zone, "192.168.20.10", "192.168.20.50")
    (event,) = root_cs.listEvents(type="POD.CREATE")["event"]
    assert (event["resourceid"], event["resourcename"]) == (str(pod.pk), "rack-b")


def test_without_endip_the_range_is_its_start(root_cs, zone):
    params = pod_params(zone, allocationstate="disabled")
    del params["endip"]
    created = root_cs.createPod(**params)["pod"]
    assert created["ipranges"][0]["endip"] == created["ipranges"][0]["startip"]
    assert created["allocationstate"] == "Disabled"  # matched whatever its case


def test_list_filters_by_id_zone_name_state_and_keyword(root_cs, pod):
    other = factories.pod(name="rack-z", allocation_state="Disabled")  # in another zone

    def names(**params):
        return [p["name"] for p in root_cs.listPods(**params).get("pod", [])]

    assert names() == ["rack-a", "rack-z"]
    assert names(id=str(other.pk)) == ["rack-z"]
    assert names(zoneid=str(pod.zone_id)) == ["rack-a"]
    assert names(name="RACK-A") == ["rack-a"]
    assert names(allocationstate="disabled") == ["rack-z"]
    assert names(allocationstate="Maintenance") == []
    assert names(keyword="ack-") == ["rack-a", "rack-z"]
    assert names(showcapacities=True) == ["rack-a", "rack-z"]  # accepted, nothing to show
    second = root_cs.listPods(pagesize=1, page=2)
    assert (second["count"], [p["id"] for p in second["pod"]]) == (2, [str(other.pk)])


def test_an_empty_list_and_an_unknown_zone(root_cs, zone):
    assert root_cs.listPods() == {}
    status, error = api_error(root_cs.listPods, zoneid=MISSING)
    assert status == 431
    assert f"Invalid parameter zoneid value={MISSING}" in error["errortext"]


def test_update_and_delete(root_cs, pod):
    updated = root_cs.updatePod(
        id=str(pod.pk), name="rack-a1", startip="192.168.10.50", allocationstate="Disabled"
    )["pod"]
    assert (updated["name"], updated["startip"], updated["endip"]) == (
        "rack-a1",
        ["192.168.10.50"],
        ["192.168.10.200"],
    )
    pod.refresh_from_db()
    assert (pod.name, pod.start_ip, pod.allocation_state) == (
        "rack-a1",
        "192.168.10.50",
        "Disabled",
    )

    assert root_cs.deletePod(id=str(pod.pk)) == {"success": True}
    assert not Pod.objects.exists()
    status, error = api_error(root_cs.deletePod, id=str(pod.pk))
    assert status == 431 and "Invalid parameter id value=" in error["errortext"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "RACK-A"}, "name: A pod named RACK-A exists in zone zone-a."),
        ({"gateway": "192.168.20"}, "gateway: '192.168.20' is not a valid IPv4 address."),
        ({"netmask": "255.0.255.0"}, "netmask: '255.0.255.0' is not a netmask"),
        ({"startip": "10.0.0.1"}, "startip: 10.0.0.1 is not in the pod's subnet 192.168.20.0/24"),
        ({"endip": "192.168.20.5"}, "endip: The range 192.168.20.10-192.168.20.5 ends before"),
        ({"gateway": "192.168.20.10"}, "gateway: The gateway 192.168.20.10 is inside the range"),
        (
            {"gateway": "192.168.10.1", "startip": "192.168.10.150", "endip": ""},
            "startip: The range 192.168.10.150-192.168.10.150 overlaps pod rack-a's range",
        ),
        ({"allocationstate": "Maintenance"}, "allocationstate: Choose one of Enabled, Disabled."),
    ],
)
def test_an_invalid_value_is_431_naming_the_parameter(root_cs, pod, overrides, message):
    status, error = api_error(root_cs.createPod, **pod_params(pod.zone, **overrides))
    assert (status, error["errorcode"], error["cserrorcode"]) == (431, 431, 4350)
    assert error["errortext"].startswith(message), error["errortext"]
    assert Pod.objects.count() == 1


def test_a_bad_update_is_431_naming_the_parameter_and_changes_nothing(root_cs, pod):
    status, error = api_error(root_cs.updatePod, id=str(pod.pk), name="x", endip="192.168.10.5")
    assert status == 431
    assert error["errortext"].startswith("endip: ")
    pod.refresh_from_db()
    assert (pod.name, pod.end_ip) == ("rack-a", "192.168.10.200")


def test_a_missing_parameter_is_named(root_cs, zone):
    params = pod_params(zone)
    del params["startip"]
    status, error = api_error(root_cs.createPod, **params)
    assert status == 431
    assert error["errortext"] == (
        "Unable to execute API command createpod due to missing parameter startip"
    )
    assert not Pod.objects.exists()


def test_pods_only_in_this_regions_zones(root_cs, region):
    west = region_create(id=2, name="west", endpoint="http://127.0.0.1:8002", by=None)
    far = Zone.objects.create(region=west, name="far", dns1="8.8.8.8", internal_dns1="10.0.0.2")
    status, error = api_error(root_cs.createPod, **pod_params(far))
    assert status == 431
    assert error["errortext"] == "zoneid: Pods are managed by the portal of their zone's region."
    status, error = api_error(root_cs.createPod, **pod_params(far, zoneid=MISSING))
    assert status == 431 and f"Invalid parameter zoneid value={MISSING}" in error["errortext"]
    assert not Pod.objects.exists()


def test_a_zone_with_pods_is_in_use(root_cs, pod):
    status, error = api_error(root_cs.deleteZone, id=str(pod.zone_id))
    assert (status, error["errortext"]) == (
        536,
        "Zone zone-a still has 1 pod(s); delete them first.",
    )
    assert Zone.objects.filter(pk=pod.zone_id).exists()


def test_list_pods_in_xml(raw, root_keys, pod):
    response = raw("listPods", pair=root_keys)
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "listpodsresponse"
    listed = root.find("pod")
    assert listed.findtext("name") == "rack-a"
    assert [r.findtext("startip") for r in listed.findall("ipranges")] == ["192.168.10.100"]
    assert [e.text for e in listed.findall("startip")] == ["192.168.10.100"]


def test_list_apis_describes_the_pod_commands(root_cs):
    (api,) = root_cs.listApis(name="createPod")["api"]
    params = {p["name"]: p for p in api["params"]}
    assert {name for name, p in params.items() if p["required"]} == {
        "name",
        "zoneid",
        "gateway",
        "netmask",
        "startip",
    }
    assert {"endip", "allocationstate"} <= set(params)
    assert {"ipranges", "startip", "zonename"} <= {r["name"] for r in api["response"]}
