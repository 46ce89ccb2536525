"""listConfigurations and updateConfiguration over the global configuration's services."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import cs
import pytest

from regions.configuration.selectors import setting_value
from regions.configuration.services import setting_update
from regions.models.configuration import Setting
from zones.models import ZoneSetting


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error


def test_list_configurations_shows_effective_values(root_cs):
    (timeout,) = root_cs.listConfigurations(name="session.timeout")["configuration"]
    assert timeout == {
        "name": "session.timeout",
        "category": "Sign-in",
        "value": "30",
        "defaultvalue": "30",
        "description": timeout["description"],
        "type": "Integer",
        "scope": "global",
        "isdynamic": True,
        "source": "default",
    }
    everything = root_cs.listConfigurations()
    assert everything["count"] == Setting.objects.count() > 10
    by_category = root_cs.listConfigurations(category="Password policy")["configuration"]
    assert {c["category"] for c in by_category} == {"Password policy"}
    assert root_cs.listConfigurations(keyword="overprovisioning")["count"] == 3


def test_update_then_reset_a_setting(root_cs):
    updated = root_cs.updateConfiguration(name="session.timeout", value="45")["configuration"]
    assert (updated["value"], updated["source"]) == ("45", "global")
    assert setting_value("session.timeout") == 45
    assert root_cs.listConfigurations(name="session.timeout")["configuration"][0]["value"] == "45"

    reset = root_cs.updateConfiguration(name="session.timeout")["configuration"]
    assert (reset["value"], reset["source"]) == ("30", "default")
    assert Setting.objects.get(name="session.timeout").value is None


def test_a_bad_value_is_named_and_changes_nothing(root_cs):
    setting_update(name="session.timeout", value="45", by=None)
    status, error = api_error(root_cs.updateConfiguration, name="session.timeout", value="soon")
    assert status == 431
    assert error["errortext"].startswith("value: session.timeout takes a whole number")
    assert setting_value("session.timeout") == 45


def test_an_unknown_setting_is_named(root_cs):
    status, error = api_error(root_cs.updateConfiguration, name="no.such.setting", value="1")
    assert status == 431
    assert error["errortext"].startswith("name: ")


def test_zone_values(root_cs, zone):
    name = "cpu.overprovisioning.factor"
    answer = root_cs.updateConfiguration(name=name, value="2.5", zoneid=str(zone.pk))
    assert (answer["configuration"]["value"], answer["configuration"]["source"]) == (
        "2.5",
        "zone",
    )
    assert ZoneSetting.objects.get(setting__name=name, zone=zone).value == "2.5"
    in_zone = root_cs.listConfigurations(zoneid=str(zone.pk), name=name)["configuration"][0]
    assert (in_zone["value"], in_zone["source"]) == ("2.5", "zone")
    assert root_cs.listConfigurations(name=name)["configuration"][0]["value"] == "1.0"
    assert {
        c["scope"] for c in root_cs.listConfigurations(zoneid=str(zone.pk))["configuration"]
    } == {"zone"}

    root_cs.updateConfiguration(name=name, zoneid=str(zone.pk))
    assert not ZoneSetting.objects.filter(setting__name=name, zone=zone).exists()


def test_only_zone_scoped_settings_take_a_zone(root_cs, zone):
    status, error = api_error(
        root_cs.updateConfiguration, name="session.timeout", value="5", zoneid=str(zone.pk)
    )
    assert status == 431
    assert error["errortext"].startswith("zoneid: ")
    assert Setting.objects.get(name="session.timeout").value is None


def test_domain_admins_read_the_configuration_and_only_root_admins_change_it(dadmin_cs, alice_cs):
    assert dadmin_cs.listConfigurations(name="session.timeout")["count"] == 1
    status, _ = api_error(dadmin_cs.updateConfiguration, name="session.timeout", value="5")
    assert status == 432
    status, _ = api_error(alice_cs.listConfigurations)
    assert status == 432
    assert Setting.objects.get(name="session.timeout").value is None


def test_list_configurations_in_xml(raw, root_keys):
    response = raw("listConfigurations", pair=root_keys, name="session.timeout")
    root = ET.fromstring(response.content)
    assert root.tag == "listconfigurationsresponse"
    assert root.find("configuration").findtext("value") == "30"


def test_capabilities_follow_the_configuration(root_cs, alice_cs):
    assert alice_cs.listCapabilities()["capability"]["allowusercreateprojects"] is True
    root_cs.updateConfiguration(name="allow.user.create.projects", value="false")
    assert alice_cs.listCapabilities()["capability"]["allowusercreateprojects"] is False
    status, _ = api_error(alice_cs.createProject, name="not-allowed")
    assert status == 531
