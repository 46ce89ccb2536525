"""listEvents: this region's change log (portal.ObjectChange) in CloudStack's event shape.

An event is a write made in this region (CloudStack keeps events per management server;
the portal's cloud-wide list is the Changes page). Its type is the model's event entity and
the action (USER.CREATE, DOMAIN.DELETE, CONFIGURATION.UPDATE); every event is an INFO event
of a completed action; account and domain are those of the user who acted ("system" for
the portal itself).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from identity.models import Account, Domain
from identity.selectors import domain_subtree, events_visible_to
from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.registry import EVERYONE, Param, command
from portal.cloudstack.render import timestamp
from portal.cloudstack.scope import LIST_SCOPE, account_by_name, domain_param
from portal.declarations import declarations
from portal.models import ChangeAction, ObjectChange

EVENT_FIELDS = (
    "id",
    "username",
    "type",
    "level",
    "description",
    "account",
    "domainid",
    "domain",
    "created",
    "state",
    "resourceid",
    "resourcetype",
    "resourcename",
)
LEVEL = "INFO"
_ACTIONS = {
    "CREATE": ChangeAction.CREATE,
    "UPDATE": ChangeAction.UPDATE,
    "DELETE": ChangeAction.DELETE,
}


def _entities() -> dict[str, str]:
    """Model label -> event entity, for the models whose writes are logged."""
    return {found.label: found.event_entity for found in declarations() if found.logs_changes}


def _of_type(events: QuerySet[ObjectChange], text: str) -> QuerySet[ObjectChange]:
    entity, _, action = text.strip().upper().rpartition(".")
    labels = [label for label, name in _entities().items() if name == entity]
    if action not in _ACTIONS or not labels:
        return events.none()
    return events.filter(model__in=labels, action=_ACTIONS[action])


def _in_scope(call: Call, events: QuerySet[ObjectChange]) -> QuerySet[ObjectChange]:
    """CloudStack's list scope over who acted: an account, a domain (with isrecursive its
    subtree), with listall everything visible, else the caller's own domain."""
    account = account_by_name(call, required=False)
    if account is not None:
        return events.filter(actor_account_id=account.pk)
    domain = domain_param(call)
    recursive = call.listall() or bool(call.get("isrecursive"))
    if domain is not None:
        if recursive:
            return events.filter(actor_domain_id__in=domain_subtree(domain=domain).values("pk"))
        return events.filter(actor_domain_id=domain.pk)
    if recursive:
        return events
    return events.filter(actor_domain_id=call.actor.account.domain_id)


@command(
    "listEvents",
    description="Lists the events of this region: every write, who made it and when.",
    params=[
        Param("id", "uuid", description="List the event with this ID."),
        Param("type", description="The event type, such as USER.CREATE."),
        Param("level", description="INFO, WARN or ERROR (every event here is INFO)."),
        Param("startdate", "date", description="From this time (yyyy-MM-dd [HH:mm:ss], UTC)."),
        Param("enddate", "date", description="Up to this time (yyyy-MM-dd [HH:mm:ss], UTC)."),
        Param("account", description="Events of this account's users (with domainid)."),
        *LIST_SCOPE,
    ],
    roles=EVERYONE,
    list_key="event",
    response=EVENT_FIELDS,
)
def list_events(call: Call) -> ListResult:
    events = events_visible_to(actor=call.actor)
    events = events.filter(pk=call.get("id")) if call.has("id") else _in_scope(call, events)
    if call.has("type"):
        events = _of_type(events, call.get("type"))
    if call.has("level") and call.get("level").strip().upper() != LEVEL:
        events = events.none()
    if call.has("startdate"):
        events = events.filter(time__gte=call.get("startdate"))
    if call.has("enddate"):
        events = events.filter(time__lte=call.get("enddate"))
    if call.get("keyword"):
        text = call.get("keyword")
        labels = [label for label, name in _entities().items() if text.upper() in name]
        events = events.filter(
            Q(object_repr__icontains=text) | Q(actor_name__icontains=text) | Q(model__in=labels)
        )
    page = call.page(events.order_by("-time", "-id"), lambda row: row, keyword=())
    return ListResult(page.key, _responses(page.items), page.count)


def _responses(rows: list[ObjectChange]) -> list[dict[str, Any]]:
    accounts = dict(
        Account.objects.filter(pk__in={r.actor_account_id for r in rows}).values_list("pk", "name")
    )
    domains = dict(
        Domain.objects.filter(pk__in={r.actor_domain_id for r in rows}).values_list("pk", "name")
    )
    entities = _entities()
    return [_event(row, entities, accounts, domains) for row in rows]


def _event(
    row: ObjectChange, entities: dict[str, str], accounts: dict[Any, str], domains: dict[Any, str]
) -> dict[str, Any]:
    entity = entities.get(row.model, row.model.rpartition(".")[2].upper())
    name = row.model.rpartition(".")[2].lower()
    description = f"{row.get_action_display()} {name} {row.object_repr}"
    if row.actor_region:
        description += f" (applying a change made in region {row.actor_region})"
    return {
        "id": str(row.pk),
        "username": row.actor_name or "system",
        "type": f"{entity}.{row.action.upper()}",
        "level": LEVEL,
        "description": description,
        "account": accounts.get(row.actor_account_id, "system"),
        "domainid": str(row.actor_domain_id) if row.actor_domain_id else None,
        "domain": domains.get(row.actor_domain_id, "ROOT"),
        "created": timestamp(row.time),
        "state": "Completed",
        "resourceid": row.object_id,
        "resourcetype": entity,
        "resourcename": row.object_repr,
    }
