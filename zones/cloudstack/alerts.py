"""CloudStack API commands for alerts: listAlerts, listAlertTypes, archiveAlerts and
deleteAlerts (root admins only, as in CloudStack).

Answers are CloudStack's AlertResponse: id, type (the number), name (ALERT.COMPUTE.HOST),
description (the subject) and sent (when it was last raised; an alert raised again while
open is counted, not repeated). listAlerts leaves archived alerts out, as CloudStack does.
"""

from __future__ import annotations

import uuid
from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.params import list_id_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from portal.cloudstack.render import timestamp
from zones import services
from zones.models import Alert, AlertType
from zones.selectors import alerts_visible_to

ALERT_FIELDS = ("id", "type", "name", "description", "sent")


def alert_response(alert: Alert) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "type": alert.alert_type,
        "name": alert.name,
        "description": alert.subject,
        "sent": timestamp(alert.last_sent),
    }


def _type(call: Call) -> int | None:
    """The `type` parameter: an alert type's number (CloudStack's listAlerts takes it as a
    string); None when not given."""
    if not call.has("type"):
        return None
    raw = str(call.get("type")).strip()
    if not raw.isdigit() or int(raw) not in AlertType.values:
        known = ", ".join(str(value) for value in AlertType.values)
        raise call.invalid("type", f"{raw!r} is not an alert type: one of {known}.")
    return int(raw)


@command(
    "listAlerts",
    description="Lists this region's alerts, newest first (archived ones are left out).",
    params=[
        list_id_param("alert"),
        Param("type", description="List the alerts of this type (its number, such as 7)."),
        Param("name", description="List the alerts of this name (such as ALERT.COMPUTE.HOST)."),
    ],
    roles=ROOT_ONLY,
    list_key="alert",
    response=ALERT_FIELDS,
)
def list_alerts(call: Call) -> ListResult:
    alerts = alerts_visible_to(actor=call.actor).filter(archived=False)
    if call.has("id"):
        alerts = alerts.filter(pk=call.get("id"))
    alert_type = _type(call)
    if alert_type is not None:
        alerts = alerts.filter(alert_type=alert_type)
    if call.has("name"):
        named = [t.value for t in AlertType if t.label.lower() == call.get("name").strip().lower()]
        alerts = alerts.filter(alert_type__in=named)
    return call.page(alerts, alert_response, keyword=("subject",))


@command(
    "listAlertTypes",
    description="Lists the alert types.",
    params=[],
    roles=ROOT_ONLY,
    list_key="alerttype",
    response=("alerttypeid", "name"),
)
def list_alert_types(call: Call) -> ListResult:
    return call.page_items([{"alerttypeid": t.value, "name": t.label} for t in AlertType])


_CHOOSE = [
    Param("ids", "list", description="The IDs of the alerts."),
    Param("type", description="The alerts of this type (its number)."),
    Param("startdate", "date", description="Alerts last sent from then (yyyy-MM-dd)."),
    Param("enddate", "date", description="Alerts last sent up to then (yyyy-MM-dd)."),
]


def _chosen(call: Call) -> dict[str, Any]:
    """The alerts a bulk command names: by ids, type or end date (one at least, as in
    CloudStack, so that no call archives or deletes every alert by omission)."""
    if not (call.has("ids") or call.has("type") or call.has("enddate")):
        raise call.invalid("ids", "Give ids, type or enddate: the alerts to act on.")
    alerts = alerts_visible_to(actor=call.actor)
    if call.has("ids"):
        try:
            alerts = alerts.filter(pk__in=[uuid.UUID(i) for i in call.get("ids")])
        except ValueError as error:
            raise call.invalid("ids", "An alert id is not a UUID.") from error
    start, end = call.get("startdate"), call.get("enddate")
    if start is not None and end is not None and end < start:
        raise call.invalid("enddate", "The end date is before the start date.")
    return {"alerts": alerts, "alert_type": _type(call), "start": start, "end": end}


@command(
    "archiveAlerts",
    description="Archives alerts: they leave listAlerts.",
    params=_CHOOSE,
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def archive_alerts(call: Call) -> dict[str, Any]:
    services.alerts_archive(**_chosen(call), by=call.actor)
    return success()


@command(
    "deleteAlerts",
    description="Deletes alerts.",
    params=_CHOOSE,
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_alerts(call: Call) -> dict[str, Any]:
    services.alerts_delete(**_chosen(call), by=call.actor)
    return success()
