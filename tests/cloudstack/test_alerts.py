"""listAlerts, listAlertTypes, archiveAlerts and deleteAlerts through the `cs` client, as
CloudStack answers them. Who may call them: tests/cloudstack/test_refusals.py."""

from __future__ import annotations

import cs
import pytest

from tests import factories
from tests.db_state import db_state
from zones.models import Alert, AlertType


def api_error(call, **kwargs) -> tuple[int, dict]:
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(**kwargs)
    return caught.value.response.status_code, caught.value.error


def test_list_answers_cloudstacks_alert_response(root_cs, zone):
    alert = factories.alert(zone=zone, subject="Host h1 in zone-a is not answering")
    (listed,) = root_cs.listAlerts()["alert"]
    assert listed == {
        "id": str(alert.pk),
        "type": 7,
        "name": "ALERT.COMPUTE.HOST",
        "description": "Host h1 in zone-a is not answering",
        "sent": alert.last_sent.strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }


def test_list_filters_by_type_name_and_keyword(root_cs, zone):
    host = factories.alert(subject="Host h1 is not answering")
    cpu = factories.alert(alert_type=AlertType.CPU, key="capacity:1:zone", subject="CPU at 90%")
    assert [a["id"] for a in root_cs.listAlerts(type="1")["alert"]] == [str(cpu.pk)]
    assert [a["id"] for a in root_cs.listAlerts(name="alert.compute.host")["alert"]] == [
        str(host.pk)
    ]
    assert [a["id"] for a in root_cs.listAlerts(keyword="90%")["alert"]] == [str(cpu.pk)]
    assert root_cs.listAlerts(type="18") == {}
    assert {t["name"] for t in root_cs.listAlertTypes()["alerttype"]} >= {
        "ALERT.MEMORY",
        "ALERT.COMPUTE.HOST",
        "ALERT.NETWORK.VLAN",
    }


def test_an_unknown_type_is_refused_naming_it(root_cs, region):
    status, error = api_error(root_cs.listAlerts, type="host")
    assert status == 431 and "type" in error["errortext"]


def test_archive_by_type_leaves_listalerts_and_deletes_by_ids(root_cs, region):
    host = factories.alert(subject="Host h1 is not answering")
    cpu = factories.alert(alert_type=AlertType.CPU, key="capacity:1:zone", subject="CPU at 90%")
    assert root_cs.archiveAlerts(type="7")["success"] in (True, "true")
    assert [a["id"] for a in root_cs.listAlerts()["alert"]] == [str(cpu.pk)]
    assert Alert.objects.get(pk=host.pk).archived
    root_cs.deleteAlerts(ids=f"{host.pk},{cpu.pk}")
    assert not Alert.objects.exists()


def test_bulk_commands_refuse_to_act_on_every_alert_by_omission(root_cs, region):
    factories.alert()
    before = db_state()
    for command in (root_cs.archiveAlerts, root_cs.deleteAlerts):
        status, error = api_error(command)
        assert status == 431 and "ids" in error["errortext"]
    status, error = api_error(root_cs.deleteAlerts, ids="not-a-uuid")
    assert status == 431 and "ids" in error["errortext"]
    status, error = api_error(root_cs.deleteAlerts, startdate="2026-12-02", enddate="2026-12-01")
    assert status == 431 and "enddate" in error["errortext"]
    assert db_state() == before
