"""CloudStack commands for domains: listDomains, createDomain, updateDomain, deleteDomain."""

from __future__ import annotations

from typing import Any

from identity import services
from identity.cloudstack.lookups import domains_of, with_has_child
from identity.cloudstack.params import network_domain_param
from identity.cloudstack.responses import DOMAIN_FIELDS, domain_response
from identity.models import Domain
from identity.selectors import domains_filtered, domains_visible_to
from portal.cloudstack.calls import SUCCESS_FIELDS, Call, JobStarted, ListResult
from portal.cloudstack.jobs import delete_run, object_job_start
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import ADMINS, Param, command


@command(
    "listDomains",
    description="Lists domains: the caller's own, or with listall=true every one it may see.",
    params=[
        list_id_param("domain"),
        list_name_param("domains"),
        Param("level", "integer", description="List domains by level (ROOT is 0)."),
        Param("listall", "boolean", description="Every domain the caller may see."),
    ],
    list_key="domain",
    response=DOMAIN_FIELDS,
)
def list_domains(call: Call) -> ListResult:
    domains = with_has_child(
        domains_filtered(actor=call.actor, filters=call.fields("name"), lenient=True)
    )
    if call.has("id"):
        domains = domains.filter(pk=call.get("id"))
    elif not call.listall() and not call.has("name") and not call.has("level"):
        domains = domains.filter(pk=call.actor.account.domain_id)
    if call.has("level"):
        level = call.get("level")
        domains = [d for d in domains if d.level == level]
        return call.page_items([domain_response(d) for d in domains])
    return call.page(domains, domain_response)


@command(
    "createDomain",
    description="Creates a domain.",
    params=[
        Param("name", required=True, description="The name of the domain."),
        Param(
            "parentdomainid",
            "uuid",
            description="The parent domain; ROOT if not given.",
            field="parent",
        ),
        network_domain_param("domain"),
    ],
    roles=ADMINS,
    response=DOMAIN_FIELDS,
)
def create_domain(call: Call) -> dict[str, Any]:
    parent = call.find(domains_visible_to(actor=call.actor), "parentdomainid", required=False)
    if parent is None:
        parent = Domain.objects.get(parent__isnull=True)
    domain = services.domain_create(
        parent=parent,
        name=call.get("name"),
        network_domain=call.get("networkdomain", ""),
        by=call.actor,
    )
    return {"domain": domain_response(domain)}


@command(
    "updateDomain",
    description="Renames a domain or changes its network domain.",
    params=[
        id_param("domain"),
        Param("name", description="The new name of the domain."),
        network_domain_param("domain"),
    ],
    roles=ADMINS,
    response=DOMAIN_FIELDS,
)
def update_domain(call: Call) -> dict[str, Any]:
    domain = services.domain_update(
        domain=call.find(domains_of(call)),
        **call.fields("name", "networkdomain"),
        by=call.actor,
    )
    return {"domain": domain_response(domain)}


@command(
    "deleteDomain",
    description="Deletes a domain; with cleanup=true everything in it as well.",
    params=[
        id_param("domain"),
        Param("cleanup", "boolean", description="Delete the domain's contents too."),
    ],
    roles=ADMINS,
    is_async=True,
    run=delete_run(Domain, services.domain_delete),
    response=SUCCESS_FIELDS,
)
def delete_domain(call: Call) -> JobStarted:
    domain = call.find(domains_of(call))
    return object_job_start(call, domain, cleanup=bool(call.get("cleanup")))
